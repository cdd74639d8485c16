/**
 * @module
 * Ethereum addresses: EIP-55 mixed-case checksums and the address of a
 * secp256k1 key (the last 20 bytes of the Keccak-256 of its uncompressed
 * public key). Keccak-256 and the curve come from @noble; pure.
 */

import { keccak_256 } from "@noble/hashes/sha3.js";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { bytesToHex } from "@noble/hashes/utils.js";

/** An address (`0x` and 40 hex digits, any case) in its EIP-55 checksummed form. */
export function checksumAddress(address: string): string {
  const lower = address.slice(2).toLowerCase();
  const hash = bytesToHex(keccak_256(new TextEncoder().encode(lower)));
  let out = "0x";
  for (let i = 0; i < lower.length; i++) {
    out += parseInt(hash[i]!, 16) >= 8 ? lower[i]!.toUpperCase() : lower[i]!;
  }
  return out;
}

/** The checksummed address of a secp256k1 secret key. */
export function addressOfKey(secretKey: Uint8Array): string {
  const pub = secp256k1.getPublicKey(secretKey, false).subarray(1);
  return checksumAddress(`0x${bytesToHex(keccak_256(pub).subarray(12))}`);
}
