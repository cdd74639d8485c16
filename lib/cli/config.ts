/**
 * @module
 * Settings: flag > `PARS_*` env > config.json > default, for every row of
 * `options.ts` by one rule ({@linkcode resolveSettings}'s `pick`), plus the
 * config.json sections that are not single options (plugins, chains,
 * luxd-args, evm-keys, precompiles). Pure: the caller reads the config file;
 * every problem is reported at once.
 */

import { dirname, join } from "../os/path.ts";
import { ConfigError, NoInputError, UsageError } from "../errors.ts";
import { EVM_KEYS, PLUGIN_NAMES, type PluginName, PLUGINS, PRECOMPILES } from "../network/pars.ts";
import { managedCollisions } from "../luxd/flags.ts";
import { nearest } from "../nearest.ts";
import { duplicateKeys, scanJson } from "../json_text.ts";
import { CONFIG_KEYS, type OptionName, OPTIONS, type OptionValue } from "./options.ts";
import { Invalid, type ParseContext } from "./option_parsers.ts";
import type { ChainSettings, PluginSettings, Settings, Source } from "../settings.ts";
import { dataDirFromFlagOrEnv, defaultDataDir } from "../data_dir/locate.ts";

/** The facts {@linkcode locateConfig} and {@linkcode resolveSettings} need. */
export interface ConfigFacts {
  readonly flags: Readonly<Record<string, string | boolean>>;
  readonly env: (name: string) => string | undefined;
  readonly home: string;
  /** The user's directory: relative paths on the command line and in env resolve against it. */
  readonly cwd: string;
}

/** Where the config file is, as flags and env decide it. */
export interface ConfigLocation {
  /** The data dir, when a flag or `PARS_DATA_DIR` gives it. */
  readonly dataDir?: string;
  readonly configPath: string;
  /** Whether `--config` or `PARS_CONFIG` named the file (then it must exist). */
  readonly named: boolean;
}

const rawFlag = (facts: ConfigFacts, name: string) => facts.flags[name];
const rawEnv = (facts: ConfigFacts, env: string | undefined) => {
  const v = env === undefined ? undefined : facts.env(env);
  return v === "" ? undefined : v;
};

/** Finds the config file and the data dir as far as flags and env decide them. */
export function locateConfig(facts: ConfigFacts): ConfigLocation {
  const flag = (n: string) => {
    const v = rawFlag(facts, n);
    return typeof v === "string" ? v : undefined;
  };
  const dataDir = dataDirFromFlagOrEnv(
    flag("data-dir"),
    rawEnv(facts, OPTIONS["data-dir"].env),
    facts.home,
    facts.cwd,
  );
  const named = dataDirFromFlagOrEnv(
    flag("config"),
    rawEnv(facts, OPTIONS.config.env),
    facts.home,
    facts.cwd,
  );
  const configPath = named ?? join(dataDir ?? defaultDataDir(facts.home), "config.json");
  const base = { configPath, named: named !== undefined };
  return dataDir === undefined ? base : { ...base, dataDir };
}

/** Line and column (1-based) of a character offset in text. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

/** A function from offset to 1-based line, for many offsets of one text. */
function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

/**
 * Parses JSON text, turning a syntax error into a message with line and
 * column. A leading UTF-8 byte-order mark is ignored, as editors add one.
 * A key an object holds twice is an error: JSON.parse (and luxd) would keep
 * the last one without a word.
 *
 * @throws {ConfigError} on malformed JSON, or one line per duplicate key
 *   naming its path and both lines.
 */
export function parseJsonText(text: string, path: string): unknown {
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const lc = /line (\d+) column (\d+)/.exec(message);
    const pos = /position (\d+)/.exec(message);
    const where = lc
      ? { line: Number(lc[1]), column: Number(lc[2]) }
      : lineColumn(body, pos ? Number(pos[1]) : body.length);
    const reason = message.replace(/\s*(in JSON )?at position \d+.*$/s, "").replace(
      /^JSON\.parse: /,
      "",
    );
    throw new ConfigError(
      `${path}:${where.line}:${where.column}: malformed JSON: ${reason}; fix the file or move it away`,
      { cause: error },
    );
  }
  const duplicates = typeof parsed === "object" && parsed !== null
    ? duplicateKeys(scanJson(body))
    : [];
  if (duplicates.length > 0) {
    const line = lineIndex(body);
    throw new ConfigError(
      duplicates.map((d) =>
        `${path}:${line(d.again)}: duplicate key '${d.path}' (also on line ${
          line(d.first)
        }); JSON keeps only the last one silently: keep one`
      ),
    );
  }
  return parsed;
}

