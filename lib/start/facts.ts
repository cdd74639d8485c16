/**
 * @module
 * The reader: everything `run`, `--dry-run` and `doctor` need to know about
 * the world, gathered through {@linkcode System} and nothing else. Each fact
 * is a value or the {@linkcode ParsdError} that explains why it could not be
 * had; `plan.ts` turns them into checks and a plan without touching the OS.
 * Gathering changes nothing on disk.
 */

import { LuxdNotExecutableError, ParsdError } from "../errors.ts";
import { type Env, envOf, HARD_NOFILE_QUERY, searchEnvs } from "../os/env.ts";
import { checkDataDir, type DataDirState } from "../data_dir/checks.ts";
import { type Layout, layout } from "../data_dir/layout.ts";
import type { Settings } from "../settings.ts";
import { ENGINE_ADDR_SUFFIX, type PluginName } from "../network/pars.ts";
import { cacheKey, parseCache, type VerifyCache } from "../plugins/cache.ts";
import { type Stray, strayEntries } from "../plugins/links.ts";
import { findLuxd } from "../luxd/find.ts";
import { type StakingFiles, stakingFiles } from "../data_dir/staking.ts";
import { type VerifiedPlugin, verifyPlugin } from "../plugins/trust.ts";
import type { System } from "../os/system.ts";
import { deserialiseFlagSet, type LuxdFlagSet } from "../luxd/help_text.ts";
import { parsePluginVersion } from "../luxd/version.ts";
import { probeLuxd, type ProbeResult } from "../luxd/probe.ts";

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

/** What parsd learned of the luxd it will run. */
export interface LuxdFacts {
  readonly path: string;
  readonly version: string;
  readonly rpcchainvm: number | undefined;
  readonly flags: LuxdFlagSet;
  /** Whether this was probed now or read from the cache. */
  readonly source: "probe" | "cache";
  /** The cache entry to record (only when freshly probed). */
  readonly cacheEntry?: { readonly path: string; readonly entry: VerifyCache[string] };
}

/** How long luxd and a plugin may take to answer `--version` / `--help`. */
export const PROBE_TIMEOUT_MS = 5_000;
/** A plugin gets less: one that does not answer is only a warning. */
export const PLUGIN_PROBE_TIMEOUT_MS = 2_000;

/**
 * Learns luxd's version, protocol and flag set: from the cache when the
 * binary provably has not changed, else by running it.
 *
 * @throws {LuxdNotExecutableError} when it cannot be probed.
 */
export async function luxdFacts(
  sys: System,
  path: string,
  cache: VerifyCache,
  nowNs: bigint,
): Promise<LuxdFacts> {
  const real = await sys.realPath(path).catch(() => path);
  const f = await sys.stat(real).catch(() => undefined);
  const key = f ? cacheKey(f, "luxd-probe") : undefined;
  const hit = cache[real];
  const probe = hit?.probe;
  if (
    key !== undefined && hit?.key === key && probe !== undefined &&
    typeof probe.version === "string" && Number.isInteger(probe.rpcchainvm)
  ) {
    try {
      return {
        path,
        version: probe.version,
        rpcchainvm: probe.rpcchainvm,
        flags: deserialiseFlagSet(probe.flags),
        source: "cache",
      };
    } catch {
      // A malformed cache entry: probe again.
    }
  }
  let probed: ProbeResult;
  try {
    probed = await probeLuxd(path, (p, a, t) => sys.output(p, a, t), PROBE_TIMEOUT_MS);
  } catch (error) {
    throw new LuxdNotExecutableError(
      `luxd at ${path} could not be probed: ${
        (error as Error).message
      }; check that it is a luxd binary`,
    );
  }
  const fresh = f !== undefined && f.ctimeNs + 2_000_000_000n < nowNs;
  return {
    path,
    version: probed.version,
    rpcchainvm: probed.rpcchainvm,
    flags: deserialiseFlagSet(probed.flags),
    source: "probe",
    ...(fresh && key !== undefined
      ? {
        cacheEntry: {
          path: real,
          entry: {
            key,
            probe: {
              version: probed.version,
              rpcchainvm: probed.rpcchainvm,
              // The descriptions are for people reading --help, not for the checks: leave
              // them out, so a warm start reads and parses a few KiB, not 50.
              flags: Object.fromEntries(
                Object.entries(probed.flags).map(([n, f]) => [n, { ...f, description: "" }]),
              ),
            },
          },
        },
      }
      : {}),
  };
}

