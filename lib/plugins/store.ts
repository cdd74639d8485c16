/**
 * @module
 * The content-addressed store: sealed copies of plugin binaries under the data
 * dir, each named for the SHA-256 of its bytes, `<data-dir>/store/sha256-<hex>`.
 * The store dir is 0700 and every entry 0500 (not writable by anyone), owned by
 * parsd's user. A copy is written to a dot-named temporary file in the store
 * dir, fsynced, hashed again, made 0500 and only then renamed into place, so an
 * entry is always whole and always hashes to its name; a failed copy leaves no
 * file behind. Paths are pure functions of the data dir; the OS is reached
 * through {@linkcode FileSystem}. POSIX: on Windows (uid `null`) owner and mode
 * are not checked.
 */

import {
  CantCreateError,
  NoInputError,
  ParsdError,
  PermissionError,
  VerificationError,
} from "../errors.ts";
import { FileAccessError, type FileFacts } from "../os/files.ts";
import { basename, dirname, join } from "../os/path.ts";
import type { FileSystem } from "../os/system.ts";

/** The store dir's mode. */
export const STORE_DIR_MODE = 0o700;
/** Every store entry's mode: readable and executable by its owner, writable by no one. */
export const STORE_FILE_MODE = 0o500;

const NAME = /^sha256-([0-9a-f]{64})$/;
const HEX = /^[0-9a-f]{64}$/;

/** `<data-dir>/store`. */
export function storeDir(dataDir: string): string {
  return join(dataDir, "store");
}

/**
 * `<data-dir>/store/sha256-<hex>`, the entry for a SHA-256 (any case; named in lower case).
 *
 * @throws {TypeError} when `sha256` is not 64 hex digits (a caller's bug: pins are validated first).
 */
export function storePath(dataDir: string, sha256: string): string {
  const hex = sha256.toLowerCase();
  if (!HEX.test(hex)) throw new TypeError(`not a SHA-256 (64 hex digits): '${sha256}'`);
  return join(storeDir(dataDir), `sha256-${hex}`);
}

/** The SHA-256 an entry's name stands for, or `undefined` for any other name. */
export function storeHash(name: string): string | undefined {
  return NAME.exec(name)?.[1];
}

/** Formats a mode with its special bits, e.g. `0755`, `1777`. */
const modeText = (mode: number) => (mode & 0o7777).toString(8).padStart(4, "0");

/** Who may own store files and dirs: parsd's user or root (`null`: not checked, Windows). */
const trustedOwner = (uid: number | null, owner: number) =>
  uid === null || owner === uid || owner === 0;

/** Options of {@linkcode checkStoreFile}. */
export interface CheckOptions {
  /** parsd's uid (`System.uid()`); `null` on Windows, where owner and mode are not checked. */
  readonly uid: number | null;
  /**
   * Called with the entry's lstat facts once they check out; return `true` when a
   * cache proves these exact facts were hashed to `sha256` before (see `cache.ts`,
   * `cacheHit`), and the file is then not hashed. Omit it to always hash.
   */
  readonly unchanged?: (facts: FileFacts) => boolean;
}

/**
 * Checks one store entry before it is trusted: a regular file (not a link), named
 * for `sha256`, mode exactly 0500, owned by parsd's user or root, and hashing to
 * `sha256` (unless `unchanged` vouches for its facts).
 *
 * @returns its lstat facts (for a cache key) and whether it was hashed.
 * @throws {NoInputError} (66) when the entry is missing.
 * @throws {VerificationError} (65) with one line per problem, all at once; such an
 *   entry must never be run. The fix is to remove it and store the plugin again.
 */
