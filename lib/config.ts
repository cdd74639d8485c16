/**
 * @module
 * Settings: flags > `PARS_*` env > config.json > defaults, resolved by pure
 * functions that report every problem at once. The shell reads the config
 * file; this module only parses and checks its text.
 */

import { isAbsolute, join, resolve } from "node:path";
import { ConfigError, UsageError } from "./errors.ts";
import {
  DEFAULTS,
  EVM_KEYS,
  NETWORKS,
  PLUGIN_NAMES,
  type PluginName,
  PLUGINS,
  PRECOMPILES,
} from "./defaults.ts";
import { managedCollisions } from "./args.ts";

/** Where a setting came from. */
export type Source = "flag" | "env" | "config" | "default" | "search";

/** Per-plugin settings. */
export interface PluginSettings {
  /** The binary path given by flag, env or config.json, if any. */
  readonly path?: string;
  /** Which of those gave it. */
  readonly pathSource?: "flag" | "env" | "config";
  /** The pinned SHA-256 (lower-case hex), if any. */
  readonly sha256?: string;
}

/** Per-chain settings for luxd's `--chain-config-content`. */
export interface ChainSettings {
  /** The chain alias or ID the entry is keyed by. */
  readonly id: string;
  /** Extra keys for the chain's Config JSON. */
  readonly config: Readonly<Record<string, unknown>>;
  /** The chain's Upgrade JSON, if any. */
  readonly upgrade?: Readonly<Record<string, unknown>>;
}

/** Every setting parsd runs with, resolved and checked. */
export interface Settings {
  readonly dataDir: string;
  readonly configPath: string;
  /** Whether the config file existed. */
  readonly configFound: boolean;
  readonly networkId: number;
  readonly httpPort: number;
  readonly stakingPort: number;
  readonly luxd?: string;
  readonly shutdownGraceMs: number;
  readonly verify: "cache" | "full";
  readonly trustUnpinned: boolean;
  readonly trackAllChains: boolean;
  readonly luxdArgs: readonly string[];
  readonly plugins: Readonly<Record<PluginName, PluginSettings>>;
  readonly chains: Readonly<Record<PluginName, ChainSettings>>;
  readonly evmKeys: { readonly warp: string; readonly precompiles: string };
  readonly warpApi: boolean;
  readonly precompiles: Readonly<Record<string, string>>;
}

/** The facts {@linkcode locateConfig} and {@linkcode resolveSettings} need. */
export interface ConfigFacts {
  readonly flags: Readonly<Record<string, string | boolean>>;
  readonly env: (name: string) => string | undefined;
  readonly home: string;
  readonly cwd: string;
}

/** Expands `~` and makes a path absolute against `base`. */
export function absolutePath(path: string, home: string, base: string): string {
  if (path === "~") return home;
  if (path.startsWith("~/")) return join(home, path.slice(2));
  return isAbsolute(path) ? resolve(path) : resolve(base, path);
}

function flagOrEnv(facts: ConfigFacts, flag: string, env: string): [string, Source] | undefined {
  const f = facts.flags[flag];
  if (typeof f === "string") return [f, "flag"];
  const e = facts.env(env);
  if (e !== undefined && e !== "") return [e, "env"];
  return undefined;
}

/**
 * Finds the config file and the data dir as far as flags and env decide
 * them (config.json may still set `data-dir` when neither does).
 */
export function locateConfig(facts: ConfigFacts): { dataDir?: string; configPath: string } {
  const dd = flagOrEnv(facts, "data-dir", "PARS_DATA_DIR");
  const dataDir = dd ? absolutePath(dd[0], facts.home, facts.cwd) : undefined;
  const cf = flagOrEnv(facts, "config", "PARS_CONFIG");
  const configPath = cf
    ? absolutePath(cf[0], facts.home, facts.cwd)
    : join(dataDir ?? join(facts.home, ".pars"), "config.json");
  return dataDir === undefined ? { configPath } : { dataDir, configPath };
}

/** Line and column (1-based) of a character offset in text. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

/**
 * Parses JSON text, turning a syntax error into a message with line and column.
 *
 * @throws {ConfigError} on malformed JSON.
 */