const SHA256_RE = /^[0-9a-f]{64}$/;

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function unknownKeys(obj: Obj, known: readonly string[], where: string, problems: string[]): void {
  for (const key of Object.keys(obj)) {
    if (known.includes(key)) continue;
    const near = nearest(key, known);
    problems.push(
      `${where}: unknown key '${key}'` +
        (near ? `; did you mean '${near}'?` : `; known keys: ${known.join(", ")}`),
    );
  }
}

/** The value at a dotted key (`plugins.evm.path`) of config.json, if every level is an object. */
function at(file: Obj, dotted: string): unknown {
  let v: unknown = file;
  for (const part of dotted.split(".")) {
    if (!isObject(v) || !(part in v)) return undefined;
    v = v[part];
  }
  return v;
}

/** The default config.json that `parsd init` writes. */
export function defaultConfigText(): string {
  const doc = {
    "network-id": OPTIONS["network-id"].default,
    "http-port": OPTIONS["http-port"].default,
    "staking-port": OPTIONS["staking-port"].default,
    plugins: {},
  };
  return JSON.stringify(doc, null, 2) + "\n";
}

/** A resolved option: its value and where it came from. */
export interface Picked<T> {
  readonly value: T;
  readonly source: Source;
}

/**
 * Resolves every setting from flags, env, the config file's text and the
 * defaults.
 *
 * @param configText the config file's text, or `undefined` if it does not exist.
 * @param o `mayCreateConfig`: a config named by flag or env may be missing (`init` creates it).
 * @throws {NoInputError} when `--config`/`PARS_CONFIG` names a missing file;
 *   {@linkcode UsageError} when only flags are wrong; {@linkcode ConfigError}
 *   when config.json or env is wrong. Each lists every problem found.
 */
