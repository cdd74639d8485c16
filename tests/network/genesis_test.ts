/**
 * Tests for lib/network/genesis.ts: the published Pars genesis refused with
 * every bad address and proof, avalanchego's own local genesis accepted
 * (mutations of it: genesis_mutations_test.ts).
 */
import assert from "node:assert/strict";
import { checkGenesis, genesisDialect, genesisError } from "../../lib/network/genesis.ts";
import { ConfigError } from "../../lib/errors.ts";
import { join } from "../../lib/os/path.ts";
import {
  LOCAL,
  local,
  LOCAL_OPTS,
  NOW,
  PARS,
  PARS_CCHAIN,
  PARS_OPTS,
  raw,
  read,
  reencode,
  text,
} from "./genesis_kit.ts";

Deno.test("the published Pars genesis is refused: all 15 bad addresses and all 5 bad proofs", () => {
  const { problems, summary } = checkGenesis(PARS, PARS_OPTS);
  assert.equal(summary, undefined);
  const badAddresses = problems.filter((p) =>
    /^(allocations\[\d\]\.luxAddr|initialStakers\[\d\]\.rewardAddress): bad bech32 checksum in "[XP]-pars1/
      .test(p)
  );
  assert.equal(badAddresses.length, 15);
  assert.equal(badAddresses.filter((p) => p.startsWith("allocations")).length, 10);
  const badProofs = problems.filter((p) =>
    /^initialStakers\[\d\]\.signer\.proofOfPossession: does not verify for signer\.publicKey \(DST BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_\)/
      .test(p)
  );
  assert.equal(badProofs.length, 5);
  // The NodeIDs, public keys and eth addresses are good; the rest is what the node also refuses.
  assert.deepEqual(problems.filter((p) => !badAddresses.includes(p) && !badProofs.includes(p)), [
    "initialStakedFunds: empty; the node needs the address(es) whose locked allocations the initial stakers stake",
    "cChainGenesis: empty; the node needs the C-chain's EVM genesis as a JSON string (e.g. the text of cchain-genesis.json)",
  ]);
  assert.equal(
    problems[0],
    'allocations[0].luxAddr: bad bech32 checksum in "X-pars1qsrd262r5w9dswv2wwzj0un79ncpwvdghk4r2y"; derive the address again from its key',
  );
});

Deno.test("the Pars genesis with its C-chain genesis filled in is refused for its addresses and proofs alone", () => {
  const g = JSON.parse(PARS);
  g.cChainGenesis = PARS_CCHAIN;
  g.initialStakedFunds = [g.allocations[0].luxAddr];
  const { problems } = checkGenesis(JSON.stringify(g), PARS_OPTS);
  // The staked address is one of the bad ones, so it is reported too: 16 addresses.
  assert.equal(problems.length, 16 + 5);
  assert.ok(
    problems.every((p) => /bad bech32 checksum|does not verify/.test(p)),
    problems.join("\n"),
  );
});

Deno.test("the Pars genesis read by avalanchego: luxAddr is named as luxd's key for each allocation", () => {
  const { problems } = checkGenesis(PARS, { ...PARS_OPTS, dialect: "avalanchego" });
  const renames = problems.filter((p) =>
    /^allocations\[\d\]\.avaxAddr: missing, but the allocation has luxAddr, luxd's name for it; avalanchego reads avaxAddr: rename the key$/
      .test(p)
  );
  assert.equal(renames.length, 10);
  assert.equal(problems.filter((p) => p.includes("does not verify")).length, 5);
});

Deno.test("avalanchego 1.13.5's local genesis passes in the avalanchego dialect for network 12345", () => {
  assert.deepEqual(checkGenesis(LOCAL, LOCAL_OPTS), {
    problems: [],
    summary: {
      networkId: 12345,
      stakers: 5,
      cChainId: 43112,
      totalAllocation: "360000000000000000",
    },
  });
});

Deno.test("avalanchego's local genesis read by luxd: each avaxAddr is named, to be renamed luxAddr", () => {
  const { problems } = checkGenesis(LOCAL, { ...LOCAL_OPTS, dialect: "luxd" });
  assert.deepEqual(
    problems,
    [0, 1, 2].map((i) =>
      `allocations[${i}].luxAddr: missing, but the allocation has avaxAddr, avalanchego's name for it; luxd reads luxAddr: rename the key`
    ),
  );
});

