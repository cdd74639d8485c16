/**
 * @module
 * Running a short program (a probe: `luxd --help`, a plugin's `--version`,
 * `ulimit -Hn`) to completion, with hard bounds: it ends at its timeout
 * whatever its children do, and no more than a bounded number of bytes is
 * kept. The program runs as the leader of its own process group; when it
 * exits, or the time is up, or it prints too much, parsd SIGKILLs the group
 * (a grandchild holding its stdout open would otherwise keep parsd reading)
 * and stops reading. Every way it can fail to answer has its own reason.
 */

import { guardGroup, signalGroup } from "./process_group.ts";

/** What a finished short command printed. */
export interface Output {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Why a short command gave no answer. */
export interface NoAnswer {
  /**
   * `not-started`: it could not be started; `timeout`: not finished in
   * time; `killed`: a signal ended it; `too-large`: it printed more than
   * parsd keeps.
   */
  readonly failure: "not-started" | "timeout" | "killed" | "too-large";
  /** What happened, to follow the program's name: `did not finish within 5 s`. */
  readonly reason: string;
}

/** Whether a run gave an answer. */
export const answered = (r: Output | NoAnswer): r is Output => !("failure" in r);

/** How much of each of stdout and stderr a short command may print: 4 MiB. */
export const OUTPUT_LIMIT_BYTES = 4 << 20;

/** A duration for a message: `5 s`, `0.3 s`. */
export const seconds = (ms: number) => `${ms / 1000} s`;

interface Collector {
  readonly done: Promise<void>;
  cancel(): void;
  text(): string;
}

function collect(stream: ReadableStream<Uint8Array>, max: number, over: () => void): Collector {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const done = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        size += value.length;
        if (size > max) return over();
        chunks.push(value);
      }
    } catch {
      // Cancelled, or the pipe broke: what was read stands.
    } finally {
      await reader.cancel().catch(() => {});
    }
  })();
  return {
    done,
    cancel: () => void reader.cancel().catch(() => {}),
    text: () => new TextDecoder().decode(concat(chunks)),
  };
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Why a program could not be started, in words: a missing `#!` interpreter is named. */
function notStarted(path: string, error: unknown): NoAnswer {
  const message = error instanceof Error ? error.message : String(error);
  let reason = `could not be started: ${message}`;
  if (error instanceof Deno.errors.NotFound) {
    try {
      const head = new TextDecoder().decode(Deno.readFileSync(path).subarray(0, 256));
      const interpreter = /^#!\s*(\S+)/.exec(head)?.[1];
      if (interpreter !== undefined) {
        reason =
          `could not be started: its interpreter ${interpreter} (from its #! line) does not exist`;
      }
    } catch {
      // The file itself is missing: the OS's words say so.
    }
  }
  return { failure: "not-started", reason };
}

/**
 * Runs `path` with `args` (stdin empty, its own process group) and returns
 * what it printed, or why it gave no answer. Never waits past `timeoutMs`
 * (plus the moment a SIGKILL takes), and leaves nothing of the program's
 * group running. Needs the run permission.
 */
export async function boundedOutput(
  path: string,
  args: readonly string[],
  timeoutMs: number,
  maxBytes: number = OUTPUT_LIMIT_BYTES,
): Promise<Output | NoAnswer> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(path, {
      args: [...args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      detached: true,
    }).spawn();
  } catch (error) {
    return notStarted(path, error);
  }
  const release = guardGroup(child.pid);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<"timeout">((r) => timer = setTimeout(() => r("timeout"), timeoutMs));
  let overflow!: () => void;
  const overflowed = new Promise<"too-large">((r) => overflow = () => r("too-large"));
  const streams = [
    collect(child.stdout, maxBytes, overflow),
    collect(child.stderr, maxBytes, overflow),
  ];
  const killAll = () => {
    if (signalGroup(child.pid, "SIGKILL")) return;
    try {
      child.kill("SIGKILL"); // No group to signal (Windows): the program alone.
    } catch {
      // It has exited.
    }
  };
  try {
    const ended = await Promise.race([child.status, expired, overflowed]);
    // Whatever of its group is left (a grandchild holding a pipe) is ended with it.
    killAll();
    if (ended === "timeout" || ended === "too-large") {
      for (const s of streams) s.cancel();
      await child.status;
      return ended === "timeout"
        ? { failure: "timeout", reason: `did not finish within ${seconds(timeoutMs)}` }
        : { failure: "too-large", reason: `printed more than ${maxBytes >> 20} MiB` };
    }
    // Read to EOF, which comes once the group is gone, but never past the deadline.
    if (await Promise.race([Promise.all(streams.map((s) => s.done)), expired]) === "timeout") {
      for (const s of streams) s.cancel();
    }
    if (ended.signal !== null) {
      return { failure: "killed", reason: `was killed by ${ended.signal}` };
    }
    return { code: ended.code, stdout: streams[0]!.text(), stderr: streams[1]!.text() };
  } finally {
    clearTimeout(timer);
    release();
    await Promise.all(streams.map((s) => s.done));
  }
}
