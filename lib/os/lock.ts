/**
 * @module
 * One parsd per data dir: an exclusive, non-blocking `flock(2)` on the data
 * dir itself (`Deno.FsFile.tryLock`), so taking or being refused the lock
 * creates no file, and the OS drops it when the process dies — a crashed
 * parsd never leaves a lock that blocks. Files are opened close-on-exec, so
 * luxd does not inherit it.
 *
 * The holder's pid goes into `<data-dir>/parsd.pid` only once it has
 * something to do ({@linkcode HeldLock.announce}, after every check
 * passed), so a refused start leaves no trace; a second parsd reads it to
 * name the holder.
 *
 * The calls are synchronous behind the promises: each is one quick system
 * call, and Deno's async file ops would start a thread pool for them. A pid
 * file that is not a regular file (a FIFO would block the open) is never
 * opened: reading it names no holder, writing it is refused.
 */

import { FileAccessError, specialKind } from "./files.ts";

/** A lock this process holds. */
export interface HeldLock {
  /** Writes our pid into the pid file, for a refused second parsd to name. */
  announce(): Promise<void>;
  /**
   * Empties the pid file (if announced) and releases the lock. Safe to call
   * twice, and after parsd revoked its permissions (it works on open files).
   */
  release(): void;
}

/** The lock is held by another process. */
export interface LockRefusal {
  /** The pid in the pid file; `undefined` if the holder has not announced one yet. */
  readonly heldBy: number | undefined;
}

/**
 * Takes the exclusive lock on directory `dir` without waiting.
 *
 * @throws {Error} naming the dir when it cannot be opened (missing, not a
 *   directory, permission denied).
 */
export function acquireLock(
  dir: string,
  pidFile: string,
  pid: number,
): Promise<HeldLock | LockRefusal> {
  try {
    return Promise.resolve(lockNow(dir, pidFile, pid));
  } catch (error) {
    return Promise.reject(error);
  }
}

function lockNow(dir: string, pidFile: string, pid: number): HeldLock | LockRefusal {
  let handle: Deno.FsFile;
  try {
    handle = Deno.openSync(dir, { read: true });
  } catch (error) {
    throw new Error(`cannot open ${dir} to lock it: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let locked: boolean;
  try {
    locked = handle.tryLockSync(true);
  } catch (error) {
    handle.close();
    throw new Error(`cannot lock ${dir}: ${(error as Error).message}`, { cause: error });
  }
  if (!locked) {
    handle.close();
    return { heldBy: readPid(pidFile) };
  }
  let pidHandle: Deno.FsFile | undefined;
  let held = true;
  return {
    announce() {
      try {
        pidHandle ??= openPidFile(pidFile);
        pidHandle.truncateSync(0);
        pidHandle.writeSync(new TextEncoder().encode(`${pid}\n`));
        return Promise.resolve();
      } catch (error) {
        return Promise.reject(error);
      }
    },
    release() {
      if (!held) return;
      held = false;
      if (pidHandle !== undefined) {
        try {
          pidHandle.truncateSync(0);
        } catch {
          // A stale pid is harmless: the lock, not the file, says who holds it.
        }
        pidHandle.close();
      }
      handle.close();
    },
  };
}

/** Whether the pid file is something other than a regular file (opening a FIFO would block). */
function specialPidFile(pidFile: string): Deno.FileInfo | undefined {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(pidFile);
  } catch {
    return undefined;
  }
  return info.isFile ? undefined : info;
}

/**
 * Opens (creating) the pid file for writing; a FIFO, device or directory
 * there is refused with a {@linkcode FileAccessError}, never opened.
 */
function openPidFile(pidFile: string): Deno.FsFile {
  const special = specialPidFile(pidFile);
  if (special?.isDirectory) throw new FileAccessError(pidFile, "directory", "is a directory");
  if (special !== undefined) {
    throw new FileAccessError(pidFile, "special", `is ${specialKind(special)}, not a regular file`);
  }
  return Deno.openSync(pidFile, { write: true, create: true, mode: 0o600 });
}

function readPid(pidFile: string): number | undefined {
  if (specialPidFile(pidFile) !== undefined) return undefined;
  try {
    const text = Deno.readTextFileSync(pidFile);
    const match = /^\s*(\d{1,10})\s*$/.exec(text);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
