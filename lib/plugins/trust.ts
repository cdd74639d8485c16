/**
 * @module
 * Plugin trust: a plugin runs from its sealed copy in the store (see
 * `sealed.ts`); its source, the file discovery finds, must be a regular,
 * executable file that only root or you can change, in directories only root
 * or you can write, and its SHA-256 must match the pin before it is sealed.
 */

import { NoInputError, ParsdError, VerificationError } from "../errors.ts";
import { FileAccessError, type FileFacts, octal } from "../os/files.ts";
import { ENGINE_ADDR_SUFFIX, type PluginName, PLUGINS, type PluginSpec } from "../network/pars.ts";
import type { Settings } from "../settings.ts";
import type { FileSystem } from "../os/system.ts";
import { cacheKey, type VerifyCache } from "./cache.ts";
import { discover, flagName, type Rule, type SearchEnv } from "./discover.ts";
import {
  accessFailure,
  assertSafeSource,
  type Located,
  RACY_MARGIN_NS,
  type Sealed,
  type SealFs,
  verifySealed,
} from "./sealed.ts";

export { RACY_MARGIN_NS };

/** A plugin's real file, checked safe to hand to luxd. */
export interface Target {
  readonly realPath: string;
  readonly facts: FileFacts;
}

/**
 * Resolves a plugin path to its real file and checks that it is a regular,
 * executable file; no owner or mode check (see {@linkcode inspectTarget}).
 *
 * @throws {NoInputError} if it does not exist; {@linkcode VerificationError} if it is no binary.
 */
export async function locateTarget(
  spec: PluginSpec,
  path: string,
  rule: Rule,
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
  if (os !== "windows" && (facts.mode & 0o111) === 0) {
    throw new VerificationError(
      `${what}: ${realPath} is not executable (mode ${
        octal(facts.mode)
      }); run 'chmod 755 ${realPath}'`,
    );
  }
  return { realPath, facts };
}

/**
 * {@linkcode locateTarget}, then the ownership and mode checks of a file parsd
 * is to trust (ssh's StrictModes): the file and every directory it resolves
 * through owned by root or the current user and not writable by group or
 * others, so that nobody else can swap what parsd hashes and seals.
 *
 * @throws {NoInputError} if it does not exist; {@linkcode VerificationError}
 *   if it is no binary; {@linkcode PermissionError} (77) if another user could
 *   change it, naming each path and its `chmod`/`chown` fix.
 */
export async function inspectTarget(
  spec: PluginSpec,
  path: string,
  rule: Rule,
  uid: number | null,
  fs: Pick<FileSystem, "stat" | "realPath" | "lstat" | "readLink">,
  os: string,
): Promise<Target> {
  const target = await locateTarget(spec, path, rule, fs, os);
  await assertSafeSource(fs, spec.name, { path }, os === "windows" ? null : uid);
  return target;
}

/** A file-system failure on a plugin's path, as a one-line error with its exit code. */
export function pluginAccessError(what: string, where: string, error: unknown): ParsdError {
  return accessFailure(what, where, error);
}

/** A plugin that passed every check: sealed (or to be sealed) in the store. */
export interface VerifiedPlugin extends Sealed {
  readonly name: PluginName;
  readonly vmid: string;
}

/** Options for {@linkcode verifyPlugin}. */
export interface VerifyOptions {
  readonly mode: "cache" | "full";
  readonly cache: VerifyCache;
  readonly trustUnpinned: boolean;
  readonly uid: number | null;
  readonly os: string;
  readonly searchEnv: SearchEnv;
  readonly fs: SealFs;
  /** Now, in ns since the epoch (for the racily-clean rule). */
  readonly nowNs: bigint;
}

/**
 * Verifies one plugin: its pinned copy in `<data-dir>/store`, or (when the
 * store has none yet) its source, to be sealed before luxd starts.
 *
 * @throws {ParsdError} the reason it must not run: missing (66), a store copy
 *   or source that is altered, unpinned or mismatched (65), files or
 *   directories another user could change (77).
 */
export async function verifyPlugin(
  name: PluginName,
  s: Settings,
  o: VerifyOptions,
): Promise<VerifiedPlugin> {
  const spec = PLUGINS[name];
  const sealed = await verifySealed({
    name,
    dataDir: s.dataDir,
    pinned: s.plugins[name].sha256,
    trustUnpinned: o.trustUnpinned,
    mode: o.mode,
    cache: o.cache,
    uid: o.os === "windows" ? null : o.uid,
    fs: o.fs,
    nowNs: o.nowNs,
    marker: ENGINE_ADDR_SUFFIX,
    locate: () => locatePlugin(name, s, o),
    foundBy: (l) => l.rule === "search" ? "the search paths" : flagName(spec, l.rule),
  });
  return { ...sealed, name, vmid: spec.vmid };
}

/** Discovery and the type checks of a plugin's source (no owner or mode check). */
async function locatePlugin(name: PluginName, s: Settings, o: VerifyOptions): Promise<Located> {
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
  const t = await locateTarget(spec, d.path, d.rule, o.fs, o.os);
  return { path: d.path, rule: d.rule, realPath: t.realPath, facts: t.facts };
}

/** The cache entries that record freshly verified plugins and the hashes of their sources. */
export function cacheUpdates(
  verified: readonly (
    & Pick<
      Sealed,
      "realPath" | "facts" | "sha256" | "cacheable" | "fromCache" | "records"
    >
    & {
      rpcchainvm?: number | undefined;
      registrable?: boolean;
      versionLine?: string | undefined;
      infoFresh?: boolean;
    }
  )[],
): VerifyCache {
  const out: VerifyCache = {};
  for (const v of verified) {
    Object.assign(out, v.records);
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
 * Runs `f` for every plugin (or binary) concurrently (hashing two uses both
 * cores) and gathers every failure into one error, in plugin order, so that
 * a user sees all problems at once. The exit code is the first failure's.
 */
export async function forEachPlugin<N extends string, T>(
  names: readonly N[],
  f: (name: N) => Promise<T>,
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
