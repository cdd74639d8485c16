/** In-process tests of `parsd status` with a fake system whose fetch answers as luxd's APIs do. */
import assert from "node:assert/strict";
import { withInProcessNode } from "./kit.ts";

/** A fetch that answers like a node: health at /ext/health, JSON-RPC at /ext/info. */
function nodeFetch(o: { healthy: boolean; cBootstrapped: boolean }, seen: string[]) {
  const answer = (url: string, init?: RequestInit): Response => {
    seen.push(url);
    const path = new URL(url).pathname;
    if (path.startsWith("/ext/health")) {
      return Response.json({ checks: {}, healthy: o.healthy }, { status: o.healthy ? 200 : 503 });
    }
    const call = JSON.parse(String(init?.body ?? "{}"));
    const result = call.method === "info.getNodeID"
      ? { nodeID: "NodeID-AYhtDt8UhBSCj9fqzcGunVzrQs7RfCL6M" }
      : call.method === "info.getNodeVersion"
      ? { version: "node/1.13.4", rpcProtocolVersion: "43" }
      : call.method === "info.isBootstrapped"
      ? { isBootstrapped: call.params.chain !== "C" || o.cBootstrapped }
      : call.method === "info.getVMs"
      ? { vms: {} }
      : undefined;
    return Response.json({ jsonrpc: "2.0", id: call.id, result });
  };
  return (url: string, init?: RequestInit) => Promise.resolve(answer(url, init));
}

Deno.test("status: 0 when healthy and bootstrapped, asking only loopback on the HTTP port", async () => {
  await withInProcessNode(async (n) => {
    const seen: string[] = [];
    const f = n.fake({ fetch: nodeFetch({ healthy: true, cBootstrapped: true }, seen) });
    assert.equal(await f.run(["status", "--http-port=9999"]), 0, f.out());
    assert.match(f.out(), /NodeID-AYhtDt8UhBSCj9fqzcGunVzrQs7RfCL6M/);
    assert.ok(seen.length > 0 && seen.every((u) => u.startsWith("http://127.0.0.1:9999/")));
  });
});

Deno.test("status --json: 75 when a chain is not bootstrapped; 69 when nothing answers", async () => {
  await withInProcessNode(async (n) => {
    const f = n.fake({ fetch: nodeFetch({ healthy: false, cBootstrapped: false }, []) });
    assert.equal(await f.run(["status", "--json"]), 75);
    const doc = JSON.parse(f.out());
    assert.equal(doc.healthy, false);
    assert.equal(doc.bootstrapped.C, false);
    const g = n.fake();
    assert.equal(await g.run(["status"]), 69);
  });
});

Deno.test("status: a network permission Deno denies is parsd's 77 with the fix, not Deno's message", async () => {
  await withInProcessNode(async (n) => {
    const denied = () =>
      Promise.reject(
        new Deno.errors.NotCapable(
          'Requires net access to "127.0.0.1:9660", run again with the --allow-net flag',
        ),
      );
    const f = n.fake({ fetch: denied });
    assert.equal(await f.run(["status"]), 77);
    assert.equal(
      f.err(),
      "parsd: error: status: Deno denied parsd network access to 127.0.0.1:9660: parsd runs without its permission set (which grants loopback); run the installed 'parsd', a released binary, or 'deno task start status'\n",
    );
    assert.doesNotMatch(f.err(), /--allow-net|Requires net access/);
  });
});