Deno.test("a genesis for a Pars network ID may use the HRP pars or custom, and no other", async (t) => {
  for (
    const [hrp, ok] of [["pars", true], ["custom", true], ["local", false], ["lux", false]] as const
  ) {
    await t.step(`${hrp}: ${ok ? "accepted" : "refused"}`, () => {
      const g = local();
      g.networkID = 7071;
      for (const a of g.allocations) {
        a.luxAddr = reencode(a.avaxAddr, hrp);
        delete a.avaxAddr;
      }
      for (const s of g.initialStakers) s.rewardAddress = reencode(s.rewardAddress, hrp);
      g.initialStakedFunds = g.initialStakedFunds.map((f: string) => reencode(f, hrp));
      const { problems } = checkGenesis(text(g), { ...PARS_OPTS, networkId: 7071 });
      if (ok) assert.deepEqual(problems, []);
      else {
        assert.equal(problems.length, 3 + 5 + 1, problems.join("\n"));
        assert.ok(
          problems.every((p) =>
            p.includes(`HRP '${hrp}' does not fit this network, which uses 'custom' or 'pars'`)
          ),
        );
      }
    });
  }
});

Deno.test("the sum of every amount is exact beyond 2^53", () => {
  const g = local();
  g.allocations[1].initialAmount = raw("9007199254740993");
  const { summary } = checkGenesis(text(g), LOCAL_OPTS);
  assert.equal(
    summary?.totalAllocation,
    String(360000000000000000n - 300000000000000000n + 9007199254740993n),
  );
});

Deno.test("a genesis that is not one JSON object is one problem", async (t) => {
  for (
    const [input, expected] of [
      ["[1]", "must be one JSON object, got a list"],
      ["7", "must be one JSON object, got 7"],
      ["{", /^not JSON \(.*\); a genesis is one JSON object$/],
      ["", /^not JSON /],
    ] as const
  ) {
    await t.step(JSON.stringify(input), () => {
      const { problems } = checkGenesis(input, LOCAL_OPTS);
      assert.equal(problems.length, 1);
      if (typeof expected === "string") assert.equal(problems[0], expected);
      else assert.match(problems[0]!, expected);
    });
  }
});

Deno.test("a genesis with nothing in it lists everything the node needs at once", () => {
  assert.deepEqual(checkGenesis("{}", LOCAL_OPTS).problems.map((p) => p.split(":")[0]), [
    "networkID",
    "initialStakers",
    "initialStakedFunds",
    "allocations",
    "startTime",
    "initialStakeDuration",
    "cChainGenesis",
  ]);
});

Deno.test("the clock is the default for the future check", () => {
  const g = local();
  g.startTime = Math.floor(Date.now() / 1000) + 3600;
  const { now: _, ...withoutNow } = LOCAL_OPTS;
  assert.match(
    checkGenesis(text(g), withoutNow).problems.join("\n"),
    /^startTime: \d+ is in the future/,
  );
});

Deno.test("genesisDialect() tells avalanchego from luxd by the version string", async (t) => {
  const version = (name: string) => read("luxd", name).trim();
  for (
    const [input, expected] of [
      [version("luxd-1.13.4-version.txt"), "luxd"],
      [version("luxd-1.22.18-version.txt"), "luxd"],
      ["node/1.13.4", "luxd"],
      ["avalanchego/1.13.5 [database=v1.4.5, rpcchainvm=43, go=1.24.6]", "avalanchego"],
      ["avalanchego/1.13.5", "avalanchego"],
      ["", "luxd"],
    ] as const
  ) {
    await t.step(input || "(empty)", () => assert.equal(genesisDialect(input), expected));
  }
});

Deno.test("genesisError() is a ConfigError (exit 78) with one '<file>: <problem>' line each", () => {
  const e = genesisError("/g.json", ["networkID: missing", "startTime: missing"]);
  assert.ok(e instanceof ConfigError);
  assert.equal(e.exitCode, 78);
  assert.deepEqual(e.problems, ["/g.json: networkID: missing", "/g.json: startTime: missing"]);
});

const GO_GENESIS = join(
  Deno.env.get("HOME") ?? "/",
  "go/pkg/mod/github.com/ava-labs/avalanchego@v1.13.5/genesis",
);
const hasGoGenesis = (() => {
  try {
    return Deno.statSync(join(GO_GENESIS, "genesis_mainnet.json")).isFile;
  } catch {
    return false;
  }
})();

Deno.test({
  name: "avalanchego 1.13.5's mainnet and fuji genesis pass (needs the Go module cache)",
  ignore: !hasGoGenesis,
  fn() {
    for (
      const [file, networkId, stakers, chainId] of [
        ["genesis_mainnet.json", 1, 75, 43114],
        ["genesis_fuji.json", 5, 20, 43113],
      ] as const
    ) {
      const input = Deno.readTextFileSync(join(GO_GENESIS, file));
      const { problems, summary } = checkGenesis(input, {
        networkId,
        dialect: "avalanchego",
        now: NOW,
      });
      assert.deepEqual(problems, [], file);
      assert.equal(summary?.stakers, stakers);
      assert.equal(summary?.cChainId, chainId);
    }
  },
});
