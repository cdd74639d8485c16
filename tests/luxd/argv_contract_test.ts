/**
 * Contract test: the argv parsd builds must be one the luxd it runs
 * accepts. Checked against data parsd did not write (see
 * `tests/fixtures/luxd/PROVENANCE.md`): luxd 1.22.18's own flag
 * specification, and the `--help` text of the real luxd 1.13.4.
 */
import assert from "node:assert/strict";
import { resolveSettings } from "../../lib/cli/config.ts";
import { layout } from "../../lib/data_dir/layout.ts";
import { buildLuxdArgs } from "../../lib/luxd/argv.ts";
import { type LuxdDecisions, tracksAllChains } from "../../lib/luxd/flags.ts";
import type { StakingFiles } from "../../lib/data_dir/staking.ts";
import type { Settings } from "../../lib/settings.ts";
import {
  chainEntries,
  decodeChainConfigContent,
  encodeChainConfigContent,
} from "../../lib/node/chain_config.ts";

/** What parsd decides for a luxd with these flags, as `start/plan.ts` decides it. */
interface Extra {
  fdLimit?: number;
  chainConfigDir?: string;
}

/** luxd's argv as parsd builds it for a luxd that has exactly the flags `has` names. */
function argvFor(
  s: Settings,
  staking: StakingFiles,
  passthrough: readonly string[],
  has: (flag: string) => boolean = () => true,
  extra: Extra = {},
): string[] {
  const decisions: LuxdDecisions = {
    has,
    trackAllChains: tracksAllChains(s.trackAllChains, [...s.luxdArgs, ...passthrough], has),
    chainConfig: extra.chainConfigDir !== undefined
      ? { dir: extra.chainConfigDir }
      : { content: encodeChainConfigContent(chainEntries(s)) },
    ...(extra.fdLimit !== undefined ? { fdLimit: extra.fdLimit } : {}),
  };
  return buildLuxdArgs({ settings: s, layout: layout(s.dataDir), staking, decisions }, passthrough);
}
import { parseLuxdHelp } from "../../lib/luxd/help_text.ts";

interface FlagSpec {
  key: string;
  type: string;
  default?: unknown;
  constraints?: { enum?: string[] };
}

const fixture = (name: string) =>
  Deno.readTextFileSync(new URL(`../fixtures/luxd/${name}`, import.meta.url));

const specDoc = JSON.parse(fixture("flags-spec-1.22.18.json")) as {
  node_version: string;
  flags: FlagSpec[];
};
const spec: ReadonlyMap<string, FlagSpec> = new Map(specDoc.flags.map((f) => [f.key, f]));

/** luxd 1.13.4's flags, as its `--help` lists them (one `      --name type` line each). */
const HELP_1_13_4 = fixture("luxd-1.13.4-help.txt");
const help1134: ReadonlyMap<string, FlagSpec> = new Map(
  [...parseLuxdHelp(HELP_1_13_4)].map(([key, f]) => [key, { key, type: f.type }]),
);

const GO_DURATION = /^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+$|^0$/;

/** Checks a value the way luxd's pflag/viper would parse it; returns a problem or undefined. */
function parses(f: FlagSpec, value: string | undefined): string | undefined {
  if (value === undefined) return f.type === "bool" ? undefined : `--${f.key} needs a value`;
  switch (f.type) {
    case "bool":
      return /^(1|0|t|f|T|F|true|false|TRUE|FALSE|True|False)$/.test(value)
        ? undefined
        : "not a bool";
    case "uint":
    case "uint64":
      return /^\d+$/.test(value) && BigInt(value) < 2n ** 64n ? undefined : "not a uint";
    case "int":
      return /^[-+]?\d+$/.test(value) ? undefined : "not an int";
    case "float64":
      return Number.isFinite(Number(value)) ? undefined : "not a float";
    case "duration":
      return GO_DURATION.test(value) ? undefined : "not a duration";
    case "string":
      if (f.constraints?.enum && !f.constraints.enum.includes(value)) {
        return `not one of ${f.constraints.enum}`;
      }
      if (f.key.endsWith("-content")) {
        try {
          decodeChainConfigContent(value);
        } catch (e) {
          return `content: ${(e as Error).message}`;
        }
      }
      return undefined;
    default:
      return undefined;
  }
}

function checkArgv(
  argv: string[],
  flags: ReadonlyMap<string, FlagSpec> = spec,
  luxd = "luxd 1.22.18",
): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const token of argv) {
    const m = /^--([^=]+)(?:=(.*))?$/s.exec(token);
    if (!m) {
      problems.push(`'${token}' is not in --key=value form`);
      continue;
    }
    const f = flags.get(m[1]!);
    if (!f) {
      problems.push(`--${m[1]} is not a ${luxd} flag (luxd: couldn't configure flags)`);
      continue;
    }
    if (seen.has(f.key)) problems.push(`--${f.key} given twice`);
    seen.add(f.key);
    const p = parses(f, m[2]);
    if (p) problems.push(`--${f.key}=${m[2]}: ${p}`);
  }
  return problems;
}

const facts = (flags: Record<string, string> = {}) => ({
  flags,
  env: () => undefined,
  home: "/home/v",
  cwd: "/",
});
const none = { tlsKey: false, tlsCert: false, signerKey: false };
const all = { tlsKey: true, tlsCert: true, signerKey: true };