export function parseJsonText(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const lc = /line (\d+) column (\d+)/.exec(message);
    const pos = /position (\d+)/.exec(message);
    const where = lc
      ? { line: Number(lc[1]), column: Number(lc[2]) }
      : lineColumn(text, pos ? Number(pos[1]) : text.length);
    const reason = message.replace(/\s*(in JSON )?at position \d+.*$/s, "").replace(
      /^JSON\.parse: /,
      "",
    );
    throw new ConfigError(
      `${path}:${where.line}:${where.column}: malformed JSON: ${reason}; fix the file or move it away`,
      { cause: error },
    );
  }
}

/** Edit distance, for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(
        prev[j]! + 1,
        cur[j - 1]! + 1,
        prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** The known key nearest to `key`, if it is close enough to be a likely typo. */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

/** Parses a network ID: a number from 1 to 2^32-1 or a network name. */
export function parseNetworkId(value: unknown): number | string {
  if (typeof value === "number") {
    return Number.isInteger(value) && value >= 1 && value <= 0xffffffff
      ? value
      : `must be an integer from 1 to 4294967295 or one of ${Object.keys(NETWORKS).join(", ")}`;
  }
  if (typeof value !== "string") return "must be a number or a network name";
  const named = NETWORKS[value.toLowerCase()];
  if (named !== undefined) return named;
  if (!/^\d+$/.test(value.trim())) {
    return `must be a positive integer or one of ${Object.keys(NETWORKS).join(", ")}`;
  }
  return parseNetworkId(Number(value.trim()));
}

/** Parses a TCP port from 1 to 65535. */
export function parsePort(value: unknown): number | string {
  const n = typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  return typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= 65535
    ? n
    : "must be an integer from 1 to 65535";
}

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Parses a Go-style duration (`30s`, `1m30s`, `500ms`) or a number of seconds, into ms. */
export function parseDuration(value: unknown): number | string {
  const problem = "must be a duration such as 30s, 1m30s or 500ms";
  if (typeof value === "number") {
    return value > 0 && Number.isFinite(value) ? value * 1000 : problem;
  }
  if (typeof value !== "string") return problem;
  if (/^\d+(\.\d+)?$/.test(value)) return parseDuration(Number(value));
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let end = 0;
  for (const m of value.matchAll(re)) {
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    end = m.index! + m[0].length;
  }
  return end === value.length && value.length > 0 && total > 0 ? total : problem;
}

const SHA256_RE = /^[0-9a-f]{64}$/;

type Obj = Record<string, unknown>;

/** A value that failed to parse, with the reason. */
class Problem {
  constructor(readonly text: string) {}
}
/** Wraps a parser that returns a problem as a string, for values that are never strings. */
const strict = <T>(parse: (v: unknown) => T | string) => (v: unknown): T | Problem => {
  const r = parse(v);
  return typeof r === "string" ? new Problem(r) : r;
};
const isObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** The keys config.json may hold at its top level. */
export const CONFIG_KEYS = [
  "network-id",
  "data-dir",
  "http-port",
  "staking-port",
  "luxd",
  "shutdown-grace",
  "verify",
  "track-all-chains",
  "luxd-args",
  "plugins",
  "chains",
  "evm-keys",
  "warp-api",
  "precompiles",
] as const;

function unknownKeys(obj: Obj, known: readonly string[], where: string, problems: string[]): void {
  for (const key of Object.keys(obj)) {
    if (known.includes(key)) continue;
    const near = nearestKey(key, known);
    problems.push(
      `${where}: unknown key '${key}'` +
        (near ? `; did you mean '${near}'?` : `; known keys: ${known.join(", ")}`),
    );
  }
}

/** The default config.json that `parsd init` writes. */
export function defaultConfigText(): string {
  const doc = {
    "network-id": DEFAULTS.networkId,
    "http-port": DEFAULTS.httpPort,
    "staking-port": DEFAULTS.stakingPort,
    plugins: {},
  };
  return JSON.stringify(doc, null, 2) + "\n";
}

