/**
 * @module
 * Signal forwarding as data: a listener list that subscribes luxd and is
 * unsubscribed in `finally`. SIGINT, SIGTERM, SIGHUP and SIGQUIT go to
 * luxd; a second SIGINT, or the grace period after a SIGTERM, escalates to
 * SIGKILL, so parsd never leaves luxd behind.
 */

/** The signals parsd forwards, where the OS has them. */
export function forwardedSignals(os: string): Deno.Signal[] {
  // Windows only delivers SIGINT (Ctrl-C) and SIGBREAK (Ctrl-Break) to listeners.
  return os === "windows" ? ["SIGINT", "SIGBREAK"] : ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"];
}

/** Where signals come from: `Deno.addSignalListener` in the real system, a fake in tests. */
export interface SignalSource {
  add(signal: Deno.Signal, handler: () => void): void;
  remove(signal: Deno.Signal, handler: () => void): void;
}

/** What can be signalled: luxd's child process. */
export interface Killable {
  kill(signal: Deno.Signal): void;
}

/** Options for {@linkcode forwardSignals}. */
export interface ForwardOptions {
  readonly signals: readonly Deno.Signal[];
  /** SIGTERM → SIGKILL grace, in ms. */
  readonly graceMs: number;
  /** Told of each action, for parsd's log line. */
  readonly log?: (message: string) => void;
}

/**
 * Forwards signals to a child until the returned function is called.
 *
 * @returns a function that unsubscribes every listener and clears the timer.
 */
export function forwardSignals(
  child: Killable,
  source: SignalSource,
  o: ForwardOptions,
): () => void {
  let interrupts = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const send = (signal: Deno.Signal) => {
    try {
      child.kill(signal);
    } catch {
      // The child has already exited; nothing to forward to.
    }
  };
  const kill = (why: string) => {
    o.log?.(`${why}; sending SIGKILL to luxd`);
    send("SIGKILL");
  };
  const handlers = o.signals.map((signal) => {
    const handler = () => {
      if (signal === "SIGINT" && ++interrupts > 1) return kill("second SIGINT");
      send(signal);
      if (signal === "SIGTERM" && timer === undefined) {
        const t = setTimeout(
          () => kill(`luxd still running ${o.graceMs} ms after SIGTERM`),
          o.graceMs,
        );
        Deno.unrefTimer(t);
        timer = t;
      }
    };
    source.add(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) source.remove(signal, handler);
    if (timer !== undefined) clearTimeout(timer);
  };
}

const SIGNAL_NUMBERS: Readonly<Record<string, number>> = {
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
};

/** parsd's exit code for luxd's exit: its code, or 128+n when signal n killed it. */
export function exitCodeFor(status: { code: number; signal: Deno.Signal | null }): number {
  if (status.signal === null) return status.code;
  const n = SIGNAL_NUMBERS[status.signal];
  return n === undefined ? status.code : 128 + n;
}
