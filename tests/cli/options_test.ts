import assert from "node:assert/strict";
import {
  CONFIG_KEYS,
  defaultText,
  flagsOf,
  OPTION_ENVS,
  OPTION_ROWS,
  OPTIONS,
} from "../../lib/cli/options.ts";
import {
  Invalid,
  parseBool,
  parseDuration,
  parseNetworkId,
  parsePath,
  parsePluginList,
  parsePort,
  parseShutdownGrace,
} from "../../lib/cli/option_parsers.ts";
import { COMMANDS } from "../../lib/cli/commands.ts";

/** Runs a parser over a case table: a value, or `Invalid` for a rejected input. */
async function table<T>(
  t: Deno.TestContext,
  parse: (v: unknown) => T | Invalid,
  cases: [unknown, T | typeof Invalid][],
) {
  for (const [input, expected] of cases) {
    await t.step(`${typeof input} ${JSON.stringify(input)}`, () => {
      const got = parse(input);
      if (expected === Invalid) {
        assert.ok(got instanceof Invalid, `expected Invalid, got ${JSON.stringify(got)}`);
        assert.ok(got.reason.length > 0);
      } else {
        assert.deepEqual(got, expected);
      }
    });
  }
}

Deno.test("parseNetworkId() takes 1 to 2^32-1 or a network name", async (t) => {
  await table(t, parseNetworkId, [
    ["devnet", 7072],
    ["mainnet", 7070],
    ["TestNet", 7071],
    ["12345", 12345],
    [" 7 ", 7],
    [7070, 7070],
    ["4294967295", 4294967295],
    ["4294967296", Invalid],
    [0, Invalid],
    ["0", Invalid],
    [1.5, Invalid],
    ["-5", Invalid],
    ["abc", Invalid],
    [true, Invalid],
    [null, Invalid],
  ]);
  const bad = parseNetworkId("abc");
  assert.ok(bad instanceof Invalid);
  assert.match(bad.reason, /must be a positive integer or one of mainnet, testnet, devnet/);
});

Deno.test("parsePort() takes an integer from 1 to 65535", async (t) => {
  await table(t, parsePort, [
    ["65535", 65535],
    ["1", 1],
    [9660, 9660],
    ["65536", Invalid],
    ["0", Invalid],
    [80.5, Invalid],
    ["x1", Invalid],
    ["", Invalid],
    [false, Invalid],
  ]);
});

Deno.test("parseDuration() takes what Go's time.ParseDuration takes, or seconds, giving whole ms", async (t) => {
  await table(t, parseDuration, [
    ["1m30s", 90_000],
    ["500ms", 500],
    ["1h", 3_600_000],
    ["1.5s", 1500],
    [".5s", 500],
    ["5.s", 5000],
    ["+2s", 2000],
    ["1h2m3.5s", 3_723_500],
    ["0.1s", 100],
    ["1500us", 2],
    ["1500\u00b5s", 2],
    ["1500\u03bcs", 2],
    ["1ns", 1],
    [2, 2000],
    ["10", 10_000],
    ["1x", Invalid],
    ["0s", Invalid],
    ["0", Invalid],
    ["-1s", Invalid],
    [".s", Invalid],
    ["1h 2m", Invalid],
    ["1S", Invalid],
    [0, Invalid],
    [-1, Invalid],
    [Infinity, Invalid],
    ["", Invalid],
    ["30s junk", Invalid],
    [null, Invalid],
  ]);
});

Deno.test("parseShutdownGrace() refuses a grace over an hour, naming the maximum", async (t) => {
  await table(t, parseShutdownGrace, [
    ["1h", 3_600_000],
    ["59m59.999s", 3_599_999],
    [3600, 3_600_000],
  ]);
  for (const value of ["600h", "1h0m0.001s", "3601", 3601, "25d"]) {
    await t.step(`${JSON.stringify(value)} is refused`, () => {
      const r = parseShutdownGrace(value);
      assert.ok(r instanceof Invalid, String(r));
      if (value !== "25d") assert.equal(r.reason, "must be at most 1h");
    });
  }
  await t.step("a timer's limit bounds the generic parser", () => {
    assert.equal((parseDuration("600h") as Invalid).reason, "must be at most 596h31m23.647s");
  });
});

Deno.test("parseBool() takes booleans and the words true/false", async (t) => {
  await table(t, parseBool, [
    [true, true],
    [false, false],
    ["true", true],
    ["false", false],
    ["yes", Invalid],
    [1, Invalid],
    ["", Invalid],
  ]);
});

