/**
 * @module
 * Tests of lib/devnet/genesis.ts and create.ts's in-memory devnet: the
 * genesis is deterministic given its keys, in the node's dialect, funds the
 * development key on X, P and C, makes every node an initial staker with a
 * proof of possession that verifies, carries the Pars C-chain genesis, and
 * passes `run`'s own genesis checker. The expected `pqPrecompiles` are the
 * published Pars C-chain genesis's (`../shared/pars/genesis/cchain-genesis.json`,
 * parsdao/node commit b15deec), written out here.
 */

import assert from "node:assert/strict";
import { bech32 } from "@scure/base";
import {
  AMOUNTS,
  cChainGenesis,
  fullAddress,
  INITIAL_STAKE_SECONDS,
  networkGenesis,
} from "../../lib/devnet/genesis.ts";
import { devnetFromKeys, type DevnetSpec, START_TIME_LAG_S } from "../../lib/devnet/create.ts";
import { newNodeIdentity } from "../../lib/devnet/identity.ts";
import { checkSigner } from "../../lib/network/bls.ts";
import { newSecretKey } from "../../lib/devnet/dev_key.ts";
import { nodeIdFromCertificate } from "../../lib/node/node_id.ts";
import { PRECOMPILES } from "../../lib/network/pars.ts";
import { checkGenesis } from "../../lib/network/genesis.ts";

const PUBLISHED_PQ_PRECOMPILES = {
  mldsaAddress: "0x0000000000000000000000000000000000000601",
  mlkemAddress: "0x0000000000000000000000000000000000000603",
  blsAddress: "0x0000000000000000000000000000000000000B00",
  ringtailAddress: "0x0000000000000000000000000000000000000700",
  fheAddress: "0x0000000000000000000000000000000000000800",
};

const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);

const spec = (dialect: "luxd" | "avalanchego", nodes = 3): DevnetSpec => ({
  networkId: 7072,
  chainId: 7072,
  dialect,
  ports: Array.from({ length: nodes }, (_, i) => ({
    httpPort: 21000 + 2 * i,
    stakingPort: 21001 + 2 * i,
  })),
  precompiles: PRECOMPILES,
  now: NOW,
});

const keys = async (nodes = 3) => ({
  devKey: newSecretKey(),
  stakeKey: newSecretKey(),
  identities: await Promise.all(Array.from({ length: nodes }, () => newNodeIdentity())),
});

type Genesis = {
  networkID: number;
  allocations: Record<string, unknown>[];
  startTime: number;
  initialStakeDuration: number;
  initialStakedFunds: string[];
  initialStakers: {
    nodeID: string;
    rewardAddress: string;
    weight?: number;
    signer: { publicKey: string; proofOfPossession: string };
  }[];
  cChainGenesis: string;
};

Deno.test("the genesis is deterministic given its keys", async () => {
  const k = await keys();
  const a = devnetFromKeys(spec("avalanchego"), k);
  const b = devnetFromKeys(spec("avalanchego"), k);
  assert.equal(a.genesis, b.genesis);
  assert.deepEqual(a.state, b.state);
  const other = devnetFromKeys(spec("avalanchego"), { ...k, devKey: newSecretKey() });
  assert.notEqual(other.genesis, a.genesis);
});

Deno.test("the genesis speaks the node's dialect: avaxAddr for avalanchego, luxAddr and weight for luxd", async () => {
  const k = await keys();
  const ava = JSON.parse(devnetFromKeys(spec("avalanchego"), k).genesis) as Genesis;
  const lux = JSON.parse(devnetFromKeys(spec("luxd"), k).genesis) as Genesis;
  for (const a of ava.allocations) assert.ok("avaxAddr" in a && !("luxAddr" in a));
  for (const a of lux.allocations) assert.ok("luxAddr" in a && !("avaxAddr" in a));
  for (const s of ava.initialStakers) assert.equal(s.weight, undefined);
  for (const s of lux.initialStakers) assert.equal(s.weight, AMOUNTS.stake);
});

