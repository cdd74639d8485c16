/**
 * @module
 * A stand-in for a running luxd's HTTP API on loopback, for tests of
 * `parsd status`: `GET /ext/health` (200 or 503), JSON-RPC `health.health`
 * at `/ext/health`, and JSON-RPC at `/ext/info` (`info.getNodeID`,
 * `info.getNodeVersion`, `info.isBootstrapped`, `info.getVMs`), with the
 * shapes avalanchego 1.13 (which luxd forks) gives. Like luxd's gorilla/rpc
 * server it insists on POST and `Content-Type: application/json`, so a
 * client that gets answers also sends what luxd accepts.
 */

/** How the fake node behaves. */
export interface FakeNodeApiOptions {
  /** The node's overall health verdict; default `true`. */
  healthy?: boolean;
  /** Chain alias or ID → bootstrapped; other chains are unknown to the node. Default P, X, C bootstrapped. */
  bootstrapped?: Record<string, boolean>;
  /** Default `NodeID-AYhtDt8UhBSCj9fqzcGunVzrQs7RfCL6M`. */
  nodeId?: string;
  /** Default `avalanchego/1.13.5`. */
  version?: string;
  /** VMID → aliases, as `info.getVMs` gives them. Default the primary network's three VMs. */
  vms?: Record<string, string[]>;
  /** Answer every request this many milliseconds late. */
  delayMs?: number;
  /** Answer every request with an HTML page instead of JSON. */
  garbage?: boolean;
  /** Listen here; default `127.0.0.1`. */
  hostname?: string;
}

/** One request the fake node received. */
export interface RecordedRequest {
  /** The HTTP method. */
  method: string;
  /** The URL path, e.g. `/ext/info`. */
  path: string;
  /** The Content-Type header, if any. */
  contentType: string | null;
  /** The request body as text (the JSON-RPC call). */
  body: string;
}

/** A running fake node API. */
export interface FakeNodeApi {
  /** The port it listens on (chosen by the OS). */
  readonly port: number;
  /** Every request received, in order. */
  readonly requests: readonly RecordedRequest[];
  /** Stops listening, ends pending (delayed) answers, and waits until all connections are closed. */
  close(): Promise<void>;
}

const DEFAULT_VMS: Record<string, string[]> = {
  "jvYyfQTxGMJLuGWa55kdP2p2zSUYsQ5Raupu4TW34ZAUBAbtq": ["avm"],
  "mgj786NP7uDwBCcq6YwThhaN8FLyybkCa4zBWTQbNgmK6k9A6": ["evm"],
  "11111111111111111111111111111111LpoYY": ["platform"],
};

function json(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { "content-type": "application/json" },
  });
}

function rpcResult(id: unknown, result: unknown): Response {
  return json({ jsonrpc: "2.0", result, id });
}

function rpcError(id: unknown, code: number, message: string, status = 200): Response {
  return json({ jsonrpc: "2.0", error: { code, message, data: null }, id }, status);
}

/** A JSON-RPC method: its result, or an error message (sent with code -32000). */
type Method = (params: unknown) => { result: unknown } | { error: string };

/** Waits `ms`, or less if `signal` aborts first; leaves no timer behind either way. */
function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}

/**
 * Starts a fake luxd HTTP API on `127.0.0.1` (or `hostname`) at a free port.
 * Needs `--allow-net`. Call {@linkcode FakeNodeApi.close} when done.
 */
