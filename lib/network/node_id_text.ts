/**
 * @module
 * A NodeID as text, `NodeID-<cb58>`: base58 of 20 bytes and the last 4
 * bytes of their SHA-256 (avalanchego `ids.NodeIDFromString`, which luxd
 * shares). Pure; cb58 from `node/cb58.ts`.
 */

import { base58Decode, cb58Decode } from "../node/cb58.ts";
import { describeValue } from "./json_exact.ts";

/** What every NodeID starts with. */
export const NODE_ID_PREFIX = "NodeID-";

/** The length of a NodeID, in bytes. */
export const NODE_ID_LENGTH = 20;

/**
 * Checks a NodeID such as `NodeID-7Xhw2mDxuDS44j42TCB6U5579esbSt3Lg`.
 *
 * @returns one problem (without a path), or undefined when it is good.
 */
export function nodeIdProblem(value: unknown): string | undefined {
  if (typeof value !== "string" || !value.startsWith(NODE_ID_PREFIX)) {
    return `must be ${NODE_ID_PREFIX}<cb58>, got ${describeValue(value)}`;
  }
  const body = value.slice(NODE_ID_PREFIX.length);
  const bytes = cb58Decode(body);
  if (bytes === undefined) {
    return base58Decode(body) === undefined || body === ""
      ? `${describeValue(value)} is not base58 after '${NODE_ID_PREFIX}'`
      : `bad cb58 checksum in ${
        describeValue(value)
      }; copy the NodeID again (parsd node-id prints a node's)`;
  }
  return bytes.length === NODE_ID_LENGTH
    ? undefined
    : `${describeValue(value)} holds ${bytes.length} bytes; a NodeID holds ${NODE_ID_LENGTH}`;
}