export function resolveSettings(
  facts: ConfigFacts,
  configText: string | undefined,
  o: { mayCreateConfig?: boolean } = {},
): Settings {
  const location = locateConfig(facts);
  const { configPath } = location;
  if (configText === undefined && location.named && !o.mayCreateConfig) {
    throw new NoInputError(
      `config ${configPath} (from --config / PARS_CONFIG) does not exist; fix the path, or run 'parsd init --config ${configPath}' to create it`,
    );
  }
  const flagProblems: string[] = [];
  const configProblems: string[] = [];
  const file: Obj = {};
  if (configText !== undefined) {
    const parsed = parseJsonText(configText, configPath);
    if (!isObject(parsed)) {
      throw new ConfigError(
        `${configPath}: must hold a JSON object, got ${JSON.stringify(parsed)?.slice(0, 40)}`,
      );
    }
    Object.assign(file, parsed);
    unknownKeys(file, CONFIG_KEYS, configPath, configProblems);
  }
  const configDir = dirname(configPath);

  /** The one precedence rule: flag > env > config.json > default. */
  function pick<K extends OptionName>(name: K): Picked<OptionValue<K>> | undefined {
    const spec = OPTIONS[name];
    const candidates: [unknown, Source, string, string[], ParseContext][] = [];
    const fromCwd = { base: facts.cwd, home: facts.home };
    const flag = spec.flag === undefined ? undefined : rawFlag(facts, name);
    if (flag !== undefined) candidates.push([flag, "flag", `--${name}`, flagProblems, fromCwd]);
    const env = rawEnv(facts, spec.env);
    if (env !== undefined) candidates.push([env, "env", spec.env!, configProblems, fromCwd]);
    const fromFile = spec.config === undefined ? undefined : at(file, spec.config);
    if (fromFile !== undefined) {
      candidates.push([fromFile, "config", `${configPath}: '${spec.config}'`, configProblems, {
        base: configDir,
        home: facts.home,
      }]);
    }
    const first = candidates[0];
    if (first === undefined) {
      return spec.default === undefined
        ? undefined
        : { value: spec.default as OptionValue<K>, source: "default" };
    }
    const [raw, source, origin, problems, ctx] = first;
    const parsed = spec.parse(raw, ctx);
    if (parsed instanceof Invalid) {
      problems.push(`${origin} ${JSON.stringify(raw)}: ${parsed.reason}`);
      return spec.default === undefined
        ? undefined
        : { value: spec.default as OptionValue<K>, source: "default" };
    }
    return { value: parsed as OptionValue<K>, source };
  }
  const value = <K extends OptionName>(name: K) => pick(name)!.value;

  const networkId = value("network-id");
  const httpPort = value("http-port");
  const stakingPort = value("staking-port");
  if (httpPort === stakingPort) {
    const fromFlag = ["http-port", "staking-port"].some((n) =>
      typeof rawFlag(facts, n) === "string"
    );
    (fromFlag ? flagProblems : configProblems).push(
      `HTTP port and staking port are both ${httpPort}; give them different values (--http-port, --staking-port)`,
    );
  }
  const luxdPick = pick("luxd");
  const genesisPick = pick("genesis");
  const luxdSha256 = pick("luxd-sha256")?.value;
  const dataDir = location.dataDir ?? pick("data-dir")?.value ?? defaultDataDir(facts.home);

  let luxdArgs: string[] = [];
  if ("luxd-args" in file) {
    const v = file["luxd-args"];
    if (Array.isArray(v) && v.every((x) => typeof x === "string")) {
      luxdArgs = v as string[];
      const words = luxdArgs.filter((x) => !x.startsWith("-"));
      if (words.length > 0) {
        configProblems.push(
          `${configPath}: 'luxd-args': '${
            words[0]
          }' is not a flag; write each flag with its value in one string, such as "--log-level=info"`,
        );
      }
      configProblems.push(...managedCollisions(luxdArgs, `${configPath}: 'luxd-args'`));
    } else {
      configProblems.push(
        `${configPath}: 'luxd-args': must be a list of luxd flags such as ["--log-level=info"]`,
      );
    }
  }

  const plugins = resolvePlugins(pick, file, configPath, configProblems);
  const chains = resolveChains(file, configPath, configProblems);
  const evmKeys = resolveEvmKeys(file, configPath, configProblems);
  const precompiles = resolvePrecompiles(file, configPath, configProblems);
  const settings: Settings = {
    dataDir,
    configPath,
    configFound: configText !== undefined,
    networkId,
    ...(genesisPick === undefined ? {} : { genesis: genesisPick.value }),
    bootstrapNodes: value("bootstrap-nodes"),
    httpPort,
    stakingPort,
    trustedKeys: value("trusted-keys"),
    shutdownGraceMs: value("shutdown-grace"),
    verify: value("verify"),
    trustUnpinned: value("trust-unpinned"),
    allowVmFailure: value("allow-vm-failure") as PluginName[],
    trackAllChains: value("track-all-chains"),
    luxdArgs,
    plugins,
    chains,
    evmKeys,
    warpApi: value("warp-api"),
    precompiles,
  };

  if (configProblems.length > 0) throw new ConfigError([...flagProblems, ...configProblems]);
  if (flagProblems.length > 0) throw new UsageError(flagProblems);
  const withPin = luxdSha256 === undefined ? settings : { ...settings, luxdSha256 };
  return luxdPick === undefined ? withPin : {
    ...withPin,
    luxd: luxdPick.value,
    luxdSource: luxdPick.source as "flag" | "env" | "config",
  };
}

function resolveEvmKeys(
  file: Obj,
  configPath: string,
  problems: string[],
): { warp: string; precompiles: string } {
  const evmKeys: { warp: string; precompiles: string } = { ...EVM_KEYS };
  if (!("evm-keys" in file)) return evmKeys;
  const v = file["evm-keys"];
  if (!isObject(v)) {
    problems.push(`${configPath}: 'evm-keys': must be an object`);
    return evmKeys;
  }
  unknownKeys(v, Object.keys(EVM_KEYS), `${configPath}: 'evm-keys'`, problems);
  for (const k of Object.keys(EVM_KEYS) as (keyof typeof EVM_KEYS)[]) {
    if (!(k in v)) continue;
    if (typeof v[k] === "string" && v[k] !== "") evmKeys[k] = v[k] as string;
    else {
      problems.push(
        `${configPath}: 'evm-keys.${k}' ${JSON.stringify(v[k])}: must be a non-empty string`,
      );
    }
  }
  return evmKeys;
}

