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

/**
 * Why a file could not be used, beyond "it is not there": `special` is a
 * FIFO, socket or device, or a kernel file Deno keeps from parsd (under
 * `/proc`, `/dev`, `/sys`); `no-space` a full disk or quota; `read-only` a
 * read-only file system; `hard-linked` a file an atomic replace would split
 * from its other names.
 */
export type FileProblem =
  | "loop"
  | "denied"
  | "directory"
  | "special"
  | "too-large"
  | "not-utf8"
  | "no-space"
  | "read-only"
  | "hard-linked"
  | "io";

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

/** Whether an OS error says "nothing there" (ENOENT, or ENOTDIR for a path through a file). */
export function isMissing(error: unknown): boolean {
  return error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory ||
    /\(os error (2|20)\)/.test(String((error as Error)?.message));
}

/** OS errors with a problem of their own: errno name, number, problem, reason. */
const OS_PROBLEMS: readonly (readonly [string, number, FileProblem, string])[] = [
  ["ENOSPC", 28, "no-space", "no space left on its file system"],
  ["EDQUOT", 122, "no-space", "the disk quota is exceeded"],
  ["EROFS", 30, "read-only", "is on a read-only file system"],
];

/** Turns an OS error into a {@linkcode FileAccessError} (or rethrows one already made). */
export function accessError(path: string, error: unknown): FileAccessError {
  if (error instanceof FileAccessError) return error;
  const message = String((error as Error)?.message ?? error);
  // Deno's own refusal of /proc, /dev and /sys files, whatever parsd's permissions: its
  // "Requires all access … --allow-all" text would send the user the wrong way.
  if (error instanceof Deno.errors.NotCapable) {
    return new FileAccessError(path, "special", SPECIAL_REASON, { cause: error });
  }
  if (error instanceof Deno.errors.PermissionDenied || /os error 13\b/.test(message)) {
    return new FileAccessError(path, "denied", "permission denied", { cause: error });
  }
  const code = (error as { code?: unknown })?.code;
  for (const [name, errno, problem, reason] of OS_PROBLEMS) {
    if (code === name || new RegExp(`os error ${errno}\\b`).test(message)) {
      return new FileAccessError(path, problem, reason, { cause: error });
    }
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

/** Why parsd refuses a kernel file Deno keeps from it (see {@linkcode accessError}). */
const SPECIAL_REASON = "is a special file (under /dev, /proc or /sys), not a regular file";

/** What a file that is neither a regular file nor a directory is, for "<path> is a FIFO". */
export function specialKind(
  info: Pick<Deno.FileInfo, "isFifo" | "isSocket" | "isCharDevice" | "isBlockDevice">,
): string {
  return info.isFifo
    ? "a FIFO"
    : info.isSocket
    ? "a socket"
    : info.isCharDevice
    ? "a character device"
    : info.isBlockDevice
    ? "a block device"
    : "a special file";
}

/**
 * Reads a UTF-8 text file of at most `maxBytes`. Only a regular file is
 * opened: a FIFO, socket or device is refused after a stat, so a FIFO named
 * as a config never blocks parsd. (Deno has no `O_NONBLOCK` open, so a file
 * swapped for a FIFO between the stat and the open would still block; only
 * someone who may change the file's directory can do that, and they could
 * as well change the file.)
 *
 * @returns `undefined` if it does not exist (or a link to it dangles).
 * @throws {FileAccessError} if it is a directory, a special file, too large,
 *   not UTF-8, a link loop, or unreadable; the file is never read whole when
 *   too large.
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
  if (!info.isFile) {
    throw new FileAccessError(path, "special", `is ${specialKind(info)}, not a regular file`);
  }
  const tooLarge = (size: number | undefined) =>
    new FileAccessError(
      path,
      "too-large",
      size === undefined
        ? `is larger than the ${maxBytes} bytes parsd reads`
        : `is ${size} bytes, more than the ${maxBytes} parsd reads`,
    );
  if (info.size > maxBytes) throw tooLarge(info.size);
  let bytes: Uint8Array;
  try {
    // In one call, to EOF: a file that says 0 bytes may still hold some.
    bytes = Deno.readFileSync(path);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw accessError(path, error);
  }
  if (bytes.length > maxBytes) throw tooLarge(undefined);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (error) {
    throw new FileAccessError(path, "not-utf8", "is not UTF-8 text", { cause: error });
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
    await writeTemp(tmp, data, mode);
    await Deno.rename(tmp, path);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw accessError(path, error);
  }
}

/**
 * Creates a file that must not exist yet (O_EXCL), with `text`. A file it
 * could not fill (a full disk) is removed again, so a failure leaves nothing.
 *
 * @throws {FileAccessError}
 */
export async function createNewFile(path: string, text: string, mode = 0o600): Promise<void> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { write: true, createNew: true, mode });
  } catch (error) {
    throw accessError(path, error);
  }
  try {
    const bytes = new TextEncoder().encode(text);
    for (let at = 0; at < bytes.length;) at += await file.write(bytes.subarray(at));
  } catch (error) {
    file.close();
    await Deno.remove(path).catch(() => {});
    throw accessError(path, error);
  }
  file.close();
}

/** Writes `data` into a new file `tmp` (O_EXCL, `mode`) and fsyncs it. @throws the OS error */
export async function writeTemp(
  tmp: string,
  data: string | Uint8Array,
  mode: number,
): Promise<void> {
  const file = await Deno.open(tmp, { write: true, createNew: true, mode });
  try {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    for (let at = 0; at < bytes.length;) at += await file.write(bytes.subarray(at));
    await file.sync();
  } finally {
    file.close();
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
