/**
 * Tests for lib/luxd_probe.ts and lib/nearest.ts: parsing luxd's help and
 * version output (the real luxd 1.13.4's, recorded, and 1.22.18's,
 * generated from its flag spec), checking pass-through flags, the
 * fd-limit decision, the probe-cache shape, and probing the luxd stand-in
 * through a real runner in both dialects.
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkLuxdFlags } from "../../lib/luxd/flag_check.ts";
import {
  deserialiseFlagSet,
  type LuxdFlagSet,
  type LuxdFlagType,
  normaliseFlagType,
  parseLuxdHelp,
  serialiseFlagSet,
} from "../../lib/luxd/help_text.ts";
import { fdLimitDecision, fdLimitDefault } from "../../lib/luxd/fd_limit.ts";
import { isGoDuration, luxdValueProblem } from "../../lib/luxd/go_value.ts";
import { missingRequired } from "../../lib/luxd/flags.ts";
import {
  parseLuxdVersion,
  parseLuxdVersionJson,
  parsePluginVersion,
} from "../../lib/luxd/version.ts";
import { probeLuxd, type ProbeRunner } from "../../lib/luxd/probe.ts";
import { boundedOutput } from "../../lib/os/bounded_output.ts";
import { denoSystem } from "../../lib/os/system.ts";
import { withTempDir } from "../helpers.ts";
import { waitGone } from "../processes.ts";
import { editDistance, nearest } from "../../lib/nearest.ts";
import {
  goDuration,
  goFloat,
  renderPflagUsage,
  renderSpecHelp,
  type SpecFlag,
} from "../fixtures/luxd/gen_help.ts";

const TESTS = join(dirname(fileURLToPath(import.meta.url)), "..");
const FIXTURES = join(TESTS, "fixtures", "luxd");
const STANDIN = join(TESTS, "luxd_standin.sh");
const SHARED = join(TESTS, "..", "..", "shared", "luxd");
const read = (name: string) => Deno.readTextFileSync(join(FIXTURES, name));

const HELP_13 = read("luxd-1.13.4-help.txt");
const HELP_22 = read("luxd-1.22.18-help.txt");
const SPEC_TEXT = read("flags-spec-1.22.18.json");
const SPEC = (JSON.parse(SPEC_TEXT) as { flags: SpecFlag[] }).flags;
const FLAGS_13 = parseLuxdHelp(HELP_13);
const FLAGS_22 = parseLuxdHelp(HELP_22);
const DIALECTS: ReadonlyArray<readonly [string, LuxdFlagSet]> = [
  ["1.13.4", FLAGS_13],
  ["1.22.18", FLAGS_22],
];

Deno.test("parseLuxdHelp() reads every flag of the real luxd 1.13.4's help", async (t) => {
  await t.step("206 flags: one per line after 'Usage of node:'", () => {
    const lines = HELP_13.split("\n").filter((l) => l.startsWith("      --"));
    assert.equal(lines.length, 206);
    assert.equal(FLAGS_13.size, 206);
  });
  await t.step("types, normalised from pflag's words", () => {
    const counts: Record<string, number> = {};
    for (const f of FLAGS_13.values()) counts[f.type] = (counts[f.type] ?? 0) + 1;
    assert.deepEqual(counts, {
      bool: 30,
      duration: 47,
      float64: 13,
      int: 10,
      "int-slice": 2,
      string: 57,
      "string-slice": 2,
      "string-to-string": 1,
      uint: 44,
    });
  });
  const cases: Array<[string, Partial<Record<"type" | "word" | "default" | "bareValue", string>>]> =
    [
      ["fd-limit", { type: "uint", word: "uint", default: "32768" }],
      ["dev", { type: "bool", word: "", bareValue: "true" }],
      ["track-subnets", { type: "string", word: "string" }],
      ["chain-config-dir", { type: "string", default: "$LUXD_DATA_DIR/configs/chains" }],
      ["chain-config-content", { type: "string" }],
      ["data-dir", { type: "string", default: "$HOME/.node" }],
      ["plugin-dir", { type: "string", default: "$LUXD_DATA_DIR/plugins" }],
      ["network-id", { type: "string", default: "mainnet" }],
      ["http-port", { type: "uint", default: "9630" }],
      ["http-allowed-hosts", { type: "string-slice", word: "strings", default: "[localhost]" }],
      ["http-allowed-origins", { default: "*" }],
      ["tracing-headers", { type: "string-to-string", word: "stringToString", default: "[]" }],
      ["lp-support", { type: "int-slice", word: "ints" }],
      ["network-timeout-coefficient", { type: "float64", word: "float", default: "2" }],
      ["throttler-inbound-disk-validator-alloc", { default: "1.073741824e+12" }],
      ["benchlist-duration", { type: "duration", default: "15m0s" }],
      ["sybil-protection-enabled", { type: "bool", default: "true" }],
    ];
  for (const [name, want] of cases) {
    await t.step(`--${name}: ${JSON.stringify(want)}`, () => {
      const f = FLAGS_13.get(name);
      assert.ok(f, `--${name} missing`);
      for (const [k, v] of Object.entries(want)) assert.equal(f[k as keyof typeof want], v, k);
    });
  }
  await t.step("no default where pflag prints none (zero values)", () => {
    assert.equal(FLAGS_13.get("chain-config-content")!.default, undefined);
    assert.equal(FLAGS_13.get("api-admin-enabled")!.default, undefined);
    assert.equal(FLAGS_13.get("track-subnets")!.default, undefined);
  });
  await t.step("descriptions lose only the (default …) suffix", () => {
    assert.equal(
      FLAGS_13.get("data-dir")!.description,
      "Sets the base data directory where default sub-directories will be placed unless otherwise specified.",
    );
  });
  await t.step("flags of other dialects are absent", () => {
    for (const name of ["track-all-chains", "track-chains", "net-config-dir", "help", "automine"]) {
      assert.equal(FLAGS_13.has(name), false, name);
    }
  });
});

Deno.test("parseLuxdHelp() reads the 1.22.18 help generated from luxd's flag spec", async (t) => {
  await t.step("217 flags, each the spec's key", () => {
    assert.equal(SPEC.length, 217);
    assert.equal(FLAGS_22.size, 217);
    assert.deepEqual([...FLAGS_22.keys()].sort(), SPEC.map((f) => f.key).sort());
  });
  await t.step("each flag's type is the spec's, as far as pflag's words tell", () => {
    // pflag prints `uint` for uint64 and `float` for float64.
    const seen: Record<string, LuxdFlagType> = { uint64: "uint" };
    for (const f of SPEC) {
      assert.equal(FLAGS_22.get(f.key)!.type, seen[f.type] ?? normaliseFlagType(f.type), f.key);
    }
  });
  await t.step("tracking, dev mode, fd-limit and the chain config flags", () => {
    assert.equal(FLAGS_22.get("track-chains")!.type, "string");
    assert.equal(FLAGS_22.get("track-all-chains")!.type, "bool");
    assert.equal(FLAGS_22.has("track-subnets"), false);
    assert.equal(FLAGS_22.get("dev")!.type, "bool");
    assert.deepEqual(
      { type: FLAGS_22.get("fd-limit")!.type, default: FLAGS_22.get("fd-limit")!.default },
      { type: "uint", default: "32768" },
    );
    assert.equal(FLAGS_22.get("chain-config-dir")!.default, "$LUXD_DATA_DIR/configs/chains");
    assert.equal(FLAGS_22.get("plugin-dir")!.default, "$LUXD_DATA_DIR/plugins/current");
    assert.equal(FLAGS_22.get("data-dir")!.default, "$HOME/.lux");
  });
  await t.step(
    "a description that mentions '(default: …)' keeps it; the real default is split off",
    () => {
      const f = FLAGS_22.get("allow-custom-genesis")!;
      assert.equal(f.default, "true");
      assert.match(f.description, /\(default: true for development, set false for production\)$/);
    },
  );
});

Deno.test("gen_help.ts renders pflag's help format exactly", async (t) => {
  await t.step("re-rendering the real 1.13.4 help's parsed flags gives it byte for byte", () => {
    const entries = [...FLAGS_13].map(([name, f]) => ({
      name,
      word: f.word,
      usage: f.description,
      ...(f.default === undefined ? {} : { defValue: f.default }),
      quote: f.word === "string",
    }));
    assert.equal(renderPflagUsage("node", entries), HELP_13);
  });
  await t.step("the committed luxd-1.22.18-help.txt is what the spec renders to", () => {
    assert.equal(
      renderSpecHelp(SPEC_TEXT),
      HELP_22,
      "stale: run deno run --allow-read --allow-write tests/fixtures/luxd/gen_help.ts",
    );
  });
  await t.step("goDuration() is Go's Duration.String()", () => {
    const cases: Array<[bigint, string]> = [
      [0n, "0s"],
      [1n, "1ns"],
      [1000n, "1µs"],
      [1_500_000n, "1.5ms"],
      [50_000_000n, "50ms"],
      [963_000_000n, "963ms"],
      [22_500_000_000n, "22.5s"],
      [60_000_000_000n, "1m0s"],
      [150_000_000_000n, "2m30s"],
      [3_600_000_000_000n, "1h0m0s"],
      [31_536_000_000_000_000n, "8760h0m0s"],
      [-1_000_000_000n, "-1s"],
    ];
    for (const [ns, want] of cases) assert.equal(goDuration(ns), want, String(ns));
  });
  await t.step("goFloat() is strconv.FormatFloat(x, 'g', -1, 64)", () => {
    const cases: Array<[number, string]> = [
      [0.9, "0.9"],
      [2, "2"],
      [256, "256"],
      [100000, "100000"],
      [1e6, "1e+06"],
      [123456789, "1.23456789e+08"],
      [1073741824000, "1.073741824e+12"],
      [0.0001, "0.0001"],
      [0.00001, "1e-05"],
    ];
    for (const [x, want] of cases) assert.equal(goFloat(x), want, String(x));
  });
});

Deno.test("parseLuxdHelp() handles pflag's other forms", async (t) => {
  const cases: Array<[string, string, Record<string, Record<string, string | undefined>>]> = [
    [
      "a description over several lines continues at the description column",
      'Usage of node:\n      --a string   first line\n                   second line (default "x")\n      --b          b\n',
      { a: { description: "first line\nsecond line", default: "x" }, b: { type: "bool" } },
    ],
    [
      "a shorthand flag",
      "  -v, --verbose   talk more\n",
      { verbose: { type: "bool", description: "talk more" } },
    ],
    [
      "a bool whose bare value is not true",
      "      --quiet[=false]   hush\n",
      { quiet: { type: "bool", bareValue: "false" } },
    ],
    [
      "a string with a bare value",
      '      --mode string[="auto"]   the mode (default "off")\n',
      { mode: { type: "string", bareValue: "auto", default: "off" } },
    ],
    [
      "a Go-quoted default with escapes",
      '      --sep string   separator (default "a\\"b\\tc\\x41\\\\x")\n',
      { sep: { default: 'a"b\tcA\\x' } },
    ],
    [
      "a deprecated flag",
      "      --old int   old thing (default 3) (DEPRECATED: use --new)\n",
      { old: { type: "int", default: "3", deprecated: "use --new", description: "old thing" } },
    ],
    [
      "a description ending in parentheses but no default",
      "      --poa   Enable single node POA mode (no consensus required)\n",
      {
        poa: {
          default: undefined,
          description: "Enable single node POA mode (no consensus required)",
        },
      },
    ],
    [
      "an unknown type word",
      "      --when timestamp   when\n",
      { when: { type: "other", word: "timestamp" } },
    ],
    ["CRLF line ends", "      --x uint   x (default 5)\r\n", { x: { type: "uint", default: "5" } }],
  ];
  for (const [name, text, want] of cases) {
    await t.step(name, () => {
      const flags = parseLuxdHelp(text);
      assert.deepEqual([...flags.keys()], Object.keys(want));
      for (const [flag, fields] of Object.entries(want)) {
        for (const [k, v] of Object.entries(fields)) {
          assert.equal(flags.get(flag)![k as "type"], v, `${flag}.${k}`);
        }
      }
    });
  }
  await t.step("text with no flag lines gives an empty set", () => {
    assert.equal(parseLuxdHelp("").size, 0);
    assert.equal(parseLuxdHelp("usage: something else\n  -x  do x\n").size, 0);
  });
});

Deno.test("parseLuxdVersion() reads luxd's and avalanchego's --version", () => {
  const cases: Array<[string, string, ReturnType<typeof parseLuxdVersion>]> = [
    ["the real luxd 1.13.4", read("luxd-1.13.4-version.txt"), {
      version: "1.13.4",
      rpcchainvm: 43,
      application: "node/1.13.4",
      database: "v1.4.5",
      commit: "8de3a52b1",
      go: "1.26.8",
    }],
    ["avalanchego", "avalanchego/1.13.5 [database=v1.4.5, rpcchainvm=43, go=1.24.6]\n", {
      version: "1.13.5",
      rpcchainvm: 43,
      application: "avalanchego/1.13.5",
      database: "v1.4.5",
      go: "1.24.6",
    }],
    ["a v prefix and a line before it", "starting\nluxd/v1.22.18 [rpcchainvm=44]\n", {
      version: "1.22.18",
      rpcchainvm: 44,
      application: "luxd/v1.22.18",
    }],
    ["no rpcchainvm", "node/1.13.4 [database=v1.4.5]\n", undefined],
    ["no brackets", "node/1.13.4\n", undefined],
    ["nothing", "", undefined],
  ];
  for (const [name, text, want] of cases) assert.deepEqual(parseLuxdVersion(text), want, name);
});

Deno.test("parseLuxdVersionJson() reads --version-json", () => {
  const cases: Array<[string, string, ReturnType<typeof parseLuxdVersionJson>]> = [
    ["the real luxd 1.13.4", read("luxd-1.13.4-version.json"), {
      version: "1.13.4",
      rpcchainvm: 43,
      application: "node/1.13.4",
      database: "v1.4.5",
      commit: "8de3a52b1",
      go: "1.26.8",
    }],
    ["the synthetic 1.22.18", read("luxd-1.22.18-version.json"), {
      version: "1.22.18",
      rpcchainvm: 43,
      application: "node/1.22.18",
      database: "v1.4.5",
      commit: "000000000",
      go: "1.25.5",
    }],
    ["rpcchainvm as a string", '{"application":"avalanchego/1.13.5","rpcchainvm":"43"}', {
      version: "1.13.5",
      rpcchainvm: 43,
      application: "avalanchego/1.13.5",
    }],
    ["no rpcchainvm", '{"application":"node/1.13.4"}', undefined],
    ["no application", '{"rpcchainvm":43}', undefined],
    ["not JSON", "node/1.13.4 [rpcchainvm=43]", undefined],
    ["an array", "[1]", undefined],
  ];
  for (const [name, text, want] of cases) assert.deepEqual(parseLuxdVersionJson(text), want, name);
});

Deno.test("parsePluginVersion() finds a plugin's rpcchainvm", () => {
  const cases: Array<[string, number | undefined]> = [
    ["Subnet-EVM/v0.7.9 [AvalancheGo=v1.13.5, rpcchainvm=43]", 43],
    ["Subnet-EVM/v0.8.1 [Luxd=v1.22.18, rpcchainvm=44]\n", 44],
    ['{"rpcchainvm": 42}', 42],
    ["sessionvm 0.1.0", undefined],
    ["", undefined],
  ];
  for (const [text, want] of cases) assert.equal(parsePluginVersion(text), want, text);
});

Deno.test("luxdValueProblem() accepts exactly what Go's pflag accepts", async (t) => {
  // Recorded on 2026-11-25 by parsing each value with github.com/spf13/pflag
  // v1.0.5 (Go 1.26.8), the flag parser luxd uses.
  const cases: Record<string, { ok: string[]; bad: string[] }> = {
    "bool": {
      ok: ["true", "false", "1", "0", "t", "F", "TRUE", "True"],
      bad: ["tRue", "yes", "on", ""],
    },
    "int": {
      ok: [
        "0",
        "5",
        "-5",
        "+5",
        "0x10",
        "0b101",
        "0o17",
        "010",
        "1_000",
        "9223372036854775807",
        "-9223372036854775808",
        "0x_1",
      ],
      bad: ["08", "1__0", "_1", "1e3", " 5", "", "9223372036854775808", "-9223372036854775809"],
    },
    "uint": {
      ok: ["0", "5", "0x10", "18446744073709551615", "1_0", "32768"],
      bad: ["-5", "+5", "18446744073709551616", "", "abc"],
    },
    "uint64": { ok: ["0", "5", "18446744073709551615"], bad: ["-1", "18446744073709551616"] },
    "float64": {
      ok: [
        "1",
        "1.5",
        ".5",
        "5.",
        "1e3",
        "1_000",
        "1_000.5",
        "0x1p-2",
        "inf",
        "+Inf",
        "-infinity",
        "NaN",
        "nan",
        "0x_1p0",
        "1.5e-3",
        "-0",
      ],
      bad: ["1e", "0x10", "+nan", "1e400", "", " 1", "1__0", "0x.p1"],
    },
    "duration": {
      ok: [
        "0",
        "-0",
        "+0",
        "1s",
        "1.5h",
        "+1s",
        "-1s",
        "1h30m",
        ".5s",
        "5.s",
        "1us",
        "1µs",
        "1μs",
        "1ns",
        "1.s",
        "2562047h47m16.854775807s",
      ],
      bad: ["00", "1", ".s", "s", "1d", "", "2562047h47m17s", "1h 30m", "1H"],
    },
    "int-slice": { ok: ["1", "1,2", "-1,+2", "007"], bad: ["", "1,", "a", "1_0", "0x10"] },
    "string-to-string": { ok: ["a=b", "a=b,c=d", "a=b,c", "=", "a=1"], bad: ["", "a"] },
  };
  for (const [type, { ok, bad }] of Object.entries(cases)) {
    await t.step(type, () => {
      for (const v of ok) {
        assert.equal(luxdValueProblem(type as LuxdFlagType, v), undefined, `${type} '${v}'`);
      }
      for (const v of bad) assert.ok(luxdValueProblem(type as LuxdFlagType, v), `${type} '${v}'`);
    });
  }
  await t.step("strings are not checked", () => {
    assert.equal(luxdValueProblem("string", ""), undefined);
    assert.equal(luxdValueProblem("string-slice", "a,b"), undefined);
  });
  await t.step("isGoDuration() is the duration check", () => {
    assert.equal(isGoDuration("30s"), true);
    assert.equal(isGoDuration("30"), false);
  });
});

Deno.test("checkLuxdFlags() reports what luxd would reject, one line each", async (t) => {
  const parsd = ["network-id", "data-dir", "luxd", "shutdown-grace", "--trust-unpinned"];
  const check = (flags: LuxdFlagSet, luxd: string, ...tokens: string[]) =>
    checkLuxdFlags(tokens, flags, "luxd flag", parsd, luxd);
  const cases: Array<[string, LuxdFlagSet, string, string[], string[]]> = [
    ["known flags in every form pass", FLAGS_13, "luxd 1.13.4", [
      "--log-level=debug",
      "--log-level",
      "info",
      "--dev",
      "--dev=false",
      "--fd-limit=16384",
      "--network-timeout-coefficient=1.5",
      "--benchlist-duration=1m30s",
      "--http-allowed-hosts=a,b",
      "--lp-support=1,2",
      "--tracing-headers=a=b",
      "--public-ip",
      "-5",
    ], []],
    ["a typo names the nearest luxd flag", FLAGS_13, "luxd 1.13.4", ["--netwrk-id=7071"], [
      "luxd flag '--netwrk-id=7071': luxd 1.13.4 has no --netwrk-id; did you mean --network-id?",
    ]],
    ["an underscore instead of a dash", FLAGS_22, "luxd 1.22.18", ["--log_level=debug"], [
      "luxd flag '--log_level=debug': luxd 1.22.18 has no --log_level; did you mean --log-level?",
    ]],
    ["--track-all-chains is unknown to 1.13.4", FLAGS_13, "luxd 1.13.4", [
      "--track-all-chains=true",
    ], [
      "luxd flag '--track-all-chains=true': luxd 1.13.4 has no --track-all-chains; this luxd cannot track every chain; name the subnets to track with --track-subnets",
    ]],
    ["--track-all-chains is known to 1.22.18", FLAGS_22, "luxd 1.22.18", [
      "--track-all-chains=true",
    ], []],
    ["--track-chains on 1.13.4 points to --track-subnets", FLAGS_13, "luxd 1.13.4", [
      "--track-chains",
      "abc",
    ], [
      "luxd flag '--track-chains abc': luxd 1.13.4 has no --track-chains; this luxd calls it --track-subnets (a comma-separated list of subnet IDs)",
    ]],
    ["--track-subnets on 1.22.18 points to --track-chains", FLAGS_22, "luxd 1.22.18", [
      "--track-subnets=x",
    ], [
      "luxd flag '--track-subnets=x': luxd 1.22.18 has no --track-subnets; this luxd calls it --track-chains",
    ]],
    ["a parsd flag given to luxd", FLAGS_22, "luxd", ["--luxd=/opt/luxd", "--trust-unpinned"], [
      "luxd flag '--luxd=/opt/luxd': luxd has no --luxd; --luxd is parsd's own flag: give it to parsd, not to luxd",
      "luxd flag '--trust-unpinned': luxd has no --trust-unpinned; --trust-unpinned is parsd's own flag: give it to parsd, not to luxd",
    ]],
    ["a typo of a parsd flag", FLAGS_22, "luxd", ["--shutdown-grce=5s"], [
      "luxd flag '--shutdown-grce=5s': luxd has no --shutdown-grce; did you mean parsd's --shutdown-grace?",
    ]],
    ["nothing near", FLAGS_22, "luxd", ["--warp-api-enabled"], [
      "luxd flag '--warp-api-enabled': luxd has no --warp-api-enabled; 'luxd --help' lists the flags it has",
    ]],
    ["wrong value types", FLAGS_13, "luxd", [
      "--fd-limit=lots",
      "--http-port",
      "-1",
      "--dev=yes",
      "--benchlist-duration=1d",
      "--network-timeout-coefficient=x",
      "--benchlist-fail-threshold=1.5",
    ], [
      "luxd flag '--fd-limit=lots': --fd-limit takes a non-negative integer (uint), got 'lots'",
      "luxd flag '--http-port -1': --http-port takes a non-negative integer (uint), got '-1'",
      "luxd flag '--dev=yes': --dev takes true or false (bool), got 'yes'",
      "luxd flag '--benchlist-duration=1d': --benchlist-duration takes a Go duration such as 30s, 1m30s or 2h (duration), got '1d'",
      "luxd flag '--network-timeout-coefficient=x': --network-timeout-coefficient takes a number (float), got 'x'",
      "luxd flag '--benchlist-fail-threshold=1.5': --benchlist-fail-threshold takes an integer (int), got '1.5'",
    ]],
    ["a missing value", FLAGS_22, "luxd", ["--log-level", "--dev", "--db-dir"], [
      "luxd flag '--log-level': --log-level needs a value; write --log-level=VALUE",
      "luxd flag '--db-dir': --db-dir needs a value; write --db-dir=VALUE",
    ]],
    ["a bool's value as the next word would switch it on", FLAGS_22, "luxd", ["--dev", "false"], [
      "luxd flag '--dev false': luxd takes --dev alone as true and ignores 'false'; write --dev=false",
    ]],
    ["single-dash flags", FLAGS_22, "luxd", ["-network-id=7070", "-h", "-x"], [
      "luxd flag '-network-id=7070': luxd has no short flags; did you mean --network-id=7070?",
      "luxd flag '-h': luxd would print its help and exit instead of starting",
      "luxd flag '-x': luxd has no --x; 'luxd --help' lists the flags it has",
    ]],
    ["help and version end luxd at once", FLAGS_22, "luxd", [
      "--help",
      "--version",
      "--version-json=false",
    ], [
      "luxd flag '--help': luxd would print its help and exit instead of starting",
      "luxd flag '--version': luxd would print its version and exit instead of starting",
    ]],
    ["bad syntax, stray words and '--'", FLAGS_22, "luxd", [
      "---dev",
      "--=x",
      "stray",
      "--",
      "--dev",
    ], [
      "luxd flag '---dev': luxd rejects it as bad flag syntax; write --name=value",
      "luxd flag '--=x': luxd rejects it as bad flag syntax; write --name=value",
      "luxd flag 'stray': luxd ignores words that are not flags; give values as --name=value",
      "luxd flag '--': luxd stops reading flags at '--' and ignores '--dev'",
    ]],
  ];
  for (const [name, flags, luxd, tokens, want] of cases) {
    await t.step(name, () => assert.deepEqual(check(flags, luxd, ...tokens), want));
  }
  await t.step("the origin leads every line; luxd's name defaults to 'luxd'", () => {
    assert.deepEqual(checkLuxdFlags(["--bogus"], FLAGS_22, "config.json luxd-args", []), [
      "config.json luxd-args '--bogus': luxd has no --bogus; 'luxd --help' lists the flags it has",
    ]);
  });
});

Deno.test("editDistance() and nearest() find likely typos", async (t) => {
  await t.step("editDistance() counts edits, a swap of neighbours as one", () => {
    const cases: Array<[string, string, number]> = [
      ["", "", 0],
      ["abc", "", 3],
      ["netwrk-id", "network-id", 1],
      ["ntework-id", "network-id", 1],
      ["kitten", "sitting", 3],
      ["dev", "dev", 0],
    ];
    for (const [a, b, d] of cases) assert.equal(editDistance(a, b), d, `${a}/${b}`);
  });
  await t.step("nearest() takes the closest within a third of the word's length", () => {
    const names = ["network-id", "data-dir", "db-dir", "dev"];
    assert.equal(nearest("netwrk-id", names), "network-id");
    assert.equal(nearest("NETWORK-ID", names), "network-id");
    assert.equal(nearest("data-dri", names), "data-dir");
    assert.equal(nearest("warp-api-enabled", names), undefined);
    assert.equal(nearest("dvx", names), undefined);
    assert.equal(nearest("dvx", names, 2), "dev");
  });
});

Deno.test("fdLimitDecision() passes the hard limit only when luxd's default exceeds it", () => {
  assert.equal(fdLimitDefault(FLAGS_13), 32768);
  assert.equal(fdLimitDefault(FLAGS_22), 32768);
  assert.equal(fdLimitDefault(new Map()), undefined);
  const cases: Array<
    [number | undefined, number | "unlimited" | undefined, boolean, number | undefined]
  > = [
    [32768, 20000, false, 20000],
    [32768, 20000, true, undefined],
    [32768, 32768, false, undefined],
    [32768, 65536, false, undefined],
    [32768, "unlimited", false, undefined],
    [32768, undefined, false, undefined],
    [undefined, 20000, false, undefined],
  ];
  for (const [luxdDefault, hard, userGave, pass] of cases) {
    const d = fdLimitDecision(luxdDefault, hard, userGave);
    assert.equal(d.pass, pass, JSON.stringify([luxdDefault, hard, userGave]));
    assert.equal(d.warning === undefined, pass === undefined);
  }
  const { warning } = fdLimitDecision(32768, 20000, false);
  for (const part of ["32768", "20000", "--fd-limit=20000", "ulimit -Hn", "LimitNOFILE="]) {
    assert.ok(warning!.includes(part), `warning lacks ${part}: ${warning}`);
  }
});

Deno.test("contract: both luxd dialects have every flag parsd needs", async (t) => {
  for (const [dialect, flags] of DIALECTS) {
    await t.step(`luxd ${dialect}`, () => assert.deepEqual(missingRequired(flags), []));
  }
  await t.step("the 1.22.18 spec itself", () => {
    const keys = new Set(SPEC.map((f) => f.key));
    assert.deepEqual(missingRequired(new Map([...keys].map((k) => [k, FLAGS_22.get(k)!]))), []);
  });
});

Deno.test("contract: the fixtures are the files in ../shared/luxd", async (t) => {
  const pairs: Array<[string, string]> = [
    ["flags-spec-1.22.18.json", "flags-spec-1.22.18.json"],
    ["luxd-1.13.4-help.txt", "real/luxd-1.13.4-help.txt"],
    ["luxd-1.13.4-version.txt", "real/luxd-1.13.4-version.txt"],
    ["luxd-1.13.4-version.json", "real/luxd-1.13.4-version.json"],
    ["staker-example.crt", "real/staker-example.crt"],
  ];
  for (const [mine, theirs] of pairs) {
    let shared: string;
    try {
      shared = Deno.readTextFileSync(join(SHARED, theirs));
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        await t.step({ name: `${mine} (../shared absent)`, ignore: true, fn: () => {} });
        continue;
      }
      throw e;
    }
    await t.step(mine, () => assert.equal(read(mine), shared));
  }
});

Deno.test("serialiseFlagSet() and deserialiseFlagSet() round-trip through JSON", async (t) => {
  for (const [dialect, flags] of DIALECTS) {
    await t.step(`luxd ${dialect}`, () => {
      const back = deserialiseFlagSet(JSON.parse(JSON.stringify(serialiseFlagSet(flags))));
      assert.deepEqual([...back], [...flags]);
    });
  }
  await t.step("a malformed cache is rejected with the flag named", () => {
    const cases: Array<[unknown, RegExp]> = [
      [null, /expected an object/],
      [[], /expected an object/],
      [{ dev: 1 }, /flag 'dev': not an object/],
      [{ dev: { type: "boolean", word: "", description: "" } }, /flag 'dev': unknown type/],
      [{ dev: { type: "bool", description: "" } }, /flag 'dev': word is not a string/],
      [
        { x: { type: "uint", word: "uint", description: "", default: 5 } },
        /flag 'x': default is not a string/,
      ],
    ];
    for (const [value, message] of cases) {
      assert.throws(
        () => deserialiseFlagSet(value),
        (e: Error) => e instanceof TypeError && message.test(e.message),
      );
    }
  });
});

/** Runs a program as parsd's System does (`boundedOutput`), with `env` added through env(1). */
function runnerWith(env: Record<string, string>): ProbeRunner {
  const assignments = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  return (path, args, timeoutMs) =>
    boundedOutput("/usr/bin/env", [...assignments, path, ...args], timeoutMs);
}

