/**
 * @module
 * Sealed binaries: what luxd runs is the store's copy of the pinned bytes
 * (`<data-dir>/store/sha256-<pin>`, see `store.ts`), never the file it was
 * pinned from. {@linkcode verifySealed} checks a pinned binary's store entry
 * (its type, mode 0500, owner, hash, and that every directory above it is
 * safe: `ownership.ts`) and looks at the source only to say whether it still
 * matches. With no store entry yet (a pin recorded without a copy, a data dir
 * from before the store), the source is checked instead, and `copyFrom` asks
 * the writer (`start/apply.ts`) to seal it once every check has passed: it is
 * hashed again as it is copied. Plugins and luxd share this path; gathering
 * changes nothing on disk.
 */

import { NoInputError, ParsdError, PermissionError, VerificationError } from "../errors.ts";
import { FileAccessError, type FileFacts } from "../os/files.ts";
import { checkTrustedPath } from "../os/ownership.ts";
import type { FileSystem } from "../os/system.ts";
import { cachedHash, cacheHit, cacheKey, type VerifyCache } from "./cache.ts";
import { checkStoreFile, storePath } from "./store.ts";
import { type BinaryName, labelOf } from "./binaries.ts";
import type { Rule } from "./discover.ts";

/**
 * How much older than the hash's start a file's ctime must be for its
 * verification to be cached. Deno 2.9 reports ctime in whole seconds (and
 * mtime in milliseconds), so two changes within one second can share a
 * ctime; a 2 s margin guarantees that any later change shows a new ctime.
 */
export const RACY_MARGIN_NS = 2_000_000_000n;

/** A binary's source as discovery found it: the path, the rule, and the real file behind it. */
export interface Located {
  readonly path: string;
  readonly rule: Rule;
  readonly realPath: string;
  /** stat(2) of the real file. */
  readonly facts: FileFacts;
}

/** What parsd knows of a binary's source while luxd runs the sealed copy. */
export type SourceState =
  | { readonly state: "matches"; readonly located: Located }
  | { readonly state: "changed"; readonly located: Located; readonly sha256: string }
  | { readonly state: "unavailable"; readonly reason: string };

/** A binary that passed every check, and where luxd runs it from. */
export interface Sealed {
  readonly name: BinaryName;
  readonly sha256: string;
  readonly pinned: boolean;
  /** `<data-dir>/store/sha256-<hex>`: what the plugin link (or luxd's name) points at. */
  readonly storePath: string;
  /** The checked source to seal into the store first; absent when the store holds it. */
  readonly copyFrom?: string;
  /** The file checked now (and asked `--version` now): the store entry, or `copyFrom`. */
  readonly realPath: string;
  /** lstat(2) of the store entry, or stat(2) of `copyFrom`. */
  readonly facts: FileFacts;
  /** Whether the cache proved `realPath` unchanged, so it was not hashed. */
  readonly fromCache: boolean;
  /**
   * Whether this verification may be cached: the file's last change (ctime) is
   * older than the hash's start by more than {@linkcode RACY_MARGIN_NS}.
   */
  readonly cacheable: boolean;
  /** Whether the bytes hold the marker asked for, learned in the hash's read; absent when not read. */
  readonly mentionsMarker?: boolean;
  /** The source: found and matching, changed since the pin, or not to be had. */
  readonly source: SourceState;
  /** Hashes to remember (path → entry): the source's, so that it is not hashed again. */
  readonly records: VerifyCache;
}

/** What {@linkcode verifySealed} reads. */
export type SealFs = Pick<
  FileSystem,
  "stat" | "lstat" | "realPath" | "readLink" | "sha256" | "hashAndScan"
>;

/** Options of {@linkcode verifySealed}. */
export interface SealOptions {
  readonly name: BinaryName;
  readonly dataDir: string;
  /** The pinned hash, if any. */
  readonly pinned: string | undefined;
  readonly trustUnpinned: boolean;
  readonly mode: "cache" | "full";
  readonly cache: VerifyCache;
  /** parsd's uid (`null` on Windows: owners and modes are not checked). */
  readonly uid: number | null;
  readonly fs: SealFs;
  /** Now, in ns since the epoch (for the racily-clean rule). */
  readonly nowNs: bigint;
  /** Finds the source; throws a {@linkcode ParsdError} when there is none fit to read. */
  readonly locate: () => Promise<Located>;
  /** The hint at the end of a refusal, naming how the source was found. */
  readonly foundBy: (located: Located) => string;
  /** A marker to look for in the bytes (a plugin's rpcchainvm variable). */
  readonly marker?: string;
}