export async function checkStoreFile(
  fs: Pick<FileSystem, "lstat" | "sha256">,
  path: string,
  sha256: string,
  o: CheckOptions,
): Promise<{ facts: FileFacts; hashed: boolean }> {
  const want = sha256.toLowerCase();
  const facts = await lstatOrThrow(fs, path);
  if (facts === undefined) {
    throw new NoInputError(`store entry ${path} is missing; pin the plugin again to store it`);
  }
  const problems: string[] = [];
  if (storeHash(basename(path)) !== want) problems.push(`is not named sha256-${want}`);
  if (facts.isSymlink) problems.push("is a symlink, and a store entry is never a link");
  else if (!facts.isFile) problems.push("is not a regular file");
  if (o.uid !== null && (facts.mode & 0o7777) !== STORE_FILE_MODE) {
    problems.push(`has mode ${modeText(facts.mode)}, not exactly 0500`);
  }
  if (!trustedOwner(o.uid, facts.uid)) {
    problems.push(`is owned by uid ${facts.uid}, neither parsd's user (uid ${o.uid}) nor root`);
  }
  const fix = `not trusted: remove it (rm -f ${path}) and pin the plugin again`;
  if (problems.length > 0) {
    throw new VerificationError(problems.map((p) => `store entry ${path} ${p}; ${fix}`));
  }
  if (o.unchanged?.(facts) === true) return { facts, hashed: false };
  const got = await hashOrThrow(fs, path);
  if (got !== want) {
    throw new VerificationError(
      `store entry ${path} hashes to ${got}, not ${want}: it was altered; ${fix}`,
    );
  }
  return { facts, hashed: true };
}

/** What {@linkcode storeCopy} did. */
export interface StoredCopy {
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
  /** `stored`: a new entry; `exists`: one was there and checked out; `replaced`: a bad one was. */
  readonly status: "stored" | "exists" | "replaced";
}

/** Options of {@linkcode storeCopy}. */
export interface CopyOptions {
  /** parsd's uid (`System.uid()`), `null` on Windows. */
  readonly uid: number | null;
  /** The pinned hash the bytes must have; without it, the source is hashed first. */
  readonly expectedSha256?: string;
}

type CopyFs = Pick<
  FileSystem,
  "lstat" | "mkdir" | "sha256" | "copyNew" | "chmod" | "rename" | "remove"
>;

/**
 * Copies `source` into the store, sealed: a temporary file in the store dir,
 * fsynced, hashed again (it must hash to `expectedSha256`, or to the source's hash
 * taken before the copy), chmod 0500, renamed into place. Idempotent: an entry
 * that exists and checks out (hashed) is kept, and the source is then not read
 * when `expectedSha256` is given. A bad entry in its place is replaced atomically.
 * The store dir is made 0700 when missing; the data dir must exist.
 *
 * @throws {VerificationError} (65) when what was written does not hash as it must
 *   (a source changed during the copy, a wrong pin); no temporary file is left.
 * @throws {NoInputError} (66) when the source cannot be read.
 * @throws {PermissionError} (77) when the store dir is a link, not 0700-safe or not parsd's.
 * @throws {CantCreateError} (73) when the store dir or the entry cannot be written.
 */
export async function storeCopy(
  fs: CopyFs,
  dataDir: string,
  source: string,
  o: CopyOptions,
): Promise<StoredCopy> {
  await ensureStoreDir(fs, dataDir, o.uid);
  const sha256 = o.expectedSha256?.toLowerCase() ??
    await readOrThrow(source, () => fs.sha256(source));
  const path = storePath(dataDir, sha256);
  let replacing = false;
  if (await lstatOrThrow(fs, path) !== undefined) {
    try {
      const { facts } = await checkStoreFile(fs, path, sha256, { uid: o.uid });
      return { path, sha256, size: Number(facts.size), status: "exists" };
    } catch (error) {
      if (!(error instanceof VerificationError)) throw error;
      replacing = true;
    }
  }
  const size = await sealInto(fs, source, path, sha256);
  return { path, sha256, size, status: replacing ? "replaced" : "stored" };
}