Deno.test("probeLuxd() learns the stand-in's version and flags in both dialects", async (t) => {
  for (const [dialect, flags] of DIALECTS) {
    await t.step(`luxd ${dialect}`, async () => {
      const calls: string[] = [];
      const real = runnerWith({ FAKE_LUXD_DIALECT: dialect, FAKE_LUXD_FIXTURES: FIXTURES });
      const run: ProbeRunner = (path, args, ms) => {
        calls.push(args.join(" "));
        return real(path, args, ms);
      };
      const result = await probeLuxd(STANDIN, run);
      assert.equal(result.version, dialect);
      assert.equal(result.rpcchainvm, 43);
      assert.equal(result.application, `node/${dialect}`);
      assert.equal(result.source, "probe");
      assert.deepEqual([...deserialiseFlagSet(result.flags)], [...flags]);
      assert.deepEqual(calls.sort(), ["--help", "--version-json"]);
    });
  }
  await t.step("falls back to --version when --version-json is not understood", async () => {
    const run: ProbeRunner = (_path, args) =>
      Promise.resolve(
        args[0] === "--version-json"
          ? {
            code: 1,
            stdout: "",
            stderr: "couldn't configure flags: unknown flag: --version-json",
          }
          : args[0] === "--version"
          ? {
            code: 0,
            stdout: "avalanchego/1.13.5 [database=v1.4.5, rpcchainvm=43, go=1.24.6]\n",
            stderr: "",
          }
          : { code: 0, stdout: HELP_13, stderr: "" }, // help on stdout is accepted too
      );
    const result = await probeLuxd("/opt/avalanchego", run);
    assert.equal(result.version, "1.13.5");
    assert.equal(Object.keys(result.flags).length, 206);
  });
});

