/**
 * Tests for lib/cb58.ts: base58 against Bitcoin's published test vectors,
 * cb58 against VMIDs luxd and avalanchego use, round trips, and rejection
 * of bad text and bad checksums.
 */
import assert from "node:assert/strict";
import { base58Decode, base58Encode, cb58Decode, cb58Encode } from "../../lib/node/cb58.ts";

const hex = (h: string) => new Uint8Array((h.match(/../g) ?? []).map((b) => parseInt(b, 16)));
const toHex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");

// Bitcoin Core's src/test/data/base58_encode_decode.json.
const BASE58_VECTORS: [string, string][] = [
  ["", ""],
  ["61", "2g"],
  ["626262", "a3gV"],
  ["636363", "aPEr"],
  ["73696d706c792061206c6f6e6720737472696e67", "2cFupjhnEsSn59qHXstmK2ffpLv2"],
  ["00eb15231dfceb60925886b67d065299925915aeb172c06647", "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L"],
  ["516b6fcd0f", "ABnLTmg"],
  ["bf4f89001e670274dd", "3SEo3LWLoPntC"],
  ["572e4794", "3EFU7m"],
  ["ecac89cad93923c02321", "EJDM8drfXA6uyA"],
  ["10c8511e", "Rt5zm"],
  ["00000000000000000000", "1111111111"],
];

Deno.test("base58Encode() and base58Decode() match Bitcoin's vectors", async (t) => {
  for (const [h, text] of BASE58_VECTORS) {
    await t.step(`${h || "(empty)"} ↔ ${text || "(empty)"}`, () => {
      assert.equal(base58Encode(hex(h)), text);
      assert.equal(toHex(base58Decode(text)!), h);
    });
  }
});

Deno.test("base58 keeps leading zero bytes as leading '1's", () => {
  const cases: [number[], string][] = [
    [[0], "1"],
    [[0, 0, 0], "111"],
    [[0, 0, 1], "112"],
    [[0, 57], "1z"],
    [[0, 58], "121"],
  ];
  for (const [bytes, text] of cases) {
    assert.equal(base58Encode(new Uint8Array(bytes)), text);
    assert.deepEqual([...base58Decode(text)!], bytes);
  }
});

Deno.test("base58Decode() refuses characters outside the alphabet", () => {
  for (const text of ["0", "O", "I", "l", "abc0", "a b", "+", "ö"]) {
    assert.equal(base58Decode(text), undefined, text);
  }
  for (const ch of ["0", "O", "I", "l"]) assert.equal(base58Decode(`1${ch}2`), undefined, ch);
});

Deno.test("cb58 encodes IDs as luxd does", async (t) => {
  const padded = (name: string) => {
    const out = new Uint8Array(32);
    out.set(new TextEncoder().encode(name));
    return out;
  };
  const cases: [string, Uint8Array, string][] = [
    ["Subnet-EVM's VMID", padded("subnetevm"), "srEXiWaHuhNyGwPUi444Tu47ZEDwxTWrbQiuD7FmgSAQ6X7Dy"],
    ["SessionVM's VMID", padded("sessionvm"), "speKUgLBX6WRD5cfGeEfLa43LxTXUBckvtv4td6F3eTXvRP48"],
    ["the empty ID (32 zero bytes)", new Uint8Array(32), "11111111111111111111111111111111LpoYY"],
    ["no bytes: just the checksum", new Uint8Array(0), "45PJLL"],
  ];
  for (const [what, bytes, text] of cases) {
    await t.step(what, () => {
      assert.equal(cb58Encode(bytes), text);
      assert.deepEqual(cb58Decode(text), bytes);
    });
  }
});

Deno.test("cb58 round-trips any bytes, leading zeros included", () => {
  const samples = [
    new Uint8Array([0]),
    new Uint8Array([0, 0, 255]),
    new Uint8Array([255, 255, 255, 255]),
    crypto.getRandomValues(new Uint8Array(20)),
    crypto.getRandomValues(new Uint8Array(32)),
    new Uint8Array([0, 0, ...crypto.getRandomValues(new Uint8Array(30))]),
  ];
  for (const bytes of samples) assert.deepEqual(cb58Decode(cb58Encode(bytes)), bytes);
});

Deno.test("cb58Decode() refuses a bad checksum, bad characters and short text", async (t) => {
  const good = "speKUgLBX6WRD5cfGeEfLa43LxTXUBckvtv4td6F3eTXvRP48";
  await t.step("one character changed", () => {
    assert.equal(cb58Decode(good.slice(0, -1) + (good.endsWith("8") ? "9" : "8")), undefined);
    assert.equal(cb58Decode("t" + good.slice(1)), undefined);
  });
  await t.step("a checksum byte flipped", () => {
    const full = base58Decode(good)!;
    full[full.length - 1]! ^= 1;
    assert.equal(cb58Decode(base58Encode(full)), undefined);
  });
  await t.step("plain base58 without a checksum", () => {
    assert.equal(cb58Decode(base58Encode(new TextEncoder().encode("sessionvm"))), undefined);
  });
  await t.step("a character outside the alphabet", () => {
    assert.equal(cb58Decode(good.replace("K", "0")), undefined);
  });
  await t.step("fewer than 4 bytes", () => {
    for (const text of ["", "1", "2g", "a3gV"]) assert.equal(cb58Decode(text), undefined, text);
  });
});
