//# allFunctionsCalledOnLoad
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
 */

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
export async function acquireLock(
  dir: string,
  pidFile: string,
  pid: number,
): Promise<HeldLock | LockRefusal> {
  let handle: Deno.FsFile;
  try {
    handle = await Deno.open(dir, { read: true });
  } catch (error) {
    throw new Error(`cannot open ${dir} to lock it: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let locked: boolean;
  try {
    locked = await handle.tryLock(true);
  } catch (error) {
    handle.close();
    throw new Error(`cannot lock ${dir}: ${(error as Error).message}`, { cause: error });
  }
  if (!locked) {
    handle.close();
    return { heldBy: await readPid(pidFile) };
  }
  let pidHandle: Deno.FsFile | undefined;
  let held = true;
  return {
    async announce() {
      pidHandle ??= await Deno.open(pidFile, { write: true, create: true, mode: 0o600 });
      await pidHandle.truncate(0);
      await pidHandle.write(new TextEncoder().encode(`${pid}\n`));
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

async function readPid(pidFile: string): Promise<number | undefined> {
  try {
    const text = await Deno.readTextFile(pidFile);
    const match = /^\s*(\d{1,10})\s*$/.exec(text);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
