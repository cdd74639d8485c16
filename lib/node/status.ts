/**
 * @module
 * `parsd status`: ask a running node on this machine whether it is healthy
 * and bootstrapped, through luxd's (avalanchego's) HTTP API: `GET /ext/health`
 * and JSON-RPC 2.0 at `/ext/info` (`info.getNodeID`, `info.getNodeVersion`,
 * `info.isBootstrapped`, `info.getVMs`). {@linkcode queryStatus} does the I/O
 * (through an injectable `fetch`); everything else is pure.
 *
 * It talks to the node only: redirects are not followed (a redirect is
 * reported as such), at most {@linkcode STATUS_BODY_LIMIT} bytes of an
 * answer are read, and what the node says is printed with its control
 * characters escaped, so that no answer can forge a line of the report.
 */

import { printable } from "../printable.ts";

/** What one query got back. */
export type Answer<T> =
  /** The node answered as expected. */
  | { readonly kind: "ok"; readonly value: T }
  /** The node answered, but not usefully: an HTTP or JSON-RPC error, or a body of the wrong shape. */
  | { readonly kind: "bad"; readonly error: string }
  /** No HTTP answer at all: connection refused or reset, or no answer within the timeout. */
  | { readonly kind: "unreachable"; readonly error: string };

/** The node's own health verdict (`GET /ext/health`). */
export interface Health {
  /** The node's `healthy` field. */
  readonly healthy: boolean;
  /** The failing health checks: check name → its error. */
  readonly failing: Readonly<Record<string, string>>;
}

/** What `info.getNodeVersion` says. */
export interface NodeVersion {
  /** e.g. `avalanchego/1.13.5`. */
  readonly version: string;
  /** The rpcchainvm protocol version, e.g. `43`, if given. */
  readonly rpcProtocolVersion: string | undefined;
}

/** Whether one chain is bootstrapped (`info.isBootstrapped`). */
export interface ChainBootstrap {
  /** The chain's alias or ID as asked. */
  readonly chain: string;
  /** `true` when bootstrapped. */
  readonly answer: Answer<boolean>;
}

/** Everything {@linkcode queryStatus} learnt about the node. */
export interface StatusReport {
  /** The API's base URL, e.g. `http://127.0.0.1:9630`. */
  readonly url: string;
  /** `GET /ext/health`. */
  readonly health: Answer<Health>;
  /** `info.isBootstrapped` for P, X, C, then the chains asked for. */
  readonly bootstrapped: readonly ChainBootstrap[];
  /** `info.getNodeID`: e.g. `NodeID-AYhtDt8UhBSCj9fqzcGunVzrQs7RfCL6M`. */
  readonly nodeId: Answer<string>;
  /** `info.getNodeVersion`. */
  readonly version: Answer<NodeVersion>;
  /** `info.getVMs`: VMID → its aliases. */
  readonly vms: Answer<Readonly<Record<string, readonly string[]>>>;
}

/** Options of {@linkcode queryStatus}. */
export interface StatusOptions {
  /** A loopback host: `localhost`, an address in 127.0.0.0/8, or `::1`. */
  readonly host: string;
  /** luxd's `--http-port`, 9630 by default. */
  readonly port: number;
  /** How long to wait for all answers together, in milliseconds. */
  readonly timeoutMs: number;
  /**
   * Chains to check besides P, X and C, by alias or ID: the Pars chains,
   * e.g. the EVM chain's and SessionVM's.
   */
  readonly chains?: readonly string[];
  /** The `fetch` to use; the global one by default. */
  readonly fetch?: typeof fetch;
}

/** The most of one answer parsd reads: 1 MiB (a node's health report is a few KiB). */
export const STATUS_BODY_LIMIT = 1 << 20;

/** The primary network's chains, always checked. */
export const PRIMARY_CHAINS: readonly string[] = ["P", "X", "C"];

/** `parsd status` exit codes (sysexits(3)). */
export const StatusExitCode = {
  /** Healthy, and every chain asked about is bootstrapped. */
  ok: 0,
  /** Nothing answered at all (EX_UNAVAILABLE): the node is not running, or hangs. */
  unavailable: 69,
  /** The node answered but is not healthy, not bootstrapped, or gave a bad answer (EX_TEMPFAIL). */
  notReady: 75,
} as const;

/**
 * The host to query for a node whose `--http-host` is `httpHost`: a
 * wildcard address (`0.0.0.0`, `::`, or empty, which luxd treats as all
 * interfaces) becomes the matching loopback address; anything else is
 * returned as is, for {@linkcode queryStatus} to accept or refuse.
 */
