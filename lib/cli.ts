/**
 * @module
 * parsd's commands. {@linkcode main} parses argv, runs one subcommand and
 * returns the exit code; it never calls `Deno.exit` and never throws.
 */

import { dirname, join } from "node:path";
import { parseArgs, type ParsedArgs } from "./args.ts";
import {
  CantCreateError,
  ConfigError,
  exitCodeOf,
  formatError,
  LuxdNotExecutableError,
  LuxdNotFoundError,
  NoInputError,
  ParsdError,
  PermissionError,
  UsageError,
} from "./errors.ts";
import {
  type ConfigFacts,
  defaultConfigText,
  locateConfig,
  parseJsonText,
  resolveSettings,
  type Settings,
} from "./config.ts";
import { readTextIfExists, statFacts, writeFileAtomic } from "./files.ts";
import { layout, layoutDirs } from "./layout.ts";
import { PLUGIN_NAMES, type PluginName, PLUGINS } from "./defaults.ts";
import {
  discover,
  forEachPlugin,
  inspectTarget,
  parseSha256Sums,
  pickSum,
  type Pin,
  verifyPlugin,
  withPins,
} from "./plugins.ts";
import { sha256File } from "./hash.ts";
import { linkState } from "./links.ts";
import { findLuxd } from "./luxd.ts";
import { ENGINE_ADDR_ENV, looksLikeRpcChainVm } from "./registration.ts";
import {
  apply,
  checkDataDir,
  checkStaking,
  checkStrays,
  type Env,
  prepare,
  searchEnvs,
} from "./setup.ts";
import { exitCodeFor, forwardedSignals, forwardSignals } from "./signals.ts";
import type { System } from "./system.ts";
import { vmid } from "./vmid.ts";
import { VERSION } from "./version.ts";
import { helpText, USAGE } from "./help.ts";

/** Everything a command needs once settings are resolved. */
interface Context {
  readonly sys: System;
  readonly args: ParsedArgs;
  readonly settings: Settings;
  readonly env: Env;
}

function home(sys: System): string {
  const h = sys.env("HOME") || (sys.os === "windows" ? sys.env("USERPROFILE") : undefined);
  if (!h) {
    throw new ConfigError(
      "HOME is not set; set HOME, or give --data-dir and the plugin and luxd paths",
    );
  }
  return h;
}

function envOf(sys: System): Env {
  const path = sys.env("PATH");
  const gopath = sys.env("GOPATH");
  return {
    home: home(sys),
    os: sys.os,
    uid: sys.uid(),
    ...(path === undefined ? {} : { path }),
    ...(gopath ? { gopath } : {}),
  };
}

function configFacts(sys: System, args: ParsedArgs): ConfigFacts {
  return { flags: args.flags, env: (n) => sys.env(n), home: home(sys), cwd: sys.cwd() };
}

