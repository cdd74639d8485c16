/**
 * @module
 * `parsd devnet up` once its devnet is prepared: start every node, one
 * progress line each as it turns healthy, the table, then hold the
 * foreground until Ctrl-C, SIGTERM (what `devnet down` sends) or a node's
 * exit; then stop every node gracefully and release the directory.
 */

import { ExitCode } from "../errors.ts";
import type { System } from "../os/system.ts";
import { devKeyLines, nodeTable } from "./report.ts";
import { nodeDataDir } from "./layout.ts";
import { nodeFlags, nodeRunArgs } from "./node_config.ts";
import type { SelfCommand } from "./self.ts";
import {
  type RunningNode,
  startNode,
  stopNodes,
  stopOnSignals,
  untilStopOrExit,
  waitHealthy,
} from "./supervise.ts";
import type { Prepared } from "./up.ts";

/** How long `up` waits for every node to be healthy. */
export const HEALTHY_WITHIN_MS = 300_000;

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Options of {@linkcode runDevnet}. */
export interface ForegroundOptions {
  readonly self: SelfCommand;
  readonly trustUnpinned: boolean;
  readonly timeoutMs?: number;
}

/** Stops every node and says how each ended; returns the first failing code, or 0. */
async function stopAll(sys: System, nodes: readonly RunningNode[]): Promise<number> {
  const codes = await stopNodes(nodes);
  for (const [i, code] of codes.entries()) {
    sys.err(`parsd: ${nodes[i]!.name} stopped (exit ${code})\n`);
  }
  return codes.find((c) => c !== 0) ?? 0;
}

/**
 * Runs a prepared devnet in the foreground.
 *
 * @returns 0 after a requested stop in which every node exited 0 (else the
 *   first node's non-zero code); a node's code when one exits on its own
 *   (75 if that code was 0); 75 when the nodes are not healthy in time.
 */
export async function runDevnet(
  sys: System,
  p: Prepared,
  o: ForegroundOptions,
): Promise<number> {
  const { layout: l, state } = p;
  const stop = stopOnSignals(sys);
  const nodes: RunningNode[] = [];
  try {
    sys.err(
      `parsd: devnet ${l.dir}: ${
        p.created ? "created" : "resuming"
      } network ${state.networkId}, ${state.nodes.length} nodes (${state.dialect} genesis); starting them\n`,
    );
    for (const [i, node] of state.nodes.entries()) {
      const flags = nodeFlags(state, i, {
        dataDir: nodeDataDir(l, i + 1),
        genesis: l.genesis,
      }, o.trustUnpinned);
      nodes.push(startNode(sys, o.self, node.name, nodeRunArgs(flags)));
    }
    const outcome = await waitHealthy(sys, nodes, stop, {
      ports: state.nodes.map((n) => n.httpPort),
      timeoutMs: o.timeoutMs ?? HEALTHY_WITHIN_MS,
      onHealthy: (i, ms) =>
        sys.err(
          `parsd: ${state.nodes[i]!.name} healthy after ${secs(ms)} (${state.nodes[i]!.nodeId})\n`,
        ),
    });
    if (outcome.kind === "healthy") {
      sys.out([...nodeTable(state), "", ...devKeyLines(state, l.devKey), ""].join("\n") + "\n");
      sys.err(`parsd: devnet up; Ctrl-C or 'parsd devnet down --dir ${l.dir}' stops it\n`);
      const end = await untilStopOrExit(nodes, stop);
      if ("node" in end) {
        sys.err(`parsd: ${end.node.name} exited (exit ${end.code}); stopping the devnet\n`);
        await stopAll(sys, nodes);
        return end.code === 0 ? ExitCode.busy : end.code;
      }
      sys.err(`parsd: ${end.signal}: stopping the devnet\n`);
      return await stopAll(sys, nodes);
    }
    if (outcome.kind === "stopped") {
      sys.err(`parsd: ${outcome.signal}: stopping the devnet\n`);
      return await stopAll(sys, nodes);
    }
    if (outcome.kind === "exited") {
      sys.err(
        `parsd: error: ${outcome.node.name} exited (exit ${outcome.code}) before the devnet was healthy; its output is above, luxd's log in ${
          nodeDataDir(l, nodes.indexOf(outcome.node) + 1)
        }/logs\n`,
      );
      await stopAll(sys, nodes);
      return outcome.code === 0 ? ExitCode.busy : outcome.code;
    }
    sys.err(
      `parsd: error: ${outcome.waiting.join(", ")} not healthy within ${
        secs(o.timeoutMs ?? HEALTHY_WITHIN_MS)
      }; see each node's logs/main.log under ${l.dir}; stopping the devnet\n`,
    );
    await stopAll(sys, nodes);
    return ExitCode.busy;
  } finally {
    // Whatever went wrong above, no node outlives `up`.
    if (nodes.some((n) => !n.done())) await stopNodes(nodes);
    stop.dispose();
    p.lock.release();
  }
}
