/**
 * @module
 * The data dir check shared by `run`, `doctor`, `init` and `plugins pin`:
 * it exists as a directory you own that takes new files, or its parent lets
 * you create it.
 */

import { join } from "../os/path.ts";
import { CantCreateError, PermissionError } from "../errors.ts";
import { accessError, FileAccessError, type FileProblem } from "../os/files.ts";
import { layout } from "./layout.ts";
import type { Env } from "../os/env.ts";
import type { System } from "../os/system.ts";

/** What is at the data dir. */
export type DataDirState = "exists" | "will-create";

/**
 * Checks that the data dir exists as a directory that takes new files (not
 * read-only, not full: see {@linkcode mustWrite}) with no special file where
 * the pid file goes, or can be made: its parent exists, is a directory, and
 * takes new files from this user.
 *
 * @throws {CantCreateError} naming the data dir and what to do.
 */
export async function checkDataDir(
  sys: System,
  dataDir: string,
  env: Env,
): Promise<DataDirState> {
  const stat = async (p: string) => {
    try {
      return await sys.stat(p);
    } catch (error) {
      if (!(error instanceof FileAccessError)) throw error;
      throw new CantCreateError(
        `data dir ${dataDir}: ${error.message}; fix it or choose another --data-dir`,
      );
    }
  };
  const f = await stat(dataDir);
  if (f) {
    if (!f.isDirectory) {
      throw new CantCreateError(
        `data dir ${dataDir} exists but is not a directory; choose another --data-dir`,
      );
    }
    if (env.uid !== null && env.uid !== 0 && f.uid !== env.uid) {
      throw new PermissionError(
        `data dir ${dataDir} is owned by uid ${f.uid}, not you (uid ${env.uid}); run parsd as its owner or choose another --data-dir`,
      );
    }
    await mustWrite(sys, dataDir, `data dir ${dataDir}`);
    const pidFile = layout(dataDir).pidFile;
    const pid = await stat(pidFile);
    if (pid && !pid.isFile) {
      throw new CantCreateError(
        `${pidFile} is ${
          pid.isDirectory ? "a directory" : "not a regular file"
        }, where parsd writes its pid; move it away`,
      );
    }
    return "exists";
  }
  if (await sys.lstat(dataDir).catch(() => undefined)) {
    throw new CantCreateError(
      `data dir ${dataDir} is a dangling symlink; point it at a directory or choose another --data-dir`,
    );
  }
  const parent = join(dataDir, "..");
  const p = await stat(parent);
  if (!p) {
    throw new CantCreateError(
      `data dir ${dataDir}: its parent ${parent} does not exist; create it or choose another --data-dir`,
    );
  }
  if (!p.isDirectory) {
    throw new CantCreateError(
      `data dir ${dataDir}: its parent ${parent} is not a directory; choose another --data-dir`,
    );
  }
  if (!writableBy(p, env)) {
    throw new CantCreateError(
      `data dir ${dataDir}: its parent ${parent} is not writable by you; fix its permissions or choose another --data-dir`,
    );
  }
  await mustWrite(sys, parent, `data dir ${dataDir}: its parent ${parent}`);
  return "will-create";
}

/** Why each write problem stops parsd here, and what to do. */
const PROBE_FIXES: Readonly<Partial<Record<FileProblem, string>>> = {
  "read-only": "is on a read-only file system; remount it read-write or choose another --data-dir",
  "no-space": "has no space left on its file system; free some space or choose another --data-dir",
  denied: "is not writable by you; fix its permissions or choose another --data-dir",
};

/**
 * Proves a directory takes a new file, as `run` must (luxd's database, the
 * pid file, links): creates a small dot-named file and removes it at once,
 * so that a read-only mount or a full disk is found before anything starts.
 * Mode bits alone cannot tell either. Leaves nothing behind.
 *
 * @throws {CantCreateError} naming `what`, why and the fix.
 */
export async function mustWrite(sys: System, dir: string, what: string): Promise<void> {
  const rand = crypto.getRandomValues(new Uint32Array(1))[0]!.toString(16);
  const probe = join(dir, `.parsd-write-check-${sys.pid}-${rand}`);
  try {
    await sys.createNew(probe, "parsd write check\n", 0o600);
  } catch (error) {
    const e = accessError(probe, error);
    throw new CantCreateError(
      `${what} ${
        PROBE_FIXES[e.problem] ??
          `cannot take a new file (${e.reason}); fix it or choose another --data-dir`
      }`,
      { cause: error },
    );
  }
  await sys.remove(probe).catch(() => {});
}

/** Whether mode bits let this user write (root always can; group is judged by the primary gid). */
function writableBy(f: { mode: number; uid: number; gid: number }, env: Env): boolean {
  if (env.uid === null || env.uid === 0) return true;
  if (f.uid === env.uid) return (f.mode & 0o200) !== 0;
  if (f.gid === env.gid) return (f.mode & 0o020) !== 0;
  return (f.mode & 0o002) !== 0;
}
