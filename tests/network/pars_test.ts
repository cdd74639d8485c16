/**
 * Tests for lib/network.ts: the Pars network IDs, the two VM plugins (their
 * VMIDs derived as luxd derives them), and PIP-7's post-quantum precompile
 * table.
 */
import assert from "node:assert/strict";
import {
  ENGINE_ADDR_ENVS,
  EVM_KEYS,
  EVM_PLUGIN_FD_LIMIT,
  NETWORKS,
  PLUGIN_NAMES,
  PLUGINS,
  PRECOMPILES,
} from "../../lib/network/pars.ts";
import { vmid } from "../../lib/node/vmid.ts";
import { DENO_JSON } from "../helpers.ts";

Deno.test("NETWORKS names the three Pars networks", () => {
  assert.deepEqual({ ...NETWORKS }, { mainnet: 7070, testnet: 7071, devnet: 7072 });
});

Deno.test("PLUGINS describes the EVM and SessionVM plugins", async (t) => {
  await t.step("one entry per plugin name, keyed by its own name", () => {
    assert.deepEqual(Object.keys(PLUGINS), [...PLUGIN_NAMES]);
    for (const name of PLUGIN_NAMES) assert.equal(PLUGINS[name].name, name);
  });
  for (const name of PLUGIN_NAMES) {
    await t.step(`${name}: its VMID is vmid('${PLUGINS[name].vmName}')`, () => {
      assert.equal(PLUGINS[name].vmid, vmid(PLUGINS[name].vmName));
    });
  }
  await t.step("the EVM is Subnet-EVM's well-known VMID", () => {
    assert.equal(PLUGINS.evm.vmid, "srEXiWaHuhNyGwPUi444Tu47ZEDwxTWrbQiuD7FmgSAQ6X7Dy");
    assert.equal(PLUGINS.evm.vmName, "subnetevm");
  });
  await t.step("flags, env vars, binaries and chains", () => {
    assert.deepEqual(
      PLUGIN_NAMES.map((n) => {
        const p = PLUGINS[n];
        return [p.flag, p.env, p.goBinary, p.defaultChain];
      }),
      [
        ["evm-plugin", "PARS_EVM_PLUGIN", "evm", "C"],
        ["sessionvm-plugin", "PARS_SESSIONVM_PLUGIN", "sessionvm", "S"],
      ],
    );
  });
  await t.step("each plugin's env var is in the start task's --allow-env list", () => {
    const allowed = DENO_JSON.permissions["parsd"]!["env"] as string[];
    for (const n of PLUGIN_NAMES) assert.ok(allowed.includes(PLUGINS[n].env), PLUGINS[n].env);
  });
});

Deno.test("ENGINE_ADDR_ENVS names luxd's and avalanchego's engine variables", () => {
  assert.deepEqual([...ENGINE_ADDR_ENVS], [
    "LUX_VM_RUNTIME_ENGINE_ADDR",
    "AVALANCHE_VM_RUNTIME_ENGINE_ADDR",
  ]);
});

Deno.test("PRECOMPILES is PIP-7's table", () => {
  assert.deepEqual({ ...PRECOMPILES }, {
    "ml-dsa-65": "0x0601",
    "ml-kem-768": "0x0603",
    "bls12-381": "0x0B00",
    "ringtail": "0x0700",
    "fhe": "0x0800",
  });
  const addresses = Object.values(PRECOMPILES);
  assert.equal(new Set(addresses.map((a) => a.toLowerCase())).size, addresses.length);
});

Deno.test("EVM constants: config keys and the plugin's own fd limit", () => {
  assert.deepEqual({ ...EVM_KEYS }, { warp: "warp-api-enabled", precompiles: "pqPrecompiles" });
  assert.equal(EVM_PLUGIN_FD_LIMIT, 32768);
});
