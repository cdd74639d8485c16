/**
 * @module
 * Running a devnet's nodes in the foreground, as `docker compose up` runs
 * its services: one `parsd run` child per node (stdout discarded: luxd
 * writes its logs under each data dir; stderr shown line by line behind the
 * node's name), health polled until every node is healthy, then kept until
 * a signal, `devnet down` (a SIGTERM) or a node's exit; then SIGTERM to
 * every child, each of which stops its luxd within its shutdown grace.
 */

import type { ChildProcess, System } from "../os/system.ts";
import { exitCodeFor, forwardedSignals } from "../os/signals.ts";
import type { SelfCommand } from "./self.ts";

/** One running node. */
export interface RunningNode {
  readonly name: string;
  readonly child: ChildProcess;
  /** Its exit code once it has exited (parsd's: luxd's, or 128+n). */
  readonly exited: Promise<number>;
  /** Whether it has exited. */
  done(): boolean;
}

/** Deno's warning on every `deno run` with a config-file permission set; not the node's. */
const DENO_WARNING = /Permissions in the config file is an experimental feature/;

async function pumpLines(
  stream: ReadableStream<Uint8Array>,
  line: (text: string) => void,
): Promise<void> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of stream) {
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop()!;
    for (const l of lines) line(l);
  }
  pending += decoder.decode();
  if (pending !== "") line(pending);
}

/**
 * Starts one node's `parsd run` (stdin inherited, stdout discarded, stderr
 * shown as `<name> | <line>`), in a process group of its own.
 *
 * @param graceMs how long its group gets between SIGTERM and SIGKILL when
 *   something of it outlives it, or outlives `up` itself.
 */
export function startNode(
  sys: System,
  self: SelfCommand,
  name: string,
  args: readonly string[],
  graceMs = 30_000,
): RunningNode {
  const child = sys.spawn(self.path, [...self.args, ...args], {
    stdout: "null",
    stderr: "piped",
    graceMs,
  });
  const shown = child.stderr === undefined ? Promise.resolve() : pumpLines(child.stderr, (l) => {
    if (!DENO_WARNING.test(l)) sys.err(`${name} | ${l}\n`);
  }).catch(() => {});
  let finished = false;
  const exited = (async () => {
    const status = await child.status;
    // Its parsd waited for its luxd; whatever else is left of its group goes now.
    await child.reapGroup(graceMs);
    await shown;
    finished = true;
    return exitCodeFor(status);
  })();
  return { name, child, exited, done: () => finished };
}

/** Whether a node says `"healthy": true` on `GET /ext/health` now. */
export async function nodeHealthy(sys: System, port: number): Promise<boolean> {
  try {
    const response = await sys.fetch(`http://127.0.0.1:${port}/ext/health`, {
      signal: AbortSignal.timeout(2_000),
    });
    const body = await response.json() as { healthy?: unknown };
    return body.healthy === true;
  } catch {
    return false;
  }
}

/** A request to stop, from a signal (or from code, in tests). */
export interface StopRequest {
  /** Resolves with the signal's name when one arrives. */
  readonly requested: Promise<string>;
  /** Whether one has arrived. */
  readonly asked: () => boolean;
  /** Unsubscribes from the signals. */
  readonly dispose: () => void;
}

/** Listens for SIGINT, SIGTERM, SIGHUP and SIGQUIT (where the OS has them) as a stop request. */
export function stopOnSignals(sys: System): StopRequest {
  let resolve!: (signal: string) => void;
  const requested = new Promise<string>((r) => resolve = r);
  let asked = false;
  const handlers = forwardedSignals(sys.os).map((signal) => {
    const handler = () => {
      asked = true;
      resolve(signal);
    };
    sys.signals.add(signal, handler);
    return [signal, handler] as const;
  });
  return {
    requested,
    asked: () => asked,
    dispose: () => {
      for (const [signal, handler] of handlers) sys.signals.remove(signal, handler);
    },
  };
}

/** How waiting for health ended. */
export type WaitOutcome =
  | { readonly kind: "healthy" }
  | { readonly kind: "exited"; readonly node: RunningNode; readonly code: number }
  | { readonly kind: "stopped"; readonly signal: string }
  | { readonly kind: "timeout"; readonly waiting: readonly string[] };

/** Options of {@linkcode waitHealthy}. */
export interface WaitOptions {
  readonly ports: readonly number[];
  readonly timeoutMs: number;
  readonly everyMs?: number;
  /** Told once per node, when it is first seen healthy, with ms since the wait began. */
  readonly onHealthy: (index: number, ms: number) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls every node's health until all are healthy, one exits, a stop is asked, or time is up. */
export async function waitHealthy(
  sys: System,
  nodes: readonly RunningNode[],
  stop: StopRequest,
  o: WaitOptions,
): Promise<WaitOutcome> {
  const began = sys.now();
  const healthy = nodes.map(() => false);
  let exit: { node: RunningNode; code: number } | undefined;
  for (const node of nodes) node.exited.then((code) => exit ??= { node, code });
  let signal: string | undefined;
  stop.requested.then((s) => signal = s);
  while (true) {
    await Promise.all(nodes.map(async (_, i) => {
      if (healthy[i] || !(await nodeHealthy(sys, o.ports[i]!))) return;
      healthy[i] = true;
      o.onHealthy(i, sys.now() - began);
    }));
    if (signal !== undefined) return { kind: "stopped", signal };
    if (exit !== undefined) return { kind: "exited", ...exit };
    if (healthy.every((h) => h)) return { kind: "healthy" };
    if (sys.now() - began > o.timeoutMs) {
      return { kind: "timeout", waiting: nodes.filter((_, i) => !healthy[i]).map((n) => n.name) };
    }
    await Promise.race([sleep(o.everyMs ?? 500), stop.requested]);
  }
}

/** Waits for a stop request or the first node to exit, whichever comes first. */
export function untilStopOrExit(
  nodes: readonly RunningNode[],
  stop: StopRequest,
): Promise<{ signal: string } | { node: RunningNode; code: number }> {
  return Promise.race([
    stop.requested.then((signal) => ({ signal })),
    ...nodes.map((node) => node.exited.then((code) => ({ node, code }))),
  ]);
}

/**
 * Stops every node still running: SIGTERM to each parsd (which forwards it
 * to its luxd and SIGKILLs it after its grace), then waits for all.
 *
 * @returns each node's exit code, in order.
 */
export async function stopNodes(nodes: readonly RunningNode[]): Promise<number[]> {
  for (const node of nodes) {
    if (node.done()) continue;
    try {
      node.child.kill("SIGTERM");
    } catch {
      // It exited between the check and the signal.
    }
  }
  return await Promise.all(nodes.map((n) => n.exited));
}
