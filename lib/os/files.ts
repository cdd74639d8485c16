/**
 * @module
 * The real file system, through Deno's own APIs (no `node:fs`, which costs
 * start-up time): stat with "missing" as `undefined`, bounded text reads,
 * atomic writes, links. Every OS error that is not "missing" becomes a
 * {@linkcode FileAccessError} naming the path and what went wrong, so the
 * caller can turn it into a one-line error with the right exit code.
 *
 * Reads are synchronous (`system.ts` hands them out as promises): a stat of
 * a local file costs ~20 µs that way, several times less than Deno's async
 * op (a hop to a thread pool and back), and parsd has nothing else to do
 * meanwhile. Writes are rare and stay asynchronous.
 */

import { basename, dirname, join } from "./path.ts";

/** What parsd needs to know of a file. Times are in ns (Deno gives ms for mtime, s for ctime). */
export interface FileFacts {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  readonly isSymlink: boolean;
}

/** One entry of a directory listing. */
export interface DirEntry {
  readonly name: string;
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  readonly isSymlink: boolean;
}

/** Why a file could not be used, beyond "it is not there". */
export type FileProblem = "loop" | "denied" | "directory" | "too-large" | "not-utf8" | "io";

/** A file-system failure, with the path and a short reason fit for a one-line message. */
export class FileAccessError extends Error {
  /** Builds the error; `reason` completes "<path>: <reason>". */
  constructor(
    readonly path: string,
    readonly problem: FileProblem,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`${path}: ${reason}`, options);
    this.name = "FileAccessError";
  }
}

function isMissing(error: unknown): boolean {
  return error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory ||
    /\(os error (2|20)\)/.test(String((error as Error)?.message));
}

/** Turns an OS error into a {@linkcode FileAccessError} (or rethrows one already made). */
export function accessError(path: string, error: unknown): FileAccessError {
  if (error instanceof FileAccessError) return error;
  const message = String((error as Error)?.message ?? error);
  if (error instanceof Deno.errors.PermissionDenied || /os error 13\b/.test(message)) {
    return new FileAccessError(path, "denied", "permission denied", { cause: error });
  }
  if (error instanceof Deno.errors.FilesystemLoop || /os error 40\b/.test(message)) {
    return new FileAccessError(path, "loop", "a symlink loop (too many levels of links)", {
      cause: error,
    });
  }
  if (error instanceof Deno.errors.IsADirectory || /os error 21\b/.test(message)) {
    return new FileAccessError(path, "directory", "is a directory", { cause: error });
  }
  return new FileAccessError(path, "io", message.split("\n")[0]!, { cause: error });
}

const ns = (d: Date | null) => BigInt(d?.getTime() ?? 0) * 1_000_000n;

function factsOf(s: Deno.FileInfo): FileFacts {
  return {
    dev: BigInt(s.dev ?? 0),
    ino: BigInt(s.ino ?? 0),
    mode: s.mode ?? 0,
    uid: s.uid ?? 0,
    gid: s.gid ?? 0,
    size: BigInt(s.size),
    mtimeNs: ns(s.mtime),
    ctimeNs: ns(s.ctime),
    isFile: s.isFile,
    isDirectory: s.isDirectory,
    isSymlink: s.isSymlink,
  };
}

/**
 * stat(2), following links.
 *
 * @returns `undefined` if nothing is there or a link dangles.
 * @throws {FileAccessError} for a link loop, a denied search, or another OS error.
 */
export function statFacts(path: string): FileFacts | undefined {
  try {
    return factsOf(Deno.statSync(path));
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw accessError(path, error);
  }
}

/** lstat(2): the link itself. `undefined` if nothing is there. */
export function lstatFacts(path: string): FileFacts | undefined {
  try {
    return factsOf(Deno.lstatSync(path));
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw accessError(path, error);
  }
}

/** The canonical path (links resolved). @throws {FileAccessError} */
export function realPath(path: string): string {
  try {
    return Deno.realPathSync(path);
  } catch (error) {
    throw accessError(path, error);
  }
}

/** A link's target as written. @throws {FileAccessError} */
export function readLink(path: string): string {
  try {
    return Deno.readLinkSync(path);
  } catch (error) {
    throw accessError(path, error);
  }
}