Deno.test("luxd 1.22.18's flag spec holds its 217 flags with their types", () => {
  assert.equal(specDoc.node_version, "1.22.18");
  assert.equal(specDoc.flags.length, 217);
  assert.equal(spec.size, 217, "no flag is listed twice");
  const types: [string, string][] = [
    ["network-id", "string"],
    ["data-dir", "string"],
    ["plugin-dir", "string"],
    ["db-dir", "string"],
    ["http-port", "uint"],
    ["staking-port", "uint"],
    ["staking-tls-key-file", "string"],
    ["staking-tls-cert-file", "string"],
    ["staking-signer-key-file", "string"],
    ["track-all-chains", "bool"],
    ["track-chains", "string"],
    ["fd-limit", "uint64"],
    ["chain-config-content", "string"],
    ["chain-config-dir", "string"],
    ["log-level", "string"],
  ];
  for (const [key, type] of types) assert.equal(spec.get(key)?.type, type, key);
  assert.equal(spec.get("fd-limit")?.default, 32768);
  assert.ok(spec.get("log-level")?.constraints?.enum?.includes("info"));
});

Deno.test("luxd 1.13.4's help lists the flags parsd relies on, and lacks --track-all-chains", () => {
  assert.equal(help1134.size, HELP_1_13_4.split("\n").filter((l) => /^ {6}--/.test(l)).length);
  assert.equal(help1134.size, 206);
  const types: [string, string][] = [
    ["network-id", "string"],
    ["data-dir", "string"],
    ["plugin-dir", "string"],
    ["db-dir", "string"],
    ["http-port", "uint"],
    ["staking-port", "uint"],
    ["fd-limit", "uint"],
    ["chain-config-content", "string"],
    ["chain-config-dir", "string"],
    ["track-subnets", "string"],
  ];
  for (const [key, type] of types) assert.equal(help1134.get(key)?.type, type, key);
  assert.equal(help1134.has("track-all-chains"), false);
  assert.equal(help1134.has("track-chains"), false);
});

Deno.test("buildLuxdArgs() output is accepted by luxd 1.22.18's flag spec", async (t) => {
  const cases: [string, Record<string, string>, string | undefined, typeof none, string[]][] = [
    ["defaults", {}, undefined, none, []],
    [
      "testnet, custom ports, staking files present",
      { "network-id": "testnet", "http-port": "19660", "staking-port": "19659" },
      undefined,
      all,
      [],
    ],
    [
      "devnet with a grace and verify mode",
      { "network-id": "devnet", "shutdown-grace": "5s", verify: "full" },
      undefined,
      none,
      [],
    ],
    [
      "config.json chains, precompiles, luxd-args, no track-all",
      {},
      JSON.stringify({
        "track-all-chains": false,
        "luxd-args": ["--log-level=debug", "--http-host=127.0.0.1"],
        chains: {
          evm: {
            id: "2XyzChainID",
            config: { "eth-apis": ["eth"] },
            upgrade: { precompileUpgrades: [] },
          },
          sessionvm: { id: "session", config: { retention: "24h" } },
        },
        "evm-keys": { warp: "warp-api-enabled", precompiles: "parsPrecompiles" },
        precompiles: { fhe: null, "ml-dsa-65": "0x0601" },
      }),
      none,
      ["--dev", "--network-health-min-conn-peers=0"],
    ],
  ];
  for (const [name, flags, file, staking, passthrough] of cases) {
    await t.step(name, () => {
      const s = resolveSettings(facts(flags), file);
      const argv = argvFor(s, staking, passthrough);
      assert.deepEqual(checkArgv(argv), []);
    });
  }
  await t.step("with --fd-limit and --chain-config-dir", () => {
    const s = resolveSettings(facts(), undefined);
    const l = layout(s.dataDir);
    const argv = argvFor(s, all, [], (f) => spec.has(f), {
      fdLimit: 20000,
      chainConfigDir: l.chainConfigDir,
    });
    assert.deepEqual(checkArgv(argv), []);
  });
});

Deno.test("buildLuxdArgs() output for luxd 1.13.4 uses only flags its --help lists", async (t) => {
  const has = (f: string) => help1134.has(f);
  const cases: [string, Record<string, string>, typeof none, string[], Extra][] = [
    ["defaults", {}, none, [], {}],
    [
      "testnet, custom ports, staking files present",
      { "network-id": "testnet", "http-port": "19660", "staking-port": "19659" },
      all,
      [],
      {},
    ],
    ["an fd limit below luxd's default", {}, none, [], { fdLimit: 20000 }],
    ["chain config as files", {}, none, [], { chainConfigDir: "/home/v/.pars/configs/chains" }],
    ["pass-through flags of this luxd", {}, none, ["--track-subnets=abc", "--log-level=debug"], {}],
  ];
  for (const [name, flags, staking, passthrough, extra] of cases) {
    await t.step(name, () => {
      const s = resolveSettings(facts(flags), undefined);
      const argv = argvFor(s, staking, passthrough, has, extra);
      assert.ok(!argv.some((a) => a.startsWith("--track-all-chains")));
      assert.deepEqual(checkArgv(argv, help1134, "luxd 1.13.4"), []);
    });
  }
  await t.step("the full dialect's argv would not be (the check can fail)", () => {
    const s = resolveSettings(facts(), undefined);
    assert.deepEqual(checkArgv(argvFor(s, none, []), help1134, "1.13.4"), [
      "--track-all-chains is not a 1.13.4 flag (luxd: couldn't configure flags)",
    ]);
  });
});

Deno.test("checkArgv() catches what luxd would reject (the contract test can fail)", () => {
  assert.equal(checkArgv(["--warp-api-enabled=true"]).length, 1);
  assert.equal(checkArgv(["--track-all-chains=all"]).length, 1);
  assert.equal(checkArgv(["--http-port=x"]).length, 1);
  assert.equal(checkArgv(['--chain-config-content={"C":{}}']).length, 1);
  assert.equal(checkArgv(["--log-level=loud"]).length, 1);
  assert.equal(checkArgv(["--network-id=1", "--network-id=2"]).length, 1);
});
