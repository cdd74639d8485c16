/**
 * @module
 * Tests of lib/devnet/state.ts: devnet.json round-trips, every problem of a
 * bad one is named at once, and each node bootstraps from all the others.
 */

import assert from "node:assert/strict";
import { STATE } from "./kit.ts";
import {
  bootstrapNodes,
  cChainRpcUrl,
  httpUrl,
  parseState,
  stateText,
} from "../../lib/devnet/state.ts";

Deno.test("devnet.json reads back as written", () => {
  assert.deepEqual(parseState(stateText(STATE)), STATE);
});

Deno.test("parseState names every problem at once", async (t) => {
  await t.step("not JSON", () => assert.match((parseState("{") as string[])[0]!, /malformed JSON/));
  await t.step(
    "another format",
    () =>
      assert.deepEqual(parseState(JSON.stringify({ ...STATE, format: 2 })), [
        "format: must be 1 (this parsd's devnet format), got 2",
      ]),
  );
  await t.step("several fields at once", () => {
    const bad = {
      ...STATE,
      networkId: 0,
      dialect: "geth",
      nodes: [{ ...STATE.nodes[0], name: "node-9", httpPort: 70000 }, {
        ...STATE.nodes[1],
        stakingPort: 21001,
      }],
    };
    assert.deepEqual(parseState(JSON.stringify(bad)), [
      "networkId: must be an integer from 1 to 4294967295",
      'dialect: must be "luxd" or "avalanchego"',
      'nodes[0].name: must be "node-1"',
      "nodes[0].httpPort: must be a port from 1 to 65535",
      "nodes: two ports are the same",
    ]);
  });
  await t.step(
    "no nodes",
    () =>
      assert.deepEqual(parseState(JSON.stringify({ ...STATE, nodes: [] })), [
        "nodes: must be a non-empty list",
      ]),
  );
});

Deno.test("each node bootstraps from every other node, on loopback", () => {
  assert.deepEqual(bootstrapNodes(STATE, 1), [
    "NodeID-AYhtDt8UhBSCj9fqzcGunVzrQs7RfCL6M@127.0.0.1:21001",
    "NodeID-MFrZFVCXPv5iCn6M9K6XduxGTYp891xXZ@127.0.0.1:21005",
  ]);
  assert.deepEqual(bootstrapNodes({ ...STATE, nodes: STATE.nodes.slice(0, 1) }, 0), []);
});

Deno.test("a node's URLs", () => {
  assert.equal(httpUrl(STATE.nodes[0]!), "http://127.0.0.1:21000");
  assert.equal(cChainRpcUrl(STATE.nodes[0]!), "http://127.0.0.1:21000/ext/bc/C/rpc");
});