Deno.test("parsePath() makes a path absolute against the context, expanding ~", async (t) => {
  const ctx = { base: "/work", home: "/home/v" };
  await table(t, (v) => parsePath(v, ctx), [
    ["rel", "/work/rel"],
    ["./a/../b", "/work/b"],
    ["/abs//x/", "/abs/x"],
    ["~", "/home/v"],
    ["~/p", "/home/v/p"],
    ["", Invalid],
    [5, Invalid],
  ]);
});

Deno.test("parsePluginList() takes evm and sessionvm, comma-separated or as a list", async (t) => {
  await table(t, parsePluginList, [
    ["evm", ["evm"]],
    ["evm,sessionvm", ["evm", "sessionvm"]],
    [" sessionvm , evm,evm ", ["sessionvm", "evm"]],
    [["sessionvm"], ["sessionvm"]],
    [[], []],
    ["geth", Invalid],
    [["evm", 1], Invalid],
    [7, Invalid],
  ]);
});

Deno.test("every option is taken by at least one command and can be set somehow", async (t) => {
  for (const [name, o] of OPTION_ROWS) {
    await t.step(name, () => {
      assert.ok(o.commands.length > 0, `${name} has no commands`);
      for (const c of o.commands) assert.ok(COMMANDS.includes(c), `${name}: unknown command ${c}`);
      assert.ok(o.help.length > 0, `${name} has no help`);
      assert.ok(o.flag !== undefined || o.config !== undefined, `${name} cannot be set at all`);
      if (o.flag === "value") assert.ok(o.metavar, `${name} needs a metavar for help`);
      if (o.env !== undefined) assert.match(o.env, /^PARS_[A-Z_]+$/);
      assert.ok(defaultText(o).length > 0);
    });
  }
});

Deno.test("flagsOf() gives the flags each command takes", async (t) => {
  const names = (c: typeof COMMANDS[number]) => flagsOf(c).map(([n]) => n);
  await t.step("run takes the node flags and --dry-run, not other commands' flags", () => {
    const run = names("run");
    for (const n of ["network-id", "data-dir", "luxd", "verify", "dry-run", "allow-vm-failure"]) {
      assert.ok(run.includes(n as never), n);
    }
    for (const n of ["json", "from", "replace", "track-all-chains", "warp-api"]) {
      assert.ok(!run.includes(n as never), n);
    }
  });
  await t.step("init takes only the data dir, the config, help and version", () => {
    assert.deepEqual(names("init"), ["data-dir", "config", "help", "version"]);
  });
  await t.step("vmid takes only help and version", () => {
    assert.deepEqual(names("vmid"), ["help", "version"]);
  });
  await t.step("plugins takes --from and --replace", () => {
    assert.ok(names("plugins").includes("from"));
    assert.ok(names("plugins").includes("replace"));
    assert.ok(!names("plugins").includes("dry-run"));
  });
  await t.step("status takes --json and --http-port", () => {
    assert.ok(names("status").includes("json"));
    assert.ok(names("status").includes("http-port"));
  });
  await t.step("config-only options are no command's flags", () => {
    for (const c of COMMANDS) {
      for (const [n, o] of flagsOf(c)) assert.notEqual(o.flag, undefined, `${c} --${n}`);
    }
  });
  await t.step("every flag is some command's flag, in table order", () => {
    const all = new Set(COMMANDS.flatMap(names));
    const flagged = OPTION_ROWS.filter(([, o]) => o.flag !== undefined).map(([n]) => n);
    assert.deepEqual(flagged.filter((n) => all.has(n)), flagged);
    const run = names("run");
    assert.deepEqual(run, flagged.filter((n) => run.includes(n)));
  });
});

Deno.test("CONFIG_KEYS holds each option's top-level key and the whole sections", () => {
  for (const k of ["network-id", "http-port", "plugins", "chains", "luxd-args", "evm-keys"]) {
    assert.ok(CONFIG_KEYS.includes(k), k);
  }
  assert.ok(!CONFIG_KEYS.includes("plugins.evm.path"));
  assert.equal(new Set(CONFIG_KEYS).size, CONFIG_KEYS.length);
});

