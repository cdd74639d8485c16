/**
 * @module
 * One parsd per data dir: an OS-level exclusive lock on the data dir, held
 * while parsd runs luxd, and while `init` and `plugins pin` write (see
 * `lib/lock.ts`). The OS drops it when the process dies.
 */

import { BusyError, CantCreateError } from "../errors.ts";
import { layout } from "./layout.ts";
import { cantCreate } from "./create.ts";
import type { System } from "../os/system.ts";

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
 * @returns the lock: `announce` writes the pid file (a failure is a
 *   {@linkcode CantCreateError} naming it and the fix), `release` lets go.
 * @throws {BusyError} (75) naming the holder's pid.
 */
export async function takeLock(
  sys: System,
  dataDir: string,
): Promise<{ announce(): Promise<void>; release(): void }> {
  let held;
  try {
    held = await sys.lock(dataDir, layout(dataDir).pidFile);
  } catch (error) {
    throw new CantCreateError(`cannot lock data dir: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if ("heldBy" in held) throw busyError(dataDir, held.heldBy);
  const pidFile = layout(dataDir).pidFile;
  return {
    announce: () =>
      held.announce().catch((error) => Promise.reject(cantCreate(pidFile, error, "write"))),
    release: () => held.release(),
  };
}

/** Runs `f` holding the data dir's lock. */
export async function withLock<T>(sys: System, dataDir: string, f: () => Promise<T>): Promise<T> {
  const lock = await takeLock(sys, dataDir);
  try {
    await lock.announce();
    return await f();
  } finally {
    lock.release();
  }
}
