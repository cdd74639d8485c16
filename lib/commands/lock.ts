/**
 * @module
 * One parsd per data dir: an OS-level exclusive lock on `<data-dir>/parsd.lock`
 * held while parsd runs luxd, and while `init` and `plugins pin` write. The
 * OS drops it when the process dies, so a crash never leaves a lock behind.
 */

import { BusyError } from "../errors.ts";
import { layout } from "../layout.ts";
import type { System } from "../system.ts";

/** The refusal when another parsd holds the data dir. */
export function busyError(dataDir: string, pid: number | undefined): BusyError {
  return new BusyError(
    `another parsd (${
      pid === undefined ? "pid unknown" : `pid ${pid}`
    }) is running on ${dataDir}; stop it first, or give this one another --data-dir`,
  );
}

/**
 * Takes the data dir's lock (the data dir must exist).
 *
 * @returns the release function.
 * @throws {BusyError} (75) naming the holder's pid.
 */
export async function takeLock(sys: System, dataDir: string): Promise<() => void> {
  const held = await sys.lock(layout(dataDir).lockFile);
  if ("heldBy" in held) throw busyError(dataDir, held.heldBy);
  return () => held.release();
}

/** Runs `f` holding the data dir's lock. */
export async function withLock<T>(sys: System, dataDir: string, f: () => Promise<T>): Promise<T> {
  const release = await takeLock(sys, dataDir);
  try {
    return await f();
  } finally {
    release();
  }
}