function resolvePrecompiles(
  file: Obj,
  configPath: string,
  problems: string[],
): Record<string, string> {
  const precompiles: Record<string, string> = { ...PRECOMPILES };
  if (!("precompiles" in file)) return precompiles;
  const v = file["precompiles"];
  if (!isObject(v)) {
    problems.push(`${configPath}: 'precompiles': must be an object of name → address`);
    return precompiles;
  }
  for (const [name, address] of Object.entries(v)) {
    if (address === null) delete precompiles[name];
    else if (typeof address === "string" && /^0x[0-9a-fA-F]{1,40}$/.test(address)) {
      precompiles[name] = address;
    } else {
      problems.push(
        `${configPath}: 'precompiles.${name}' ${
          JSON.stringify(address)
        }: must be a hex address such as "0x0601", or null to drop it`,
      );
    }
  }
  return precompiles;
}

type Pick = <K extends OptionName>(name: K) => Picked<OptionValue<K>> | undefined;

function resolvePlugins(
  pick: Pick,
  file: Obj,
  configPath: string,
  problems: string[],
): Record<PluginName, PluginSettings> {
  const section = file["plugins"] ?? {};
  const out = {} as Record<PluginName, PluginSettings>;
  if (!isObject(section)) {
    problems.push(
      `${configPath}: 'plugins': must be an object keyed by ${PLUGIN_NAMES.join(", ")}`,
    );
  } else unknownKeys(section, PLUGIN_NAMES, `${configPath}: 'plugins'`, problems);
  for (const name of PLUGIN_NAMES) {
    const spec = PLUGINS[name];
    const entry = isObject(section) ? section[name] ?? {} : {};
    let sha256: string | undefined;
    if (!isObject(entry)) {
      problems.push(`${configPath}: 'plugins.${name}': must be an object with 'path' and 'sha256'`);
    } else {
      unknownKeys(entry, ["path", "sha256"], `${configPath}: 'plugins.${name}'`, problems);
      if ("sha256" in entry) {
        const h = entry["sha256"];
        if (typeof h === "string" && SHA256_RE.test(h.toLowerCase())) sha256 = h.toLowerCase();
        else {
          problems.push(
            `${configPath}: 'plugins.${name}.sha256' ${
              JSON.stringify(h)
            }: must be 64 hex digits; re-pin with 'parsd plugins pin ${name}'`,
          );
        }
      }
    }
    const path = pick(spec.flag as "evm-plugin" | "sessionvm-plugin");
    const result: PluginSettings = path === undefined
      ? {}
      : { path: path.value, pathSource: path.source as "flag" | "env" | "config" };
    out[name] = sha256 === undefined ? result : { ...result, sha256 };
  }
  return out;
}

function resolveChains(
  file: Obj,
  configPath: string,
  problems: string[],
): Record<PluginName, ChainSettings> {
  const section = file["chains"] ?? {};
  const out = {} as Record<PluginName, ChainSettings>;
  if (!isObject(section)) {
    problems.push(`${configPath}: 'chains': must be an object keyed by ${PLUGIN_NAMES.join(", ")}`);
  } else unknownKeys(section, PLUGIN_NAMES, `${configPath}: 'chains'`, problems);
  for (const name of PLUGIN_NAMES) {
    const entry = isObject(section) ? section[name] ?? {} : {};
    let chain: ChainSettings = { id: PLUGINS[name].defaultChain, config: {} };
    if (!isObject(entry)) {
      problems.push(
        `${configPath}: 'chains.${name}': must be an object with 'id', 'config', 'upgrade'`,
      );
    } else {
      unknownKeys(entry, ["id", "config", "upgrade"], `${configPath}: 'chains.${name}'`, problems);
      const { id, config, upgrade } = entry;
      if (id !== undefined) {
        if (typeof id === "string" && id !== "") chain = { ...chain, id };
        else {problems.push(
            `${configPath}: 'chains.${name}.id' ${JSON.stringify(id)}: must be a chain alias or ID`,
          );}
      }
      if (config !== undefined) {
        if (isObject(config)) chain = { ...chain, config };
        else problems.push(`${configPath}: 'chains.${name}.config': must be a JSON object`);
      }
      if (upgrade !== undefined) {
        if (isObject(upgrade)) chain = { ...chain, upgrade };
        else problems.push(`${configPath}: 'chains.${name}.upgrade': must be a JSON object`);
      }
    }
    out[name] = chain;
  }
  if (out.evm.id === out.sessionvm.id) {
    problems.push(
      `${configPath}: 'chains.evm.id' and 'chains.sessionvm.id' are both '${out.evm.id}'; give each chain its own`,
    );
  }
  return out;
}