async function readConfig(path: string): Promise<string | undefined> {
  try {
    const f = await statFacts(path);
    if (f?.isDirectory) {
      throw new ConfigError(
        `config ${path} is a directory; give the config file's path with --config`,
      );
    }
    return await readTextIfExists(path);
  } catch (error) {
    if (error instanceof ParsdError) throw error;
    if (error instanceof Deno.errors.PermissionDenied) {
      throw new PermissionError(
        `cannot read config ${path}: permission denied; fix its owner or mode`,
        { cause: error },
      );
    }
    throw new ConfigError(`cannot read config ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

async function loadContext(sys: System, args: ParsedArgs): Promise<Context> {
  const facts = configFacts(sys, args);
  const text = await readConfig(locateConfig(facts).configPath);
  return { sys, args, settings: resolveSettings(facts, text), env: envOf(sys) };
}

/**
 * Runs parsd with argv (without argv0).
 *
 * @returns the exit code: 0, parsd's own failure code, or luxd's code.
 */
export async function main(argv: readonly string[], sys: System): Promise<number> {
  try {
    const args = parseArgs(argv);
    switch (args.command) {
      case "help":
        sys.out(helpText());
        return 0;
      case "version":
        return await version(sys, args);
      case "vmid":
        return vmidCommand(sys, args);
      case "init":
        return await init(await loadContext(sys, args));
      case "doctor":
        return await doctor(sys, args);
      case "plugins":
        return await plugins(await loadContext(sys, args));
      case "run":
        return await run(await loadContext(sys, args));
    }
  } catch (error) {
    sys.err(formatError(error) + "\n");
    if (error instanceof UsageError) sys.err(USAGE + "\n");
    return exitCodeOf(error);
  }
}

function vmidCommand(sys: System, args: ParsedArgs): number {
  const [name, ...extra] = args.positionals;
  if (name === undefined || extra.length > 0) {
    throw new UsageError("'parsd vmid' takes exactly one VM name, e.g. 'parsd vmid sessionvm'");
  }
  try {
    sys.out(vmid(name) + "\n");
  } catch (error) {
    throw new UsageError(`VM name '${name}': ${(error as Error).message}`);
  }
  return 0;
}

async function version(sys: System, args: ParsedArgs): Promise<number> {
  sys.out(`parsd ${VERSION} (deno ${Deno.version.deno}, ${Deno.build.target})\n`);
  let luxdPath: string | undefined;
  try {
    const ctx = await loadContext(sys, args);
    luxdPath = await findLuxd(ctx.settings.luxd, searchEnvs(ctx.env).luxd);
  } catch {
    sys.out("luxd: not found\n");
    return 0;
  }
  const out = await sys.output(luxdPath, ["--version"], 5000);
  const line = out?.stdout.split("\n")[0]?.trim();
  sys.out(`luxd: ${line ? line : "(no version output)"} (${luxdPath})\n`);
  return 0;
}

async function init(ctx: Context): Promise<number> {
  if (ctx.args.positionals.length > 0) {
    throw new UsageError(`'parsd init' takes no arguments, got '${ctx.args.positionals[0]}'`);
  }
  const { sys, settings } = ctx;
  await checkDataDir(settings.dataDir);
  for (const dir of layoutDirs(layout(settings.dataDir))) {
    const f = await statFacts(dir);
    if (f?.isDirectory) {
      sys.out(`exists  ${dir}\n`);
      continue;
    }
    if (f) throw new CantCreateError(`${dir} exists but is not a directory; move it away`);
    try {
      await Deno.mkdir(dir, { mode: 0o700 });
    } catch (error) {
      throw new CantCreateError(`cannot create ${dir}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    sys.out(`created ${dir}\n`);
  }
  if (settings.configFound) {
    sys.out(`exists  ${settings.configPath}\n`);
  } else {
    try {
      const file = await Deno.open(settings.configPath, {
        write: true,
        createNew: true,
        mode: 0o600,
      });
      await file.write(new TextEncoder().encode(defaultConfigText()));
      file.close();
    } catch (error) {
      throw new CantCreateError(
        `cannot create ${settings.configPath}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    sys.out(`created ${settings.configPath}\n`);
  }
  return 0;
}

async function run(ctx: Context): Promise<number> {
  const { sys, settings } = ctx;
  const debugPermissions = sys.env("PARSD_DEBUG_PERMISSIONS") === "1";
  const prepared = await prepare(settings, ctx.args.passthrough, ctx.env);
  for (const p of prepared.plan.plugins) {
    if (!p.pinned) {
      sys.err(
        `parsd: warning: trusting unpinned plugin ${p.name}: sha256 ${p.sha256} (${p.target})\n`,
      );
    }
  }
  if (ctx.args.flags["dry-run"] === true) {
    sys.out(JSON.stringify(prepared.plan, null, 2) + "\n");
    return 0;
  }
  for (const line of await apply(prepared)) sys.err(`parsd: ${line}\n`);
  const { luxd, args } = prepared.plan;
  sys.err(
    `parsd: starting ${luxd} (network ${settings.networkId}, data dir ${settings.dataDir})\n`,
  );
  let child;
  try {
    child = sys.spawn(luxd, args);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new LuxdNotFoundError(`luxd ${luxd} vanished before it could start`);
    }
    if (error instanceof Deno.errors.PermissionDenied) {
      throw new LuxdNotExecutableError(`luxd ${luxd} cannot be executed: permission denied`);
    }
    throw error;
  }
  const stop = forwardSignals(child, sys.signals, {
    signals: forwardedSignals(sys.os),
    graceMs: settings.shutdownGraceMs,
    log: (m) => sys.err(`parsd: ${m}\n`),
  });
  try {
    const states = await sys.dropPermissions();
    if (debugPermissions) {
      sys.err(
        `parsd: debug: permissions after spawn: ${
          Object.entries(states).map(([k, v]) => `${k}=${v}`).join(" ")
        }\n`,
      );
    }
    const status = await child.status;
    return exitCodeFor(status);
  } finally {
    stop();
  }
}

async function doctor(sys: System, args: ParsedArgs): Promise<number> {
  let failure: number | undefined;
  const line = (state: "ok" | "warn" | "FAIL", check: string, detail: string) =>
    sys.out(`${state.padEnd(5)}${check.padEnd(18)}${detail}\n`);
  const check = async (name: string, f: () => Promise<string>) => {
    try {
      line("ok", name, await f());
    } catch (error) {
      if (!(error instanceof ParsdError)) throw error;
      failure ??= error.exitCode;
      for (const p of error.problems) line("FAIL", name, p);
    }
  };
  let ctx: Context | undefined;
  await check("config", async () => {
    ctx = await loadContext(sys, args);
    return ctx.settings.configFound
      ? ctx.settings.configPath
      : `${ctx.settings.configPath} (absent; defaults apply)`;
  });
  if (!ctx) return failure ?? 1;
  const { settings, env } = ctx;
  const l = layout(settings.dataDir);
  const search = searchEnvs(env);
  await check("data-dir", async () => {
    await checkDataDir(settings.dataDir);
    return (await statFacts(settings.dataDir))
      ? settings.dataDir
      : `${settings.dataDir} (will be created)`;
  });
  await check(
    "ports",
    () => Promise.resolve(`http ${settings.httpPort}, staking ${settings.stakingPort}`),
  );
  await check("staking", async () => {
    const files = await checkStaking(l, env.os);
    const have = Object.entries(files).filter(([, v]) => v).map(([k]) => k);
    return have.length > 0
      ? `${l.stakingDir} (${have.join(", ")} present)`
      : `${l.stakingDir} (luxd will generate keys)`;
  });
  await check("luxd", async () => {
    const path = await findLuxd(settings.luxd, search.luxd);
    const out = await sys.output(path, ["--version"], 5000);
    return `${path}${out?.stdout.trim() ? ` (${out.stdout.split("\n")[0]!.trim()})` : ""}`;
  });
  await check("plugin-dir", async () => {
    await checkStrays(l);
    return `${l.pluginDir}: no stray entries`;
  });
  const unregistrable: [string, string][] = [];
  for (const name of PLUGIN_NAMES) {
    await check(`plugin ${name}`, async () => {
      const v = await verifyPlugin(name, settings, {
        mode: "full",
        cache: {},
        trustUnpinned: settings.trustUnpinned,
        uid: env.uid,
        searchEnv: search.plugins,
      });
      const link = await linkState(join(l.pluginDir, v.vmid), v.realPath);
      if (!(await looksLikeRpcChainVm(v.realPath))) unregistrable.push([name, v.realPath]);
      return `${v.realPath} (${v.rule}) sha256 ${v.sha256} ${
        v.pinned ? "pinned" : "UNPINNED"
      }, link ${link.state}`;
    });
  }
  for (const [name, path] of unregistrable) {
    line(
      "warn",
      `plugin ${name}`,
      `${path} never mentions ${ENGINE_ADDR_ENV}, so it is likely not an rpcchainvm plugin: ` +
        `luxd would log 'failed to register VM' and run without it`,
    );
  }
  if (ctx.args.passthrough.length > 0) line("ok", "luxd flags", ctx.args.passthrough.join(" "));
  line(
    failure === undefined ? "ok" : "FAIL",
    "ready",
    failure === undefined ? "parsd run can start luxd" : "fix the lines above",
  );
  return failure ?? 0;
}

async function plugins(ctx: Context): Promise<number> {
  const [action, ...names] = ctx.args.positionals;
  const selected = selectPlugins(names);
  switch (action) {
    case "list":
      return await pluginsList(ctx, selected);
    case "verify":
      return await pluginsVerify(ctx, selected);
    case "pin":
      return await pluginsPin(ctx, selected, names.length > 0);
    default:
      throw new UsageError(
        action === undefined
          ? "'parsd plugins' needs an action: list, verify or pin"
          : `unknown plugins action '${action}'; expected list, verify or pin`,
      );
  }
}

function selectPlugins(names: readonly string[]): PluginName[] {
  const unknown = names.filter((n) => !(PLUGIN_NAMES as readonly string[]).includes(n));
  if (unknown.length > 0) {
    throw new UsageError(`unknown plugin '${unknown[0]}'; expected ${PLUGIN_NAMES.join(" or ")}`);
  }
  return names.length === 0 ? [...PLUGIN_NAMES] : [...new Set(names as PluginName[])];
}

async function pluginsList(ctx: Context, names: PluginName[]): Promise<number> {
  const { sys, settings, env } = ctx;
  const l = layout(settings.dataDir);
  for (const name of names) {
    const spec = PLUGINS[name];
    const d = await discover(name, settings, searchEnvs(env).plugins);
    const pin = settings.plugins[name].sha256;
    const rows: [string, string][] = [["vmid", spec.vmid]];
    if (!d.found) rows.push(["found", `no; looked in ${d.searched.join(", ")}`]);
    else {
      rows.push(["found", `${d.path} (by ${d.rule})`]);
      try {
        const t = await inspectTarget(spec, d.path, d.rule, env.uid);
        const sha = await sha256File(t.realPath);
        rows.push(["target", t.realPath], ["size", `${t.facts.size} bytes`], ["sha256", sha]);
        rows.push([
          "pinned",
          pin === undefined ? "no" : pin === sha ? "yes (matches)" : `MISMATCH (pinned ${pin})`,
        ]);
        const link = await linkState(join(l.pluginDir, spec.vmid), t.realPath);
        rows.push([
          "link",
          `${join(l.pluginDir, spec.vmid)}: ${link.state}${
            "current" in link ? ` (-> ${link.current})` : ""
          }`,
        ]);
      } catch (error) {
        if (!(error instanceof ParsdError)) throw error;
        rows.push(["problem", error.message]);
      }
    }
    if (!d.found || rows.every(([k]) => k !== "pinned")) {
      rows.push(["pinned", pin === undefined ? "no" : pin]);
    }
    sys.out(`${name}\n${rows.map(([k, v]) => `  ${k.padEnd(7)} ${v}\n`).join("")}`);
  }
  return 0;
}

async function pluginsVerify(ctx: Context, names: PluginName[]): Promise<number> {
  const { sys, settings, env } = ctx;
  const verified = await forEachPlugin(names, (name) =>
    verifyPlugin(name, settings, {
      mode: "full",
      cache: {},
      trustUnpinned: false,
      uid: env.uid,
      searchEnv: searchEnvs(env).plugins,
    }));
  for (const v of verified) sys.out(`ok ${v.name} sha256 ${v.sha256} ${v.realPath}\n`);
  return 0;
}

async function pluginsPin(ctx: Context, names: PluginName[], explicit: boolean): Promise<number> {
  const { sys, settings, env } = ctx;
  const from = ctx.args.flags["from"];
  let pins: Pin[];
  if (typeof from === "string") {
    const text = await readTextIfExists(from);
    if (text === undefined) throw new NoInputError(`checksum file ${from} does not exist`);
    const { entries, problems } = parseSha256Sums(text, from);
    const picks = names.map((name) =>
      [name, pickSum(entries, PLUGINS[name], { os: sys.os, arch: sys.arch })] as const
    );
    const missing = picks.filter(([, p]) =>
      typeof p === "string" && (explicit || !p.startsWith("no entry"))
    );
    const all = [...problems, ...missing.map(([n, p]) => `${from}: plugin ${n}: ${p as string}`)];
    pins = picks.flatMap(([name, p]) => typeof p === "string" ? [] : [{ name, sha256: p.sha256 }]);
    if (all.length > 0 || pins.length === 0) {
      throw new ConfigError(all.length > 0 ? all : `${from}: no entry for ${names.join(" or ")}`);
    }
  } else {
    pins = await forEachPlugin(names, async (name) => {
      const d = await discover(name, settings, searchEnvs(env).plugins);
      if (!d.found) {
        throw new NoInputError(
          `plugin ${name}: not found; looked in ${d.searched.join(", ")}; give its path with --${
            PLUGINS[name].flag
          }`,
        );
      }
      const t = await inspectTarget(PLUGINS[name], d.path, d.rule, env.uid);
      const sha256 = await sha256File(t.realPath);
      return d.rule === "flag" || d.rule === "env"
        ? { name, sha256, path: d.path }
        : { name, sha256 };
    });
  }
  const text = await readConfig(settings.configPath);
  const doc = text === undefined
    ? {}
    : parseJsonText(text, settings.configPath) as Record<string, unknown>;
  const configDir = dirname(settings.configPath);
  try {
    // A first pin may create the data dir (only the data dir, as `init` would).
    if (!(await statFacts(configDir)) && configDir === settings.dataDir) {
      await checkDataDir(settings.dataDir);
      await Deno.mkdir(settings.dataDir, { mode: 0o700 });
    }
    await writeFileAtomic(settings.configPath, withPins(doc, pins), 0o600);
  } catch (error) {
    if (error instanceof ParsdError) throw error;
    throw new CantCreateError(`cannot write ${settings.configPath}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  for (const p of pins) {
    sys.out(`pinned ${p.name} sha256 ${p.sha256}${p.path ? ` (${p.path})` : ""}\n`);
  }
  return 0;
}