/** A directory's entries; `[]` if it does not exist. @throws {FileAccessError} */
export function readDir(path: string): DirEntry[] {
  const out: DirEntry[] = [];
  try {
    for (const e of Deno.readDirSync(path)) out.push(e);
  } catch (error) {
    if (isMissing(error)) return [];
    throw accessError(path, error);
  }
  return out;
}

/** The most parsd reads of a text file it must parse (config.json, caches, certificates). */
export const MAX_TEXT_BYTES = 4 << 20;

/**
 * Reads a UTF-8 text file of at most `maxBytes`.
 *
 * @returns `undefined` if it does not exist (or a link to it dangles).
 * @throws {FileAccessError} if it is a directory, too large, not UTF-8, a
 *   link loop, or unreadable; the file is never read whole when too large.
 */
export function readTextFile(
  path: string,
  maxBytes = MAX_TEXT_BYTES,
): string | undefined {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw accessError(path, error);
  }
  if (info.isDirectory) throw new FileAccessError(path, "directory", "is a directory");
  const tooLarge = (size: number | undefined) =>
    new FileAccessError(
      path,
      "too-large",
      size === undefined
        ? `is larger than the ${maxBytes} bytes parsd reads`
        : `is ${size} bytes, more than the ${maxBytes} parsd reads`,
    );
  if (info.size > maxBytes) throw tooLarge(info.size);
  let bytes: Uint8Array | undefined;
  try {
    // A regular file in one call (to EOF: /proc files say 0 bytes); anything else, such as
    // a device that never ends, in bounded reads.
    bytes = info.isFile ? Deno.readFileSync(path) : readBounded(path, maxBytes);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw accessError(path, error);
  }
  if (bytes === undefined || bytes.length > maxBytes) throw tooLarge(undefined);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (error) {
    throw new FileAccessError(path, "not-utf8", "is not UTF-8 text", { cause: error });
  }
}

/** At most `maxBytes` + 1 bytes of a file, read to EOF; `undefined` when there are more. */
function readBounded(path: string, maxBytes: number): Uint8Array | undefined {
  const file = Deno.openSync(path, { read: true });
  try {
    const chunks: Uint8Array[] = [];
    let n = 0;
    while (n <= maxBytes) {
      const buf = new Uint8Array(Math.min(65536, maxBytes + 1 - n));
      const got = file.readSync(buf);
      if (got === null) break;
      chunks.push(buf.subarray(0, got));
      n += got;
    }
    if (n > maxBytes) return undefined;
    const bytes = new Uint8Array(n);
    let at = 0;
    for (const c of chunks) {
      bytes.set(c, at);
      at += c.length;
    }
    return bytes;
  } finally {
    file.close();
  }
}

/** A dot-named temporary path beside `path` (luxd skips dot-named plugin entries). */
export function tempSibling(path: string): string {
  const rand = crypto.getRandomValues(new Uint32Array(1))[0]!.toString(16);
  return join(dirname(path), `.${basename(path)}.tmp-${Deno.pid}-${rand}`);
}

/**
 * Writes text to a file atomically: a temporary sibling, fsync, then rename.
 * A reader sees the old or the new content, never a mix.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  mode = 0o600,
): Promise<void> {
  const tmp = tempSibling(path);
  try {
    const file = await Deno.open(tmp, { write: true, createNew: true, mode });
    try {
      const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
      for (let at = 0; at < bytes.length;) at += await file.write(bytes.subarray(at));
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.rename(tmp, path);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw accessError(path, error);
  }
}

/** Creates a file that must not exist yet (O_EXCL), with `text`. @throws {FileAccessError} */
export async function createNewFile(path: string, text: string, mode = 0o600): Promise<void> {
  try {
    const file = await Deno.open(path, { write: true, createNew: true, mode });
    try {
      await file.write(new TextEncoder().encode(text));
    } finally {
      file.close();
    }
  } catch (error) {
    throw accessError(path, error);
  }
}

/** Makes `linkPath` a symlink to `target` atomically (a temporary link renamed into place). */
export async function replaceSymlink(target: string, linkPath: string): Promise<void> {
  const tmp = tempSibling(linkPath);
  try {
    await Deno.symlink(target, tmp);
    await Deno.rename(tmp, linkPath);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw accessError(linkPath, error);
  }
}

/** Removes one file or link. @throws {FileAccessError} */
export async function removeFile(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch (error) {
    throw accessError(path, error);
  }
}

/**
 * Removes a file, a link (not what it points to) or a directory with
 * everything in it. @throws {FileAccessError}
 */
