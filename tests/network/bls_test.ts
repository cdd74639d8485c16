/**
 * Tests for lib/network/bls.ts: proofs of possession verify over the public
 * key's bytes with the POP domain separation tag, and only with it.
 */
import assert from "node:assert/strict";
import { bls12_381 } from "@noble/curves/bls12-381.js";
import { hex } from "@scure/base";
import { checkSigner, POP_DST } from "../../lib/network/bls.ts";
import { join } from "../../lib/os/path.ts";
import { REPO } from "../helpers.ts";

const LOCAL = JSON.parse(
  Deno.readTextFileSync(join(REPO, "tests", "fixtures", "avalanchego", "genesis_local.json")),
);

Deno.test("checkSigner() accepts all 5 signers of avalanchego's local genesis", () => {
  for (const s of LOCAL.initialStakers) {
    assert.deepEqual(checkSigner(s.signer.publicKey, s.signer.proofOfPossession), {});
  }
});

Deno.test("checkSigner() gives the same answer when asked again (results are remembered)", () => {
  const a = LOCAL.initialStakers[0].signer;
  const b = LOCAL.initialStakers[1].signer;
  for (let i = 0; i < 2; i++) {
    assert.deepEqual(checkSigner(a.publicKey, a.proofOfPossession), {});
    assert.match(
      checkSigner(a.publicKey, b.proofOfPossession).proofOfPossession ?? "",
      /does not verify/,
    );
  }
});

Deno.test("a proof of possession verifies only when signed with the POP DST over the key's bytes", async (t) => {
  const ls = bls12_381.longSignatures;
  const secret = new Uint8Array(32).fill(3);
  const key = ls.getPublicKey(secret).toBytes(true);
  const sign = (message: Uint8Array, dst?: string) =>
    "0x" + hex.encode(ls.sign(ls.hash(message, dst), secret).toBytes(true));
  const pk = "0x" + hex.encode(key);
  for (
    const [name, pop, ok] of [
      ["POP DST over the key", sign(key, POP_DST), true],
      ["the signature suite's NUL DST", sign(key), false],
      ["POP DST over other bytes", sign(new Uint8Array(48), POP_DST), false],
    ] as const
  ) {
    await t.step(name, () => {
      const r = checkSigner(pk, pop);
      assert.equal(r.publicKey, undefined);
      assert.equal(r.proofOfPossession === undefined, ok);
    });
  }
});
