/**
 * @module
 * Small file helpers: nanosecond stat, atomic writes, "missing" as
 * `undefined`. Errors are wrapped with the path and a `cause`.
 */

import { lstat as nodeLstat, stat as nodeStat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** What parsd needs to know of a file, with nanosecond times. */
export interface FileFacts {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly mode: number;
  readonly uid: number;
  readonly size: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  readonly isSymlink: boolean;
}

function isNotFound(error: unknown): boolean {
  return error instanceof Deno.errors.NotFound ||
    (error as { code?: string })?.code === "ENOENT" ||
    (error as { code?: string })?.code === "ENOTDIR";
}

async function facts(path: string, follow: boolean): Promise<FileFacts | undefined> {
  try {
    const s = follow
      ? await nodeStat(path, { bigint: true })
      : await nodeLstat(path, { bigint: true });
    return {
      dev: s.dev,
      ino: s.ino,
      mode: Number(s.mode),
      uid: Number(s.uid),
      size: s.size,
      mtimeNs: s.mtimeNs,
      ctimeNs: s.ctimeNs,
      isFile: s.isFile(),
      isDirectory: s.isDirectory(),
      isSymlink: s.isSymbolicLink(),
    };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** stat(2) (following links); `undefined` if the path does not exist or a link dangles. */
export const statFacts = (path: string) => facts(path, true);
/** lstat(2); `undefined` if nothing is at the path. */
export const lstatFacts = (path: string) => facts(path, false);

/** Reads a text file; `undefined` if it does not exist. */
export async function readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
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
export async function writeFileAtomic(path: string, text: string, mode = 0o600): Promise<void> {
  const tmp = tempSibling(path);
  try {
    const file = await Deno.open(tmp, { write: true, createNew: true, mode });
    try {
      await file.write(new TextEncoder().encode(text));
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.rename(tmp, path);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw error;
  }
}

/** Formats a mode's permission bits as octal, e.g. `0755`. */
export const octal = (mode: number) => "0" + (mode & 0o777).toString(8).padStart(3, "0");
