/**
 * @module
 * What the devnet commands print: the table `up` shows once every node is
 * healthy, and `status`'s per-node verdicts (text or JSON) with their exit
 * code. Pure.
 */

import { ExitCode } from "../errors.ts";
import type { StatusReport } from "../node/status.ts";
import { cChainRpcUrl, type DevnetState, httpUrl, type NodeState } from "./state.ts";

/** Lays out rows as columns two spaces apart (the last column unpadded). */
export function columns(rows: readonly (readonly string[])[]): string[] {
  const count = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from(
    { length: count },
    (_, c) => Math.max(...rows.map((r) => r[c]?.length ?? 0)),
  );
  return rows.map((r) =>
    r.map((cell, c) => c === r.length - 1 ? cell : cell.padEnd(widths[c]!)).join("  ")
  );
}

/** The table `up` prints: node, NodeID, HTTP URL and C-chain RPC URL. */
export function nodeTable(state: DevnetState): string[] {
  return columns([
    ["NODE", "NODE ID", "HTTP", "C-CHAIN RPC"],
    ...state.nodes.map((n) => [n.name, n.nodeId, httpUrl(n), cChainRpcUrl(n)]),
  ]);
}

/** What the development key is, as `up` prints it. */
export function devKeyLines(state: DevnetState, keyFile: string): string[] {
  return [
    `development key ${keyFile} (funded on X, P and C):`,
    `  X-chain ${state.dev.x}`,
    `  P-chain ${state.dev.p}`,
    `  C-chain ${state.dev.c} (chain ID ${state.chainId})`,
  ];
}

/** One node's state as `status` judges it. */
export type NodeVerdict = "healthy" | "unhealthy" | "down" | "wrong-node";

/** One node's status. */
export interface NodeStatus {
  readonly node: NodeState;
  readonly verdict: NodeVerdict;
  /** Why a node is not healthy: failing checks, the NodeID that answered, … ("" when healthy). */
  readonly detail: string;
}

/** Judges one node from its {@linkcode StatusReport}. */
export function judgeNode(node: NodeState, report: StatusReport): NodeStatus {
  const { health, nodeId } = report;
  if (health.kind === "unreachable" && nodeId.kind === "unreachable") {
    return { node, verdict: "down", detail: "nothing answering" };
  }
  if (nodeId.kind === "ok" && nodeId.value !== node.nodeId) {
    return {
      node,
      verdict: "wrong-node",
      detail: `${nodeId.value} answers on port ${node.httpPort}, not this devnet's node`,
    };
  }
  if (health.kind === "ok" && health.value.healthy) {
    return { node, verdict: "healthy", detail: "" };
  }
  const failing = health.kind === "ok"
    ? Object.keys(health.value.failing).join(", ") || "none named"
    : health.error;
  return { node, verdict: "unhealthy", detail: `failing: ${failing}` };
}

/** `status`'s exit code: 0 only when every node is healthy, else 75. */
export const devnetStatusCode = (nodes: readonly NodeStatus[]): number =>
  nodes.every((n) => n.verdict === "healthy") ? ExitCode.ok : ExitCode.busy;

/** `status`'s text: one line per node. */
export function statusLines(nodes: readonly NodeStatus[]): string[] {
  return columns(
    nodes.map((s) => [
      s.node.name,
      s.verdict,
      s.node.nodeId,
      httpUrl(s.node),
      ...(s.detail === "" ? [] : [s.detail]),
    ]),
  );
}

/** `status --json`: one object for scripts. */
export function statusJsonText(
  dir: string,
  runningPid: number | null,
  nodes: readonly NodeStatus[],
): string {
  return JSON.stringify(
    {
      dir,
      running: runningPid !== null,
      pid: runningPid,
      healthy: nodes.every((n) => n.verdict === "healthy"),
      exitCode: devnetStatusCode(nodes),
      nodes: nodes.map((s) => ({
        name: s.node.name,
        nodeId: s.node.nodeId,
        status: s.verdict,
        detail: s.detail,
        httpUrl: httpUrl(s.node),
        cChainRpcUrl: cChainRpcUrl(s.node),
      })),
    },
    null,
    2,
  );
}
