/**
 * @module
 * Plugin trust: the real file behind a plugin path must be a regular,
 * executable file that only root or you can change, and its SHA-256 must
 * match the pin (or the verification cache must prove it unchanged since it
 * did).
 */

import { NoInputError, ParsdError, PermissionError, VerificationError } from "../errors.ts";
import { FileAccessError, type FileFacts, octal } from "../os/files.ts";
import { ENGINE_ADDR_SUFFIX, type PluginName, PLUGINS, type PluginSpec } from "../network/pars.ts";
import type { Settings } from "../settings.ts";
import type { FileSystem } from "../os/system.ts";
import { cacheHit, cacheKey, type VerifyCache } from "./cache.ts";
import { discover, flagName, type Rule, type SearchEnv } from "./discover.ts";

/** A plugin's real file, checked safe to hand to luxd. */
export interface Target {
  readonly realPath: string;
  readonly facts: FileFacts;
}

/**
 * Resolves a plugin path to its real file and checks that it is a regular
 * executable file, not writable by group or others, owned by root or the
 * current user — so the verified file cannot be swapped by someone else
 * between verification and luxd's exec.
 *
 * @throws {NoInputError} if it does not exist; {@linkcode VerificationError} if unsafe.
 */
export async function inspectTarget(
  spec: PluginSpec,
  path: string,
  rule: Rule,
  uid: number | null,
  fs: Pick<FileSystem, "stat" | "realPath">,
  os: string,
): Promise<Target> {
  const what = `plugin ${spec.name}`;
  let facts: FileFacts | undefined;
  let realPath: string;
  try {
    facts = await fs.stat(path);
    realPath = facts ? await fs.realPath(path) : path;
  } catch (error) {
    throw pluginAccessError(what, `${path} (from ${flagName(spec, rule)})`, error);
  }
  if (!facts) {
    throw new NoInputError(
      `${what}: ${path} (from ${flagName(spec, rule)}) does not exist or is a dangling link; ` +
        `build it with 'deno task build:${spec.name}' or fix the path`,
    );
  }
  if (facts.isDirectory) {
    throw new VerificationError(
      `${what}: ${realPath} is a directory, not a plugin binary; point ${
        flagName(spec, rule)
      } at the binary`,
    );
  }
  if (!facts.isFile) throw new VerificationError(`${what}: ${realPath} is not a regular file`);
  if (os !== "windows" && (facts.mode & 0o6000) !== 0) {
    // luxd would start it with its owner's (or group's) rights, not the node's: refused, not
    // warned, as parsd never needs it.
    const bit = (facts.mode & 0o4000) !== 0 ? "setuid" : "setgid";
    throw new VerificationError(
      `${what}: ${realPath} is ${bit} (mode ${
        (facts.mode & 0o7777).toString(8).padStart(4, "0")
      }), so it would run with its owner's rights, not the node's; run 'chmod ug-s ${realPath}'`,
    );
  }
  if (os !== "windows") {
    if ((facts.mode & 0o111) === 0) {
      throw new VerificationError(
        `${what}: ${realPath} is not executable (mode ${
          octal(facts.mode)
        }); run 'chmod 755 ${realPath}'`,
      );
    }
    if ((facts.mode & 0o022) !== 0) {
      throw new VerificationError(
        `${what}: ${realPath} is writable by group or others (mode ${
          octal(facts.mode)
        }), so it could be swapped after verification; run 'chmod go-w ${realPath}'`,
      );
    }
    if (uid !== null && facts.uid !== 0 && facts.uid !== uid) {
      throw new VerificationError(
        `${what}: ${realPath} is owned by uid ${facts.uid}, neither root nor you (uid ${uid}); copy it to a file you own, or have root own it`,
      );
    }
  }
  return { realPath, facts };
}

