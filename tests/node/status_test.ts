/**
 * @module
 * Tests of lib/status.ts against a fake luxd HTTP API on loopback
 * (tests/fake_node_api.ts) and, for the pure parts, hand-built reports.
 */

import assert from "node:assert/strict";
import { type FakeNodeApiOptions, startFakeNodeApi } from "../fake_node_api.ts";
import {
  formatStatusLines,
  loopbackHostFor,
  loopbackUrl,
  queryStatus,
  statusExitCode,
  statusJson,
  type StatusReport,
} from "../../lib/node/status.ts";

const NODE_ID = "NodeID-AYhtDt8UhBSCj9fqzcGunVzrQs7RfCL6M";
const EVM_CHAIN = "2bRCr6B4MiEfSjidDwxDpdCyviwnfUVqB2HGwhm947w9YYqb7r";

async function withFake<T>(
  options: FakeNodeApiOptions,
  fn: (port: number, api: ReturnType<typeof startFakeNodeApi>) => Promise<T>,
): Promise<T> {
  const api = startFakeNodeApi(options);
  try {
    return await fn(api.port, api);
  } finally {
    await api.close();
  }
}

/** A port nothing listens on (taken from the OS, then released). */
function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = l.addr.port;
  l.close();
  return port;
}

Deno.test("queryStatus() of a healthy, bootstrapped node gives exit 0 and all ok lines", async () => {
  await withFake(
    { bootstrapped: { P: true, X: true, C: true, [EVM_CHAIN]: true } },
    async (port) => {
      const report = await queryStatus({
        host: "127.0.0.1",
        port,
        timeoutMs: 5000,
        chains: [EVM_CHAIN],
      });
      assert.equal(statusExitCode(report), 0);
      assert.deepEqual(formatStatusLines(report), [
        "ok   health   healthy",
        "ok   bootstrapped P yes",
        "ok   bootstrapped X yes",
        "ok   bootstrapped C yes",
        `ok   bootstrapped ${EVM_CHAIN} yes`,
        `ok   node     ${NODE_ID}`,
        "ok   version  avalanchego/1.13.5 (rpcchainvm 43)",
        "ok   vms      avm, evm, platform",
      ]);
      assert.deepEqual(JSON.parse(statusJson(report)), {
        url: `http://127.0.0.1:${port}`,
        exitCode: 0,
        answering: true,
        healthy: true,
        failingChecks: {},
        nodeId: NODE_ID,
        version: "avalanchego/1.13.5",
        rpcProtocolVersion: "43",
        bootstrapped: { P: true, X: true, C: true, [EVM_CHAIN]: true },
        vms: {
          "jvYyfQTxGMJLuGWa55kdP2p2zSUYsQ5Raupu4TW34ZAUBAbtq": ["avm"],
          "mgj786NP7uDwBCcq6YwThhaN8FLyybkCa4zBWTQbNgmK6k9A6": ["evm"],
          "11111111111111111111111111111111LpoYY": ["platform"],
        },
        problems: [],
      });
    },
  );
});

Deno.test("queryStatus() sends GET /ext/health and JSON-RPC 2.0 calls to /ext/info", async () => {
  await withFake({}, async (port, api) => {
    await queryStatus({ host: "127.0.0.1", port, timeoutMs: 5000 });
    const health = api.requests.filter((r) => r.path === "/ext/health");
    assert.deepEqual(health.map((r) => r.method), ["GET"]);
    const calls = api.requests.filter((r) => r.path === "/ext/info").map((r) => {
      assert.equal(r.method, "POST");
      assert.equal(r.contentType, "application/json");
      return JSON.parse(r.body);
    });
    const sorted = calls.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    assert.deepEqual(sorted, [
      { jsonrpc: "2.0", id: 1, method: "info.getNodeID", params: {} },
      { jsonrpc: "2.0", id: 1, method: "info.getNodeVersion", params: {} },
      { jsonrpc: "2.0", id: 1, method: "info.getVMs", params: {} },
      { jsonrpc: "2.0", id: 1, method: "info.isBootstrapped", params: { chain: "C" } },
      { jsonrpc: "2.0", id: 1, method: "info.isBootstrapped", params: { chain: "P" } },
      { jsonrpc: "2.0", id: 1, method: "info.isBootstrapped", params: { chain: "X" } },
    ]);
  });
});

Deno.test("queryStatus() of an unhealthy node gives exit 75 and names the failing checks", async () => {
  await withFake({ healthy: false }, async (port) => {
    const report = await queryStatus({ host: "127.0.0.1", port, timeoutMs: 5000 });
    assert.equal(statusExitCode(report), 75);
    const lines = formatStatusLines(report);
    assert.equal(lines[0], "FAIL health   unhealthy (failing: network)");
    assert.deepEqual(lines.filter((l) => l.startsWith("FAIL")), [lines[0]]);
    const json = JSON.parse(statusJson(report));
    assert.equal(json.healthy, false);
    assert.deepEqual(json.failingChecks, {
      network: "not connected to a minimum of 1 peer(s) only 0",
    });
    assert.deepEqual(json.problems, ["health: unhealthy (failing: network)"]);
  });
});