export function loopbackHostFor(httpHost: string): string {
  if (httpHost === "" || httpHost === "0.0.0.0") return "127.0.0.1";
  if (httpHost === "::" || httpHost === "[::]") return "::1";
  return httpHost;
}

/**
 * The API base URL for a loopback host and port, e.g.
 * `http://[::1]:9630`.
 *
 * @throws {RangeError} if the host is not `localhost`, an address in
 * 127.0.0.0/8 or `::1` (parsd status never talks to another machine), or the
 * port is not an integer from 1 to 65535.
 */
export function loopbackUrl(host: string, port: number): string {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(`invalid port ${port}: expected an integer from 1 to 65535`);
  }
  const refuse = () =>
    new RangeError(
      `refusing to query ${JSON.stringify(host)}: parsd status only asks a node on this machine ` +
        `(localhost, 127.0.0.0/8 or ::1)`,
    );
  if (!/^[A-Za-z0-9.:[\]-]+$/.test(host)) throw refuse();
  const bracketed = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  let hostname;
  try {
    hostname = new URL(`http://${bracketed}:${port}`).hostname;
  } catch {
    throw refuse();
  }
  const loopback = hostname === "localhost" || hostname === "[::1]" ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
  if (!loopback) throw refuse();
  return `http://${hostname}:${port}`;
}

/** The raw result of one HTTP exchange. */
type Exchange =
  | { status: number; text: string }
  | { unreachable: string }
  | { status: number; refused: string };

/** A body as text, or `undefined` past `limit` bytes (then the rest is not read). */
async function boundedText(response: Response, limit: number): Promise<string | undefined> {
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > limit) return undefined;
      chunks.push(value);
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return new TextDecoder().decode(bytes);
}

/** A 3xx answer, in words: parsd never follows it (it could lead anywhere). */
function redirectRefusal(response: Response, port: number): string {
  const location = response.headers.get("location");
  return `redirected (HTTP ${response.status}${
    location === null ? "" : ` to ${location.slice(0, 200)}`
  }); parsd status asks the node itself and follows no redirect: is something other than luxd on port ${port}?`;
}

/**
 * Asks the node at `host:port` for its health, NodeID, version, VMs, and
 * whether P, X, C and `chains` are bootstrapped. All questions go out at once
 * and share one deadline; every failure is recorded in the report, not thrown.
 *
 * Needs `--allow-net=<host>:<port>`.
 *
 * @throws {RangeError} for a host that is not loopback or an invalid port
 * (see {@linkcode loopbackUrl}), or a `timeoutMs` that is not positive.
 * Errors other than network failures (such as Deno's `NotCapable` for a
 * missing net permission) propagate.
 */
export async function queryStatus(opts: StatusOptions): Promise<StatusReport> {
  const url = loopbackUrl(opts.host, opts.port);
  if (!(opts.timeoutMs > 0)) throw new RangeError(`invalid timeout ${opts.timeoutMs} ms`);
  const doFetch = opts.fetch ?? fetch;
  const chains = [...new Set([...PRIMARY_CHAINS, ...(opts.chains ?? [])])];
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), opts.timeoutMs);

  const exchange = async (path: string, init: RequestInit): Promise<Exchange> => {
    try {
      const response = await doFetch(url + path, {
        ...init,
        redirect: "manual",
        signal: controller.signal,
      });
      if (response.status >= 300 && response.status < 400) {
        await response.body?.cancel().catch(() => {});
        return { status: response.status, refused: redirectRefusal(response, opts.port) };
      }
      const text = await boundedText(response, STATUS_BODY_LIMIT);
      if (text === undefined) {
        return {
          status: response.status,
          refused: `HTTP ${response.status}, an answer larger than ${
            STATUS_BODY_LIMIT >> 20
          } MiB: not the node's API`,
        };
      }
      return { status: response.status, text };
    } catch (error) {
      if (controller.signal.aborted) {
        return { unreachable: `no answer within ${opts.timeoutMs} ms` };
      }
      if (error instanceof TypeError) return { unreachable: networkError(error) };
      throw error;
    }
  };
  const rpc = async <T>(
    method: string,
    params: Record<string, string>,
    shape: (result: unknown) => T | undefined,
  ): Promise<Answer<T>> => {
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method, params });
    const headers = { "content-type": "application/json" };
    return rpcAnswer(await exchange("/ext/info", { method: "POST", headers, body }), shape);
  };

  try {
    const [health, nodeId, version, vms, bootstrapped] = await Promise.all([
      exchange("/ext/health", { method: "GET" }).then(healthAnswer),
      rpc("info.getNodeID", {}, (r) => stringField(r, "nodeID")),
      rpc("info.getNodeVersion", {}, versionShape),
      rpc("info.getVMs", {}, vmsShape),
      Promise.all(chains.map(async (chain): Promise<ChainBootstrap> => ({
        chain,
        answer: await rpc("info.isBootstrapped", { chain }, bootstrappedShape),
      }))),
    ]);
    return { url, health, bootstrapped, nodeId, version, vms };
  } finally {
    clearTimeout(timer);
  }
}

