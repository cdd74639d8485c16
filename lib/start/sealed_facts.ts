/**
 * @module
 * The facts about what luxd runs sealed: luxd itself, checked as a plugin is
 * (its pinned copy in `<data-dir>/store`, see `plugins/sealed.ts`) and probed
 * by hash, and the directories that hold the sealed copies and their links,
 * checked as ssh's StrictModes checks `~/.ssh`. Gathered through
 * {@linkcode System}; nothing here changes anything on disk.
 */

import { LuxdNotExecutableError } from "../errors.ts";
import type { Env } from "../os/env.ts";
import type { Layout } from "../data_dir/layout.ts";
import type { Settings } from "../settings.ts";
import { PROBE_KEY, probeName, type VerifyCache } from "../plugins/cache.ts";
import { type LinkState, linkState } from "../plugins/links.ts";
import { findLuxd, type LuxdSearchEnv } from "../luxd/find.ts";
import { type Sealed, trustProblems, verifySealed } from "../plugins/sealed.ts";
import { storeDir } from "../plugins/store.ts";
import { dirname, join } from "../os/path.ts";
import type { System } from "../os/system.ts";
import { deserialiseFlagSet, type LuxdFlagSet } from "../luxd/help_text.ts";
import { LUXD_PROBE_TIMEOUT_MS, probeLuxd, type ProbeResult } from "../luxd/probe.ts";

/** What parsd learned of the luxd it will run. */
export interface LuxdFacts {
  /** The path luxd is run by: {@linkcode luxdRunPath}, a link to its store entry. */
  readonly path: string;
  /** luxd checked and sealed (or to be sealed) in the store, as the plugins are. */
  readonly sealed: Sealed;
  /** What is at {@linkcode LuxdFacts.path} now, compared with the link parsd makes there. */
  readonly link: LinkState;
  readonly version: string;
  /** The application string luxd printed (`node/1.13.4`, `avalanchego/1.13.5`), if any. */
  readonly application?: string;
  readonly rpcchainvm: number | undefined;
  readonly flags: LuxdFlagSet;
  /** Whether this was probed now or read from the cache. */
  readonly source: "probe" | "cache";
  /** The cache entry to record (only when freshly probed). */
  readonly cacheEntry?: { readonly path: string; readonly entry: VerifyCache[string] };
}

/**
 * The name parsd runs luxd by: `<data-dir>/bin/luxd`, a symlink to luxd's store
 * entry, so that luxd's argv0 (and `ps`) says `luxd`, not `sha256-…`. luxd
 * finds nothing relative to its own path: parsd gives it every directory.
 */
export const luxdRunPath = (l: Layout): string => join(l.binDir, "luxd");

const RULES = { flag: "--luxd", env: "PARS_LUXD", config: "'luxd' in config.json" } as const;

/**
 * Checks luxd as a plugin is checked: its pinned copy in the store, else its
 * source (found by `--luxd`, `PARS_LUXD`, config.json or the search), to be
 * sealed before it starts.
 *
 * @throws {ParsdError} why it must not run: missing (127), not executable
 *   (126), unpinned or altered (65), changeable by another user (77).
 */
export function verifyLuxd(
  sys: System,
  s: Settings,
  o: {
    readonly env: Env;
    readonly search: LuxdSearchEnv;
    readonly cache: VerifyCache;
    readonly nowNs: bigint;
  },
): Promise<Sealed> {
  return verifySealed({
    name: "luxd",
    dataDir: s.dataDir,
    pinned: s.luxdSha256,
    trustUnpinned: s.trustUnpinned,
    mode: s.verify,
    cache: o.cache,
    uid: o.env.os === "windows" ? null : o.env.uid,
    fs: sys,
    nowNs: o.nowNs,
    locate: async () => {
      const path = await findLuxd(s.luxd, o.search, sys);
      const realPath = await sys.realPath(path).catch(() => path);
      const facts = await sys.stat(realPath).catch(() => undefined);
      if (facts === undefined) throw new LuxdNotExecutableError(`luxd at ${path} cannot be read`);
      return { path, rule: s.luxdSource ?? "search", realPath, facts };
    },
    foundBy: (l) =>
      l.rule === "search" ? "the luxd search (PATH, then the usual places)" : RULES[l.rule],
  });
}

