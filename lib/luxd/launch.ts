/**
 * @module
 * The last step of every start: start luxd with inherited stdio in a process
 * group of its own, forward signals to it (listening before it is spawned),
 * revoke parsd's permissions, wait for it, end whatever is left of its group,
 * and return luxd's exit code (128+n for signal n).
 */

import { LuxdNotExecutableError, LuxdNotFoundError } from "../errors.ts";
import { NotExecutableError } from "../os/files.ts";
import { exitCodeFor, forwardSignals } from "../os/signals.ts";
import type { ChildProcess, System } from "../os/system.ts";

/** How luxd is started. */
export interface Launch {
  readonly luxd: string;
  readonly args: readonly string[];
  /** SIGTERM → SIGKILL grace, in ms (at most `MAX_SHUTDOWN_GRACE_MS`). */
  readonly graceMs: number;
}

/**
 * Starts luxd and waits for it and for the end of its process group.
 *
 * @throws {LuxdNotFoundError} or {@linkcode LuxdNotExecutableError} (126:
 *   permission denied, not a program, an argument list the OS refuses, any
 *   other reason the OS gives) when it cannot be started.
 */
export async function launch(sys: System, l: Launch): Promise<number> {
  // Read before the permissions go.
  const debugPermissions = sys.env("PARSD_DEBUG_PERMISSIONS") === "1";
  let child: ChildProcess | undefined;
  const forwarding = forwardSignals(
    {
      kill: (s) => child?.kill(s),
      killGroup: (s) => child?.killGroup(s),
    },
    sys.signals,
    {
      os: sys.os,
      graceMs: l.graceMs,
      now: () => sys.now(),
      log: (m) => sys.err(`parsd: ${m}\n`),
    },
  );
  try {
    const luxd = child = start(sys, l);
    const states = await sys.dropPermissions().catch(async (error) => {
      // parsd cannot go on as promised: luxd must not run without it.
      luxd.killGroup("SIGKILL");
      await luxd.status;
      await luxd.reapGroup(0);
      throw error;
    });
    if (debugPermissions) {
      sys.err(
        `parsd: debug: permissions after spawn: ${
          Object.entries(states).map(([k, v]) => `${k}=${v}`).join(" ")
        }\n`,
      );
    }
    const status = await luxd.status;
    // Nothing of luxd's group outlives parsd: what is left gets the rest of the grace.
    const deadline = forwarding.deadline();
    await luxd.reapGroup(deadline === undefined ? l.graceMs : Math.max(0, deadline - sys.now()));
    return exitCodeFor(status, sys.os);
  } finally {
    forwarding.stop();
  }
}

function start(sys: System, l: Launch): ChildProcess {
  try {
    return sys.spawn(l.luxd, l.args, { graceMs: l.graceMs });
  } catch (error) {
    throw spawnError(l.luxd, error);
  }
}

/** Why luxd could not be started, as a parsd error with a documented code (never 1). */
export function spawnError(luxd: string, error: unknown): Error {
  if (error instanceof Deno.errors.NotFound) {
    return new LuxdNotFoundError(
      `luxd ${luxd} could not be started: ${(error as Error).message}; ` +
        `check that it (and its #! interpreter, if it is a script) exists`,
      { cause: error },
    );
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return new LuxdNotExecutableError(`luxd ${luxd} cannot be executed: permission denied`, {
      cause: error,
    });
  }
  if (error instanceof NotExecutableError) {
    return new LuxdNotExecutableError(
      `luxd ${error.message}; point --luxd at the luxd binary (deno task build:luxd builds one)`,
      { cause: error },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  const fix = /argument list too long|E2BIG|nul byte/i.test(message)
    ? "shorten 'luxd-args' in config.json or the luxd flags given (parsd doctor shows the sizes)"
    : "check the binary and the system's limits";
  return new LuxdNotExecutableError(`luxd ${luxd} could not be started: ${message}; ${fix}`, {
    cause: error,
  });
}