/** A file-system failure on a plugin's path, as a one-line error with its exit code. */
export function pluginAccessError(what: string, where: string, error: unknown): ParsdError {
  if (!(error instanceof FileAccessError)) throw error;
  if (error.problem === "denied") {
    return new PermissionError(
      `${what}: ${where}: permission denied; make it readable by you, or run parsd as its owner`,
    );
  }
  if (error.problem === "loop") {
    return new NoInputError(
      `${what}: ${where} is a symlink loop; point the link at the real binary`,
    );
  }
  return new NoInputError(`${what}: ${where}: ${error.reason}`);
}

/** A plugin that passed every check. */
export interface VerifiedPlugin {
  readonly name: PluginName;
  readonly vmid: string;
  /** The path discovery found (may be a link). */
  readonly source: string;
  readonly rule: Rule;
  /** The real file; the plugin-dir link points here. */
  readonly realPath: string;
  readonly sha256: string;
  readonly pinned: boolean;
  /**
   * Whether the bytes mention an rpcchainvm runtime variable (see
   * `marker.ts`), learned in the same read as the hash; `undefined`
   * when the file was not read (a cache hit).
   */
  readonly mentionsEngineAddr?: boolean;
  /** Whether the cache proved the file unchanged, so it was not re-hashed. */
  readonly fromCache: boolean;
  /**
   * Whether this verification may be cached: the file's last change (ctime)
   * is older than the hash's start by more than {@linkcode RACY_MARGIN_NS}.
   * File times are coarse (the kernel's tick; Deno's ctime is in whole
   * seconds), so a change made soon after the previous one may keep its
   * ctime; such "racily clean" files are re-hashed next time, as git does
   * with its index.
   */
  readonly cacheable: boolean;
  readonly facts: FileFacts;
}

/**
 * How much older than the hash's start a file's ctime must be for its
 * verification to be cached. Deno 2.9 reports ctime in whole seconds (and
 * mtime in milliseconds), so two changes within one second can share a
 * ctime; a 2 s margin guarantees that any later change shows a new ctime.
 */
export const RACY_MARGIN_NS = 2_000_000_000n;

/** Options for {@linkcode verifyPlugin}. */
export interface VerifyOptions {
  readonly mode: "cache" | "full";
  readonly cache: VerifyCache;
  readonly trustUnpinned: boolean;
  readonly uid: number | null;
  readonly os: string;
  readonly searchEnv: SearchEnv;
  readonly fs: Pick<FileSystem, "stat" | "lstat" | "realPath" | "hashAndScan">;
  /** Now, in ns since the epoch (for the racily-clean rule). */
  readonly nowNs: bigint;
}

/**
 * Discovers, checks and verifies one plugin.
 *
 * @throws {ParsdError} the reason it must not run: missing (66), unsafe,
 *   unpinned or mismatched (65).
 */
export async function verifyPlugin(
  name: PluginName,
  s: Settings,
  o: VerifyOptions,
): Promise<VerifiedPlugin> {
  const spec = PLUGINS[name];
  const d = await discover(name, s, o.searchEnv, o.fs);
  if (!d.found) {
    throw new NoInputError(
      `plugin ${name}: not found; looked in ${
        d.searched.join(", ")
      }; give its path with --${spec.flag} ` +
        `or ${spec.env}, or build it with 'deno task build:${name}'`,
    );
  }
  const target = await inspectTarget(spec, d.path, d.rule, o.uid, o.fs, o.os);
  const pinned = s.plugins[name].sha256;
  const base = {
    name,
    vmid: spec.vmid,
    source: d.path,
    rule: d.rule,
    realPath: target.realPath,
    facts: target.facts,
  };
  if (pinned === undefined) {
    if (!o.trustUnpinned) {
      throw new VerificationError(
        `plugin ${name}: ${target.realPath} is not pinned; check it, then pin it with 'parsd plugins pin ${name}' ` +
          `(or start once with --trust-unpinned)`,
      );
    }
    const read = await hashAndScanOrFail(o.fs, name, target.realPath);
    return {
      ...base,
      sha256: read.sha256,
      mentionsEngineAddr: read.contains,
      pinned: false,
      fromCache: false,
      cacheable: false,
    };
  }
  if (o.mode === "cache" && cacheHit(o.cache, target.realPath, target.facts, pinned)) {
    return { ...base, sha256: pinned, pinned: true, fromCache: true, cacheable: false };
  }
  const cacheable = target.facts.ctimeNs + RACY_MARGIN_NS < o.nowNs;
  const read = await hashAndScanOrFail(o.fs, name, target.realPath);
  const actual = read.sha256;
  if (actual !== pinned) {
    throw new VerificationError(
      `plugin ${name}: ${target.realPath} does not match its pin: sha256 ${actual}, pinned ${pinned}; ` +
        `either it changed since it was pinned or it is not the file that was pinned (found by ${
          d.rule === "search" ? "the search paths" : flagName(spec, d.rule)
        }); do not run it unless you put it there yourself, then check it and re-pin with ` +
        `'parsd plugins pin ${name} --replace'`,
    );
  }
  return {
    ...base,
    sha256: actual,
    mentionsEngineAddr: read.contains,
    pinned: true,
    fromCache: false,
    cacheable,
  };
}

