/**
 * @module
 * secp256k1 keys of a devnet and their addresses: the X/P-chain address
 * (`X-<hrp>1…`, bech32 of `ripemd160(sha256(compressed public key))`, as
 * avalanchego's `secp256k1.PublicKey.Address` and `address.Format` make it)
 * and the C-chain address (the last 20 bytes of keccak256 of the
 * uncompressed public key, EIP-55 checksummed: `network/eth_address.ts`). The key file holds
 * the key as `0x` hex, one line, the form EVM tools take. Pure.
 */

import { secp256k1 } from "@noble/curves/secp256k1.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { ripemd160 } from "@noble/hashes/legacy.js";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import { bech32 } from "@scure/base";
import { addressOfKey } from "../network/eth_address.ts";
import { cb58Encode } from "../node/cb58.ts";

/** One key's addresses on the three chains. */
export interface KeyAddresses {
  /** The 20-byte short ID the X and P addresses encode, hex without `0x`. */
  readonly shortId: string;
  /** `X-<hrp>1…` */
  readonly x: string;
  /** `P-<hrp>1…` */
  readonly p: string;
  /** `0x…`, EIP-55 checksummed. */
  readonly c: string;
}

/** A fresh random secp256k1 secret key (32 bytes). */
export function newSecretKey(): Uint8Array {
  return secp256k1.utils.randomSecretKey();
}

/** The bech32 address of a 20-byte short ID on a chain (`X`, `P`), e.g. `X-custom1…`. */
export function chainAddress(chain: string, hrp: string, shortId: Uint8Array): string {
  return `${chain}-${bech32.encode(hrp, bech32.toWords(shortId))}`;
}

/**
 * The addresses of a secret key.
 *
 * @throws {Error} when the key is not a valid secp256k1 secret key.
 */
export function keyAddresses(secretKey: Uint8Array, hrp: string): KeyAddresses {
  const shortId = ripemd160(sha256(secp256k1.getPublicKey(secretKey, true)));
  return {
    shortId: bytesToHex(shortId),
    x: chainAddress("X", hrp, shortId),
    p: chainAddress("P", hrp, shortId),
    c: addressOfKey(secretKey),
  };
}

/** The key as avalanchego's wallets print it: `PrivateKey-<cb58>`. */
export function avalancheKeyText(secretKey: Uint8Array): string {
  return `PrivateKey-${cb58Encode(secretKey)}`;
}

/** The key file's text: `0x` and 64 hex digits, one line. */
export function keyFileText(secretKey: Uint8Array): string {
  return `0x${bytesToHex(secretKey)}\n`;
}

/**
 * Reads a key file's text.
 *
 * @returns the secret key, or a reason it is not one.
 */
export function parseKeyFile(text: string): Uint8Array | string {
  const m = /^\s*(?:0x)?([0-9a-fA-F]{64})\s*$/.exec(text);
  if (!m) return "must hold one secp256k1 key as 0x and 64 hex digits";
  const key = hexToBytes(m[1]!.toLowerCase());
  return secp256k1.utils.isValidSecretKey(key) ? key : "is not a valid secp256k1 secret key";
}
