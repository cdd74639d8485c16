/**
 * @module
 * `devnet.json`: what a devnet is, kept so that `up` again resumes the same
 * network and `status` and `down` find it: the network and chain IDs, the
 * node dialect the genesis was written in, the development key's addresses
 * and each node's NodeID, BLS public key and loopback ports. Pure:
 * {@linkcode parseState} checks every field and reports every problem at once.
 */

import type { GenesisDialect } from "../network/address.ts";

/** The format version this parsd writes and reads. */
export const STATE_FORMAT = 1;

/** One node of a devnet. */
export interface NodeState {
  /** `node-1` … */
  readonly name: string;
  readonly nodeId: string;
  /** Compressed BLS public key, `0x` hex. */
  readonly blsPublicKey: string;
  readonly httpPort: number;
  readonly stakingPort: number;
}

/** A devnet, as `devnet.json` holds it. */
export interface DevnetState {
  readonly format: typeof STATE_FORMAT;
  readonly networkId: number;
  /** The C-chain's EVM chain ID. */
  readonly chainId: number;
  readonly dialect: GenesisDialect;
  /** When the devnet was made (ISO 8601). */
  readonly created: string;
  /** The development key's addresses (the key itself is in `dev.key`). */
  readonly dev: { readonly x: string; readonly p: string; readonly c: string };
  readonly nodes: readonly NodeState[];
}

/** The state file's text. */
export function stateText(state: DevnetState): string {
  return JSON.stringify(state, null, 2) + "\n";
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const isPort = (v: unknown): v is number =>
  typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= 65535;

function checkNode(v: unknown, i: number, problems: string[]): void {
  const where = `nodes[${i}]`;
  if (!isObject(v)) {
    problems.push(`${where}: must be an object`);
    return;
  }
  if (v.name !== `node-${i + 1}`) problems.push(`${where}.name: must be "node-${i + 1}"`);
  if (typeof v.nodeId !== "string" || !/^NodeID-[1-9A-HJ-NP-Za-km-z]+$/.test(v.nodeId)) {
    problems.push(`${where}.nodeId: must be a NodeID-… string`);
  }
  if (typeof v.blsPublicKey !== "string" || !/^0x[0-9a-f]{96}$/.test(v.blsPublicKey)) {
    problems.push(`${where}.blsPublicKey: must be 0x and 96 hex digits`);
  }
  if (!isPort(v.httpPort)) problems.push(`${where}.httpPort: must be a port from 1 to 65535`);
  if (!isPort(v.stakingPort)) problems.push(`${where}.stakingPort: must be a port from 1 to 65535`);
}

/**
 * Reads `devnet.json`'s text.
 *
 * @returns the state, or every problem found (one line each, naming the field).
 */
export function parseState(text: string): DevnetState | string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    return [`malformed JSON: ${(error as Error).message}`];
  }
  if (!isObject(doc)) return ["must hold a JSON object"];
  if (doc.format !== STATE_FORMAT) {
    return [
      `format: must be ${STATE_FORMAT} (this parsd's devnet format), got ${
        JSON.stringify(doc.format)
      }`,
    ];
  }
  const problems: string[] = [];
  for (const key of ["networkId", "chainId"] as const) {
    const v = doc[key];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > 0xffffffff) {
      problems.push(`${key}: must be an integer from 1 to 4294967295`);
    }
  }
  if (doc.dialect !== "luxd" && doc.dialect !== "avalanchego") {
    problems.push(`dialect: must be "luxd" or "avalanchego"`);
  }
  if (typeof doc.created !== "string") problems.push("created: must be a date string");
  const dev = doc.dev;
  if (!isObject(dev) || ![dev.x, dev.p, dev.c].every((a) => typeof a === "string")) {
    problems.push("dev: must hold the x, p and c addresses");
  }
  if (!Array.isArray(doc.nodes) || doc.nodes.length === 0) {
    problems.push("nodes: must be a non-empty list");
  } else {
    doc.nodes.forEach((n, i) => checkNode(n, i, problems));
    const ports = doc.nodes.flatMap((n) => isObject(n) ? [n.httpPort, n.stakingPort] : []);
    if (new Set(ports).size !== ports.length) problems.push("nodes: two ports are the same");
  }
  return problems.length > 0 ? problems : doc as unknown as DevnetState;
}

/** `NodeID-…@127.0.0.1:<staking port>` of every node but `self`: whom a node bootstraps from. */
export function bootstrapNodes(state: DevnetState, self: number): string[] {
  return state.nodes.filter((_, i) => i !== self).map((n) =>
    `${n.nodeId}@127.0.0.1:${n.stakingPort}`
  );
}

/** A node's HTTP URL on loopback. */
export const httpUrl = (n: NodeState): string => `http://127.0.0.1:${n.httpPort}`;

/** A node's C-chain JSON-RPC URL. */
export const cChainRpcUrl = (n: NodeState): string => `${httpUrl(n)}/ext/bc/C/rpc`;
