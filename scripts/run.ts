/**
 * @module
 * The scripts' process call, the one way a script runs a program: to
 * completion, output captured, with a cwd, an environment (added to,
 * replaced or with variables removed), a timeout and an abort signal (a
 * script's interrupt), SIGTERM then SIGKILL. It is the `run` of a script's
 * seam (`ScriptSystem` in `kit.ts`), beside lib's `System`, whose `output`
 * takes none of these. A signal death is 128+n by lib's `exitCodeFor`.
 */

import { CommandNotFoundError } from "../lib/errors.ts";
import { exitCodeFor } from "../lib/os/signals.ts";

/** Environment variables, as a record. */
export type EnvVars = Readonly<Record<string, string>>;

/** One program run to completion by a {@linkcode Runner} (a script's `sys.run`). */
export interface RunRequest {
  /** The program: a name looked up on PATH, or a path. */
  readonly cmd: string;
  readonly args?: readonly string[];
  /** The working directory (default: the script's). */
  readonly cwd?: string;
  /** Variables added to the inherited environment (or the whole environment with `clearEnv`). */
  readonly env?: EnvVars;
  /** Start from an empty environment. */
  readonly clearEnv?: boolean;
  /** Variables removed from the inherited environment (an empty one that means "unset"). */
  readonly unset?: readonly string[];
  /** Stop the program (SIGTERM) after this many milliseconds; the result says `timedOut`. */
  readonly timeoutMs?: number;
  /**
   * Stop the program when this aborts: with the abort reason if it is
   * `"SIGINT"` or `"SIGTERM"` (the kit's `runMain` aborts so), else SIGTERM.
   */
  readonly signal?: AbortSignal;
  /** After stopping it, wait this long (default {@linkcode KILL_GRACE_MS}) before SIGKILL. */
  readonly graceMs?: number;
  /** Called with the pid once it runs (to watch it, e.g. its memory). */
  readonly onSpawn?: (pid: number) => void;
}

/** How a program ended and what it printed. */
export interface RunResult {
  /** Its exit code; 128+n when signal n ended it (lib's {@linkcode exitCodeFor}). */
  readonly code: number;
  /** The signal that ended it, if any. */
  readonly signal: Deno.Signal | null;
  readonly stdout: string;
  readonly stderr: string;
  /** It was stopped because `timeoutMs` passed. */
  readonly timedOut: boolean;
}

/**
 * Runs one program to completion, output captured.
 *
 * @throws {CommandNotFoundError} (127) when the program does not exist.
 */
export type Runner = (req: RunRequest) => Promise<RunResult>;

/** How long a stopped program may take to exit before it gets SIGKILL. */
export const KILL_GRACE_MS = 10_000;

const stopSignal = (reason: unknown): Deno.Signal =>
  reason === "SIGINT" || reason === "SIGTERM" ? reason : "SIGTERM";

/**
 * The real {@linkcode Runner}: `Deno.Command` with piped output. A program
 * stopped by the timeout or the abort signal gets SIGTERM (SIGINT for an
 * interrupt, so that Go cleans up), then SIGKILL after the grace period.
 * Needs `--allow-run`.
 */
export const spawnCapture: Runner = async (req) => {
  if (req.signal?.aborted) {
    const code = exitCodeFor({ code: 0, signal: stopSignal(req.signal.reason) });
    return { code, signal: null, stdout: "", stderr: "not started: interrupted", timedOut: false };
  }
  const unset = req.unset ?? [];
  const inherited = unset.length === 0 || req.clearEnv ? {} : Object.fromEntries(
    Object.entries(Deno.env.toObject()).filter(([name]) => !unset.includes(name)),
  );
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(req.cmd, {
      args: [...(req.args ?? [])],
      ...(req.cwd !== undefined ? { cwd: req.cwd } : {}),
      env: { ...inherited, ...req.env },
      clearEnv: req.clearEnv === true || unset.length > 0,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new CommandNotFoundError(req.cmd, { cause: error });
    }
    throw error;
  }
  req.onSpawn?.(child.pid);
  let timedOut = false;
  let grace: ReturnType<typeof setTimeout> | undefined;
  const kill = (sig: Deno.Signal) => {
    try {
      child.kill(sig);
    } catch {
      // already exited
    }
  };
  const stop = (sig: Deno.Signal) => {
    if (grace !== undefined) return;
    kill(sig);
    grace = setTimeout(() => kill("SIGKILL"), req.graceMs ?? KILL_GRACE_MS);
  };
  const timer = req.timeoutMs === undefined ? undefined : setTimeout(() => {
    timedOut = true;
    stop("SIGTERM");
  }, req.timeoutMs);
  const onAbort = () => stop(stopSignal(req.signal?.reason));
  req.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const out = await child.output();
    const dec = new TextDecoder();
    return {
      code: exitCodeFor(out),
      signal: out.signal,
      stdout: dec.decode(out.stdout),
      stderr: dec.decode(out.stderr),
      timedOut,
    };
  } finally {
    clearTimeout(timer);
    clearTimeout(grace);
    req.signal?.removeEventListener("abort", onAbort);
  }
};