function networkError(error: TypeError): string {
  // Deno 2.9 says "fetch failed" and puts the OS error in `cause`.
  const cause = error.cause instanceof Error ? error.cause.message : "";
  const m = cause ? `${error.message}: ${cause}` : error.message;
  if (/connection refused/i.test(m)) return "connection refused";
  if (/connection reset/i.test(m)) return "connection reset";
  return m;
}

function snippet(text: string): string {
  const t = text.trim();
  return JSON.stringify(t.length > 60 ? t.slice(0, 60) + "…" : t);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringField(value: unknown, key: string): string | undefined {
  if (!isRecord(value)) return undefined;
  const field = value[key];
  return typeof field === "string" && field !== "" ? field : undefined;
}

function healthAnswer(x: Exchange): Answer<Health> {
  if ("unreachable" in x) return { kind: "unreachable", error: x.unreachable };
  if ("refused" in x) return { kind: "bad", error: x.refused };
  const body = parseJson(x.text);
  if (!isRecord(body) || typeof body["healthy"] !== "boolean") {
    return { kind: "bad", error: `HTTP ${x.status}, not a health report: ${snippet(x.text)}` };
  }
  const failing: Record<string, string> = {};
  const checks = body["checks"];
  if (isRecord(checks)) {
    for (const [name, check] of Object.entries(checks)) {
      const error = isRecord(check) ? check["error"] : undefined;
      if (error !== undefined && error !== null && error !== "") {
        failing[name] = typeof error === "string" ? error : JSON.stringify(error);
      }
    }
  }
  return { kind: "ok", value: { healthy: body["healthy"], failing } };
}

function rpcAnswer<T>(x: Exchange, shape: (result: unknown) => T | undefined): Answer<T> {
  if ("unreachable" in x) return { kind: "unreachable", error: x.unreachable };
  if ("refused" in x) return { kind: "bad", error: x.refused };
  const body = parseJson(x.text);
  if (!isRecord(body)) {
    return { kind: "bad", error: `HTTP ${x.status}, not JSON-RPC: ${snippet(x.text)}` };
  }
  const error = body["error"];
  if (isRecord(error)) {
    const message = typeof error["message"] === "string" ? error["message"] : JSON.stringify(error);
    return { kind: "bad", error: message };
  }
  const value = shape(body["result"]);
  if (value === undefined) {
    return { kind: "bad", error: `HTTP ${x.status}, unexpected answer: ${snippet(x.text)}` };
  }
  return { kind: "ok", value };
}

function versionShape(result: unknown): NodeVersion | undefined {
  const version = stringField(result, "version");
  if (version === undefined || !isRecord(result)) return undefined;
  const rpcVersion = result["rpcProtocolVersion"];
  return {
    version,
    rpcProtocolVersion: typeof rpcVersion === "string" || typeof rpcVersion === "number"
      ? String(rpcVersion)
      : undefined,
  };
}

function vmsShape(result: unknown): Record<string, string[]> | undefined {
  if (!isRecord(result) || !isRecord(result["vms"])) return undefined;
  const vms: Record<string, string[]> = {};
  for (const [id, aliases] of Object.entries(result["vms"])) {
    if (!Array.isArray(aliases) || !aliases.every((a) => typeof a === "string")) return undefined;
    vms[id] = aliases;
  }
  return vms;
}

function bootstrappedShape(result: unknown): boolean | undefined {
  if (!isRecord(result)) return undefined;
  const b = result["isBootstrapped"];
  return typeof b === "boolean" ? b : undefined;
}

/** One line of {@linkcode formatStatusLines}. */
interface Item {
  ok: boolean;
  label: string;
  detail: string;
}

function answers(report: StatusReport): Answer<unknown>[] {
  return [
    report.health,
    ...report.bootstrapped.map((b) => b.answer),
    report.nodeId,
    report.version,
    report.vms,
  ];
}

function failed(answer: Answer<unknown> & { kind: "bad" | "unreachable" }): string {
  return answer.kind === "unreachable" ? `no answer: ${answer.error}` : answer.error;
}

function items(report: StatusReport): Item[] {
  const all = answers(report);
  const first = all[0];
  if (first?.kind === "unreachable" && all.every((a) => a.kind === "unreachable")) {
    return [{
      ok: false,
      label: "node",
      detail: `nothing answering at ${report.url}: ${first.error}`,
    }];
  }
  const out: Item[] = [];
  const h = report.health;
  if (h.kind !== "ok") out.push({ ok: false, label: "health", detail: failed(h) });
  else if (h.value.healthy) out.push({ ok: true, label: "health", detail: "healthy" });
  else {
    const names = Object.keys(h.value.failing);
    const detail = names.length > 0 ? `unhealthy (failing: ${names.join(", ")})` : "unhealthy";
    out.push({ ok: false, label: "health", detail });
  }
  for (const { chain, answer } of report.bootstrapped) {
    const label = `bootstrapped ${chain}`;
    if (answer.kind !== "ok") out.push({ ok: false, label, detail: failed(answer) });
    else out.push({ ok: answer.value, label, detail: answer.value ? "yes" : "no" });
  }
  const n = report.nodeId;
  out.push(
    n.kind === "ok"
      ? { ok: true, label: "node", detail: n.value }
      : { ok: false, label: "node", detail: failed(n) },
  );
  const v = report.version;
  if (v.kind !== "ok") out.push({ ok: false, label: "version", detail: failed(v) });
  else {
    const proto = v.value.rpcProtocolVersion;
    const detail = proto === undefined
      ? v.value.version
      : `${v.value.version} (rpcchainvm ${proto})`;
    out.push({ ok: true, label: "version", detail });
  }
  const vms = report.vms;
  if (vms.kind !== "ok") out.push({ ok: false, label: "vms", detail: failed(vms) });
  else {
    const names = Object.entries(vms.value).map(([id, aliases]) => aliases[0] ?? id).sort();
    out.push({ ok: true, label: "vms", detail: names.join(", ") || "(none)" });
  }
  return out;
}

/**
 * The exit code for a report: 0 when every answer is as wanted (healthy, all
 * chains bootstrapped, NodeID, version and VMs known), 69 when nothing
 * answered at all (including no answer within the timeout), 75 otherwise.
 */
export function statusExitCode(report: StatusReport): number {
  if (answers(report).every((a) => a.kind === "unreachable")) return StatusExitCode.unavailable;
  return items(report).every((i) => i.ok) ? StatusExitCode.ok : StatusExitCode.notReady;
}

/**
 * The report as text lines, one per item, each `ok  ` or `FAIL`, a label and
 * a detail, e.g. `ok   health   healthy` or `FAIL bootstrapped C no`. When
 * nothing answered it is one line, `FAIL node     nothing answering at …`.
 * Control characters in what the node said are escaped (`\n`, `\x1b`).
 */
export function formatStatusLines(report: StatusReport): string[] {
  return items(report).map((i) =>
    `${(i.ok ? "ok" : "FAIL").padEnd(4)} ${printable(i.label).padEnd(8)} ${printable(i.detail)}`
  );
}

/**
 * The report as one JSON document (2-space indented, no trailing newline)
 * for scripts: `{url, exitCode, answering, healthy, failingChecks, nodeId,
 * version, rpcProtocolVersion, bootstrapped: {chain: bool|null}, vms,
 * problems}`, where unknown values are `null` and `problems` holds the
 * detail of every failing line (`"<label>: <detail>"`).
 */
export function statusJson(report: StatusReport): string {
  const value = <T>(a: Answer<T>): T | null => a.kind === "ok" ? a.value : null;
  const health = value(report.health);
  const version = value(report.version);
  return JSON.stringify(
    {
      url: report.url,
      exitCode: statusExitCode(report),
      answering: !answers(report).every((a) => a.kind === "unreachable"),
      healthy: health?.healthy ?? null,
      failingChecks: health?.failing ?? null,
      nodeId: value(report.nodeId),
      version: version?.version ?? null,
      rpcProtocolVersion: version?.rpcProtocolVersion ?? null,
      bootstrapped: Object.fromEntries(report.bootstrapped.map((b) => [b.chain, value(b.answer)])),
      vms: value(report.vms),
      problems: items(report).filter((i) => !i.ok).map((i) => `${i.label}: ${i.detail}`),
    },
    null,
    2,
  );
}
