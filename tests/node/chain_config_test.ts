import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { resolveSettings } from "../../lib/cli/config.ts";
import {
  chainEntries,
  decodeChainConfigContent,
  encodeChainConfigContent,
  evmChainConfig,
} from "../../lib/node/chain_config.ts";

const settings = (config: Record<string, unknown> = {}) =>
  resolveSettings(
    { flags: {}, env: () => undefined, home: "/h", cwd: "/" },
    JSON.stringify(config),
  );

Deno.test("decodeChainConfigContent() rejects raw JSON as luxd does", () => {
  assert.throws(() => decodeChainConfigContent('{"C":{}}'), /unable to decode base64/);
  assert.equal(
    decodeChainConfigContent(encodeChainConfigContent({ X: { config: {} } }))["X"]!.config
      .constructor,
    Object,
  );
});

Deno.test("decodeChainConfigContent() rejects fields luxd would drop and bad inner base64", () => {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64");
  assert.throws(
    () => decodeChainConfigContent(b64({ C: { Config: b64({}), Genesis: "" } })),
    /luxd drops fields Genesis/,
  );
  assert.throws(
    () => decodeChainConfigContent(b64({ C: { Config: "{}" } })),
    /C\.Config: unable to decode base64/,
  );
});

Deno.test("encodeChainConfigContent() round-trips through the decoder", () => {
  const entries = { C: { config: { a: 1 } }, S: { config: { b: [2] }, upgrade: { c: true } } };
  assert.deepEqual(decodeChainConfigContent(encodeChainConfigContent(entries)), entries);
});

Deno.test("evmChainConfig() puts the Warp switch and precompiles first; user keys win", () => {
  assert.deepEqual(evmChainConfig(settings()), {
    "warp-api-enabled": true,
    pqPrecompiles: {
      "ml-dsa-65": "0x0601",
      "ml-kem-768": "0x0603",
      "bls12-381": "0x0B00",
      "ringtail": "0x0700",
      "fhe": "0x0800",
    },
  });
  const mine = evmChainConfig(settings({ chains: { evm: { config: { "warp-api-enabled": 0 } } } }));
  assert.equal(mine["warp-api-enabled"], 0);
});

Deno.test("chainEntries() keys both chains by their configured IDs", () => {
  const e = chainEntries(settings({ chains: { sessionvm: { id: "sess", upgrade: { u: 1 } } } }));
  assert.deepEqual(Object.keys(e).sort(), ["C", "sess"]);
  assert.deepEqual(e["sess"], { config: {}, upgrade: { u: 1 } });
  assert.equal(e["C"]!.upgrade, undefined);
});
