/**
 * Tests for lib/luxd/help_text.ts: parsing luxd's help (the real luxd 1.13.4's, recorded, and 1.22.18's, generated from its flag spec), the fixtures' contract, and the flag set's JSON form.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  deserialiseFlagSet,
  type LuxdFlagType,
  normaliseFlagType,
  parseLuxdHelp,
  serialiseFlagSet,
} from "../../lib/luxd/help_text.ts";
import { missingRequired } from "../../lib/luxd/flags.ts";

import {
  goDuration,
  goFloat,
  renderPflagUsage,
  renderSpecHelp,
  type SpecFlag,
} from "../fixtures/luxd/gen_help.ts";
import { DIALECTS, FLAGS_13, FLAGS_22, HELP_13, HELP_22, read, TESTS } from "./fixtures.ts";

const SHARED = join(TESTS, "..", "..", "shared", "luxd");

const SPEC_TEXT = read("flags-spec-1.22.18.json");
const SPEC = (JSON.parse(SPEC_TEXT) as { flags: SpecFlag[] }).flags;

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