/** The copy itself: temp file, fsync, re-hash, chmod, rename; the temp is removed on any failure. */
async function sealInto(fs: CopyFs, source: string, path: string, sha256: string) {
  const rand = crypto.getRandomValues(new Uint32Array(2)).join("");
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${rand}`);
  try {
    const size = await readOrThrow(source, () => fs.copyNew(source, tmp, 0o600));
    const written = await writeOrThrow(() => fs.sha256(tmp));
    if (written !== sha256) {
      throw new VerificationError(
        `${source}: its copy in the store hashes to ${written}, not ${sha256}: ` +
          `the file is not the one pinned, or it changed while it was copied; check it and pin again`,
      );
    }
    await writeOrThrow(() => fs.chmod(tmp, STORE_FILE_MODE));
    await writeOrThrow(() => fs.rename(tmp, path));
    return size;
  } catch (error) {
    await fs.remove(tmp).catch(() => {});
    throw error;
  }
}

/** Makes the store dir (0700) or checks the one there: a directory, parsd's or root's, not group/other-writable. */
async function ensureStoreDir(
  fs: Pick<FileSystem, "lstat" | "mkdir">,
  dataDir: string,
  uid: number | null,
): Promise<void> {
  const dir = storeDir(dataDir);
  const facts = await lstatOrThrow(fs, dir);
  if (facts === undefined) {
    await writeOrThrow(() => fs.mkdir(dir, STORE_DIR_MODE));
    return;
  }
  const problems: string[] = [];
  if (!facts.isDirectory) {
    problems.push(`${dir} is not a directory; remove it and parsd makes the store again`);
  }
  if (facts.isDirectory && uid !== null && (facts.mode & 0o022) !== 0) {
    problems.push(`${dir} has mode ${modeText(facts.mode)}; fix: chmod 0700 ${dir}`);
  }
  if (!trustedOwner(uid, facts.uid)) {
    problems.push(`${dir} is owned by uid ${facts.uid}; fix: chown ${uid} ${dir}`);
  }
  if (problems.length > 0) throw new PermissionError(problems);
}

/** lstat, with an OS error (a denied search) as a 77. */
async function lstatOrThrow(fs: Pick<FileSystem, "lstat">, path: string) {
  try {
    return await fs.lstat(path);
  } catch (error) {
    throw asParsdError(error, (m) => new PermissionError(m, { cause: error }));
  }
}

async function hashOrThrow(fs: Pick<FileSystem, "sha256">, path: string): Promise<string> {
  try {
    return await fs.sha256(path);
  } catch (error) {
    throw asParsdError(error, (m) => new VerificationError(`${m}; it cannot be checked`));
  }
}

/** Runs a read of the source; its failure is a 66 naming the source. */
async function readOrThrow<T>(source: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof FileAccessError && error.path !== source) throw writeError(error);
    throw asParsdError(error, (m) =>
      new NoInputError(
        `${m.startsWith(source) ? m : `${source}: ${m}`}; cannot copy it into the store`,
        { cause: error },
      ));
  }
}

/** Runs a write into the store; its failure is a 73. */
async function writeOrThrow<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw writeError(error);
  }
}

const writeError = (error: unknown) =>
  asParsdError(
    error,
    (m) =>
      new CantCreateError(
        `${m}; cannot write the store: check the data dir's disk and permissions`,
        {
          cause: error,
        },
      ),
  );

/** A ParsdError passes through; anything else becomes `make(message)`. */
function asParsdError(error: unknown, make: (message: string) => ParsdError): ParsdError {
  if (error instanceof ParsdError) return error;
  const message = error instanceof Error ? error.message.split("\n")[0]! : String(error);
  return make(message);
}

/** One entry of the store. */
export interface StoreEntry {
  readonly sha256: string;
  readonly path: string;
  /** Bytes, as lstat gives them. */
  readonly size: number;
  readonly mtimeNs: bigint;
}