/**
 * Checks a binary and says where luxd runs it from: the store entry of its pin
 * when there is one (the source only looked at), else its source, checked as a
 * source to be sealed.
 *
 * @throws {ParsdError} the reason it must not run: a store entry that is
 *   altered, not 0500 or not parsd's (65), a directory above it or above the
 *   source that another user can write (77), a missing source (66), an
 *   unpinned binary without `--trust-unpinned` or a source that does not match
 *   its pin (65).
 */
export async function verifySealed(o: SealOptions): Promise<Sealed> {
  if (o.pinned !== undefined) {
    const path = storePath(o.dataDir, o.pinned);
    if (await present(o.fs, path)) return await fromStore(o, o.pinned, path, true);
    return await fromSource(o, o.pinned);
  }
  const located = await o.locate();
  if (!o.trustUnpinned) {
    throw new VerificationError(
      `${labelOf(o.name)}: ${located.realPath} is not pinned; check it, then pin it with ` +
        `'parsd plugins pin ${o.name}' (or start once with --trust-unpinned)`,
    );
  }
  await assertSafeSource(o.fs, o.name, located, o.uid);
  const read = await readHash(o, located.realPath);
  const path = storePath(o.dataDir, read.sha256);
  if (await present(o.fs, path)) return await fromStore(o, read.sha256, path, false);
  return {
    ...sealedBase(o, read.sha256, false, path, located),
    copyFrom: located.realPath,
    fromCache: false,
    cacheable: false,
    ...(read.contains === undefined ? {} : { mentionsMarker: read.contains }),
    source: { state: "matches", located },
    records: {},
  };
}

/** The fields every result has, for a binary checked from `located`. */
const sealedBase = (
  o: SealOptions,
  sha256: string,
  pinned: boolean,
  path: string,
  located: Located,
) => ({
  name: o.name,
  sha256,
  pinned,
  storePath: path,
  realPath: located.realPath,
  facts: located.facts,
});

/** The pinned (or trusted-unpinned) copy in the store, checked; the source only looked at. */
async function fromStore(
  o: SealOptions,
  sha256: string,
  path: string,
  pinned: boolean,
): Promise<Sealed> {
  // Unprefixed: the same lines as the data dir's own check, so that doctor shows each once.
  const unsafe = await trustProblems(o.fs, path, o.uid);
  if (unsafe.length > 0) throw new PermissionError(unsafe);
  let mentionsMarker: boolean | undefined;
  const scanning = {
    lstat: o.fs.lstat,
    sha256: async (p: string) => {
      if (o.marker === undefined) return await o.fs.sha256(p);
      const read = await o.fs.hashAndScan(p, o.marker);
      mentionsMarker = read.contains;
      return read.sha256;
    },
  };
  const unchanged = o.mode === "cache"
    ? (f: FileFacts) => cacheHit(o.cache, path, f, sha256)
    : undefined;
  const checked = await checkStoreFile(scanning, path, sha256, {
    uid: o.uid,
    ...(unchanged ? { unchanged } : {}),
  }).catch((error) => {
    throw error instanceof ParsdError && error.exitCode === 65
      ? new VerificationError(error.problems.map((p) => `${labelOf(o.name)}: ${p}`))
      : error;
  });
  const { source, records } = pinned
    ? await sourceState(o, sha256)
    : { source: { state: "unavailable", reason: "not pinned" } as const, records: {} };
  return {
    name: o.name,
    sha256,
    pinned,
    storePath: path,
    realPath: path,
    facts: checked.facts,
    fromCache: !checked.hashed,
    cacheable: checked.hashed && checked.facts.ctimeNs + RACY_MARGIN_NS < o.nowNs,
    ...(mentionsMarker === undefined ? {} : { mentionsMarker }),
    source,
    records,
  };
}

/** No store entry yet: the source must be safe and match the pin; apply seals it. */
async function fromSource(o: SealOptions, pinned: string): Promise<Sealed> {
  const located = await o.locate();
  await assertSafeSource(o.fs, o.name, located, o.uid);
  const path = storePath(o.dataDir, pinned);
  const base = { ...sealedBase(o, pinned, true, path, located), copyFrom: located.realPath };
  const hit = o.mode === "cache" &&
    cacheHit(o.cache, located.realPath, located.facts, pinned);
  if (hit) {
    return {
      ...base,
      fromCache: true,
      cacheable: false,
      source: { state: "matches", located },
      records: {},
    };
  }
  const read = await readHash(o, located.realPath);
  if (read.sha256 !== pinned) {
    throw new VerificationError(
      `${
        labelOf(o.name)
      }: ${located.realPath} does not match its pin: sha256 ${read.sha256}, pinned ${pinned}; ` +
        `either it changed since it was pinned or it is not the file that was pinned (found by ${
          o.foundBy(located)
        }), and the store has no copy of the pinned one (${path}); do not run it unless you put it there yourself, ` +
        `then check it and re-pin with 'parsd plugins pin ${o.name} --replace'`,
    );
  }
  const cacheable = located.facts.ctimeNs + RACY_MARGIN_NS < o.nowNs;
  return {
    ...base,
    fromCache: false,
    cacheable,
    ...(read.contains === undefined ? {} : { mentionsMarker: read.contains }),
    source: { state: "matches", located },
    records: {},
  };
}

