/**
 * @module
 * Everything `run`, `--dry-run` and `doctor` check before luxd may start,
 * turned into a plan; and applying that plan (dirs, links, cache). Checks
 * happen first and change nothing, so a refused start leaves no trace.
 */

import { access, constants } from "node:fs/promises";
import { dirname, join } from "node:path";
import { CantCreateError, ParsdError, PermissionError, VerificationError } from "./errors.ts";
import { lstatFacts, octal, statFacts } from "./files.ts";
import { type Layout, layout, layoutDirs } from "./layout.ts";
import type { Settings } from "./config.ts";
import { PLUGIN_NAMES, PLUGINS } from "./defaults.ts";
import {
  cacheUpdates,
  forEachPlugin,
  type SearchEnv,
  type VerifiedPlugin,
  verifyPlugin,
} from "./plugins.ts";
import { loadCache, saveCache, type VerifyCache } from "./cache.ts";
import { ensureLink, findStrays } from "./links.ts";
import { findLuxd, type LuxdSearchEnv } from "./luxd.ts";
import { buildLuxdArgs, type StakingFiles } from "./luxd_args.ts";

/** One plugin in the plan, as `--dry-run` prints it. */
export interface PlannedPlugin {
  readonly name: string;
  readonly vmid: string;
  /** Where discovery found it. */
  readonly source: string;
  /** By which rule: flag, env, config or search. */
  readonly rule: string;
  /** The real file the link points to. */
  readonly target: string;
  readonly sha256: string;
  readonly pinned: boolean;
  /** `<data-dir>/plugins/<VMID>`. */
  readonly link: string;
}

/** What `run` will do: the luxd path and argv, the plugins and their links. */
export interface Plan {
  readonly luxd: string;
  readonly args: readonly string[];
  readonly plugins: readonly PlannedPlugin[];
  /** Directories to create (mode 0700) if missing. */
  readonly dirs: readonly string[];
}

/** The facts the checks need besides settings. */
export interface Env {
  readonly home: string;
  readonly path?: string;
  readonly gopath?: string;
  readonly os: string;
  readonly uid: number | null;
}

/** The search environments derived from {@linkcode Env}. */
export function searchEnvs(env: Env): { plugins: SearchEnv; luxd: LuxdSearchEnv } {
  const gopath = env.gopath === undefined ? {} : { gopath: env.gopath };
  const path = env.path === undefined ? {} : { path: env.path };
  return {
    plugins: { home: env.home, ...gopath },
    luxd: { home: env.home, os: env.os, ...gopath, ...path },
  };
}

/**
 * Checks that the data dir exists as a directory, or can be made: its
 * parent exists, is a directory, and is writable.
 *
 * @throws {CantCreateError} naming the data dir and what to do.
 */
export async function checkDataDir(dataDir: string): Promise<void> {
  const f = await statFacts(dataDir);
  if (f) {
    if (!f.isDirectory) {
      throw new CantCreateError(
        `data dir ${dataDir} exists but is not a directory; choose another --data-dir`,
      );
    }
    return;
  }
  const parent = dirname(dataDir);
  const p = await statFacts(parent);
  if (!p || !p.isDirectory) {
    throw new CantCreateError(
      `data dir ${dataDir}: its parent ${parent} does not exist; create it or choose another --data-dir`,
    );
  }
  try {
    await access(parent, constants.W_OK);
  } catch {
    throw new CantCreateError(
      `data dir ${dataDir}: its parent ${parent} is not writable; fix its permissions or choose another --data-dir`,
    );
  }
}

/**
 * Checks the staking dir as ssh checks `~/.ssh`: the dir must be 0700 and
 * no file in it readable or writable by group or others. Never reads a key.
 *
 * @returns which staking files exist.
 * @throws {PermissionError} with the `chmod` that fixes each problem.
 */
export async function checkStaking(l: Layout, os: string): Promise<StakingFiles> {
  const dir = await lstatFacts(l.stakingDir);
  const present = async (p: string) => (await statFacts(p))?.isFile === true;
  const files = {
    tlsKey: await present(l.stakingKey),
    tlsCert: await present(l.stakingCert),
    signerKey: await present(l.signerKey),
  };
  if (!dir || os === "windows") return files;
  const problems: string[] = [];
  if (!dir.isDirectory) {
    throw new PermissionError(`${l.stakingDir} is not a directory; move it away`);
  }
  if ((dir.mode & 0o077) !== 0) {
    problems.push(
      `${l.stakingDir} is open to group or others (mode ${
        octal(dir.mode)
      }); run 'chmod 700 ${l.stakingDir}'`,
    );
  }
  for await (const entry of Deno.readDir(l.stakingDir)) {
    const path = join(l.stakingDir, entry.name);
    const f = await lstatFacts(path);
    if (f && !f.isDirectory && (f.mode & 0o077) !== 0) {
      problems.push(
        `${path} is readable or writable by group or others (mode ${
          octal(f.mode)
        }); run 'chmod 600 ${path}'`,
      );
    }
  }
  if (problems.length > 0) throw new PermissionError(problems);
  return files;
}

