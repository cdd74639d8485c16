/**
 * @module
 * `parsd devnet status` and `parsd devnet down`, from another terminal.
 * `status` asks every node of the devnet in the directory (loopback only)
 * whether it is healthy and is the node `devnet.json` names. `down` sends
 * SIGTERM to the `devnet up` holding the directory's lock (its pid is in
 * `devnet.pid`), which stops every node gracefully, and waits until it has
 * let go of the lock; a node's `parsd run` left running without its `up`
 * (the `up` was killed) is sent SIGTERM directly.
 */

import { BusyError } from "../errors.ts";
import type { System } from "../os/system.ts";
import { queryStatus } from "../node/status.ts";
import { layout } from "../data_dir/layout.ts";
import { existingDevnet } from "./dir.ts";
import { type DevnetLayout, nodeDataDir } from "./layout.ts";
import {
  devnetStatusCode,
  judgeNode,
  type NodeStatus,
  statusJsonText,
  statusLines,
} from "./report.ts";
import type { DevnetState } from "./state.ts";

/** How long one node's status query may take. */
export const NODE_STATUS_TIMEOUT_MS = 5_000;

/**
 * The pid of the process holding a directory's lock, `null` when none does
 * (the probe takes the lock and lets go at once), `undefined` when one does
 * but has not written its pid.
 */
export async function lockHolder(
  sys: System,
  dir: string,
  pidFile: string,
): Promise<number | null | undefined> {
  const held = await sys.lock(dir, pidFile).catch(() => undefined);
  if (held === undefined) return null;
  if ("heldBy" in held) return held.heldBy;
  held.release();
  return null;
}

/** Every node's status. */
export async function devnetStatus(sys: System, state: DevnetState): Promise<NodeStatus[]> {
  return await Promise.all(state.nodes.map(async (node) =>
    judgeNode(
      node,
      await queryStatus({
        host: "127.0.0.1",
        port: node.httpPort,
        timeoutMs: NODE_STATUS_TIMEOUT_MS,
        fetch: (input, init) => sys.fetch(String(input), init),
      }),
    )
  ));
}

/** Prints the devnet's status; returns 0 when every node is healthy, else 75. */
export async function printStatus(sys: System, l: DevnetLayout, json: boolean): Promise<number> {
  const state = await existingDevnet(sys, l);
  const holder = await lockHolder(sys, l.dir, l.pidFile);
  const nodes = await devnetStatus(sys, state);
  if (json) sys.out(statusJsonText(l.dir, holder ?? null, nodes) + "\n");
  else {
    const running = holder === null
      ? "no 'devnet up' running"
      : `'devnet up' running${holder === undefined ? "" : ` (pid ${holder})`}`;
    sys.out(`devnet ${l.dir}: ${running}\n`);
    sys.out(statusLines(nodes).map((line) => line + "\n").join(""));
  }
  return devnetStatusCode(nodes);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `gone()` or `ms` pass; whether it went. */
async function waitGone(sys: System, gone: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = sys.now() + ms;
  while (sys.now() < end) {
    if (await gone()) return true;
    await sleep(200);
  }
  return await gone();
}

/**
 * Stops the devnet running in a directory and waits for it.
 *
 * @param graceMs how long to wait: each node's shutdown grace, and more.
 * @returns 0 when it stopped (or none was running).
 * @throws {BusyError} (75) when it is still running after `graceMs`, or its
 *   holder's pid is unknown.
 */
export async function stopDevnet(sys: System, l: DevnetLayout, graceMs: number): Promise<number> {
  const state = await existingDevnet(sys, l);
  const targets: { what: string; dir: string; pidFile: string }[] = [];
  const up = await lockHolder(sys, l.dir, l.pidFile);
  if (up !== null) targets.push({ what: "devnet up", dir: l.dir, pidFile: l.pidFile });
  else {
    // No `up`: stop any node parsd it left behind.
    for (const i of state.nodes.keys()) {
      const node = layout(nodeDataDir(l, i + 1));
      if (await lockHolder(sys, node.dataDir, node.pidFile) !== null) {
        targets.push({ what: state.nodes[i]!.name, dir: node.dataDir, pidFile: node.pidFile });
      }
    }
  }
  if (targets.length === 0) {
    sys.err(`parsd: no devnet is running in ${l.dir}\n`);
    return 0;
  }
  const stuck: string[] = [];
  for (const t of targets) {
    const pid = await lockHolder(sys, t.dir, t.pidFile);
    if (pid === null) continue;
    if (pid === undefined || !sys.kill(pid, "SIGTERM")) {
      stuck.push(`${t.what} (${pid === undefined ? "pid unknown" : `pid ${pid} not found`})`);
      continue;
    }
    sys.err(`parsd: sent SIGTERM to ${t.what} (pid ${pid})\n`);
  }
  for (const t of targets) {
    const gone = await waitGone(
      sys,
      async () => await lockHolder(sys, t.dir, t.pidFile) === null,
      graceMs,
    );
    if (!gone) stuck.push(`${t.what} still running after ${graceMs / 1000} s`);
  }
  if (stuck.length > 0) {
    throw new BusyError(
      stuck.map((s) =>
        `devnet ${l.dir}: ${s}; look at its terminal, or stop its processes yourself`
      ),
    );
  }
  sys.err(`parsd: devnet ${l.dir} stopped\n`);
  return 0;
}
