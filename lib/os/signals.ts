/**
 * @module
 * Signals as data. While luxd runs, parsd listens for every signal whose
 * default action would end it and that Deno lets a program catch, so that it
 * never dies leaving luxd behind:
 *
 * - stop signals ({@linkcode forwardedSignals}: SIGINT, SIGTERM, SIGHUP,
 *   SIGQUIT) go to luxd, and the first one starts the shutdown grace, after
 *   which luxd's whole process group gets SIGKILL; a second SIGINT sends it
 *   at once;
 * - SIGUSR1 and SIGUSR2 go to luxd as they are ({@linkcode passedSignals}):
 *   what luxd does with them is luxd's affair, as if it ran alone;
 * - the rest ({@linkcode ignoredSignals}: timers, resource limits, traps)
 *   are ignored, with one log line each.
 *
 * luxd runs in its own process group (see `system.ts`), so the terminal's
 * Ctrl-C reaches parsd alone, and parsd forwards it. What Deno cannot catch
 * (SIGKILL, SIGSTOP, SIGILL, SIGFPE, SIGSEGV, the real-time signals) is left
 * to luxd's group keeper: when parsd dies, the keeper stops luxd's group.
 * SIGPIPE is never listened for: Deno ignores it already, and listening
 * would make it fatal.
 */

/** The signals that ask parsd to stop luxd, where the OS has them. */
export function forwardedSignals(os: string): Deno.Signal[] {
  // Windows only delivers SIGINT (Ctrl-C) and SIGBREAK (Ctrl-Break) to listeners.
  return os === "windows" ? ["SIGINT", "SIGBREAK"] : ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"];
}

/** The signals passed on to luxd as they are, without starting a shutdown. */
export function passedSignals(os: string): Deno.Signal[] {
  return os === "windows" ? [] : ["SIGUSR1", "SIGUSR2"];
}

/**
 * The signals parsd ignores while luxd runs: every other one whose default
 * action ends a process and that Deno 2.9.6 lets a program listen for
 * (SIGIO is SIGPOLL and SIGSYS is SIGUNUSED on Linux).
 */
export function ignoredSignals(os: string): Deno.Signal[] {
  const common: Deno.Signal[] = [
    "SIGALRM",
    "SIGVTALRM",
    "SIGPROF",
    "SIGTRAP",
    "SIGABRT",
    "SIGBUS",
    "SIGXCPU",
    "SIGXFSZ",
    "SIGSYS",
  ];
  if (os === "linux") return [...common, "SIGSTKFLT", "SIGIO", "SIGPWR"];
  if (os === "darwin") return [...common, "SIGEMT"];
  return os === "windows" ? [] : common;
}

/**
 * Signals whose listener must never be removed: Deno 2.9.6 panics (exit 1)
 * when one of them arrives after its last listener went away
 * (`ext/signals/lib.rs`: EINVAL restoring the default). The real
 * {@linkcode SignalSource} leaves an ignoring listener in place for them.
 */
export const STICKY_SIGNALS: readonly Deno.Signal[] = ["SIGSTKFLT", "SIGPWR"];

/** Where signals come from: `Deno.addSignalListener` in the real system, a fake in tests. */
export interface SignalSource {
  /** Subscribes; throws for a signal this OS or Deno does not have. */
  add(signal: Deno.Signal, handler: () => void): void;
  remove(signal: Deno.Signal, handler: () => void): void;
}

const sticky = new Set<Deno.Signal>();

/** The real signal source, with the {@linkcode STICKY_SIGNALS} rule. */
export const denoSignals: SignalSource = {
  add: (signal, handler) => Deno.addSignalListener(signal, handler),
  remove(signal, handler) {
    if (STICKY_SIGNALS.includes(signal) && !sticky.has(signal)) {
      Deno.addSignalListener(signal, () => {});
      sticky.add(signal);
    }
    Deno.removeSignalListener(signal, handler);
  },
};

/** What signals are sent to: luxd, and luxd's process group. */
export interface Killable {
  /** Signals luxd alone; may throw once luxd has exited. */
  kill(signal: Deno.Signal): void;
  /** Signals every process of luxd's group; never throws. */
  killGroup(signal: Deno.Signal): void;
}

/**
 * The longest shutdown grace parsd accepts: an hour. Timers hold at most
 * 2^31−1 ms (a longer one fires at once), and a service manager should not
 * wait longer to stop a node.
 */
export const MAX_SHUTDOWN_GRACE_MS = 3_600_000;

/** Options for {@linkcode forwardSignals}. */
export interface ForwardOptions {
  /** The OS, for its signal lists. */
  readonly os: string;
  /** After the first stop signal, how long luxd has before its group gets SIGKILL, in ms. */
  readonly graceMs: number;
  /** Now, in ms. */
  readonly now: () => number;
  /** Told of each action, for parsd's log line; a log that throws is ignored. */
  readonly log?: (message: string) => void;
}

