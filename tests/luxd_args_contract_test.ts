/**
 * Contract test: the argv parsd builds must be one luxd 1.22.18 accepts.
 * Checked against luxd's own flag specification, which parsd did not write.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO } from "./helpers.ts";
import { resolveSettings } from "../lib/config.ts";
import { layout } from "../lib/layout.ts";
import { buildLuxdArgs } from "../lib/luxd_args.ts";
import { decodeChainConfigContent } from "../lib/chain_config.ts";

interface FlagSpec {
  key: string;
  type: string;
  constraints?: { enum?: string[] };
}

const SPEC_PATH = join(REPO, "..", "shared", "luxd", "flags-spec-1.22.18.json");
const spec = new Map(
  (JSON.parse(Deno.readTextFileSync(SPEC_PATH)).flags as FlagSpec[]).map((f) => [f.key, f]),
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

function checkArgv(argv: string[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const token of argv) {
    const m = /^--([^=]+)(?:=(.*))?$/s.exec(token);
    if (!m) {
      problems.push(`'${token}' is not in --key=value form`);
      continue;
    }
    const f = spec.get(m[1]!);
    if (!f) {
      problems.push(`--${m[1]} is not a luxd 1.22.18 flag (luxd: couldn't configure flags)`);
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

Deno.test("luxd flag spec is present and complete", () => {
  assert.equal(spec.size, 217);
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
      const argv = buildLuxdArgs(s, layout(s.dataDir), staking, passthrough);
      assert.deepEqual(checkArgv(argv), []);
    });
  }
});

Deno.test("checkArgv() catches what luxd would reject (the contract test can fail)", () => {
  assert.equal(checkArgv(["--warp-api-enabled=true"]).length, 1);
  assert.equal(checkArgv(["--track-all-chains=all"]).length, 1);
  assert.equal(checkArgv(["--http-port=x"]).length, 1);
  assert.equal(checkArgv(['--chain-config-content={"C":{}}']).length, 1);
  assert.equal(checkArgv(["--log-level=loud"]).length, 1);
  assert.equal(checkArgv(["--network-id=1", "--network-id=2"]).length, 1);
});