/** Whether the source still hashes to the pin: from the cache when it proves the file unchanged. Never throws. */
async function sourceState(
  o: SealOptions,
  pinned: string,
): Promise<{ source: SourceState; records: VerifyCache }> {
  let located: Located;
  try {
    located = await o.locate();
  } catch (error) {
    if (!(error instanceof ParsdError)) throw error;
    return { source: { state: "unavailable", reason: error.problems[0] ?? "" }, records: {} };
  }
  const known = o.mode === "cache"
    ? cachedHash(o.cache, located.realPath, located.facts, pinned)
    : undefined;
  let sha256 = known;
  if (sha256 === undefined) {
    try {
      sha256 = await o.fs.sha256(located.realPath);
    } catch (error) {
      if (!(error instanceof FileAccessError)) throw error;
      return { source: { state: "unavailable", reason: error.message }, records: {} };
    }
  }
  const records: VerifyCache = known === undefined &&
      located.facts.ctimeNs + RACY_MARGIN_NS < o.nowNs
    ? { [located.realPath]: { key: cacheKey(located.facts, pinned), sha256 } }
    : {};
  const source: SourceState = sha256 === pinned
    ? { state: "matches", located }
    : { state: "changed", located, sha256 };
  return { source, records };
}

/** The one line doctor shows for a source that no longer matches, or `undefined`. */
export function sourceNote(s: Sealed): string | undefined {
  if (!s.pinned || s.copyFrom !== undefined) return undefined;
  if (s.source.state === "changed") {
    return `${s.source.located.path}: source changed since pin (sha256 ${s.source.sha256}); luxd runs the pinned copy ${s.storePath}`;
  }
  if (s.source.state === "unavailable") {
    return `source not available (${s.source.reason}); luxd runs the pinned copy ${s.storePath}`;
  }
  return undefined;
}

/**
 * The StrictModes problems of a path: it and every directory it resolves
 * through must be owned by parsd's user or root and not writable by group or
 * others. A path that does not exist has none here (its own check says so).
 */
export async function trustProblems(
  fs: Pick<FileSystem, "lstat" | "readLink">,
  path: string,
  uid: number | null,
  kind: "file" | "dir" = "file",
): Promise<string[]> {
  try {
    return await checkTrustedPath(fs, path, { uid, kind });
  } catch (error) {
    if (error instanceof NoInputError) return [];
    throw error;
  }
}

/**
 * Refuses a source file that someone other than parsd's user or root could
 * change or replace (the file or any directory it resolves through).
 *
 * @throws {PermissionError} (77) with one line per problem and its fix.
 */
export async function assertSafeSource(
  fs: Pick<FileSystem, "lstat" | "readLink">,
  name: BinaryName,
  located: Pick<Located, "path">,
  uid: number | null,
): Promise<void> {
  const problems = await trustProblems(fs, located.path, uid);
  if (problems.length > 0) {
    throw new PermissionError(
      problems.map((p) => `${labelOf(name)}: ${p} (another user could replace what parsd checks)`),
    );
  }
}

/** Whether something is at `path` (an error looking counts as "yes": the check then says why). */
async function present(fs: Pick<FileSystem, "lstat">, path: string): Promise<boolean> {
  return await fs.lstat(path).then((f) => f !== undefined, () => true);
}

/** Hashes a source (scanning for the marker when asked), an OS error as a one-line error. */
async function readHash(
  o: SealOptions,
  path: string,
): Promise<{ sha256: string; contains?: boolean }> {
  try {
    return o.marker === undefined
      ? { sha256: await o.fs.sha256(path) }
      : await o.fs.hashAndScan(path, o.marker);
  } catch (error) {
    throw accessFailure(
      labelOf(o.name),
      path,
      error instanceof FileAccessError
        ? error
        : new FileAccessError(path, "io", String((error as Error)?.message ?? error)),
    );
  }
}

/** A file-system failure on a binary's path, as a one-line error with its exit code. */
export function accessFailure(what: string, where: string, error: unknown): ParsdError {
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
