/**
 * @module
 * Tests of lib/devnet/identity.ts: a generated identity is in the form
 * avalanchego writes (PEM PKCS#8 P-256 key, self-signed certificate with
 * its validity and extensions, a 32-byte BLS key), its NodeID is
 * `node_id.ts`'s, and its proof of possession verifies. The BLS vector is
 * avalanchego v1.13.5's own local network: `staking/local/signer1.key` (the
 * 32 ASCII bytes "AvalancheLocalNetworkValidator01") and the `signer` of
 * `NodeID-7Xhw2mDxuDS44j42TCB6U5579esbSt3Lg` in `genesis/genesis_local.json`.
 * Proofs are checked with `network/bls.ts`, the genesis checker's own.
 */

import "reflect-metadata";
import assert from "node:assert/strict";
import * as x509 from "@peculiar/x509";
import { blsSigner, newNodeIdentity, nodeFacts } from "../../lib/devnet/identity.ts";
import { checkSigner } from "../../lib/network/bls.ts";

/** Whether a proof of possession verifies, by `run`'s genesis checker. */
const verifyProofOfPossession = (publicKey: string, pop: string) =>
  Object.keys(checkSigner(publicKey, pop)).length === 0;
import { nodeIdFromCertificate } from "../../lib/node/node_id.ts";

const SIGNER1 = new TextEncoder().encode("AvalancheLocalNetworkValidator01");
const SIGNER1_PUBLIC_KEY =
  "0x900c9b119b5c82d781d4b49be78c3fc7ae65f2b435b7ed9e3a8b9a03e475edff86d8a64827fec8db23a6f236afbf127d";
const SIGNER1_POP =
  "0x8bfd6d4d2086b2b8115d8f72f94095fefe5a6c07876b2accf51a811adf520f389e74a3d2152a6d90b521e2be58ffe468043dc5ea68b4c44410eb67f8dc24f13ed4f194000764c0e922cd254a3588a4962b1cb4db7de4bb9cda9d9d4d6b03f3d2";

Deno.test("blsSigner gives avalanchego's local signer1 its genesis public key and proof of possession", () => {
  assert.deepEqual(blsSigner(SIGNER1), {
    publicKey: SIGNER1_PUBLIC_KEY,
    proofOfPossession: SIGNER1_POP,
  });
  assert.equal(verifyProofOfPossession(SIGNER1_PUBLIC_KEY, SIGNER1_POP), true);
});

Deno.test("verifyProofOfPossession refuses a proof of another key, a tampered one and garbage", async (t) => {
  const other = blsSigner((await newNodeIdentity()).signerKey);
  const tampered = SIGNER1_POP.slice(0, -2) + (SIGNER1_POP.endsWith("2") ? "3" : "2");
  const cases: [string, string, string][] = [
    ["another key's proof", SIGNER1_PUBLIC_KEY, other.proofOfPossession],
    ["the key of another proof", other.publicKey, SIGNER1_POP],
    ["a tampered proof", SIGNER1_PUBLIC_KEY, tampered],
    ["not hex", SIGNER1_PUBLIC_KEY, "0xzz"],
    ["empty", "", ""],
  ];
  for (const [name, pk, pop] of cases) {
    await t.step(name, () => assert.equal(verifyProofOfPossession(pk, pop), false));
  }
});

Deno.test("blsSigner refuses a key that is not 32 bytes", () => {
  assert.throws(() => blsSigner(new Uint8Array(31)), /32 bytes, got 31/);
});

Deno.test("newNodeIdentity writes the staking key and certificate avalanchego writes", async (t) => {
  const now = new Date(Date.UTC(2026, 5, 1));
  const id = await newNodeIdentity(now);
  const cert = new x509.X509Certificate(id.stakerCert);

  await t.step("PEM blocks as avalanchego's staking.NewCertAndKeyBytes encodes them", () => {
    assert.match(
      id.stakerCert,
      /^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n$/,
    );
    assert.match(
      id.stakerKey,
      /^-----BEGIN PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+-----END PRIVATE KEY-----\n$/,
    );
    // avalanchego's staking.ParseCertificate refuses certificates over 2 KiB.
    assert.ok(cert.rawData.byteLength <= 2048, `${cert.rawData.byteLength} bytes`);
  });

  await t.step("ECDSA P-256, self-signed, empty names", async () => {
    assert.deepEqual(cert.publicKey.algorithm, { name: "ECDSA", namedCurve: "P-256" });
    assert.equal(cert.subject, "");
    assert.equal(cert.issuer, "");
    assert.equal(await cert.verify({ signatureOnly: true }), true);
    assert.equal(cert.signatureAlgorithm.name, "ECDSA");
    assert.deepEqual((cert.signatureAlgorithm as EcdsaParams).hash, { name: "SHA-256" });
  });

  await t.step("valid from 1999-12-31 for 100 years from now", () => {
    assert.equal(cert.notBefore.toISOString(), "1999-12-31T00:00:00.000Z");
    assert.equal(cert.notAfter.toISOString(), "2126-06-01T00:00:00.000Z");
  });

  await t.step("key usage digitalSignature and basic constraints (not a CA), both critical", () => {
    const usage = cert.getExtension(x509.KeyUsagesExtension)!;
    assert.equal(usage.usages, x509.KeyUsageFlags.digitalSignature);
    assert.equal(usage.critical, true);
    const basic = cert.getExtension(x509.BasicConstraintsExtension)!;
    assert.equal(basic.ca, false);
    assert.equal(basic.critical, true);
    assert.equal(cert.extensions.length, 2);
  });

  await t.step("the PKCS#8 key is the certificate's key", async () => {
    const der = x509.PemConverter.decodeFirst(id.stakerKey);
    const key = await crypto.subtle.importKey(
      "pkcs8",
      der,
      { name: "ECDSA", namedCurve: "P-256" },
      true,
      ["sign"],
    );
    const data = new TextEncoder().encode("staking handshake");
    const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, data);
    const pub = await cert.publicKey.export({ name: "ECDSA", namedCurve: "P-256" }, ["verify"]);
    assert.equal(
      await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, pub, signature, data),
      true,
    );
  });

  await t.step("the signer key is 32 bytes and its proof of possession verifies", () => {
    assert.equal(id.signerKey.length, 32);
    const facts = nodeFacts(id);
    assert.match(facts.blsPublicKey, /^0x[0-9a-f]{96}$/);
    assert.match(facts.proofOfPossession, /^0x[0-9a-f]{192}$/);
    assert.equal(verifyProofOfPossession(facts.blsPublicKey, facts.proofOfPossession), true);
  });

  await t.step("its NodeID is node_id.ts's, from the PEM and from the DER", () => {
    const facts = nodeFacts(id);
    assert.equal(facts.nodeId, nodeIdFromCertificate(id.stakerCert));
    assert.equal(facts.nodeId, nodeIdFromCertificate(new Uint8Array(cert.rawData)));
    assert.match(facts.nodeId, /^NodeID-[1-9A-HJ-NP-Za-km-z]{30,34}$/);
  });
});

Deno.test("newNodeIdentity makes a different identity each time; nodeFacts of one is stable", async () => {
  const [a, b] = await Promise.all([newNodeIdentity(), newNodeIdentity()]);
  assert.notEqual(nodeFacts(a).nodeId, nodeFacts(b).nodeId);
  assert.notEqual(nodeFacts(a).blsPublicKey, nodeFacts(b).blsPublicKey);
  assert.deepEqual(nodeFacts(a), nodeFacts({ ...a }));
});
