/**
 * @module
 * VM IDs in luxd's cb58 form: the VM's name zero-padded to 32 bytes, then
 * base58 of those bytes followed by the last 4 bytes of their SHA-256.
 */

import { createHash } from "node:crypto";

const ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const ID_LENGTH = 32;
const CHECKSUM_LENGTH = 4;

function checksum(bytes: Uint8Array): Uint8Array {
  const digest = createHash("sha256").update(bytes).digest();
  return new Uint8Array(digest.subarray(digest.length - CHECKSUM_LENGTH));
}

function base58Encode(bytes: Uint8Array): string {
  let value = 0n;
  for (const b of bytes) value = value * 256n + BigInt(b);
  let out = "";
  while (value > 0n) {
    out = ALPHABET[Number(value % 58n)] + out;
    value /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = "1" + out;
  }
  return out;
}

function base58Decode(text: string): Uint8Array | undefined {
  let value = 0n;
  for (const ch of text) {
    const digit = ALPHABET.indexOf(ch);
    if (digit < 0) return undefined;
    value = value * 58n + BigInt(digit);
  }
  const out: number[] = [];
  while (value > 0n) {
    out.unshift(Number(value % 256n));
    value /= 256n;
  }
  for (const ch of text) {
    if (ch !== "1") break;
    out.unshift(0);
  }
  return new Uint8Array(out);
}

/** cb58-encodes bytes: base58 of the bytes followed by their 4-byte checksum. */
export function cb58Encode(bytes: Uint8Array): string {
  const full = new Uint8Array(bytes.length + CHECKSUM_LENGTH);
  full.set(bytes);
  full.set(checksum(bytes), bytes.length);
  return base58Encode(full);
}

/** Decodes cb58 text and checks its checksum; `undefined` if it is not valid cb58. */
export function cb58Decode(text: string): Uint8Array | undefined {
  const full = base58Decode(text);
  if (!full || full.length < CHECKSUM_LENGTH) return undefined;
  const body = full.subarray(0, full.length - CHECKSUM_LENGTH);
  const sum = full.subarray(full.length - CHECKSUM_LENGTH);
  const expected = checksum(body);
  return expected.every((b, i) => b === sum[i]) ? new Uint8Array(body) : undefined;
}

/**
 * The VMID luxd derives from a VM name, e.g. `vmid("sessionvm")` is
 * `speKUgLBX6WRD5cfGeEfLa43LxTXUBckvtv4td6F3eTXvRP48`.
 *
 * @throws {RangeError} if the name is empty or longer than 32 bytes.
 */
export function vmid(name: string): string {
  const bytes = new TextEncoder().encode(name);
  if (bytes.length === 0 || bytes.length > ID_LENGTH) {
    throw new RangeError(`VM name must be 1 to ${ID_LENGTH} bytes, got ${bytes.length}`);
  }
  const padded = new Uint8Array(ID_LENGTH);
  padded.set(bytes);
  return cb58Encode(padded);
}

/** Whether text is a valid cb58 32-byte ID, as luxd requires of plugin file names. */
export function isVmid(text: string): boolean {
  return cb58Decode(text)?.length === ID_LENGTH;
}
