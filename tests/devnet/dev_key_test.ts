/**
 * @module
 * Tests of lib/devnet/dev_key.ts against avalanchego v1.13.5's own local
 * network key: `genesis/genesis_local.go` says
 * `PrivateKey-ewoqjP7PxY4yr3iLTpLisriqt94hdyDFNgchSxGGztUrTXtNN =>
 * X-local18jma8ppw3nhx5r4ap8clazz0dps7rv5u00z96u`, and `genesis_local.json`'s
 * C-chain genesis funds that key's EVM address
 * `8db97C7cEcE249c2b98bDC0226Cc4C2A57BF52FC`.
 */

import assert from "node:assert/strict";
import { bech32 } from "@scure/base";
import {
  avalancheKeyText,
  chainAddress,
  keyAddresses,
  keyFileText,
  newSecretKey,
  parseKeyFile,
} from "../../lib/devnet/dev_key.ts";
import { cb58Decode } from "../../lib/node/cb58.ts";

const EWOQ = cb58Decode("ewoqjP7PxY4yr3iLTpLisriqt94hdyDFNgchSxGGztUrTXtNN")!;

Deno.test("keyAddresses gives avalanchego's ewoq key its X, P and C addresses", () => {
  assert.deepEqual(keyAddresses(EWOQ, "local"), {
    shortId: "3cb7d3842e8cee6a0ebd09f1fe884f6861e1b29c",
    x: "X-local18jma8ppw3nhx5r4ap8clazz0dps7rv5u00z96u",
    p: "P-local18jma8ppw3nhx5r4ap8clazz0dps7rv5u00z96u",
    c: "0x8db97C7cEcE249c2b98bDC0226Cc4C2A57BF52FC",
  });
  assert.equal(
    avalancheKeyText(EWOQ),
    "PrivateKey-ewoqjP7PxY4yr3iLTpLisriqt94hdyDFNgchSxGGztUrTXtNN",
  );
});

Deno.test("chainAddress is bech32 of the short ID under the HRP, with the chain in front", async (t) => {
  const id = new Uint8Array(20).map((_, i) => i * 13);
  for (const [chain, hrp] of [["X", "custom"], ["P", "custom"], ["X", "pars"]] as const) {
    await t.step(`${chain} ${hrp}`, () => {
      const address = chainAddress(chain, hrp, id);
      assert.ok(address.startsWith(`${chain}-${hrp}1`), address);
      const decoded = bech32.decode(address.slice(2) as `${string}1${string}`);
      assert.equal(decoded.prefix, hrp);
      assert.deepEqual(bech32.fromWords(decoded.words), id);
    });
  }
});

Deno.test("the key file holds 0x hex and reads back to the same key", () => {
  const key = newSecretKey();
  const text = keyFileText(key);
  assert.match(text, /^0x[0-9a-f]{64}\n$/);
  assert.deepEqual(parseKeyFile(text), key);
  assert.deepEqual(parseKeyFile(text.slice(2)), key);
});

Deno.test("parseKeyFile says why text is not a key", async (t) => {
  const cases: [string, string, RegExp][] = [
    ["empty", "", /64 hex digits/],
    ["too short", "0x1234", /64 hex digits/],
    ["two keys", `0x${"1".repeat(64)}\n0x${"2".repeat(64)}\n`, /64 hex digits/],
    ["zero", `0x${"0".repeat(64)}`, /not a valid secp256k1 secret key/],
    [
      "the group order",
      "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
      /not a valid/,
    ],
  ];
  for (const [name, text, why] of cases) {
    await t.step(name, () => {
      const got = parseKeyFile(text);
      assert.equal(typeof got, "string");
      assert.match(got as string, why);
    });
  }
});
