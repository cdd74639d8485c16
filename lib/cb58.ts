/**
 * @module
 * base58 (Bitcoin alphabet) and cb58, the checksummed base58 that luxd
 * uses for IDs: base58 of the bytes followed by the last 4 bytes of their
 * SHA-256. Pure; used for NodeIDs and VMIDs.
 */

import { sha256 } from "./sha256.ts";

/** The base58 alphabet: digits and letters without `0`, `O`, `I` and `l`. */
export const BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

const CHECKSUM_LENGTH = 4;

/** base58-encodes bytes; each leading zero byte becomes a leading `1`. */
export function base58Encode(bytes: Uint8Array): string {
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  const digits: string[] = [];
  while (value > 0n) {
    digits.push(BASE58_ALPHABET[Number(value % 58n)]!);
    value /= 58n;
  }
  return "1".repeat(zeros) + digits.reverse().join("");
}

/** Decodes base58 text; `undefined` if it holds a character outside the alphabet. */
export function base58Decode(text: string): Uint8Array | undefined {
  let zeros = 0;
  while (zeros < text.length && text[zeros] === "1") zeros++;
  let value = 0n;
  for (const ch of text) {
    const digit = BASE58_ALPHABET.indexOf(ch);
    if (digit < 0) return undefined;
    value = value * 58n + BigInt(digit);
  }
  const body: number[] = [];
  while (value > 0n) {
    body.push(Number(value & 0xffn));
    value >>= 8n;
  }
  const out = new Uint8Array(zeros + body.length);
  out.set(body.reverse(), zeros);
  return out;
}

function checksum(bytes: Uint8Array): Uint8Array {
  const digest = sha256(bytes);
  return new Uint8Array(digest.subarray(digest.length - CHECKSUM_LENGTH));
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
