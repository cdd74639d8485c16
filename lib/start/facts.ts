/**
 * @module
 * The reader: everything `run`, `--dry-run` and `doctor` need to know about
 * the world, gathered through {@linkcode System} and nothing else. Each fact
 * is a value or the {@linkcode ParsdError} that explains why it could not be
 * had; `plan.ts` turns them into checks and a plan without touching the OS.
 * Gathering changes nothing on disk.
 */

import { type GenesisFacts, genesisFacts } from "./genesis_facts.ts";
import { ParsdError } from "../errors.ts";
import { type Env, envOf, HARD_NOFILE_QUERY, searchEnvs } from "../os/env.ts";
import { checkDataDir, type DataDirState } from "../data_dir/checks.ts";
import { type Layout, layout } from "../data_dir/layout.ts";
import type { Settings } from "../settings.ts";
import { ENGINE_ADDR_SUFFIX, type PluginName } from "../network/pars.ts";
import { parseCache, type VerifyCache } from "../plugins/cache.ts";
import { type Stray, strayEntries } from "../plugins/links.ts";
import { dataDirTrust, type LuxdFacts, luxdFacts, verifyLuxd } from "./sealed_facts.ts";
import { type StakingFiles, stakingFiles } from "../data_dir/staking.ts";
import { type VerifiedPlugin, verifyPlugin } from "../plugins/trust.ts";
import type { System } from "../os/system.ts";
import { answered } from "../os/bounded_output.ts";
import { parsePluginVersion } from "../luxd/version.ts";
import {
  needsSpawnQuery,
  parseSpawnLimits,
  SMALL_ARGV_LIMITS,
  SPAWN_LIMITS_QUERY,
  type SpawnLimits,
} from "../luxd/spawn_limits.ts";
import { chainEntries, encodeChainConfigContent } from "../node/chain_config.ts";

export { luxdFacts, luxdRunPath } from "./sealed_facts.ts";
export type { LuxdFacts } from "./sealed_facts.ts";

/** A fact, or why it could not be had. */
export type Fact<T> = { readonly ok: T } | { readonly error: ParsdError };

async function attempt<T>(f: () => Promise<T>): Promise<Fact<T>> {
  try {
    return { ok: await f() };
  } catch (error) {
    if (error instanceof ParsdError) return { error };
    throw error;
  }
}

/**
 * How long a verified plugin may take to answer `--version`: the one timeout
 * for asking a plugin. Less than luxd's (`LUXD_PROBE_TIMEOUT_MS`): a plugin
 * that does not answer is only a warning.
 */
export const PLUGIN_PROBE_TIMEOUT_MS = 2_000;
/** How long a question to `/bin/sh` (`ulimit -Hn`, `getconf ARG_MAX`) may take. */
export const SHELL_QUERY_TIMEOUT_MS = 2_000;

/** What a verified plugin says of itself. */
export interface PluginFacts extends VerifiedPlugin {
  /** The rpcchainvm protocol from `--version`; `undefined` when it did not answer or was not asked. */
  readonly rpcchainvm: number | undefined;
  /** Whether the binary mentions an rpcchainvm runtime variable (so luxd can register it). */
  readonly registrable: boolean;
  /** The first line it printed for `--version`, if any. */
  readonly versionLine: string | undefined;
  /** Whether that answer was asked now (then it goes into the cache). */
  readonly infoFresh?: boolean;
}

/**
 * Asks a verified plugin its protocol (cached with its verification). Never
 * before the hash check, and only a file that mentions an rpcchainvm runtime
 * variable (`ENGINE_ADDR_SUFFIX`), as every rpcchainvm plugin does: any other
 * program may do anything when asked `--version` (the real SessionVM starts
 * an HTTP server on port 9652), so it is not run at all.
 */
