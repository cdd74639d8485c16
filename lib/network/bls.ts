/**
 * @module
 * A genesis staker's BLS signer: a compressed BLS12-381 G1 public key (48
 * bytes) and its proof of possession, a G2 signature (96 bytes) over the
 * public key's bytes in the proof-of-possession scheme (min-pk, DST
 * {@linkcode POP_DST}). Pure; the curve comes from @noble/curves.
 *
 * The nodes' rules (avalanchego 1.13.5 `vms/platformvm/signer`,
 * `utils/crypto/bls`, with blst; luxd forks it): both values are hex with
 * a `0x` prefix; the key must decompress to a point of the G1 subgroup other
 * than the point at infinity (blst's `KeyValidate`), and the signature must
 * verify with `VerifyProofOfPossession`.
 */

import { bls12_381 } from "@noble/curves/bls12-381.js";
import { hex } from "@scure/base";
import { describeValue } from "./json_exact.ts";

/** The domain separation tag of BLS proofs of possession (min-pk, SHA-256, SSWU). */
export const POP_DST = "BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";

/** Bytes of a compressed G1 public key. */
export const PUBLIC_KEY_LENGTH = 48;
/** Bytes of a compressed G2 signature. */
export const SIGNATURE_LENGTH = 96;

/** Decodes `0x`-prefixed hex of exactly `length` bytes, or says why not. */
function hexBytes(value: unknown, length: number, what: string): Uint8Array | string {
  const want = `0x-prefixed hex of a ${length}-byte ${what}`;
  if (typeof value !== "string" || !value.startsWith("0x")) {
    return `must be ${want}, got ${describeValue(value)}`;
  }
  let bytes: Uint8Array;
  try {
    bytes = hex.decode(value.slice(2).toLowerCase());
  } catch {
    return `must be ${want}: ${describeValue(value)} is not hex`;
  }
  if (bytes.length !== length) return `holds ${bytes.length} bytes; must be ${want}`;
  return (bytes[0]! & 0x80) === 0
    ? `is not compressed (its first byte lacks the flag 0x80); must be ${want}`
    : bytes;
}

/** Verification results by key and signature: the suite checks the same signers many times. */
const verified = new Map<string, boolean>();
const VERIFIED_MAX = 256;

function verifies(publicKey: Uint8Array, signature: Uint8Array): boolean {
  const id = hex.encode(publicKey) + hex.encode(signature);
  const known = verified.get(id);
  if (known !== undefined) return known;
  const ls = bls12_381.longSignatures;
  let ok: boolean;
  try {
    ok = ls.verify(signature, ls.hash(publicKey, POP_DST), publicKey);
  } catch {
    ok = false;
  }
  if (verified.size >= VERIFIED_MAX) verified.clear();
  verified.set(id, ok);
  return ok;
}

/** What was wrong with a signer, per field (each without a path). */
export interface SignerProblems {
  readonly publicKey?: string;
  readonly proofOfPossession?: string;
}

/**
 * Checks a staker's `signer` fields: the public key, the signature's
 * encoding and, when both are well formed, the proof of possession.
 *
 * @returns a problem per bad field; an empty object when the signer is good.
 */
export function checkSigner(publicKey: unknown, proofOfPossession: unknown): SignerProblems {
  const out: { publicKey?: string; proofOfPossession?: string } = {};
  const key = hexBytes(publicKey, PUBLIC_KEY_LENGTH, "compressed BLS12-381 G1 public key");
  if (typeof key === "string") out.publicKey = key;
  else {
    try {
      const point = bls12_381.G1.Point.fromBytes(key);
      if (point.is0()) out.publicKey = "is the point at infinity, which is no public key";
    } catch (error) {
      out.publicKey = `is not a BLS12-381 G1 point (${(error as Error).message})`;
    }
  }
  const sig = hexBytes(proofOfPossession, SIGNATURE_LENGTH, "BLS12-381 G2 signature");
  if (typeof sig === "string") out.proofOfPossession = sig;
  else {
    try {
      bls12_381.G2.Point.fromBytes(sig);
    } catch (error) {
      out.proofOfPossession = `is not a BLS12-381 G2 point (${(error as Error).message})`;
    }
  }
  if (out.publicKey === undefined && out.proofOfPossession === undefined) {
    if (!verifies(key as Uint8Array, sig as Uint8Array)) {
      out.proofOfPossession =
        `does not verify for signer.publicKey (DST ${POP_DST}); sign the public key again with the staker's BLS key (its signer.key)`;
    }
  }
  return out;
}
