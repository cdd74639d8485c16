/** lib/sha256.ts against node:crypto and the FIPS 180-4 vectors. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { sha256 } from "../lib/sha256.ts";

const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
const enc = (s: string) => new TextEncoder().encode(s);

Deno.test("sha256() matches the FIPS 180-4 examples", () => {
  assert.equal(
    hex(sha256(enc("abc"))),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert.equal(
    hex(sha256(enc(""))),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
  assert.equal(
    hex(sha256(enc("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  );
});

Deno.test("sha256() equals node:crypto at every length across block boundaries", () => {
  for (let n = 0; n < 300; n++) {
    const bytes = new Uint8Array(n).map((_, i) => (i * 31 + n) & 0xff);
    assert.equal(hex(sha256(bytes)), createHash("sha256").update(bytes).digest("hex"), `n=${n}`);
  }
});
