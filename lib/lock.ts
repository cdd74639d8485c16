/**
 * @module
 * One parsd per data dir: an exclusive, non-blocking OS lock on a lock file
 * (e.g. `<data-dir>/parsd.lock`) that names its holder's pid.
 *
 * The lock is `Deno.FsFile.tryLock(true)`, stable in Deno 2.9, which on
 * Linux and macOS is `flock(fd, LOCK_EX | LOCK_NB)` (seen with strace on
 * Deno 2.9.6) and on Windows `LockFileEx` without waiting. The OS drops it
 * when the holder's file is closed or the holder dies in any way, SIGKILL
 * included, so a crashed parsd never leaves a lock that blocks: the pid left
 * in the file is only a name for messages, never evidence of a holder.
 *
 * Deno opens files with `O_CLOEXEC`, so luxd does not inherit the lock: if
 * parsd is SIGKILLed while luxd runs on, the lock is free again (luxd's own
 * database lock still stops a second luxd). flock is per open file, not per
 * process, so even a second {@linkcode acquireLock} in the same process is
 * refused. Advisory locks are unreliable on some network file systems (NFS):
 * keep the data dir local.
 */

/** A lock this process holds. */
export interface HeldLock {
  /**
   * Empties the lock file and releases the lock. Safe to call twice, and
   * after parsd revoked its permissions (it works on the open file). The
   * file itself stays: deleting it would let two processes lock two
   * different files of the same name.
   */
  release(): void;
}

/** The lock is held by another process (or another open file of this one). */
export interface LockRefusal {
  /** The pid the holder wrote into the lock file; `undefined` if none could be read yet. */
  readonly heldBy: number | undefined;
}

const encoder = new TextEncoder();

/**
 * Takes the exclusive lock on `path` without waiting, creating the file
 * (mode 0644) if needed, and writes `pid` into it. Returns a
 * {@linkcode HeldLock}, or a {@linkcode LockRefusal} naming the holder's pid
 * when another process holds it. Keep the returned lock reachable for as
 * long as parsd runs.
 *
 * Needs `--allow-read` and `--allow-write` for `path`.
 *
 * @throws {Error} with the path in its message and the OS error as `cause`
 * when the file cannot be opened, locked or written (e.g. its directory is
 * missing or read-only).
 */
export async function acquireLock(path: string, pid: number): Promise<HeldLock | LockRefusal> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true, write: true, create: true, mode: 0o644 });
  } catch (error) {
    throw new Error(`cannot open lock file ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    if (!await file.tryLock(true)) {
      const heldBy = await readPid(file);
      file.close();
      return { heldBy };
    }
    await file.truncate(0);
    await file.seek(0, Deno.SeekMode.Start);
    const bytes = encoder.encode(`${pid}\n`);
    let written = 0;
    while (written < bytes.length) written += await file.write(bytes.subarray(written));
  } catch (error) {
    file.close();
    throw new Error(`cannot lock ${path}: ${(error as Error).message}`, { cause: error });
  }
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      try {
        file.truncateSync(0);
      } catch {
        // The pid left behind is harmless: the lock, not the file, says who holds it.
      }
      file.close();
    },
  };
}

/** The pid in a lock file, read from its start; `undefined` if it holds none (yet). */
async function readPid(file: Deno.FsFile): Promise<number | undefined> {
  try {
    const buffer = new Uint8Array(32);
    const n = await file.read(buffer);
    if (n === null) return undefined;
    const match = /^\s*(\d{1,10})\s*$/.exec(new TextDecoder().decode(buffer.subarray(0, n)));
    return match ? Number(match[1]) : undefined;
  } catch {
    // Windows forbids reading a range another process has locked.
    return undefined;
  }
}
