/**
 * @module
 * Bootstrappers as data: config.json's `bootstrap-nodes`, a list of
 * `NodeID-<cb58>@<ip>:<port>`, checked entry by entry and rendered as
 * luxd's `--bootstrap-ids` and `--bootstrap-ips`. Pure.
 *
 * Both flags are comma-separated strings, paired by position, in luxd
 * 1.13.4 (`tests/fixtures/luxd/luxd-1.13.4-help.txt`), luxd 1.22.18
 * (`flags-spec-1.22.18.json`) and avalanchego 1.13.5 (`config/keys.go`).
 * `--bootstrap-ips` takes IP:port only (Go's `netip.ParseAddrPort`:
 * dotted IPv4, bracketed IPv6), so a host name is refused here with the fix.
 */

import { ConfigError } from "../errors.ts";
import { describeValue } from "./json_exact.ts";
import { nodeIdProblem } from "./node_id_text.ts";

/**
 * The platform's URL parser (WHATWG) decides what an IP address is, as
 * `node:net` would: loading `node:net` costs every start some 30 ms and
 * 7 MiB for these two questions.
 */
function hostOf(host: string): string | undefined {
  try {
    return new URL(`http://${host}/`).hostname;
  } catch {
    return undefined;
  }
}

/** Whether text is an IPv4 address in dotted decimal, four numbers 0-255 without leading zeros. */
export const isIPv4 = (text: string): boolean =>
  /^\d{1,3}(\.\d{1,3}){3}$/.test(text) && hostOf(text) === text;

/** Whether text is an IPv6 address (without brackets). */
export const isIPv6 = (text: string): boolean =>
  text.includes(":") && /^[0-9a-fA-F:.]+$/.test(text) && hostOf(`[${text}]`) !== undefined;

/** One bootstrapper. */
export interface BootstrapNode {
  /** `NodeID-<cb58>`, checked. */
  readonly nodeId: string;
  /** An IPv4 address, or an IPv6 address without brackets. */
  readonly host: string;
  readonly port: number;
}

/** The config key this reads, named in every problem. */
export const BOOTSTRAP_KEY = "bootstrap-nodes";

const FORM = "NodeID-<cb58>@<ip>:<port>";

/** Parses `<host>:<port>` of one entry; a problem (without a path) on failure. */
function hostPort(text: string): { host: string; port: number } | string {
  let host: string;
  let portText: string;
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close < 0 || text[close + 1] !== ":") return `'${text}' must be [<ipv6>]:<port>`;
    host = text.slice(1, close);
    portText = text.slice(close + 2);
    if (!isIPv6(host)) return `'${host}' is not an IPv6 address`;
  } else {
    const colon = text.lastIndexOf(":");
    if (colon < 0) return `'${text}' has no port; write <ip>:<port>, e.g. 203.0.113.7:9651`;
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (isIPv6(host)) return `IPv6 address '${host}' must be in brackets: [${host}]:${portText}`;
    if (!isIPv4(host)) {
      return /^[0-9.]+$/.test(host)
        ? `'${host}' is not an IPv4 address (four numbers 0-255, no leading zeros)`
        : `'${host}' is a host name, and luxd's --bootstrap-ips takes IP:port only: give the node's IP address`;
    }
  }
  const port = /^[0-9]{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) return `port '${portText}' must be a number from 1 to 65535`;
  return { host, port };
}

/** Parses one entry; a problem (without a path) on failure. */
function parseEntry(entry: unknown): BootstrapNode | string {
  if (typeof entry !== "string") return `must be ${FORM}, got ${describeValue(entry)}`;
  const at = entry.indexOf("@");
  if (at < 0) return `${describeValue(entry)} has no '@'; write ${FORM}`;
  const nodeId = entry.slice(0, at);
  const bad = nodeIdProblem(nodeId);
  if (bad !== undefined) return bad;
  const hp = hostPort(entry.slice(at + 1));
  return typeof hp === "string" ? hp : { nodeId, ...hp };
}

/**
 * Checks config.json's `bootstrap-nodes`: a list of `NodeID-…@ip:port`
 * strings (a comma-separated string, as a flag or environment variable
 * gives it, is split first). Missing or null is no bootstrappers.
 *
 * @returns the nodes, or every problem, each naming its entry
 *   (`bootstrap-nodes[2]: …`).
 */
export function parseBootstrapNodes(
  value: unknown,
): { nodes: BootstrapNode[] } | { problems: string[] } {
  if (value === undefined || value === null) return { nodes: [] };
  const list = typeof value === "string"
    ? value.split(",").map((s) => s.trim()).filter((s) => s !== "")
    : value;
  if (!Array.isArray(list)) {
    return {
      problems: [`${BOOTSTRAP_KEY}: must be a list of "${FORM}", got ${describeValue(value)}`],
    };
  }
  const nodes: BootstrapNode[] = [];
  const problems: string[] = [];
  const seen = new Map<string, number>();
  list.forEach((entry: unknown, i) => {
    const at = `${BOOTSTRAP_KEY}[${i}]`;
    const node = parseEntry(entry);
    if (typeof node === "string") return void problems.push(`${at}: ${node}`);
    const first = seen.get(node.nodeId);
    if (first !== undefined) {
      return void problems.push(
        `${at}: ${node.nodeId} is also ${BOOTSTRAP_KEY}[${first}]; list each node once`,
      );
    }
    seen.set(node.nodeId, i);
    nodes.push(node);
  });
  return problems.length > 0 ? { problems } : { nodes };
}

/** `ip:port`, with an IPv6 address in brackets. */
export const nodeAddress = (n: BootstrapNode): string =>
  n.host.includes(":") ? `[${n.host}]:${n.port}` : `${n.host}:${n.port}`;

/**
 * luxd's bootstrap arguments: `--bootstrap-ids=ID1,ID2` and
 * `--bootstrap-ips=ip:port,…` in the same order; none for no nodes (luxd
 * keeps its own default).
 *
 * @param has whether this luxd has a flag (by name, without dashes).
 * @throws {ConfigError} when nodes are given and this luxd lacks either flag.
 */
export function bootstrapArgs(
  nodes: readonly BootstrapNode[],
  has: (flag: string) => boolean,
): string[] {
  if (nodes.length === 0) return [];
  const missing = ["bootstrap-ids", "bootstrap-ips"].filter((f) => !has(f));
  if (missing.length > 0) {
    throw new ConfigError(
      `${BOOTSTRAP_KEY} is set, but this luxd has no ${
        missing.map((m) => `--${m}`).join(" or ")
      }; use a luxd that has them, or remove ${BOOTSTRAP_KEY}`,
    );
  }
  return [
    `--bootstrap-ids=${nodes.map((n) => n.nodeId).join(",")}`,
    `--bootstrap-ips=${nodes.map(nodeAddress).join(",")}`,
  ];
}
