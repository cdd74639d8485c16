/**
 * @module
 * Tests of lib/devnet/report.ts: the table `up` prints, and how `status`
 * judges each node from what it answered.
 */

import assert from "node:assert/strict";
import {
  columns,
  devnetStatusCode,
  judgeNode,
  nodeTable,
  statusJsonText,
  statusLines,
} from "../../lib/devnet/report.ts";
import type { StatusReport } from "../../lib/node/status.ts";
import { STATE } from "./kit.ts";

const node = STATE.nodes[0]!;

const report = (o: Partial<StatusReport>): StatusReport => ({
  url: "http://127.0.0.1:21000",
  health: { kind: "ok", value: { healthy: true, failing: {} } },
  bootstrapped: [],
  nodeId: { kind: "ok", value: node.nodeId },
  version: { kind: "ok", value: { version: "avalanchego/1.13.5", rpcProtocolVersion: "43" } },
  vms: { kind: "ok", value: {} },
  ...o,
});

Deno.test("nodeTable: node, NodeID, HTTP URL and C-chain RPC URL in columns", () => {
  const lines = nodeTable(STATE);
  assert.equal(lines.length, 4);
  assert.match(lines[0]!, /^NODE\s+NODE ID\s+HTTP\s+C-CHAIN RPC$/);
  assert.equal(
    lines[1],
    "node-1  NodeID-AYhtDt8UhBSCj9fqzcGunVzrQs7RfCL6M  http://127.0.0.1:21000  http://127.0.0.1:21000/ext/bc/C/rpc",
  );
  assert.deepEqual(columns([["a", "bb"], ["ccc", "d"]]), ["a    bb", "ccc  d"]);
});

Deno.test("judgeNode: healthy, unhealthy, down, or another node on the port", async (t) => {
  const unreachable = { kind: "unreachable", error: "connection refused" } as const;
  const cases: [string, Partial<StatusReport>, string, RegExp][] = [
    ["healthy", {}, "healthy", /^$/],
    [
      "failing checks",
      {
        health: {
          kind: "ok",
          value: { healthy: false, failing: { bootstrapped: "x", network: "y" } },
        },
      },
      "unhealthy",
      /failing: bootstrapped, network/,
    ],
    [
      "nothing answering",
      { health: unreachable, nodeId: unreachable },
      "down",
      /nothing answering/,
    ],
    [
      "another NodeID",
      { nodeId: { kind: "ok", value: "NodeID-other" } },
      "wrong-node",
      /NodeID-other answers on port 21000/,
    ],
  ];
  for (const [name, o, verdict, detail] of cases) {
    await t.step(name, () => {
      const s = judgeNode(node, report(o));
      assert.equal(s.verdict, verdict);
      assert.match(s.detail, detail);
    });
  }
});

Deno.test("status exits 0 only when every node is healthy, else 75; its JSON says the same", () => {
  const healthy = judgeNode(node, report({}));
  const down = judgeNode(
    node,
    report({
      health: { kind: "unreachable", error: "refused" },
      nodeId: { kind: "unreachable", error: "refused" },
    }),
  );
  assert.equal(devnetStatusCode([healthy, healthy]), 0);
  assert.equal(devnetStatusCode([healthy, down]), 75);
  const json = JSON.parse(statusJsonText("/d", 42, [healthy, down]));
  assert.equal(json.healthy, false);
  assert.equal(json.exitCode, 75);
  assert.equal(json.pid, 42);
  assert.deepEqual(json.nodes.map((n: { status: string }) => n.status), ["healthy", "down"]);
  assert.match(
    statusLines([healthy, down])[1]!,
    /^node-1\s+down\s+NodeID-\S+\s+http:\/\/127\.0\.0\.1:21000\s+nothing answering$/,
  );
});