Deno.test("probeLuxd() says clearly when a program is not a luxd", async (t) => {
  await withTempDir(async (dir) => {
    const script = async (name: string, text: string) => {
      const path = join(dir, name);
      await Deno.writeTextFile(path, text, { mode: 0o755 });
      await Deno.chmod(path, 0o755);
      return path;
    };
    await t.step("a program that prints nothing", async () => {
      const path = await script("silent", "#!/bin/sh\nexit 0\n");
      await assert.rejects(
        probeLuxd(path, runnerWith({})),
        (e: Error) =>
          e.message.startsWith(`cannot probe luxd at ${path}: it printed no version`) &&
          e.message.includes("'--version' exited 0 printing nothing") &&
          e.message.includes("listed no flags for '--help'") &&
          e.message.endsWith("is it a luxd binary?"),
      );
    });
    await t.step("a runner that rejects: its error is the cause", async () => {
      const refuse: ProbeRunner = () => Promise.reject(new Deno.errors.NotFound("no such file"));
      await assert.rejects(
        probeLuxd("/nonexistent/luxd", refuse),
        (e: Error) =>
          e.message.startsWith("cannot probe luxd at /nonexistent/luxd: '--") &&
          e.message.includes("could not run") &&
          e.cause instanceof Deno.errors.NotFound,
      );
    });
    await t.step(
      "a program that cannot start says so, not 'did not finish', and is asked once",
      async () => {
        const path = await script("shebang", "#!/nonexistent/sh\necho never\n");
        const calls: string[] = [];
        const run: ProbeRunner = (p, a, ms) => {
          calls.push(a.join(" "));
          return denoSystem.output(p, a, ms);
        };
        await assert.rejects(
          probeLuxd(path, run),
          (e: Error) =>
            e.message.includes(
              "'--version-json' could not be started: its interpreter /nonexistent/sh (from its #! line) does not exist",
            ) && !e.message.includes("did not finish"),
        );
        assert.deepEqual(calls.sort(), ["--help", "--version-json"]);
      },
    );
    await t.step("a program that hangs is given up on after the timeout", async () => {
      const path = await script("hangs", "#!/bin/sh\nexec sleep 30\n");
      await assert.rejects(
        probeLuxd(path, runnerWith({}), 300),
        (e: Error) => e.message.includes("'--version-json' did not finish within 0.3 s"),
      );
    });
    await t.step("what it printed is shown with control characters escaped", async () => {
      const path = await script(
        "noisy",
        "#!/bin/sh\nprintf 'oops\\033[2J\\rok   ready\\n' >&2\nexit 2\n",
      );
      await assert.rejects(
        probeLuxd(path, runnerWith({})),
        (e: Error) => e.message.includes("'--help' exited 2: oops\\x1b[2J\\rok   ready"),
      );
    });
  });
});

Deno.test("probeLuxd() of a luxd that leaves a grandchild holding stdout answers at its exit; the grandchild is ended", async () => {
  await withTempDir(async (dir) => {
    const pids = join(dir, "lingering");
    const run = runnerWith({
      FAKE_LUXD_FIXTURES: FIXTURES,
      FAKE_LUXD_PROBE_LINGER: "30",
      FAKE_LUXD_LINGER_PIDS: pids,
    });
    // Far longer than the test may take: the answers must come from the exits, not the timeout.
    const result = await probeLuxd(STANDIN, run, 60_000);
    assert.equal(result.version, "1.22.18");
    const lingering = (await Deno.readTextFile(pids)).trim().split("\n").map(Number);
    assert.equal(lingering.length, 2, "--version-json and --help each left one");
    for (const pid of lingering) await waitGone(pid, "a probe's grandchild");
  });
});
