/**
 * @module
 * A devnet node's identity, in the files luxd (and avalanchego) write for
 * themselves: a staking TLS key and self-signed certificate (ECDSA P-256,
 * PEM `PRIVATE KEY` in PKCS#8 and `CERTIFICATE`, as avalanchego's
 * `staking.NewCertAndKeyBytes` makes them), whose NodeID is
 * {@linkcode nodeIdFromCertificate}'s; and a BLS12-381 signer key (the 32
 * big-endian bytes of the secret scalar, as `localsigner.ToBytes` writes
 * `signer.key`), whose public key and proof of possession go into the
 * genesis. Curves and certificates come from @noble/curves, WebCrypto and
 * @peculiar/x509; nothing here touches files.
 */

import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { bls12_381 } from "@noble/curves/bls12-381.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { nodeIdFromCertificate } from "../node/node_id.ts";
import { POP_DST } from "../network/bls.ts";

/** The three staking files of one node, as they are written to `<data-dir>/staking/`. */
export interface NodeIdentity {
  /** `staker.key`: PEM `PRIVATE KEY` (PKCS#8, ECDSA P-256). */
  readonly stakerKey: string;
  /** `staker.crt`: PEM `CERTIFICATE`, self-signed by that key. */
  readonly stakerCert: string;
  /** `signer.key`: the BLS secret key, 32 bytes big-endian. */
  readonly signerKey: Uint8Array;
}

/** What the genesis and the devnet's table say of a node: derived from its identity. */
export interface NodeFacts {
  readonly nodeId: string;
  /** The compressed BLS public key (48 bytes), `0x` hex. */
  readonly blsPublicKey: string;
  /** The BLS proof of possession (a 96-byte signature of the public key), `0x` hex. */
  readonly proofOfPossession: string;
}

const bls = bls12_381.longSignatures;
const ECDSA_P256 = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
/** avalanchego's `NotBefore`: `time.Date(2000, time.January, 0, …)`, i.e. 1999-12-31. */
const NOT_BEFORE = new Date(Date.UTC(1999, 11, 31));
const CERT_YEARS = 100;

/**
 * Makes a fresh node identity.
 *
 * The certificate is avalanchego's: empty subject and issuer, valid from
 * 1999-12-31 for 100 years from now, key usage digitalSignature and basic
 * constraints (not a CA), both critical, signed with ECDSA-SHA256. Its serial
 * number is 1 (avalanchego's is 0, which @peculiar/x509 replaces with a random
 * one; no node reads it).
 */
export async function newNodeIdentity(now: Date = new Date()): Promise<NodeIdentity> {
  const keys = await crypto.subtle.generateKey(ECDSA_P256, true, ["sign", "verify"]);
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + CERT_YEARS);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: "",
    notBefore: NOT_BEFORE,
    notAfter,
    signingAlgorithm: ECDSA_P256,
    keys,
    extensions: [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.BasicConstraintsExtension(false, undefined, true),
    ],
  });
  const pkcs8 = await crypto.subtle.exportKey("pkcs8", keys.privateKey);
  return {
    stakerKey: x509.PemConverter.encode(pkcs8, "PRIVATE KEY") + "\n",
    stakerCert: cert.toString("pem") + "\n",
    signerKey: bls.keygen().secretKey,
  };
}

/**
 * The NodeID, BLS public key and proof of possession of an identity.
 *
 * @throws {CertificateError} when the certificate is not one; {@linkcode Error}
 *   when the signer key is not a valid BLS secret key.
 */
export function nodeFacts(identity: Pick<NodeIdentity, "stakerCert" | "signerKey">): NodeFacts {
  const { publicKey, proofOfPossession } = blsSigner(identity.signerKey);
  return {
    nodeId: nodeIdFromCertificate(identity.stakerCert),
    blsPublicKey: publicKey,
    proofOfPossession,
  };
}

/**
 * A BLS signer key's compressed public key and proof of possession (the key
 * signing its own compressed public key under the proof-of-possession DST
 * of `network/bls.ts`, which checks it), both
 * `0x` hex, as a genesis `signer` holds them.
 *
 * @throws {Error} when the key is not 32 bytes or not a valid scalar.
 */
export function blsSigner(signerKey: Uint8Array): { publicKey: string; proofOfPossession: string } {
  if (signerKey.length !== 32) {
    throw new Error(`a BLS signer key is 32 bytes, got ${signerKey.length}`);
  }
  const publicKey = bls.getPublicKey(signerKey).toBytes(true);
  const pop = bls.sign(bls.hash(publicKey, POP_DST), signerKey);
  return {
    publicKey: "0x" + bytesToHex(publicKey),
    proofOfPossession: "0x" + bls.Signature.toHex(pop),
  };
}