async function pluginFacts(
  sys: System,
  v: VerifiedPlugin,
  cache: VerifyCache,
): Promise<PluginFacts> {
  const cached = cache[v.realPath];
  if (v.fromCache && cached?.plugin !== undefined) {
    return {
      ...v,
      rpcchainvm: cached.plugin.rpcchainvm ?? undefined,
      registrable: cached.plugin.registrable,
      versionLine: cached.plugin.versionLine ?? undefined,
      infoFresh: false,
    };
  }
  // Learned in the hash's read; for a cache hit without a recorded answer, one scan now.
  const registrable = v.mentionsMarker ??
    await sys.contains(v.realPath, ENGINE_ADDR_SUFFIX).catch(() => false);
  if (!registrable) {
    return { ...v, rpcchainvm: undefined, registrable, versionLine: undefined, infoFresh: true };
  }
  const out = await sys.output(v.realPath, ["--version"], PLUGIN_PROBE_TIMEOUT_MS);
  const text = answered(out) ? `${out.stdout}\n${out.stderr}` : "";
  const rpcchainvm = parsePluginVersion(text);
  const versionLine = text.split("\n").map((x) => x.trim()).find((x) => x !== "");
  return { ...v, rpcchainvm, registrable, versionLine, infoFresh: true };
}

/**
 * The hard limit on open files (RLIMIT_NOFILE), which luxd inherits. Asked of
 * `/bin/sh -c 'ulimit -Hn'` (POSIX): Deno lets no program read
 * `/proc/self/limits` without --allow-all.
 */
export async function hardNofileLimit(sys: System): Promise<number | "unlimited" | undefined> {
  if (sys.os === "windows") return undefined;
  const out = await sys.output(
    HARD_NOFILE_QUERY.path,
    HARD_NOFILE_QUERY.args,
    SHELL_QUERY_TIMEOUT_MS,
  );
  const word = answered(out) ? out.stdout.trim() : undefined;
  if (word === "unlimited") return "unlimited";
  return word && /^\d+$/.test(word) ? Number(word) : undefined;
}

/**
 * ARG_MAX and the size of the environment luxd will inherit (see
 * `spawn_limits.ts`); the safe bound where the shell cannot say. Windows has
 * no such limits (`undefined`).
 */
export async function spawnLimits(sys: System): Promise<SpawnLimits | undefined> {
  if (sys.os === "windows") return undefined;
  const out = await sys.output(
    SPAWN_LIMITS_QUERY.path,
    SPAWN_LIMITS_QUERY.args,
    SHELL_QUERY_TIMEOUT_MS,
  );
  return parseSpawnLimits(answered(out) && out.code === 0 ? out.stdout : undefined, sys.os);
}

/**
 * An upper bound of the bytes luxd's arguments will take, before they are
 * built: `luxd-args`, the chain config's base64 and 4 KiB for parsd's own
 * flags and paths. (Pass-through flags are not settings; the caller adds
 * nothing for them: a command line parsd was started with already fit.)
 */
function userArgBytes(s: Settings): number {
  const utf8 = new TextEncoder();
  const args = s.luxdArgs.reduce((n, a) => n + utf8.encode(a).length + 1, 0);
  return args + encodeChainConfigContent(chainEntries(s)).length + 4096;
}

/** Everything `run`, `--dry-run` and `doctor` know before deciding. */
export interface NodeFacts {
  readonly env: Env;
  readonly layout: Layout;
  readonly cache: VerifyCache;
  readonly dataDir: Fact<DataDirState>;
  /** What is wrong with the directories parsd trusts (StrictModes); `[]` when nothing is. */
  readonly trust: Fact<readonly string[]>;
  readonly luxd: Fact<LuxdFacts>;
  readonly staking: Fact<StakingFiles>;
  readonly strays: Fact<Stray[]>;
  readonly plugins: Readonly<Record<PluginName, Fact<PluginFacts>>>;
  readonly nofile: number | "unlimited" | undefined;
  /** What the OS lets luxd be started with (`undefined` on Windows). */
  readonly spawnLimits: SpawnLimits | undefined;
  /** Whether each port can be bound now, else why not. */
  readonly ports: { readonly http: true | string; readonly staking: true | string };
  /** The pid of a parsd already running on this data dir, if any. */
  readonly runningPid: number | undefined | null;
  /** The network's genesis, read and checked; absent when none is configured. */
  readonly genesis?: Fact<GenesisFacts>;
}