Deno.test("queryStatus() of a node still bootstrapping C gives exit 75 and 'FAIL bootstrapped C no'", async () => {
  await withFake({ healthy: false, bootstrapped: { P: true, X: true, C: false } }, async (port) => {
    const report = await queryStatus({ host: "127.0.0.1", port, timeoutMs: 5000 });
    assert.equal(statusExitCode(report), 75);
    const fails = formatStatusLines(report).filter((l) => l.startsWith("FAIL"));
    assert.deepEqual(fails, [
      "FAIL health   unhealthy (failing: C, network)",
      "FAIL bootstrapped C no",
    ]);
    assert.deepEqual(JSON.parse(statusJson(report)).bootstrapped, { P: true, X: true, C: false });
  });
});

Deno.test("queryStatus() reports a Pars chain the node does not know with luxd's error (exit 75)", async () => {
  await withFake({}, async (port) => {
    const report = await queryStatus({
      host: "127.0.0.1",
      port,
      timeoutMs: 5000,
      chains: ["sessionvm", "C"],
    });
    assert.deepEqual(report.bootstrapped.map((b) => b.chain), ["P", "X", "C", "sessionvm"]);
    assert.equal(statusExitCode(report), 75);
    const fails = formatStatusLines(report).filter((l) => l.startsWith("FAIL"));
    assert.deepEqual(fails, [
      "FAIL bootstrapped sessionvm there is no chain with alias/ID of 'sessionvm'",
    ]);
    assert.equal(JSON.parse(statusJson(report)).bootstrapped.sessionvm, null);
  });
});

Deno.test("queryStatus() with nothing listening gives exit 69 and one line", async () => {
  const port = freePort();
  const report = await queryStatus({ host: "127.0.0.1", port, timeoutMs: 5000 });
  assert.equal(statusExitCode(report), 69);
  assert.deepEqual(formatStatusLines(report), [
    `FAIL node     nothing answering at http://127.0.0.1:${port}: connection refused`,
  ]);
  const json = JSON.parse(statusJson(report));
  assert.equal(json.exitCode, 69);
  assert.equal(json.answering, false);
  assert.equal(json.healthy, null);
});

Deno.test("queryStatus() of a node that answers too slowly gives up at the timeout (exit 69)", async () => {
  await withFake({ delayMs: 10_000 }, async (port) => {
    const start = performance.now();
    const report = await queryStatus({ host: "127.0.0.1", port, timeoutMs: 300 });
    const elapsed = performance.now() - start;
    assert.ok(elapsed < 3000, `took ${elapsed} ms`);
    assert.equal(statusExitCode(report), 69);
    assert.deepEqual(formatStatusLines(report), [
      `FAIL node     nothing answering at http://127.0.0.1:${port}: no answer within 300 ms`,
    ]);
  });
});

Deno.test("queryStatus() of something answering garbage gives exit 75 and says what came back", async () => {
  await withFake({ garbage: true }, async (port) => {
    const report = await queryStatus({ host: "127.0.0.1", port, timeoutMs: 5000 });
    assert.equal(statusExitCode(report), 75);
    const lines = formatStatusLines(report);
    const garbage = '"<html><body>502 Bad Gateway</body></html>"';
    assert.equal(lines[0], `FAIL health   HTTP 200, not a health report: ${garbage}`);
    assert.equal(lines[1], `FAIL bootstrapped P HTTP 200, not JSON-RPC: ${garbage}`);
    assert.ok(lines.every((l) => l.startsWith("FAIL")), lines.join("\n"));
  });
});

Deno.test("queryStatus() reports JSON of the wrong shape as a bad answer", async () => {
  const fakeFetch: typeof fetch = (input) => {
    const url = String(input);
    const body = url.endsWith("/ext/health")
      ? { healthy: "yes" }
      : { jsonrpc: "2.0", id: 1, result: { isBootstrapped: "true", nodeID: 7, vms: [] } };
    return Promise.resolve(new Response(JSON.stringify(body)));
  };
  const report = await queryStatus({
    host: "127.0.0.1",
    port: 9630,
    timeoutMs: 1000,
    fetch: fakeFetch,
  });
  assert.equal(statusExitCode(report), 75);
  for (const line of formatStatusLines(report)) {
    assert.match(line, /^FAIL .*HTTP 200, (not a health report|unexpected answer): /);
  }
});