Deno.test("the genesis funds the development key and stakes every node with a valid proof", async (t) => {
  const k = await keys();
  const m = devnetFromKeys(spec("avalanchego"), k);
  const g = JSON.parse(m.genesis) as Genesis;

  await t.step("network, start time shortly in the past, one year of stake", () => {
    assert.equal(g.networkID, 7072);
    assert.equal(g.startTime, NOW / 1000 - START_TIME_LAG_S);
    assert.equal(g.initialStakeDuration, INITIAL_STAKE_SECONDS);
  });

  await t.step("the development key has X funds and unlocked P funds", () => {
    assert.deepEqual(g.allocations[0], {
      ethAddr: m.state.dev.c,
      avaxAddr: m.state.dev.x,
      initialAmount: AMOUNTS.x,
      unlockSchedule: [{ amount: AMOUNTS.p, locktime: 0 }],
    });
  });

  await t.step("a second key owns the stake: one share per node", () => {
    const stake = g.allocations[1]!;
    assert.equal(stake.initialAmount, 0);
    assert.deepEqual(stake.unlockSchedule, [{ amount: 3 * AMOUNTS.stake, locktime: 0 }]);
    assert.deepEqual(g.initialStakedFunds, [stake.avaxAddr]);
    assert.notEqual(stake.avaxAddr, m.state.dev.x);
  });

  await t.step("addresses are bech32 with the network's HRP", () => {
    for (const a of [m.state.dev.x, m.state.dev.p, ...g.initialStakedFunds]) {
      const decoded = bech32.decode(a.slice(2) as `${string}1${string}`);
      assert.equal(decoded.prefix, "custom");
      assert.equal(bech32.fromWords(decoded.words).length, 20);
    }
  });

  await t.step(
    "every node is a staker: its certificate's NodeID, its key, a proof that verifies",
    () => {
      assert.equal(g.initialStakers.length, 3);
      g.initialStakers.forEach((s, i) => {
        assert.equal(s.nodeID, nodeIdFromCertificate(k.identities[i]!.stakerCert));
        assert.equal(s.nodeID, m.state.nodes[i]!.nodeId);
        assert.equal(s.signer.publicKey, m.state.nodes[i]!.blsPublicKey);
        assert.equal(s.rewardAddress, m.state.dev.x);
        assert.deepEqual(checkSigner(s.signer.publicKey, s.signer.proofOfPossession), {});
      });
    },
  );

  await t.step(
    "cChainGenesis: chain ID, the key's balance, Warp and the published PQ table",
    () => {
      const c = JSON.parse(g.cChainGenesis) as {
        config: Record<string, unknown>;
        alloc: Record<string, { balance: string }>;
        timestamp: string;
      };
      assert.equal(c.config.chainId, 7072);
      assert.deepEqual(c.alloc, {
        [m.state.dev.c.slice(2)]: { balance: "0x" + AMOUNTS.cWei.toString(16) },
      });
      assert.equal(BigInt(c.alloc[m.state.dev.c.slice(2)]!.balance), 10n ** 24n);
      assert.equal(c.timestamp, "0x" + g.startTime.toString(16));
      assert.deepEqual(c.config.warpConfig, {
        blockTimestamp: g.startTime,
        quorumNumerator: 67,
        requirePrimaryNetworkSigners: false,
      });
      assert.deepEqual(c.config.pqPrecompiles, PUBLISHED_PQ_PRECOMPILES);
    },
  );
});

Deno.test("run's genesis checker accepts the devnet genesis in both dialects", async (t) => {
  const k = await keys(5);
  for (const dialect of ["avalanchego", "luxd"] as const) {
    await t.step(dialect, () => {
      const m = devnetFromKeys(spec(dialect, 5), k);
      const check = checkGenesis(m.genesis, { networkId: 7072, dialect, now: NOW });
      assert.deepEqual(check.problems, []);
    });
  }
});

Deno.test("cChainGenesis follows a changed precompile table", async () => {
  const k = await keys(1);
  const input = {
    networkId: 7072,
    dialect: "avalanchego" as const,
    startTime: 1,
    chainId: 99,
    dev: (await import("../../lib/devnet/dev_key.ts")).keyAddresses(k.devKey, "custom"),
    stakeOwner: (await import("../../lib/devnet/dev_key.ts")).keyAddresses(k.stakeKey, "custom"),
    stakers: [],
    precompiles: { "ml-dsa-65": "0x0701", "my-vm": "0x0901" },
  };
  const c = cChainGenesis(input) as { config: { chainId: number; pqPrecompiles: unknown } };
  assert.equal(c.config.chainId, 99);
  assert.deepEqual(c.config.pqPrecompiles, {
    mldsaAddress: fullAddress("0x0701"),
    myvmAddress: "0x0000000000000000000000000000000000000901",
  });
  assert.equal((networkGenesis(input) as { initialStakers: unknown[] }).initialStakers.length, 0);
});
