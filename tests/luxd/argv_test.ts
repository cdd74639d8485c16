import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { resolveSettings } from "../../lib/cli/config.ts";
import { layout } from "../../lib/data_dir/layout.ts";
import { buildLuxdArgs } from "../../lib/luxd/argv.ts";
import type { StakingFiles } from "../../lib/data_dir/staking.ts";
import type { Settings } from "../../lib/settings.ts";
import {
  chainEntries,
  decodeChainConfigContent,
  encodeChainConfigContent,
} from "../../lib/node/chain_config.ts";

/** The decisions `start/plan.ts` makes, given here by hand. */
interface Decided {
  trackAllChains?: boolean;
  fdLimit?: number;
  chainConfigDir?: string;
}

/** luxd's argv for these settings, staking files, pass-through flags and decisions. */
function argvOf(
  s: Settings,
  staking: StakingFiles,
  passthrough: readonly string[],
  d: Decided = {},
): string[] {
  const decisions = {
    has: () => true,
    trackAllChains: d.trackAllChains ?? s.trackAllChains,
    chainConfig: d.chainConfigDir !== undefined
      ? { dir: d.chainConfigDir }
      : { content: encodeChainConfigContent(chainEntries(s)) },
    ...(d.fdLimit !== undefined ? { fdLimit: d.fdLimit } : {}),
  };
  return buildLuxdArgs({ settings: s, layout: layout(s.dataDir), staking, decisions }, passthrough);
}

const facts = (flags: Record<string, string> = {}) => ({
  flags,
  env: () => undefined,
  home: "/h",
  cwd: "/",
});
const none = { tlsKey: false, tlsCert: false, signerKey: false };

function content(argv: string[]): string {
  const token = argv.find((a) => a.startsWith("--chain-config-content="));
  assert.ok(token, "no --chain-config-content");
  return token.slice("--chain-config-content=".length);
}

Deno.test("buildLuxdArgs() sets Pars defaults in luxd's real flags", () => {
  const s = resolveSettings(facts(), undefined);
  const argv = argvOf(s, none, []);
  assert.deepEqual(argv.slice(0, 7), [
    "--network-id=7070",
    "--data-dir=/h/.pars",
    "--plugin-dir=/h/.pars/plugins",
    "--db-dir=/h/.pars/db",
    "--http-port=9660",
    "--staking-port=9659",
    "--track-all-chains=true",
  ]);
  assert.equal(argv.length, 8);
  assert.ok(!argv.some((a) => a.startsWith("--warp-api-enabled")));
});

Deno.test("buildLuxdArgs() encodes chain config as base64 of base64 Config/Upgrade", () => {
  const s = resolveSettings(
    facts(),
    JSON.stringify({ chains: { sessionvm: { id: "S", config: { a: 1 }, upgrade: { b: 2 } } } }),
  );
  const value = content(argvOf(s, none, []));
  const outer = JSON.parse(Buffer.from(value, "base64").toString("utf8"));
  assert.deepEqual(Object.keys(outer).sort(), ["C", "S"]);
  assert.deepEqual(Object.keys(outer.C), ["Config"]);
  const evm = JSON.parse(Buffer.from(outer.C.Config, "base64").toString("utf8"));
  assert.equal(evm["warp-api-enabled"], true);
  assert.deepEqual(evm.pqPrecompiles, {
    "ml-dsa-65": "0x0601",
    "ml-kem-768": "0x0603",
    "bls12-381": "0x0B00",
    "ringtail": "0x0700",
    "fhe": "0x0800",
  });
  assert.deepEqual(JSON.parse(Buffer.from(outer.S.Upgrade, "base64").toString("utf8")), { b: 2 });
  assert.deepEqual(decodeChainConfigContent(value)["S"], { config: { a: 1 }, upgrade: { b: 2 } });
});

Deno.test("buildLuxdArgs() honours config.json key names, warp switch and user keys", () => {
  const s = resolveSettings(
    facts(),
    JSON.stringify({
      "warp-api": false,
      "evm-keys": { warp: "warpEnabled", precompiles: "pq" },
      precompiles: { fhe: null, extra: "0x0900" },
      chains: { evm: { config: { "log-level": "info" } } },
    }),
  );
  const cfg = decodeChainConfigContent(content(argvOf(s, none, [])))["C"]!.config;
  assert.equal(cfg["warpEnabled"], false);
  assert.equal(cfg["log-level"], "info");
  assert.equal((cfg["pq"] as Record<string, string>)["extra"], "0x0900");
  assert.equal((cfg["pq"] as Record<string, string>)["fhe"], undefined);
});

Deno.test("buildLuxdArgs() names staking files only when they exist", () => {
  const s = resolveSettings(facts(), undefined);
  const argv = argvOf(s, {
    tlsKey: true,
    tlsCert: true,
    signerKey: false,
  }, []);
  assert.ok(argv.includes("--staking-tls-key-file=/h/.pars/staking/staker.key"));
  assert.ok(argv.includes("--staking-tls-cert-file=/h/.pars/staking/staker.crt"));
  assert.ok(!argv.some((a) => a.startsWith("--staking-signer-key-file")));
});

Deno.test("buildLuxdArgs() appends luxd-args then pass-through in order", () => {
  const s = resolveSettings(facts(), JSON.stringify({ "luxd-args": ["--log-level=info"] }));
  const argv = argvOf(s, none, ["--track-chains=abc", "--dev"], { trackAllChains: false });
  assert.deepEqual(argv.slice(-3), ["--log-level=info", "--track-chains=abc", "--dev"]);
  assert.ok(!argv.includes("--track-all-chains=true"));
});

Deno.test("buildLuxdArgs() renders parsd's decisions about the luxd at hand", async (t) => {
  const s = resolveSettings(facts(), undefined);
  const l = layout(s.dataDir);
  const withDecisions = (d: Decided) => argvOf(s, none, ["--dev"], d);
  const managed = [
    "--network-id=7070",
    "--data-dir=/h/.pars",
    "--plugin-dir=/h/.pars/plugins",
    "--db-dir=/h/.pars/db",
    "--http-port=9660",
    "--staking-port=9659",
  ];
  await t.step("no --track-all-chains when parsd decided against it", () => {
    const argv = withDecisions({ trackAllChains: false });
    assert.deepEqual(argv.slice(0, 6), managed);
    assert.ok(!argv.some((a) => a.startsWith("--track-all-chains")));
    assert.equal(argv.length, 8);
    assert.equal(argv.at(-1), "--dev");
  });
  await t.step("--fd-limit=N when parsd decided to pass one", () => {
    const argv = withDecisions({ fdLimit: 20000 });
    assert.deepEqual(argv.slice(6, 8), ["--track-all-chains=true", "--fd-limit=20000"]);
    assert.equal(argv.filter((a) => a.startsWith("--fd-limit")).length, 1);
    assert.ok(!withDecisions({}).some((a) => a.startsWith("--fd-limit")));
  });
  await t.step("--chain-config-dir instead of the content when the config goes to files", () => {
    const argv = withDecisions({ chainConfigDir: l.chainConfigDir });
    assert.ok(argv.includes("--chain-config-dir=/h/.pars/configs/chains"));
    assert.ok(!argv.some((a) => a.startsWith("--chain-config-content")));
    assert.equal(argv.length, 9);
  });
  await t.step("all at once, in order", () => {
    const argv = withDecisions({ trackAllChains: false, fdLimit: 4096, chainConfigDir: "/c" });
    assert.deepEqual(argv, [...managed, "--fd-limit=4096", "--chain-config-dir=/c", "--dev"]);
  });
});
