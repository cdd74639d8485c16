/**
 * @module
 * The last step of every start, full or warm: start luxd with inherited
 * stdio, forward signals to it, revoke parsd's permissions, and return
 * luxd's exit code (128+n for signal n).
 */

import { LuxdNotExecutableError, LuxdNotFoundError } from "../errors.ts";
import { NotExecutableError } from "../os/files.ts";
import { exitCodeFor, forwardedSignals, forwardSignals } from "../os/signals.ts";
import type { ChildProcess, System } from "../os/system.ts";

/** How luxd is started. */
export interface Launch {
  readonly luxd: string;
  readonly args: readonly string[];
  /** SIGTERM → SIGKILL grace, in ms. */
  readonly graceMs: number;
}

/**
 * Starts luxd and waits for it.
 *
 * @throws {LuxdNotFoundError} or {@linkcode LuxdNotExecutableError} when it
 *   cannot be started.
 */
export async function launch(sys: System, l: Launch): Promise<number> {
  // Read before the permissions go.
  const debugPermissions = sys.env("PARSD_DEBUG_PERMISSIONS") === "1";
  const child = start(sys, l.luxd, l.args);
  const stop = forwardSignals(child, sys.signals, {
    signals: forwardedSignals(sys.os),
    graceMs: l.graceMs,
    log: (m) => sys.err(`parsd: ${m}\n`),
  });
  try {
    const states = await sys.dropPermissions();
    if (debugPermissions) {
      sys.err(
        `parsd: debug: permissions after spawn: ${
          Object.entries(states).map(([k, v]) => `${k}=${v}`).join(" ")
        }\n`,
      );
    }
    return exitCodeFor(await child.status);
  } finally {
    stop();
  }
}

function start(sys: System, luxd: string, args: readonly string[]): ChildProcess {
  try {
    return sys.spawn(luxd, args);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new LuxdNotFoundError(`luxd ${luxd} vanished before it could start`);
    }
    if (error instanceof Deno.errors.PermissionDenied) {
      throw new LuxdNotExecutableError(`luxd ${luxd} cannot be executed: permission denied`);
    }
    if (error instanceof NotExecutableError) {
      throw new LuxdNotExecutableError(
        `luxd ${error.message}; point --luxd at the luxd binary (deno task build:luxd builds one)`,
      );
    }
    throw error;
  }
}
