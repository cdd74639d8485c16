/**
 * @module
 * The data dir check shared by `run`, `doctor`, `init` and `plugins pin`:
 * it exists as a directory you own, or its parent lets you create it.
 */

import { join } from "../os/path.ts";
import { CantCreateError, PermissionError } from "../errors.ts";
import { FileAccessError } from "../os/files.ts";
import type { Env } from "../os/env.ts";
import type { System } from "../os/system.ts";

/** What is at the data dir. */
export type DataDirState = "exists" | "will-create";

/**
 * Checks that the data dir exists as a directory, or can be made: its
 * parent exists, is a directory, and is writable by this user.
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
  return "will-create";
}

/** Whether mode bits let this user write (root always can; group is judged by the primary gid). */
function writableBy(f: { mode: number; uid: number; gid: number }, env: Env): boolean {
  if (env.uid === null || env.uid === 0) return true;
  if (f.uid === env.uid) return (f.mode & 0o200) !== 0;
  if (f.gid === env.gid) return (f.mode & 0o020) !== 0;
  return (f.mode & 0o002) !== 0;
}