/** What a verified plugin says of itself. */
export interface PluginFacts extends VerifiedPlugin {
  /** The rpcchainvm protocol from `--version`; `undefined` when it did not answer. */
  readonly rpcchainvm: number | undefined;
  /** Whether the binary mentions an rpcchainvm runtime variable (so luxd can register it). */
  readonly registrable: boolean;
  /** The first line it printed for `--version`, if any. */
  readonly versionLine: string | undefined;
  /** Whether that answer was asked now (then it goes into the cache). */
  readonly infoFresh?: boolean;
}

/** Asks a verified plugin its protocol (cached with its verification). Never before the hash check. */
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
  const out = await sys.output(v.realPath, ["--version"], PLUGIN_PROBE_TIMEOUT_MS);
  const text = out === undefined ? "" : `${out.stdout}\n${out.stderr}`;
  const rpcchainvm = parsePluginVersion(text);
  const versionLine = text.split("\n").map((x) => x.trim()).find((x) => x !== "");
  // Learned in the hash's read; for a cache hit without a recorded answer, one scan now.
  const registrable = v.mentionsEngineAddr ??
    await sys.contains(v.realPath, ENGINE_ADDR_SUFFIX).catch(() => false);
  return { ...v, rpcchainvm, registrable, versionLine, infoFresh: true };
}

/**
 * The hard limit on open files (RLIMIT_NOFILE), which luxd inherits. Asked of
 * `/bin/sh -c 'ulimit -Hn'` (POSIX): Deno lets no program read
 * `/proc/self/limits` without --allow-all.
 */
export async function hardNofileLimit(sys: System): Promise<number | "unlimited" | undefined> {
  if (sys.os === "windows") return undefined;
  const out = await sys.output(HARD_NOFILE_QUERY.path, HARD_NOFILE_QUERY.args, 2000);
  const word = out?.stdout.trim();
  if (word === "unlimited") return "unlimited";
  return word && /^\d+$/.test(word) ? Number(word) : undefined;
}

/** Everything `run`, `--dry-run` and `doctor` know before deciding. */
export interface NodeFacts {
  readonly env: Env;
  readonly layout: Layout;
  readonly cache: VerifyCache;
  readonly dataDir: Fact<DataDirState>;
  readonly luxd: Fact<LuxdFacts>;
  readonly staking: Fact<StakingFiles>;
  readonly strays: Fact<Stray[]>;
  readonly plugins: Readonly<Record<PluginName, Fact<PluginFacts>>>;
  readonly nofile: number | "unlimited" | undefined;
  /** Whether each port can be bound now, else why not. */
  readonly ports: { readonly http: true | string; readonly staking: true | string };
  /** The pid of a parsd already running on this data dir, if any. */
  readonly runningPid: number | undefined | null;
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
  const [dataDir, luxd, staking, strays, evm, sessionvm, http, stakingPort, running] = await Promise
    .all([
      attempt(() => checkDataDir(sys, s.dataDir, env)),
      attempt(async () => luxdFacts(sys, await findLuxd(s.luxd, search.luxd, sys), cache, nowNs)),
      attempt(() => stakingFiles(sys, l, env.os)),
      attempt(() => strayEntries(sys, l)),
      verify("evm"),
      verify("sessionvm"),
      sys.canBind(PORT_CHECK_HOST, s.httpPort),
      sys.canBind(PORT_CHECK_HOST, s.stakingPort),
      holdsLock ? Promise.resolve(null) : runningInstance(sys, l),
    ]);
  const plugins: Record<PluginName, Fact<PluginFacts>> = { evm, sessionvm };
  return {
    env,
    layout: l,
    cache,
    dataDir,
    luxd,
    staking,
    strays,
    plugins,
    nofile: await nofile,
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
