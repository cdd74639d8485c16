/**
 * Tests for lib/network/genesis.ts: each single mutation of avalanchego's
 * local genesis produces exactly its one problem line.
 */
import assert from "node:assert/strict";
import { getAddress } from "viem/utils";
import { checkGenesis } from "../../lib/network/genesis.ts";
import { cb58Encode } from "../../lib/node/cb58.ts";
import {
  addressOf,
  type Json,
  local,
  LOCAL_OPTS,
  NOW,
  raw,
  reencode,
  text,
} from "./genesis_kit.ts";

const STAKER0_KEY = local().initialStakers[0].signer.publicKey as string;
const STAKER1_POP = local().initialStakers[1].signer.proofOfPossession as string;
const ETH = local().allocations[0].ethAddr as string;
const badEip55 = (() => {
  // The right checksum with the case of one letter flipped.
  const good = getAddress(ETH);
  const i = [...good].findIndex((c, k) => k > 1 && /[a-f]/i.test(c));
  const c = good[i]!;
  return good.slice(0, i) + (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()) +
    good.slice(i + 1);
})();
const fund = local().initialStakedFunds[0] as string;
const lastSwapped = (s: string) => s.slice(0, -1) + (s.endsWith("q") ? "p" : "q");

/** One mutation of the local genesis and the one problem it must produce. */
const MUTATIONS: [string, (g: Json) => void, RegExp | string][] = [
  [
    "networkID of another network",
    (g) => (g.networkID = 1234),
    "networkID: 1234, but luxd runs with network ID 12345; set networkID to 12345, or run parsd with --network-id 1234",
  ],
  [
    "networkID missing",
    (g) => delete g.networkID,
    "networkID: missing; set it to 12345, the network ID parsd runs luxd with",
  ],
  [
    "networkID as a string",
    (g) => (g.networkID = "12345"),
    'networkID: must be a whole number from 0 to 4294967295, got "12345"',
  ],
  [
    "networkID above uint32",
    (g) => (g.networkID = raw("4294967296")),
    "networkID: must be a whole number from 0 to 4294967295, got 4294967296",
  ],
  [
    "address with a bad checksum",
    (g) => (g.allocations[0].avaxAddr = lastSwapped(g.allocations[0].avaxAddr)),
    /^allocations\[0\]\.avaxAddr: bad bech32 checksum in "X-local1g65uqn6t77p656w64023nh8nd9updzmxyymev[pq]"; derive the address again from its key$/,
  ],
  [
    "address without its chain",
    (g) => (g.allocations[0].avaxAddr = g.allocations[0].avaxAddr.slice(2)),
    'allocations[0].avaxAddr: "local1g65uqn6t77p656w64023nh8nd9updzmxyymev2" has no chain prefix; write it as X-<address> or P-<address>',
  ],
  [
    "address on the C-chain",
    (g) => (g.allocations[0].avaxAddr = "C" + g.allocations[0].avaxAddr.slice(1)),
    /^allocations\[0\]\.avaxAddr: "C-local1.*": chain prefix 'C' is not X or P$/,
  ],
  [
    "address of another network's HRP",
    (g) => (g.allocations[2].avaxAddr = reencode(g.allocations[2].avaxAddr, "fuji")),
    /^allocations\[2\]\.avaxAddr: "X-fuji1.*": HRP 'fuji' does not fit this network, which uses 'local'; a genesis for another network\?$/,
  ],
  [
    "address of 32 bytes",
    (g) => (g.allocations[2].avaxAddr = addressOf(new Uint8Array(32).fill(7))),
    /^allocations\[2\]\.avaxAddr: "X-local1.*" holds 32 bytes; an address holds 20$/,
  ],
  [
    "address with a letter outside bech32",
    (g) => (g.allocations[2].avaxAddr = g.allocations[2].avaxAddr.replace("ur8", "ub8")),
    /^allocations\[2\]\.avaxAddr: "X-local1ub8.*" is not bech32 \(Unknown letter "b"/,
  ],
  [
    "address as a number",
    (g) => (g.allocations[2].avaxAddr = 5),
    "allocations[2].avaxAddr: must be an address such as X-local1…, got 5",
  ],
  [
    "ethAddr with a bad EIP-55 checksum",
    (g) => (g.allocations[0].ethAddr = badEip55),
    `allocations[0].ethAddr: "${badEip55}" has a bad EIP-55 checksum (expected ${
      getAddress(ETH)
    }); write it in all lower case or with its checksum`,
  ],
  [
    "ethAddr too short",
    (g) => (g.allocations[0].ethAddr = "0x1234"),
    'allocations[0].ethAddr: must be 0x and 40 hex digits (20 bytes), got "0x1234"',
  ],
  [
    "ethAddr missing",
    (g) => delete g.allocations[1].ethAddr,
    "allocations[1].ethAddr: missing; the node needs one (0x and 40 hex digits; all zeros if none)",
  ],
  [
    "initialAmount with an exponent",
    (g) => (g.allocations[1].initialAmount = raw("3e17")),
    "allocations[1].initialAmount: must be a whole number from 0 to 18446744073709551615 written in plain digits (no sign, fraction or exponent), got 3e17",
  ],
  [
    "initialAmount negative",
    (g) => (g.allocations[1].initialAmount = -1),
    "allocations[1].initialAmount: must be a whole number from 0 to 18446744073709551615 written in plain digits (no sign, fraction or exponent), got -1",
  ],
  [
    "initialAmount above uint64",
    (g) => (g.allocations[1].initialAmount = raw("18446744073709551616")),
    "allocations[1].initialAmount: must be a whole number from 0 to 18446744073709551615, got 18446744073709551616",
  ],
  [
    "supply overflowing uint64",
    (g) => (g.allocations[1].initialAmount = raw("18446744073709551615")),
    `allocations: the initial supply ${
      18446744073709551615n + 60000000000000000n
    } overflows a uint64 (at most 18446744073709551615); lower the amounts`,
  ],
  [
    "too little locked for the stakers",
    (g) =>
      g.allocations.forEach((a: Json) => a.unlockSchedule.forEach((u: Json) => (u.amount = 1))),
    "allocations: the unlockSchedule amounts add up to 4, less than the 5 initial stakers need (1 each); lock more",
  ],
  [
    "unlockSchedule not a list",
    (g) => (g.allocations[2].unlockSchedule = { amount: 1 }),
    "allocations[2].unlockSchedule: must be a list of {amount, locktime} entries, got an object",
  ],
  [
    "unlock amount as a string",
    (g) => (g.allocations[0].unlockSchedule[0].amount = "10"),
    'allocations[0].unlockSchedule[0].amount: must be a whole number from 0 to 18446744073709551615, got "10"',
  ],
  [
    "allocation not an object",
    (g) => g.allocations.push("X-local1"),
    'allocations[3]: must be an allocation (a JSON object), got "X-local1"',
  ],
  [
    "no staked funds",
    (g) => (g.initialStakedFunds = []),
    "initialStakedFunds: empty; the node needs the address(es) whose locked allocations the initial stakers stake",
  ],
  [
    "a staked address twice",
    (g) => g.initialStakedFunds.push(fund),
    "initialStakedFunds[1]: the same address as initialStakedFunds[0]; list it once",
  ],
  [
    "a staked address without allocation",
    (g) => (g.initialStakedFunds = [addressOf(new Uint8Array(20).fill(1))]),
    /^initialStakedFunds\[0\]: "X-local1.*" has no allocation; stake an address that the allocations fund$/,
  ],
  [
    "no stakers",
    (g) => (g.initialStakers = []),
    "initialStakers: empty; the node needs at least one initial staker",
  ],
  [
    "nodeID with a bad checksum",
    (g) => (g.initialStakers[2].nodeID = lastSwapped(g.initialStakers[2].nodeID)),
    /^initialStakers\[2\]\.nodeID: bad cb58 checksum in "NodeID-NFBbbJ4qCmNaCzeW7sxErhvWqvEQMnYc[pq]"; copy the NodeID again/,
  ],
  [
    "nodeID without its prefix",
    (g) => (g.initialStakers[2].nodeID = g.initialStakers[2].nodeID.slice(7)),
    'initialStakers[2].nodeID: must be NodeID-<cb58>, got "NFBbbJ4qCmNaCzeW7sxErhvWqvEQMnYcN"',
  ],
  [
    "nodeID of 32 bytes",
    (g) => (g.initialStakers[2].nodeID = "NodeID-" + cb58Encode(new Uint8Array(32))),
    /^initialStakers\[2\]\.nodeID: "NodeID-1+.*" holds 32 bytes; a NodeID holds 20$/,
  ],
  [
    "nodeID not base58",
    (g) => (g.initialStakers[2].nodeID = "NodeID-0OIl"),
    `initialStakers[2].nodeID: "NodeID-0OIl" is not base58 after 'NodeID-'`,
  ],
  [
    "the same nodeID twice",
    (g) => (g.initialStakers[3].nodeID = g.initialStakers[0].nodeID),
    "initialStakers[3].nodeID: the same as initialStakers[0]'s; give each staker its own node",
  ],
  [
    "rewardAddress with a bad checksum",
    (g) => (g.initialStakers[4].rewardAddress = lastSwapped(g.initialStakers[4].rewardAddress)),
    /^initialStakers\[4\]\.rewardAddress: bad bech32 checksum in /,
  ],
  [
    "delegationFee above 100%",
    (g) => (g.initialStakers[0].delegationFee = 1000001),
    "initialStakers[0].delegationFee: 1000001 is above 1000000 (100%); the fee is in millionths: 20000 is 2%",
  ],
  [
    "delegationFee above uint32",
    (g) => (g.initialStakers[0].delegationFee = raw("4294967296")),
    "initialStakers[0].delegationFee: must be a whole number from 0 to 4294967295, got 4294967296",
  ],
  [
    "publicKey without 0x",
    (g) => (g.initialStakers[0].signer.publicKey = STAKER0_KEY.slice(2)),
    /^initialStakers\[0\]\.signer\.publicKey: must be 0x-prefixed hex of a 48-byte compressed BLS12-381 G1 public key, got "900c9b/,
  ],
  [
    "publicKey of 47 bytes",
    (g) => (g.initialStakers[0].signer.publicKey = STAKER0_KEY.slice(0, -2)),
    "initialStakers[0].signer.publicKey: holds 47 bytes; must be 0x-prefixed hex of a 48-byte compressed BLS12-381 G1 public key",
  ],
  [
    "publicKey not compressed",
    (g) => (g.initialStakers[0].signer.publicKey = "0x11" + STAKER0_KEY.slice(4)),
    "initialStakers[0].signer.publicKey: is not compressed (its first byte lacks the flag 0x80); must be 0x-prefixed hex of a 48-byte compressed BLS12-381 G1 public key",
  ],
  [
    "publicKey off the curve",
    (g) => (g.initialStakers[0].signer.publicKey = "0xa0" + "11".repeat(47)),
    /^initialStakers\[0\]\.signer\.publicKey: is not a BLS12-381 G1 point \(/,
  ],
  [
    "publicKey at infinity",
    (g) => (g.initialStakers[0].signer.publicKey = "0xc0" + "00".repeat(47)),
    "initialStakers[0].signer.publicKey: is the point at infinity, which is no public key",
  ],
  [
    "another staker's proof",
    (g) => (g.initialStakers[0].signer.proofOfPossession = STAKER1_POP),
    "initialStakers[0].signer.proofOfPossession: does not verify for signer.publicKey (DST BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_); sign the public key again with the staker's BLS key (its signer.key)",
  ],
  [
    "proof of 95 bytes",
    (g) => (g.initialStakers[1].signer.proofOfPossession = STAKER1_POP.slice(0, -2)),
    "initialStakers[1].signer.proofOfPossession: holds 95 bytes; must be 0x-prefixed hex of a 96-byte BLS12-381 G2 signature",
  ],
  [
    "proof not hex",
    (g) => (g.initialStakers[1].signer.proofOfPossession = "0xzz"),
    'initialStakers[1].signer.proofOfPossession: must be 0x-prefixed hex of a 96-byte BLS12-381 G2 signature: "0xzz" is not hex',
  ],
  [
    "signer not an object",
    (g) => (g.initialStakers[1].signer = "0x00"),
    'initialStakers[1].signer: must be {publicKey, proofOfPossession} (a JSON object), got "0x00"',
  ],
  [
    "startTime in the future",
    (g) => (g.startTime = NOW / 1000 + 60),
    `startTime: ${
      NOW / 1000 + 60
    } is in the future; the node refuses a genesis that starts after now (${
      NOW / 1000
    }): set a past Unix time`,
  ],
  [
    "startTime in milliseconds",
    (g) => (g.startTime = 1721016000000),
    `startTime: 1721016000000 is in the future (it looks like milliseconds: give seconds); the node refuses a genesis that starts after now (${
      NOW / 1000
    }): set a past Unix time`,
  ],
  [
    "startTime missing",
    (g) => delete g.startTime,
    "startTime: missing or 0; set it to the network's start, in Unix seconds, not after now",
  ],
  [
    "initialStakeDuration 0",
    (g) => (g.initialStakeDuration = 0),
    "initialStakeDuration: missing or 0; give the initial stakers' staking period in seconds (e.g. 31536000)",
  ],
  [
    "initialStakeDuration above a year",
    (g) => (g.initialStakeDuration = 31536001),
    "initialStakeDuration: 31536001 s is longer than the node's --max-stake-duration (8760h = 31536000 s); shorten it",
  ],
  [
    "offsets longer than the duration",
    (g) => (g.initialStakeDurationOffset = 8000000),
    "initialStakeDurationOffset: 8000000 s × 4 (stakers after the first) = 32000000 s exceeds initialStakeDuration 31536000 s; lower the offset or lengthen the duration",
  ],
  [
    "cChainGenesis empty",
    (g) => (g.cChainGenesis = ""),
    "cChainGenesis: empty; the node needs the C-chain's EVM genesis as a JSON string (e.g. the text of cchain-genesis.json)",
  ],
  [
    "cChainGenesis as an object",
    (g) => (g.cChainGenesis = JSON.parse(g.cChainGenesis)),
    "cChainGenesis: must be a string holding the C-chain's genesis JSON, got an object; put the JSON text in a string",
  ],
  [
    "cChainGenesis not JSON",
    (g) => (g.cChainGenesis = "{"),
    /^cChainGenesis: not JSON \(.*\); it must hold the C-chain's EVM genesis$/,
  ],
  [
    "cChainGenesis without config",
    (g) => (g.cChainGenesis = '{"alloc":{}}'),
    "cChainGenesis: config: must be the EVM chain config (an object with chainId), got nothing",
  ],
  [
    "chainId as a string",
    (g) => (g.cChainGenesis = g.cChainGenesis.replace('"chainId":43112', '"chainId":"43112"')),
    `cChainGenesis: config.chainId: must be a whole number from 1 to ${Number.MAX_SAFE_INTEGER}, got "43112"`,
  ],
  ["message not a string", (g) => (g.message = 5), "message: must be a string, got 5"],
];

Deno.test("each single mutation of the good genesis produces exactly its one problem line", async (t) => {
  for (const [name, mutate, expected] of MUTATIONS) {
    await t.step(name, () => {
      const g = local();
      mutate(g);
      const { problems, summary } = checkGenesis(text(g), LOCAL_OPTS);
      assert.equal(problems.length, 1, `${name}:\n${problems.join("\n")}`);
      if (typeof expected === "string") assert.equal(problems[0], expected);
      else assert.match(problems[0]!, expected);
      assert.equal(summary, undefined);
    });
  }
});
