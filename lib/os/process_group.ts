/**
 * @module
 * Process groups. parsd starts luxd and every probe as the leader of a new
 * session and so of a new process group: `Deno.Command`'s `detached: true`
 * calls setsid(2) on Unix (checked on Deno 2.9.6: the child's pid, pgid and
 * sid are equal). Everything the program starts stays in that group unless
 * it moves itself out, so one kill(2) on the negative pgid reaches it all:
 * `Deno.kill(-pgid, signal)`, which Deno 2.9.6 allows but only with the
 * unscoped run permission (after parsd drops its permissions, luxd's group
 * is signalled through its keeper, `group_keeper.ts`).
 *
 * A group of its own is not reached by the terminal's Ctrl-C. So while a
 * probe runs, {@linkcode guardGroup} listens for the signals that would end
 * parsd: one kills the probe's group and then ends parsd as the signal
 * would have.
 */

import { forwardedSignals, ignoredSignals, passedSignals, signalNumber } from "./signals.ts";

/** Signals process group `pgid`; false when there is no such group (or no permission). */
export function signalGroup(pgid: number, signal: Deno.Signal): boolean {
  if (Deno.build.os === "windows" || !(pgid > 1)) return false;
  try {
    Deno.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

const guarded = new Set<number>();
let listeners: [Deno.Signal, () => void][] = [];

/** The signals a guard listens for: all that would end parsd, but the sticky ones. */
function guardSignals(os: string): Deno.Signal[] {
  return [...forwardedSignals(os), ...passedSignals(os), ...ignoredSignals(os)].filter((s) =>
    s !== "SIGSTKFLT" && s !== "SIGPWR"
  );
}

function unlisten(): void {
  for (const [signal, handler] of listeners) Deno.removeSignalListener(signal, handler);
  listeners = [];
}

/**
 * Ends parsd as `signal` would have: re-raised once no listener is left, or,
 * where that cannot be done (no run permission, a disposition Deno did not
 * restore), exit 128+n.
 */
function reraise(signal: Deno.Signal): void {
  const exit = () => Deno.exit(128 + (signalNumber(signal, Deno.build.os) ?? 0));
  try {
    Deno.kill(Deno.pid, signal);
    setTimeout(exit, 50);
  } catch {
    exit();
  }
}

function listen(): void {
  for (const signal of guardSignals(Deno.build.os)) {
    const handler = () => {
      for (const pgid of guarded) signalGroup(pgid, "SIGKILL");
      guarded.clear();
      unlisten();
      reraise(signal);
    };
    try {
      Deno.addSignalListener(signal, handler);
      listeners.push([signal, handler]);
    } catch {
      // A signal this OS or this Deno does not have.
    }
  }
}

/**
 * Guards a running probe's group: a signal that would end parsd first
 * SIGKILLs it. Call the returned function once the probe is over; the last
 * one unsubscribes.
 */
export function guardGroup(pgid: number): () => void {
  if (Deno.build.os === "windows") return () => {};
  guarded.add(pgid);
  if (listeners.length === 0) listen();
  return () => {
    if (!guarded.delete(pgid)) return;
    if (guarded.size === 0) unlisten();
  };
}