Deno.test("queryStatus() lets errors other than network failures through (e.g. no net permission)", async () => {
  const fakeFetch: typeof fetch = () => Promise.reject(new Deno.errors.NotCapable("net"));
  await assert.rejects(
    queryStatus({ host: "127.0.0.1", port: 9630, timeoutMs: 1000, fetch: fakeFetch }),
    Deno.errors.NotCapable,
  );
});

Deno.test("queryStatus() only talks to loopback hosts", async (t) => {
  const refused = [
    "10.0.0.1",
    "192.168.1.10",
    "0.0.0.0",
    "example.com",
    "127.0.0.1.example.com",
    "evil@127.0.0.1",
    "127.0.0.1/x",
    "::2",
    "[::]",
    "",
  ];
  for (const host of refused) {
    await t.step(`refuses ${JSON.stringify(host)}`, async () => {
      let fetched = false;
      const fakeFetch: typeof fetch = () => {
        fetched = true;
        return Promise.reject(new TypeError("unreachable"));
      };
      await assert.rejects(
        queryStatus({ host, port: 9630, timeoutMs: 1000, fetch: fakeFetch }),
        (e: unknown) =>
          e instanceof RangeError && e.message.startsWith("refusing to query ") &&
          e.message.includes("only asks a node on this machine"),
      );
      assert.equal(fetched, false);
    });
  }
  const accepted: [string, string][] = [
    ["127.0.0.1", "http://127.0.0.1:9630"],
    ["127.1.2.3", "http://127.1.2.3:9630"],
    ["localhost", "http://localhost:9630"],
    ["LocalHost", "http://localhost:9630"],
    ["::1", "http://[::1]:9630"],
    ["[::1]", "http://[::1]:9630"],
    ["0:0:0:0:0:0:0:1", "http://[::1]:9630"],
  ];
  for (const [host, base] of accepted) {
    await t.step(`asks ${host} at ${base}`, async () => {
      const urls: string[] = [];
      const fakeFetch: typeof fetch = (input) => {
        urls.push(String(input));
        return Promise.reject(new TypeError("Connection refused"));
      };
      const report = await queryStatus({ host, port: 9630, timeoutMs: 1000, fetch: fakeFetch });
      assert.equal(report.url, base);
      assert.ok(urls.length > 0 && urls.every((u) => u.startsWith(base + "/ext/")), urls.join());
    });
  }
  await t.step("rejects a bad port or timeout", async () => {
    for (const port of [0, -1, 65536, 1.5, NaN]) {
      assert.throws(() => loopbackUrl("127.0.0.1", port), RangeError);
    }
    await assert.rejects(queryStatus({ host: "127.0.0.1", port: 1, timeoutMs: 0 }), RangeError);
  });
});

Deno.test("queryStatus() works over IPv6 loopback", async (t) => {
  let probe;
  try {
    probe = Deno.listen({ hostname: "::1", port: 0 });
  } catch (error) {
    await t.step({
      name: `skipped: cannot listen on ::1 here (${(error as Error).message})`,
      ignore: true,
      fn: () => {},
    });
    return;
  }
  probe.close();
  await withFake({ hostname: "::1" }, async (port) => {
    const report = await queryStatus({ host: "::1", port, timeoutMs: 5000 });
    assert.equal(statusExitCode(report), 0, formatStatusLines(report).join("\n"));
  });
});

Deno.test("loopbackHostFor() maps luxd's wildcard http-hosts to loopback", () => {
  const cases: [string, string][] = [
    ["", "127.0.0.1"],
    ["0.0.0.0", "127.0.0.1"],
    ["::", "::1"],
    ["[::]", "::1"],
    ["127.0.0.1", "127.0.0.1"],
    ["10.0.0.5", "10.0.0.5"],
  ];
  for (const [httpHost, host] of cases) assert.equal(loopbackHostFor(httpHost), host);
});

Deno.test("formatStatusLines() and statusExitCode() on hand-built reports", async (t) => {
  const ok: StatusReport = {
    url: "http://127.0.0.1:9630",
    health: { kind: "ok", value: { healthy: true, failing: {} } },
    bootstrapped: [{ chain: "P", answer: { kind: "ok", value: true } }],
    nodeId: { kind: "ok", value: NODE_ID },
    version: { kind: "ok", value: { version: "luxd/1.13.4", rpcProtocolVersion: undefined } },
    vms: { kind: "ok", value: { "abc": [] } },
  };
  await t.step("a version without protocol and a VM without alias", () => {
    assert.deepEqual(formatStatusLines(ok).slice(-2), [
      "ok   version  luxd/1.13.4",
      "ok   vms      abc",
    ]);
    assert.equal(statusExitCode(ok), 0);
  });
  await t.step("one unreachable answer among good ones is a FAIL line and exit 75", () => {
    const r = { ...ok, vms: { kind: "unreachable", error: "connection reset" } } as const;
    assert.equal(formatStatusLines(r).at(-1), "FAIL vms      no answer: connection reset");
    assert.equal(statusExitCode(r), 75);
  });
  await t.step("a bad NodeID answer is a FAIL line and exit 75", () => {
    const r = { ...ok, nodeId: { kind: "bad", error: "method not found" } } as const;
    assert.ok(formatStatusLines(r).includes("FAIL node     method not found"));
    assert.equal(statusExitCode(r), 75);
  });
});

