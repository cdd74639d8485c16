/**
 * @module
 * Tests of lib/devnet/node_config.ts: what each node's `parsd run` is
 * given. Its config.json, read back by `run`'s own settings resolution,
 * gives the node the settings `devnet up` resolved, the other nodes as
 * bootstrappers and the devnet's luxd flags; its command line holds its
 * place on the network.
 */

import assert from "node:assert/strict";
import { resolveSettings } from "../../lib/cli/config.ts";
import {
  DEVNET_LUXD_ARGS,
  nodeConfig,
  nodeConfigText,
  nodeFlags,
  nodeRunArgs,
} from "../../lib/devnet/node_config.ts";
import type { Settings } from "../../lib/settings.ts";
import { STATE } from "./kit.ts";

const facts = (flags: Record<string, string | boolean>) => ({
  flags,
  env: () => undefined,
  home: "/home/u",
  cwd: "/work",
});

/** `devnet up`'s settings, as the user's config.json and flags made them. */
const UP: Settings = resolveSettings(
  facts({ luxd: "/opt/luxd", "allow-vm-failure": "evm", "shutdown-grace": "20s" }),
  JSON.stringify({
    "luxd-sha256": "a".repeat(64),
    plugins: {
      evm: { path: "/opt/evm", sha256: "b".repeat(64) },
      sessionvm: { sha256: "c".repeat(64) },
    },
    "luxd-args": ["--log-level=debug"],
    chains: { evm: { config: { "eth-apis": ["eth"] } } },
    precompiles: { "fhe": null, "ml-dsa-65": "0x0701" },
    "warp-api": false,
  }),
);

Deno.test("a node's config.json gives its parsd run the settings devnet up resolved", () => {
  const flags = nodeFlags(STATE, 1, { dataDir: "/d/node-2", genesis: "/d/genesis.json" }, false);
  const s = resolveSettings(facts(flags), nodeConfigText(UP, STATE, 1));
  assert.equal(s.dataDir, "/d/node-2");
  assert.equal(s.configPath, "/d/node-2/config.json");
  assert.equal(s.networkId, 7072);
  assert.equal(s.httpPort, 21002);
  assert.equal(s.stakingPort, 21003);
  assert.equal(s.genesis, "/d/genesis.json");
  for (
    const key of [
      "luxd",
      "luxdSha256",
      "plugins",
      "chains",
      "precompiles",
      "evmKeys",
      "warpApi",
      "allowVmFailure",
      "shutdownGraceMs",
      "verify",
      "trackAllChains",
    ] as const
  ) {
    assert.deepEqual(s[key], UP[key], key);
  }
  assert.deepEqual(s.luxdArgs, ["--log-level=debug", ...DEVNET_LUXD_ARGS]);
  assert.deepEqual(s.bootstrapNodes.map((b) => `${b.nodeId}@${b.host}:${b.port}`), [
    `${STATE.nodes[0]!.nodeId}@127.0.0.1:21001`,
    `${STATE.nodes[2]!.nodeId}@127.0.0.1:21005`,
  ]);
});

Deno.test("the devnet's luxd flags: loopback, sybil protection on, health every 2 s", () => {
  assert.deepEqual(nodeConfig(UP, STATE, 0)["luxd-args"], [
    "--log-level=debug",
    "--public-ip=127.0.0.1",
    "--staking-host=127.0.0.1",
    "--sybil-protection-enabled=true",
    "--health-check-frequency=2s",
  ]);
});

Deno.test("a node's command line: its place on the network, and --trust-unpinned only when given", () => {
  const place = { dataDir: "/d/node-1", genesis: "/d/genesis.json" };
  assert.deepEqual(nodeRunArgs(nodeFlags(STATE, 0, place, false)), [
    "run",
    "--data-dir",
    "/d/node-1",
    "--config",
    "/d/node-1/config.json",
    "--network-id",
    "7072",
    "--http-port",
    "21000",
    "--staking-port",
    "21001",
    "--genesis",
    "/d/genesis.json",
  ]);
  assert.equal(nodeRunArgs(nodeFlags(STATE, 0, place, true)).at(-1), "--trust-unpinned");
  assert.equal("genesis" in nodeFlags(STATE, 0, { dataDir: "/d/node-1" }, false), false);
});