Deno.test("defaultText() shows defaults as help and the README do", () => {
  assert.equal(defaultText(OPTIONS["network-id"]), "7070");
  assert.equal(defaultText(OPTIONS["shutdown-grace"]), "30s");
  assert.equal(defaultText(OPTIONS["dry-run"]), "off");
  assert.equal(defaultText(OPTIONS["from"]), "-");
  assert.equal(defaultText(OPTIONS["data-dir"]), "~/.pars");
});

Deno.test("deno.json's parsd permission set grants every option's environment variable", async () => {
  const denoJson = JSON.parse(
    await Deno.readTextFile(new URL("../../deno.json", import.meta.url)),
  ) as { permissions: { parsd: { env: string[] } } };
  const granted = new Set(denoJson.permissions.parsd.env);
  assert.deepEqual(OPTION_ENVS.filter((e) => !granted.has(e)), []);
  assert.ok(OPTION_ENVS.length > 0);
});

/** What the README's flag table says of one flag. */
interface FlagRow {
  env?: string;
  config?: string;
}

const FLAG_TABLE_COLUMNS = ["flag", "env", "config.json", "default", "commands", "meaning"];

/** The rows of the Markdown table under `heading`, as header → cell. */
function markdownTable(text: string, heading: string): Record<string, string>[] {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.trim() === heading);
  assert.ok(start >= 0, `README has no '${heading}' heading`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith("#")) break;
    if (line.trim().startsWith("|")) {
      rows.push(line.trim().replace(/^\||\|$/g, "").split("|").map((c) => c.trim()));
    } else if (rows.length > 0) break;
  }
  assert.ok(rows.length >= 2, `no table under '${heading}'`);
  const [header, separator, ...body] = rows;
  assert.ok(separator!.every((c) => /^:?-+:?$/.test(c)), "malformed table separator");
  return body.map((cells) => Object.fromEntries(header!.map((h, i) => [h, cells[i] ?? ""])));
}

/** A cell's value: the code span if any, without footnote marks; `undefined` for a dash. */
function cellValue(cell: string): string | undefined {
  const code = /`([^`]+)`/.exec(cell)?.[1] ?? cell.replace(/[¹²³⁴⁵⁶⁷⁸⁹⁰*]/g, "").trim();
  return /^[-–—]?$/.test(code) ? undefined : code;
}

/** The flag table under `### parsd flags`: its columns, and each flag's env and config key. */
function flagTable(readme: string): { columns: string[]; flags: Record<string, FlagRow> } {
  const rows = markdownTable(readme, "### parsd flags");
  const flags: Record<string, FlagRow> = {};
  for (const row of rows) {
    const flag = /--([a-z0-9-]+)/.exec(row["flag"] ?? "")?.[1];
    assert.ok(flag, `a row without a --flag: ${JSON.stringify(row)}`);
    const env = /\bPARS_[A-Z0-9_]+\b/.exec(row["env"] ?? "")?.[0];
    const config = cellValue(row["config.json"] ?? "");
    flags[flag] = {
      ...(env === undefined ? {} : { env }),
      ...(config === undefined ? {} : { config }),
    };
  }
  return { columns: Object.keys(rows[0] ?? {}), flags };
}

Deno.test("flagTable() reads the README's table format (so the README test can fail)", () => {
  const sample = [
    "### parsd flags",
    "",
    "| flag | env | config.json | default | commands | meaning |",
    "| ---- | --- | ----------- | ------- | -------- | ------- |",
    "| `--data-dir DIR` | `PARS_DATA_DIR` | `data-dir`¹ | `~/.pars` | all | the data dir |",
    "| `--dry-run` | – | – | off | `run` | print the plan |",
    "",
    "¹ a footnote",
    "",
    "| other | table |",
  ].join("\n");
  assert.deepEqual(flagTable(sample), {
    columns: FLAG_TABLE_COLUMNS,
    flags: { "data-dir": { env: "PARS_DATA_DIR", config: "data-dir" }, "dry-run": {} },
  });
});

Deno.test("the README's flag table lists every flag with its env variable and config key", async () => {
  const table = flagTable(await Deno.readTextFile(new URL("../../README.md", import.meta.url)));
  const expected: Record<string, FlagRow> = {};
  for (const [name, o] of OPTION_ROWS) {
    if (o.flag === undefined) continue;
    expected[name] = {
      ...(o.env === undefined ? {} : { env: o.env }),
      ...(o.config === undefined ? {} : { config: o.config }),
    };
  }
  assert.deepEqual(table.flags, expected);
  assert.deepEqual(table.columns, FLAG_TABLE_COLUMNS);
});