/** What {@linkcode forwardSignals} returns. */
export interface Forwarding {
  /** Unsubscribes every listener and clears the timer. */
  stop(): void;
  /** When the grace after the first stop signal ends (ms, as `now`), if one came. */
  deadline(): number | undefined;
}

/**
 * Forwards, passes on or ignores every catchable signal that would end parsd,
 * until `stop()` is called. Subscribe before luxd is spawned: a signal then
 * never meets parsd's default action while luxd runs.
 *
 * @throws {RangeError} for a grace that is not from 0 to {@linkcode MAX_SHUTDOWN_GRACE_MS}.
 */
export function forwardSignals(
  child: Killable,
  source: SignalSource,
  o: ForwardOptions,
): Forwarding {
  if (!(o.graceMs >= 0 && o.graceMs <= MAX_SHUTDOWN_GRACE_MS)) {
    throw new RangeError(
      `shutdown grace ${o.graceMs} ms is not from 0 to ${MAX_SHUTDOWN_GRACE_MS}`,
    );
  }
  let interrupts = 0;
  let deadline: number | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const log = (message: string) => {
    try {
      o.log?.(message);
    } catch {
      // stderr is gone: nothing to tell, and no reason to stop forwarding.
    }
  };
  const send = (signal: Deno.Signal) => {
    try {
      child.kill(signal);
    } catch {
      // luxd has already exited; nothing to forward to.
    }
  };
  const killGroup = (why: string) => {
    log(`${why}; sending SIGKILL to luxd's process group`);
    child.killGroup("SIGKILL");
  };
  const stopping = (signal: Deno.Signal) => {
    if (signal === "SIGINT" && ++interrupts > 1) return killGroup("second SIGINT");
    send(signal);
    if (timer !== undefined) return;
    deadline = o.now() + o.graceMs;
    timer = setTimeout(
      () => killGroup(`luxd still running ${o.graceMs} ms after ${signal}`),
      o.graceMs,
    );
    Deno.unrefTimer(timer);
  };
  const ignored = new Set<Deno.Signal>();
  const ignoring = (signal: Deno.Signal) => {
    if (ignored.has(signal)) return;
    ignored.add(signal);
    log(`ignoring ${signal}; luxd keeps running (SIGTERM or SIGINT stops it)`);
  };
  const table: [Deno.Signal, () => void][] = [
    ...forwardedSignals(o.os).map((s) => [s, () => stopping(s)] as [Deno.Signal, () => void]),
    ...passedSignals(o.os).map((s) => [s, () => send(s)] as [Deno.Signal, () => void]),
    ...ignoredSignals(o.os).map((s) => [s, () => ignoring(s)] as [Deno.Signal, () => void]),
  ];
  const added = table.filter(([signal, handler]) => {
    try {
      source.add(signal, handler);
      return true;
    } catch {
      return false; // A signal this OS or this Deno does not have.
    }
  });
  return {
    stop() {
      for (const [signal, handler] of added) source.remove(signal, handler);
      if (timer !== undefined) clearTimeout(timer);
    },
    deadline: () => deadline,
  };
}

const LINUX_NUMBERS: Readonly<Record<string, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGSTKFLT: 16,
  SIGCHLD: 17,
  SIGCONT: 18,
  SIGSTOP: 19,
  SIGTSTP: 20,
  SIGTTIN: 21,
  SIGTTOU: 22,
  SIGURG: 23,
  SIGXCPU: 24,
  SIGXFSZ: 25,
  SIGVTALRM: 26,
  SIGPROF: 27,
  SIGWINCH: 28,
  SIGIO: 29,
  SIGPOLL: 29,
  SIGPWR: 30,
  SIGSYS: 31,
  SIGUNUSED: 31,
};

const DARWIN_NUMBERS: Readonly<Record<string, number>> = {
  ...LINUX_NUMBERS,
  SIGEMT: 7,
  SIGBUS: 10,
  SIGSYS: 12,
  SIGURG: 16,
  SIGSTOP: 17,
  SIGTSTP: 18,
  SIGCONT: 19,
  SIGCHLD: 20,
  SIGIO: 23,
  SIGINFO: 29,
  SIGUSR1: 30,
  SIGUSR2: 31,
};

/** A signal's number on `os` (Linux numbering elsewhere), or `undefined` if it has none. */
export function signalNumber(signal: string, os = "linux"): number | undefined {
  return (os === "darwin" ? DARWIN_NUMBERS : LINUX_NUMBERS)[signal];
}

/** parsd's exit code for a program's exit: its code, or 128+n when signal n killed it. */
export function exitCodeFor(
  status: { code: number; signal: Deno.Signal | null },
  os = "linux",
): number {
  if (status.signal === null) return status.code;
  const n = signalNumber(status.signal, os);
  return n === undefined ? status.code : 128 + n;
}