/** The host parsd checks luxd's ports on (luxd's default `--http-host`). */
export const PORT_CHECK_HOST = "127.0.0.1";

/**
 * Gathers every fact about the node; changes nothing on disk.
 *
 * @param holdsLock whether this process already holds the data dir's lock
 *   (then no other parsd can be running).
 */
export async function gatherFacts(
  sys: System,
  s: Settings,
  holdsLock: boolean,
): Promise<NodeFacts> {
  const env = envOf(sys);
  const nofile = hardNofileLimit(sys);
  // Only a command line that could come near ARG_MAX is worth three programs a start.
  const limits = s.genesis !== undefined || needsSpawnQuery(userArgBytes(s))
    ? spawnLimits(sys)
    : Promise.resolve(SMALL_ARGV_LIMITS);
  const l = layout(s.dataDir);
  const search = searchEnvs(env);
  const cache = parseCache(await sys.readText(l.verifyCache).catch(() => undefined));
  const nowNs = BigInt(sys.now()) * 1_000_000n;
  // Every fact is independent of the others but luxd's: gather them at once.
  const verify = (name: PluginName) =>
    attempt(async () =>
      pluginFacts(
        sys,
        await verifyPlugin(name, s, {
          mode: s.verify,
          cache,
          trustUnpinned: s.trustUnpinned,
          uid: env.uid,
          os: env.os,
          searchEnv: search.plugins,
          fs: sys,
          nowNs,
        }),
        cache,
      )
    );
  const luxdOptions = { env, search: search.luxd, cache, nowNs };
  const [dataDir, trust, luxd, staking, strays, evm, sessionvm, http, stakingPort, running] =
    await Promise.all([
      attempt(() => checkDataDir(sys, s.dataDir, env)),
      attempt(() => dataDirTrust(sys, l, env.os === "windows" ? null : env.uid)),
      attempt(async () => luxdFacts(sys, await verifyLuxd(sys, s, luxdOptions), l, cache)),
      attempt(() => stakingFiles(sys, l, env.os)),
      attempt(() => strayEntries(sys, l)),
      verify("evm"),
      verify("sessionvm"),
      sys.canBind(PORT_CHECK_HOST, s.httpPort),
      sys.canBind(PORT_CHECK_HOST, s.stakingPort),
      holdsLock ? Promise.resolve(null) : runningInstance(sys, l),
    ]);
  const plugins: Record<PluginName, Fact<PluginFacts>> = { evm, sessionvm };
  const given = s.genesis;
  const genesis = given === undefined
    ? undefined
    : await attempt(() =>
      genesisFacts(sys, { ...s, genesis: given }, "ok" in luxd ? luxd.ok : undefined)
    );
  return {
    ...(genesis === undefined ? {} : { genesis }),
    env,
    layout: l,
    cache,
    dataDir,
    trust,
    luxd,
    staking,
    strays,
    plugins,
    nofile: await nofile,
    spawnLimits: await limits,
    ports: { http, staking: stakingPort },
    runningPid: running,
  };
}

/** The pid of a parsd holding the data dir's lock, `undefined` if none is running. */
export async function runningInstance(sys: System, l: Layout): Promise<number | undefined> {
  if (!(await sys.stat(l.dataDir).catch(() => undefined))?.isDirectory) return undefined;
  const held = await sys.lock(l.dataDir, l.pidFile).catch(() => undefined);
  if (held === undefined) return undefined;
  if ("release" in held) {
    held.release();
    return undefined;
  }
  return held.heldBy ?? -1;
}