export async function removeTree(path: string): Promise<void> {
  try {
    await Deno.remove(path, { recursive: true });
  } catch (error) {
    throw accessError(path, error);
  }
}

/** mkdir(2) of one level. @throws {FileAccessError} */
export async function makeDir(path: string, mode = 0o700): Promise<void> {
  try {
    await Deno.mkdir(path, { mode });
  } catch (error) {
    throw accessError(path, error);
  }
}

/**
 * Copies `source`'s bytes into a new file `dest` (O_EXCL: it must not exist),
 * fsyncs it and closes it; a partial `dest` is removed on failure.
 *
 * @returns the number of bytes copied.
 * @throws {FileAccessError} naming `source` (cannot be read) or `dest` (cannot be written).
 */
export async function copyNewFile(source: string, dest: string, mode = 0o600): Promise<number> {
  let from: Deno.FsFile;
  try {
    from = await Deno.open(source, { read: true });
  } catch (error) {
    throw accessError(source, error);
  }
  let to: Deno.FsFile | undefined;
  let failed: string = dest;
  try {
    to = await Deno.open(dest, { write: true, createNew: true, mode });
    const buf = new Uint8Array(256 << 10);
    let total = 0;
    for (;;) {
      failed = source;
      const n = await from.read(buf);
      if (n === null) break;
      failed = dest;
      for (let at = 0; at < n;) at += await to.write(buf.subarray(at, n));
      total += n;
    }
    failed = dest;
    await to.sync();
    return total;
  } catch (error) {
    if (to !== undefined) await Deno.remove(dest).catch(() => {});
    throw accessError(failed, error);
  } finally {
    to?.close();
    from.close();
  }
}

/** chmod(2). @throws {FileAccessError} */
export async function changeMode(path: string, mode: number): Promise<void> {
  try {
    await Deno.chmod(path, mode);
  } catch (error) {
    throw accessError(path, error);
  }
}

/**
 * rename(2) `from` onto `to` (replacing a file or link there in one step), then
 * fsyncs `to`'s directory so that the rename survives a crash (POSIX; on
 * Windows the directory is not synced).
 *
 * @throws {FileAccessError} naming `to`.
 */
export async function renameDurable(from: string, to: string): Promise<void> {
  try {
    await Deno.rename(from, to);
    if (Deno.build.os === "windows") return;
    const dir = await Deno.open(dirname(to), { read: true });
    try {
      await dir.sync();
    } finally {
      dir.close();
    }
  } catch (error) {
    throw accessError(to, error);
  }
}

/** The first bytes of the formats the kernel runs itself: ELF, Mach-O (thin, fat), PE, `#!`. */
const EXECUTABLE_MAGIC: readonly (readonly number[])[] = [
  [0x7f, 0x45, 0x4c, 0x46],
  [0xfe, 0xed, 0xfa, 0xce],
  [0xfe, 0xed, 0xfa, 0xcf],
  [0xce, 0xfa, 0xed, 0xfe],
  [0xcf, 0xfa, 0xed, 0xfe],
  [0xca, 0xfe, 0xba, 0xbe],
  [0x4d, 0x5a],
  [0x23, 0x21],
];

/** A program file that is none of the formats the OS executes itself. */
export class NotExecutableError extends Error {
  /** Names the file. */
  constructor(readonly path: string) {
    super(`${path} is not a program: it is neither ELF, Mach-O, PE nor a #! script`);
    this.name = "NotExecutableError";
  }
}

/**
 * Whether a program file begins like one the OS executes itself. Deno
 * starts programs through `execvp`, which hands any other file with an x
 * bit to `/bin/sh` as a script: a corrupt or mistaken "binary" would have
 * its bytes run as shell commands. A file that cannot be read is left to
 * the exec to judge.
 */
export function looksExecutable(path: string): boolean {
  let head = new Uint8Array(4);
  try {
    const file = Deno.openSync(path, { read: true });
    try {
      head = head.subarray(0, file.readSync(head) ?? 0);
    } finally {
      file.close();
    }
  } catch {
    return true;
  }
  return EXECUTABLE_MAGIC.some((m) => m.every((b, i) => head[i] === b));
}

/** Formats a mode's permission bits as octal, e.g. `0755`. */
export const octal = (mode: number) => "0" + (mode & 0o777).toString(8).padStart(3, "0");