/**
 * Resolves every setting from flags, env, the config file's text and the
 * defaults.
 *
 * @param configText the config file's text, or `undefined` if it does not exist.
 * @throws {UsageError} when only flags are wrong; {@linkcode ConfigError}
 *   when config.json or env is wrong. Either lists every problem found.
 */
export function resolveSettings(facts: ConfigFacts, configText: string | undefined): Settings {
  const { configPath, dataDir: locatedDataDir } = locateConfig(facts);
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
  const configDir = join(configPath, "..");

  /** Looks a setting up by precedence and parses it, recording a problem on failure. */
  function pick<T>(
    flag: string | undefined,
    env: string | undefined,
    key: string,
    fallback: T,
    parse: (v: unknown) => T | Problem,
  ): T {
    const candidates: [unknown, string, string[]][] = [];
    if (flag !== undefined && typeof facts.flags[flag] === "string") {
      candidates.push([facts.flags[flag], `--${flag}`, flagProblems]);
    }
    const e = env === undefined ? undefined : facts.env(env);
    if (env !== undefined && e !== undefined && e !== "") candidates.push([e, env, configProblems]);
    if (key in file) candidates.push([file[key], `${configPath}: '${key}'`, configProblems]);
    const [raw, origin, problems] = candidates[0] ?? [undefined, "", configProblems];
    if (raw === undefined) return fallback;
    const parsed = parse(raw);
    if (parsed instanceof Problem) {
      problems.push(`${origin} ${JSON.stringify(raw)}: ${parsed.text}`);
      return fallback;
    }
    return parsed;
  }

  const networkId = pick(
    "network-id",
    "PARS_NETWORK_ID",
    "network-id",
    DEFAULTS.networkId,
    strict(parseNetworkId),
  );
  const httpPort = pick(
    "http-port",
    "PARS_HTTP_PORT",
    "http-port",
    DEFAULTS.httpPort,
    strict(parsePort),
  );
  const stakingPort = pick(
    "staking-port",
    "PARS_STAKING_PORT",
    "staking-port",
    DEFAULTS.stakingPort,
    strict(parsePort),
  );
  if (httpPort === stakingPort) {
    const origin = typeof facts.flags["http-port"] === "string" ||
        typeof facts.flags["staking-port"] === "string"
      ? flagProblems
      : configProblems;
    origin.push(
      `HTTP port and staking port are both ${httpPort}; give them different values (--http-port, --staking-port)`,
    );
  }
  const shutdownGraceMs = pick(
    "shutdown-grace",
    "PARS_SHUTDOWN_GRACE",
    "shutdown-grace",
    DEFAULTS.shutdownGraceMs,
    strict(parseDuration),
  );
  const verify = pick<"cache" | "full">(
    "verify",
    undefined,
    "verify",
    DEFAULTS.verify,
    (v) => v === "cache" || v === "full" ? v : new Problem("must be 'cache' or 'full'"),
  );
  const trackAllChains = pick(
    undefined,
    undefined,
    "track-all-chains",
    DEFAULTS.trackAllChains as boolean,
    (v) => typeof v === "boolean" ? v : new Problem("must be true or false"),
  );
  const warpApi = pick(
    undefined,
    undefined,
    "warp-api",
    true as boolean,
    (v) => typeof v === "boolean" ? v : new Problem("must be true or false"),
  );

  const stringPath = (
    v: unknown,
  ) => (typeof v === "string" && v !== "" ? v : new Problem("must be a non-empty path"));
  const luxdRaw = pick<string | undefined>("luxd", "PARS_LUXD", "luxd", undefined, stringPath);
  const luxdFromFile = typeof facts.flags["luxd"] !== "string" && !facts.env("PARS_LUXD");
  const luxd = luxdRaw === undefined
    ? undefined
    : absolutePath(luxdRaw, facts.home, luxdFromFile ? configDir : facts.cwd);

  let dataDir = locatedDataDir;
  if (dataDir === undefined) {
    const fromFile = file["data-dir"];
    if (fromFile === undefined) dataDir = join(facts.home, ".pars");
    else if (typeof fromFile === "string" && fromFile !== "") {
      dataDir = absolutePath(fromFile, facts.home, configDir);
    } else {
      configProblems.push(
        `${configPath}: 'data-dir' ${JSON.stringify(fromFile)}: must be a non-empty path`,
      );
      dataDir = join(facts.home, ".pars");
    }
  }

  let luxdArgs: string[] = [];
  if ("luxd-args" in file) {
    const v = file["luxd-args"];
    if (Array.isArray(v) && v.every((x) => typeof x === "string" && x.startsWith("-"))) {
      luxdArgs = v as string[];
      configProblems.push(...managedCollisions(luxdArgs, `${configPath}: 'luxd-args'`));
    } else {
      configProblems.push(
        `${configPath}: 'luxd-args': must be a list of luxd flags such as ["--log-level=info"]`,
      );
    }
  }

  const plugins = resolvePlugins(facts, file, configPath, configDir, configProblems);
  const chains = resolveChains(file, configPath, configProblems);

  const evmKeys: { warp: string; precompiles: string } = { ...EVM_KEYS };
  if ("evm-keys" in file) {
    const v = file["evm-keys"];
    if (!isObject(v)) configProblems.push(`${configPath}: 'evm-keys': must be an object`);
    else {
      unknownKeys(v, Object.keys(EVM_KEYS), `${configPath}: 'evm-keys'`, configProblems);
      for (const k of Object.keys(EVM_KEYS) as (keyof typeof EVM_KEYS)[]) {
        if (k in v) {
          if (typeof v[k] === "string" && v[k] !== "") evmKeys[k] = v[k] as string;
          else {configProblems.push(
              `${configPath}: 'evm-keys.${k}' ${JSON.stringify(v[k])}: must be a non-empty string`,
            );}
        }
      }
    }
  }

  const precompiles: Record<string, string> = { ...PRECOMPILES };
  if ("precompiles" in file) {
    const v = file["precompiles"];
    if (!isObject(v)) {
      configProblems.push(`${configPath}: 'precompiles': must be an object of name → address`);
    } else {
      for (const [name, address] of Object.entries(v)) {
        if (address === null) delete precompiles[name];
        else if (typeof address === "string" && /^0x[0-9a-fA-F]{1,40}$/.test(address)) {
          precompiles[name] = address;
        } else {
          configProblems.push(
            `${configPath}: 'precompiles.${name}' ${
              JSON.stringify(address)
            }: must be a hex address such as "0x0601", or null to drop it`,
          );
        }
      }
    }
  }

  if (configProblems.length > 0) throw new ConfigError([...flagProblems, ...configProblems]);
  if (flagProblems.length > 0) throw new UsageError(flagProblems);

  const settings: Settings = {
    dataDir,
    configPath,
    configFound: configText !== undefined,
    networkId,
    httpPort,
    stakingPort,
    shutdownGraceMs,
    verify,
    trustUnpinned: facts.flags["trust-unpinned"] === true,
    trackAllChains,
    luxdArgs,
    plugins,
    chains,
    evmKeys,
    warpApi,
    precompiles,
  };
  return luxd === undefined ? settings : { ...settings, luxd };
}

function resolvePlugins(
  facts: ConfigFacts,
  file: Obj,
  configPath: string,
  configDir: string,
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
    let configured: string | undefined;
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
      if ("path" in entry) {
        const p = entry["path"];
        if (typeof p === "string" && p !== "") configured = absolutePath(p, facts.home, configDir);
        else {problems.push(
            `${configPath}: 'plugins.${name}.path' ${JSON.stringify(p)}: must be a non-empty path`,
          );}
      }
    }
    const given = flagOrEnv(facts, spec.flag, spec.env);
    let result: PluginSettings = {};
    if (given) {
      result = {
        path: absolutePath(given[0], facts.home, facts.cwd),
        pathSource: given[1] as "flag" | "env",
      };
    } else if (configured !== undefined) result = { path: configured, pathSource: "config" };
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