/**
 * Learns luxd's version, protocol and flag set: from the cache when it holds
 * the probe of a luxd with this very hash (the cache's name holds the hash,
 * so no file facts are needed), else by running the checked file (the store
 * entry, or the source about to be sealed).
 *
 * @throws {LuxdNotExecutableError} when it cannot be probed.
 */
export async function luxdFacts(
  sys: System,
  sealed: Sealed,
  l: Layout,
  cache: VerifyCache,
): Promise<LuxdFacts> {
  const path = luxdRunPath(l);
  const missing: LinkState = { state: "missing" };
  const link = await linkState(sys, path, sealed.storePath).catch(() => missing);
  const name = probeName(sealed.sha256);
  const hit = cache[name];
  const probe = hit?.probe;
  const base = { path, sealed, link };
  if (
    hit?.key === PROBE_KEY && probe !== undefined &&
    typeof probe.version === "string" && Number.isInteger(probe.rpcchainvm)
  ) {
    try {
      return {
        ...base,
        version: probe.version,
        ...(typeof probe.application === "string" ? { application: probe.application } : {}),
        rpcchainvm: probe.rpcchainvm,
        flags: deserialiseFlagSet(probe.flags),
        source: "cache",
      };
    } catch {
      // A malformed cache entry: probe again.
    }
  }
  const run = sealed.realPath;
  let probed: ProbeResult;
  try {
    probed = await probeLuxd(run, (p, a, t) => sys.output(p, a, t), LUXD_PROBE_TIMEOUT_MS);
  } catch (error) {
    throw new LuxdNotExecutableError(
      `luxd at ${run} could not be probed: ${
        (error as Error).message
      }; check that it is a luxd binary`,
    );
  }
  // The descriptions are for people reading --help, not for the checks: leave them
  // out, so a warm start reads and parses a few KiB, not 50.
  const flags = Object.fromEntries(
    Object.entries(probed.flags).map(([n, f]) => [n, { ...f, description: "" }]),
  );
  return {
    ...base,
    version: probed.version,
    ...(probed.application === undefined ? {} : { application: probed.application }),
    rpcchainvm: probed.rpcchainvm,
    flags: deserialiseFlagSet(probed.flags),
    source: "probe",
    cacheEntry: {
      path: name,
      entry: {
        key: PROBE_KEY,
        probe: {
          version: probed.version,
          ...(probed.application === undefined ? {} : { application: probed.application }),
          rpcchainvm: probed.rpcchainvm,
          flags,
        },
      },
    },
  };
}

/**
 * The StrictModes problems of the directories parsd trusts: the data dir (or,
 * before it exists, the directory it will be made in) and every directory
 * above it, and `plugins/`, `store/` and `bin/` where they exist. Whoever can
 * write one of them can swap a link or a sealed copy under a running node.
 *
 * @returns one line per problem with its `chmod`/`chown` fix; `[]` when safe
 *   (and always on Windows, `uid` `null`).
 */
export async function dataDirTrust(
  sys: Pick<System, "lstat" | "stat" | "readLink">,
  l: Layout,
  uid: number | null,
): Promise<string[]> {
  let dir = l.dataDir;
  while (dir !== dirname(dir) && (await sys.lstat(dir).catch(() => undefined)) === undefined) {
    dir = dirname(dir);
  }
  const dirs = [dir, l.pluginDir, storeDir(l.dataDir), l.binDir];
  // Only directories: what is no directory is another check's to report.
  const problems = await Promise.all(
    dirs.map(async (d) =>
      (await sys.stat(d).catch(() => undefined))?.isDirectory
        ? await trustProblems(sys, d, uid, "dir")
        : []
    ),
  );
  return [...new Set(problems.flat())];
}