export function startFakeNodeApi(options: FakeNodeApiOptions = {}): FakeNodeApi {
  const healthy = options.healthy ?? true;
  const bootstrapped = options.bootstrapped ?? { P: true, X: true, C: true };
  const nodeId = options.nodeId ?? "NodeID-AYhtDt8UhBSCj9fqzcGunVzrQs7RfCL6M";
  const version = options.version ?? "avalanchego/1.13.5";
  const vms = options.vms ?? DEFAULT_VMS;
  const requests: RecordedRequest[] = [];
  const closing = new AbortController();

  const healthReport = () => {
    const checks: Record<string, unknown> = {};
    const now = new Date().toISOString();
    for (const [chain, done] of Object.entries(bootstrapped)) {
      checks[chain] = done
        ? { message: { consensus: {}, vm: null }, timestamp: now, duration: 10000 }
        : {
          message: {},
          error: "chain not bootstrapped",
          timestamp: now,
          duration: 1000,
          contiguousFailures: 3,
          timeOfFirstFailure: now,
        };
    }
    checks["network"] = healthy
      ? { message: { connectedPeers: 4 }, timestamp: now, duration: 5000 }
      : {
        message: { connectedPeers: 0 },
        error: "not connected to a minimum of 1 peer(s) only 0",
        timestamp: now,
        duration: 5000,
        contiguousFailures: 7,
        timeOfFirstFailure: now,
      };
    return { checks, healthy };
  };

  const rpc = (req: Request, body: string, methods: Record<string, Method>): Response => {
    if (req.method !== "POST") {
      return new Response(`rpc: POST method required, received ${req.method}\n`, { status: 405 });
    }
    const type = (req.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (type !== "application/json") {
      return new Response(`rpc: unrecognized Content-Type: ${type}\n`, { status: 415 });
    }
    let call: { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };
    try {
      call = JSON.parse(body);
    } catch {
      return rpcError(null, -32700, "parse error", 400);
    }
    if (call.jsonrpc !== "2.0") return rpcError(call.id ?? null, -32600, "invalid request", 400);
    const method = typeof call.method === "string" ? methods[call.method] : undefined;
    if (!method) {
      return rpcError(call.id, -32601, `rpc: can't find method "${String(call.method)}"`, 400);
    }
    const answer = method(call.params);
    return "error" in answer
      ? rpcError(call.id, -32000, answer.error)
      : rpcResult(call.id, answer.result);
  };

  const info: Record<string, Method> = {
    "info.getNodeID": () => ({
      result: {
        nodeID: nodeId,
        nodePOP: { publicKey: "0x" + "ab".repeat(48), proofOfPossession: "0x" + "cd".repeat(96) },
      },
    }),
    "info.getNodeVersion": () => ({
      result: {
        version,
        databaseVersion: "v1.4.5",
        rpcProtocolVersion: "43",
        gitCommit: "0".repeat(40),
        vmVersions: { avm: "v1.13.5", evm: "v0.15.0", platform: "v1.13.5" },
      },
    }),
    "info.isBootstrapped": (p) => {
      const chain = typeof p === "object" && p !== null && "chain" in p ? String(p.chain) : "";
      const done = bootstrapped[chain];
      return done === undefined
        ? { error: `there is no chain with alias/ID of '${chain}'` }
        : { result: { isBootstrapped: done } };
    },
    "info.getVMs": () => ({ result: { vms, fxs: { spdpn: "nftfx" } } }),
  };

  const server = Deno.serve(
    {
      hostname: options.hostname ?? "127.0.0.1",
      port: 0,
      onListen() {},
      signal: closing.signal,
    },
    async (req) => {
      const path = new URL(req.url).pathname;
      const body = await req.text();
      requests.push({
        method: req.method,
        path,
        contentType: req.headers.get("content-type"),
        body,
      });
      if (options.delayMs) await wait(options.delayMs, closing.signal);
      if (options.garbage) {
        return new Response("<html><body>502 Bad Gateway</body></html>", {
          status: 200,
          headers: { "content-type": "text/html" },
        });
      }
      if (path === "/ext/health" && req.method === "GET") {
        return json(healthReport(), healthy ? 200 : 503);
      }
      if (path === "/ext/health") {
        return rpc(req, body, { "health.health": () => ({ result: healthReport() }) });
      }
      if (path === "/ext/info") return rpc(req, body, info);
      return new Response("404 page not found\n", { status: 404 });
    },
  );

  return {
    port: server.addr.port,
    requests,
    async close() {
      closing.abort();
      await server.finished;
    },
  };
}