/** The cache entries that record freshly verified, pinned plugins. */
export function cacheUpdates(
  verified: readonly (VerifiedPlugin & {
    rpcchainvm?: number | undefined;
    registrable?: boolean;
    versionLine?: string | undefined;
    infoFresh?: boolean;
  })[],
): VerifyCache {
  const out: VerifyCache = {};
  for (const v of verified) {
    // A fresh hash, or a cached one whose plugin was asked its --version only now.
    if (!v.cacheable && !(v.fromCache && v.infoFresh === true)) continue;
    out[v.realPath] = {
      key: cacheKey(v.facts, v.sha256),
      sha256: v.sha256,
      ...(v.registrable === undefined ? {} : {
        plugin: {
          rpcchainvm: v.rpcchainvm ?? null,
          registrable: v.registrable,
          versionLine: v.versionLine ?? null,
        },
      }),
    };
  }
  return out;
}

/**
 * Runs `f` for every plugin concurrently (hashing two plugins uses both
 * cores) and gathers every failure into one error, in plugin order, so that
 * a user sees all problems at once. The exit code is the first failure's.
 */
export async function forEachPlugin<T>(
  names: readonly PluginName[],
  f: (name: PluginName) => Promise<T>,
): Promise<T[]> {
  const settled = await Promise.allSettled(names.map(f));
  const errors: ParsdError[] = [];
  const results: T[] = [];
  for (const s of settled) {
    if (s.status === "fulfilled") results.push(s.value);
    else if (s.reason instanceof ParsdError) errors.push(s.reason);
    else throw s.reason;
  }
  if (errors.length > 0) {
    throw new ParsdError(errors[0]!.exitCode, errors.flatMap((e) => e.problems));
  }
  return results;
}

/** Runs a read of a plugin file, turning an OS error into a one-line error. */
async function readOrFail<T>(name: string, path: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw pluginAccessError(
      `plugin ${name}`,
      path,
      error instanceof FileAccessError
        ? error
        : new FileAccessError(path, "io", String((error as Error)?.message ?? error)),
    );
  }
}

/** Hashes a plugin file, turning an OS error into a one-line error. */
export function hashOrFail(
  fs: Pick<FileSystem, "sha256">,
  name: string,
  path: string,
): Promise<string> {
  return readOrFail(name, path, () => fs.sha256(path));
}

/** Hashes a plugin file and scans it for the rpcchainvm runtime variable in one read. */
function hashAndScanOrFail(
  fs: Pick<FileSystem, "hashAndScan">,
  name: string,
  path: string,
): Promise<{ sha256: string; contains: boolean }> {
  return readOrFail(name, path, () => fs.hashAndScan(path, ENGINE_ADDR_SUFFIX));
}
