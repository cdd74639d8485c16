/**
 * @module
 * cb58, the checksummed base58 (Bitcoin alphabet) that luxd uses for IDs:
 * base58 of the bytes followed by the last 4 bytes of their SHA-256. Pure;
 * used for NodeIDs and VMIDs. base58 and SHA-256 come from @scure/base and
 * @noble/hashes.
 */

import { base58 } from "@scure/base";
import { sha256 } from "@noble/hashes/sha2.js";

const CHECKSUM_LENGTH = 4;

/** base58-encodes bytes; each leading zero byte becomes a leading `1`. */
export const base58Encode = (bytes: Uint8Array): string => base58.encode(bytes);

/** Decodes base58 text; `undefined` if it holds a character outside the alphabet. */
export function base58Decode(text: string): Uint8Array | undefined {
  try {
    return base58.decode(text);
  } catch {
    return undefined;
  }
}

function checksum(bytes: Uint8Array): Uint8Array {
  return sha256(bytes).subarray(32 - CHECKSUM_LENGTH);
}

/** cb58-encodes bytes: base58 of the bytes followed by the last 4 bytes of their SHA-256. */
export function cb58Encode(bytes: Uint8Array): string {
  const full = new Uint8Array(bytes.length + CHECKSUM_LENGTH);
  full.set(bytes);
  full.set(checksum(bytes), bytes.length);
  return base58Encode(full);
}

/** Decodes cb58 text and checks its checksum; `undefined` if it is not valid cb58. */
export function cb58Decode(text: string): Uint8Array | undefined {
  const full = base58Decode(text);
  if (full === undefined || full.length < CHECKSUM_LENGTH) return undefined;
  const body = full.subarray(0, full.length - CHECKSUM_LENGTH);
  const expected = checksum(body);
  const actual = full.subarray(full.length - CHECKSUM_LENGTH);
  return expected.every((b, i) => b === actual[i]) ? new Uint8Array(body) : undefined;
}