/** Serves `handler` on a loopback port for the length of `fn`, counting requests. */
async function withServer(
  handler: (req: Request, port: number) => Response,
  fn: (port: number, served: () => number) => Promise<void>,
): Promise<void> {
  let count = 0;
  let port = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    count++;
    return handler(req, port);
  });
  port = server.addr.port;
  try {
    await fn(port, () => count);
  } finally {
    await server.shutdown();
  }
}

Deno.test("queryStatus() reports a redirect to another host as a redirect (75) and never follows it", async () => {
  await withServer(
    () =>
      new Response(null, { status: 302, headers: { location: "http://10.255.255.1/ext/health" } }),
    async (port, served) => {
      // A followed redirect would leave loopback (and, under parsd's permissions, meet Deno's denial).
      const report = await queryStatus({ host: "127.0.0.1", port, timeoutMs: 5000 });
      assert.equal(statusExitCode(report), 75);
      const lines = formatStatusLines(report);
      assert.equal(
        lines[0],
        `FAIL health   redirected (HTTP 302 to http://10.255.255.1/ext/health); parsd status asks the node itself and follows no redirect: is something other than luxd on port ${port}?`,
      );
      assert.ok(lines.every((l) => l.startsWith("FAIL") && l.includes("redirected (HTTP 302")));
      assert.equal(served(), 7, "one request per question: health, P, X, C, NodeID, version, VMs");
    },
  );
});

Deno.test("queryStatus() reports a local redirect loop as a redirect, not as nothing answering", async () => {
  await withServer(
    (req) => new Response(null, { status: 307, headers: { location: req.url } }),
    async (port) => {
      const report = await queryStatus({ host: "127.0.0.1", port, timeoutMs: 5000 });
      assert.equal(statusExitCode(report), 75);
      const [health] = formatStatusLines(report);
      assert.match(
        health!,
        new RegExp(
          `^FAIL health   redirected \\(HTTP 307 to http://127\\.0\\.0\\.1:${port}/ext/health\\)`,
        ),
      );
      assert.doesNotMatch(formatStatusLines(report).join("\n"), /nothing answering/);
    },
  );
});

Deno.test("queryStatus() reads at most 1 MiB of an answer: a 50 MB body is cut off, not held", async () => {
  let sent = 0;
  const chunk = new Uint8Array(64 * 1024).fill(0x7b);
  await withServer(
    () =>
      new Response(
        new ReadableStream({
          pull(c) {
            if (sent >= 50_000_000) return c.close();
            sent += chunk.length;
            c.enqueue(chunk);
          },
        }),
      ),
    async (port) => {
      const report = await queryStatus({ host: "127.0.0.1", port, timeoutMs: 10_000 });
      assert.equal(statusExitCode(report), 75);
      assert.equal(
        formatStatusLines(report)[0],
        "FAIL health   HTTP 200, an answer larger than 1 MiB: not the node's API",
      );
    },
  );
  assert.ok(sent < 50_000_000, `the server had to send all ${sent} bytes`);
});

Deno.test("formatStatusLines() escapes control characters, so no answer can forge a line", () => {
  const report: StatusReport = {
    url: "http://127.0.0.1:9660",
    health: {
      kind: "ok",
      value: { healthy: false, failing: { "net\nok   health   healthy": "x" } },
    },
    bootstrapped: [{ chain: "P", answer: { kind: "ok", value: true } }],
    nodeId: { kind: "ok", value: "NodeID-X\r\nok   node     NodeID-Forged" },
    version: {
      kind: "ok",
      value: { version: "node/1.0\u001b[2J\u202e", rpcProtocolVersion: "4\t3" },
    },
    vms: { kind: "bad", error: "bad\u0000answer\u2028here" },
  };
  const lines = formatStatusLines(report);
  assert.deepEqual(lines, [
    "FAIL health   unhealthy (failing: net\\nok   health   healthy)",
    "ok   bootstrapped P yes",
    "ok   node     NodeID-X\\r\\nok   node     NodeID-Forged",
    "ok   version  node/1.0\\x1b[2J\\u{202e} (rpcchainvm 4\\t3)",
    "FAIL vms      bad\\x00answer\\u{2028}here",
  ]);
  // deno-lint-ignore no-control-regex
  assert.ok(lines.every((l) => !/[\u0000-\u001f\u007f\u2028]/.test(l)));
  assert.equal(statusExitCode(report), 75);
});