/**
 * The store's entries (sorted by hash) with their sizes, and the names of anything
 * else in the store dir (`strays`: a crashed copy's temporary file, a stranger's file).
 * A missing store is empty. Entries are listed, not checked ({@linkcode checkStoreFile}).
 *
 * @throws {PermissionError} (77) when the store cannot be read.
 */
export async function listStore(
  fs: Pick<FileSystem, "readDir" | "lstat">,
  dataDir: string,
): Promise<{ entries: StoreEntry[]; strays: string[] }> {
  const dir = storeDir(dataDir);
  let names: string[];
  try {
    names = (await fs.readDir(dir)).map((e) => e.name).sort();
  } catch (error) {
    throw asParsdError(error, (m) => new PermissionError(m, { cause: error }));
  }
  const entries: StoreEntry[] = [];
  const strays: string[] = [];
  for (const name of names) {
    const sha256 = storeHash(name);
    if (sha256 === undefined) {
      strays.push(name);
      continue;
    }
    const path = join(dir, name);
    const facts = await lstatOrThrow(fs, path);
    if (facts === undefined) continue; // removed since the listing
    entries.push({ sha256, path, size: Number(facts.size), mtimeNs: facts.mtimeNs });
  }
  return { entries, strays };
}

/** What garbage collection keeps and removes. */
export interface GcPlan {
  readonly keep: readonly StoreEntry[];
  readonly remove: readonly StoreEntry[];
  /** The bytes the removals free. */
  readonly freedBytes: number;
}

/**
 * Plans garbage collection, purely: keeps every `pinned` hash and the first
 * `keepN` of `previous` (earlier pins, most recent first: rollback targets)
 * that are in the store; everything else is removed. Hashes match in any case.
 */
export function planGc(
  entries: readonly StoreEntry[],
  pinned: readonly string[],
  previous: readonly string[],
  keepN: number,
): GcPlan {
  const present = new Set(entries.map((e) => e.sha256));
  const kept = new Set(pinned.map((h) => h.toLowerCase()));
  let rollbacks = 0;
  for (const h of previous.map((p) => p.toLowerCase())) {
    if (rollbacks >= keepN) break;
    if (kept.has(h) || !present.has(h)) continue;
    kept.add(h);
    rollbacks++;
  }
  const keep = entries.filter((e) => kept.has(e.sha256));
  const remove = entries.filter((e) => !kept.has(e.sha256));
  return { keep, remove, freedBytes: remove.reduce((n, e) => n + e.size, 0) };
}

/**
 * Applies a plan: removes each entry to remove, going on past failures.
 *
 * @returns what was removed, the bytes freed, and one line per entry that could
 *   not be removed (for the caller to report, e.g. as a PermissionError).
 */
export async function applyGc(
  fs: Pick<FileSystem, "remove">,
  plan: GcPlan,
): Promise<{ removed: StoreEntry[]; freedBytes: number; problems: string[] }> {
  const removed: StoreEntry[] = [];
  const problems: string[] = [];
  for (const entry of plan.remove) {
    try {
      await fs.remove(entry.path);
      removed.push(entry);
    } catch (error) {
      problems.push(`${error instanceof Error ? error.message : error}; cannot remove it`);
    }
  }
  return { removed, freedBytes: removed.reduce((n, e) => n + e.size, 0), problems };
}

/**
 * Lists the store, plans ({@linkcode planGc}) and applies ({@linkcode applyGc}).
 * Hold the data dir's lock meanwhile, so no pin changes under it.
 */
export async function gcStore(
  fs: Pick<FileSystem, "readDir" | "lstat" | "remove">,
  dataDir: string,
  keep: { readonly pinned: readonly string[]; readonly previous: readonly string[] },
  keepN: number,
): Promise<{ plan: GcPlan; removed: StoreEntry[]; freedBytes: number; problems: string[] }> {
  const { entries } = await listStore(fs, dataDir);
  const plan = planGc(entries, keep.pinned, keep.previous, keepN);
  return { plan, ...await applyGc(fs, plan) };
}