/** Refuses a plugin dir holding an entry that would make luxd abort start-up. */
export async function checkStrays(l: Layout): Promise<void> {
  const strays = await findStrays(l.pluginDir, PLUGIN_NAMES.map((n) => PLUGINS[n].vmid));
  if (strays.length > 0) {
    throw new VerificationError(
      strays.map((s) =>
        `${s} is not a VMID-named plugin, so luxd would abort start-up ('invalid vmID'); move it out of ${l.pluginDir} (parsd never deletes it)`
      ),
    );
  }
}

/** Runs every check, collecting all failures; the exit code is the first one's. */
async function gather<T extends unknown[]>(
  ...steps: { [K in keyof T]: () => Promise<T[K]> }
): Promise<T> {
  const results: unknown[] = [];
  const failures: ParsdError[] = [];
  for (const step of steps) {
    try {
      results.push(await step());
    } catch (error) {
      if (!(error instanceof ParsdError)) throw error;
      failures.push(error);
      results.push(undefined);
    }
  }
  if (failures.length > 0) {
    throw new ParsdError(
      failures[0]!.exitCode,
      failures.flatMap((f) => f.problems),
    );
  }
  return results as T;
}

/** A plan plus what applying it needs. */
export interface Prepared {
  readonly plan: Plan;
  readonly verified: readonly VerifiedPlugin[];
  readonly cache: VerifyCache;
  readonly layout: Layout;
}

/**
 * Checks everything `run` needs and builds the plan. Changes nothing on disk.
 *
 * @throws {ParsdError} listing every problem found.
 */
export async function prepare(
  s: Settings,
  passthrough: readonly string[],
  env: Env,
): Promise<Prepared> {
  const l = layout(s.dataDir);
  const search = searchEnvs(env);
  const cache = await loadCache(l.verifyCache);
  const [, luxd, staking, , verified] = await gather<
    [void, string, StakingFiles, void, VerifiedPlugin[]]
  >(
    () => checkDataDir(s.dataDir),
    () => findLuxd(s.luxd, search.luxd),
    () => checkStaking(l, env.os),
    () => checkStrays(l),
    () =>
      forEachPlugin(PLUGIN_NAMES, (name) =>
        verifyPlugin(name, s, {
          mode: s.verify,
          cache,
          trustUnpinned: s.trustUnpinned,
          uid: env.uid,
          searchEnv: search.plugins,
        })),
  );
  const plan: Plan = {
    luxd,
    args: buildLuxdArgs(s, l, staking, passthrough),
    plugins: verified.map((v) => ({
      name: v.name,
      vmid: v.vmid,
      source: v.source,
      rule: v.rule,
      target: v.realPath,
      sha256: v.sha256,
      pinned: v.pinned,
      link: join(l.pluginDir, v.vmid),
    })),
    dirs: layoutDirs(l),
  };
  return { plan, verified, cache, layout: l };
}

/**
 * Applies a plan: creates missing dirs (0700), makes the plugin links, and
 * records fresh verifications in the cache.
 *
 * @returns one log line per change.
 * @throws {CantCreateError} if a dir or link cannot be made.
 */
export async function apply(p: Prepared): Promise<string[]> {
  const log: string[] = [];
  for (const dir of p.plan.dirs) {
    if (await lstatFacts(dir)) continue;
    try {
      await Deno.mkdir(dir, { mode: 0o700 });
      log.push(`created ${dir}`);
    } catch (error) {
      throw new CantCreateError(`cannot create ${dir}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  for (const plugin of p.plan.plugins) {
    const done = await ensureLink(plugin.link, plugin.target);
    if (done !== "unchanged") log.push(`${done} link ${plugin.link} -> ${plugin.target}`);
  }
  const fresh = p.verified.filter((v) => v.cacheable);
  if (fresh.length > 0) {
    await saveCache(p.layout.verifyCache, { ...p.cache, ...cacheUpdates(fresh) }).catch(() => {
      log.push(`could not write ${p.layout.verifyCache}; the next start re-hashes the plugins`);
    });
  }
  return log;
}
