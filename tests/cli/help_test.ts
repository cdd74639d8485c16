/**
 * Tests for lib/cli/help.ts: the help text is derived from the option table, so
 * every command and every flag row appears with its env var, config.json
 * key and default, and one command's help lists only its own flags.
 */
import assert from "node:assert/strict";
import { helpText, optionLine } from "../../lib/cli/help.ts";
import { COMMAND_TABLE, COMMANDS, USAGE } from "../../lib/cli/commands.ts";
import {
  defaultText,
  flagsOf,
  OPTION_ROWS,
  OPTIONS,
  type OptionSpec,
} from "../../lib/cli/options.ts";
import { Invalid } from "../../lib/cli/option_parsers.ts";
import { ExitCode } from "../../lib/errors.ts";

const FLAG_ROWS = OPTION_ROWS.filter(([, o]) => o.flag !== undefined);

Deno.test("helpText() lists every command and every flag with its sources", async (t) => {
  const text = helpText();
  const lines = text.split("\n");
  await t.step("the usage line", () => assert.ok(lines.includes(USAGE)));
  await t.step("every command with its one-line help", () => {
    for (const c of COMMANDS) {
      assert.ok(lines.includes(`  ${c.padEnd(10)}${COMMAND_TABLE[c].help}`), c);
    }
  });
  await t.step("every flag row, as optionLine() renders it", () => {
    for (const [name, o] of FLAG_ROWS) assert.ok(lines.includes(optionLine(name, o)), name);
  });
  await t.step("each flag line names its env var, config key and default", () => {
    for (const [name, o] of FLAG_ROWS) {
      const line = lines.find((l) => l.startsWith(`  --${name}`) && l.includes(o.help))!;
      assert.ok(line, name);
      if (o.env !== undefined) assert.ok(line.includes(`env ${o.env}`), line);
      if (o.config !== undefined) assert.ok(line.includes(`config ${o.config}`), line);
      assert.ok(line.endsWith(`default ${defaultText(o)})`), line);
    }
  });
  await t.step("rows without a flag (config.json only) are not listed as flags", () => {
    for (const [name, o] of OPTION_ROWS.filter(([, o]) => o.flag === undefined)) {
      assert.ok(!lines.some((l) => l.startsWith(`  --${name}`)), `${name}: ${o.help}`);
    }
  });
  await t.step("every exit code parsd uses is explained", () => {
    const codes = Object.values(ExitCode).filter((c) => c > 1);
    const prose = text.slice(text.indexOf("Exit codes:")).replace(/\s+/g, " ");
    for (const c of codes) assert.match(prose, new RegExp(`\\b${c} [a-z]`), String(c));
  });
  await t.step("'run' and 'help' get the full text", () => {
    assert.equal(helpText("run"), text);
    assert.equal(helpText("help"), text);
  });
});

Deno.test("helpText(command) lists only that command's flags", async (t) => {
  await t.step("init", () => {
    const text = helpText("init");
    assert.ok(text.startsWith(`parsd init: ${COMMAND_TABLE.init.help}\n`));
    const flagLines = text.split("\n").filter((l) => l.startsWith("  --"));
    const own = flagsOf("init").filter(([n]) => n !== "help" && n !== "version");
    assert.deepEqual(flagLines, own.map(([n, o]) => optionLine(n, o)));
    assert.deepEqual(own.map(([n]) => n), ["data-dir", "config"]);
    for (const other of ["--network-id", "--dry-run", "--help", "--version"]) {
      assert.ok(!text.includes(other), other);
    }
  });
  await t.step("every command but run and help", () => {
    for (const c of COMMANDS.filter((c) => c !== "run" && c !== "help")) {
      const flagLines = helpText(c).split("\n").filter((l) => l.startsWith("  --"));
      const want = flagsOf(c).filter(([n]) => n !== "help" && n !== "version");
      assert.equal(flagLines.length, want.length, c);
    }
  });
  await t.step("a command without flags of its own says (none)", () => {
    assert.match(helpText("vmid"), /Flags:\n {2}\(none\)\n$/);
  });
});

Deno.test("optionLine() renders '--flag[=METAVAR]', the help, then (env; config; default)", async (t) => {
  const spec = (o: Partial<OptionSpec<unknown>>): OptionSpec<unknown> => ({
    parse: () => new Invalid("x"),
    help: "does a thing",
    commands: ["run"],
    ...o,
  });
  const cases: [string, OptionSpec<unknown>, string][] = [
    [
      "network-id",
      OPTIONS["network-id"],
      `${"  --network-id=ID".padEnd(30)}${
        OPTIONS["network-id"].help
      } (env PARS_NETWORK_ID; config network-id; default 7070)`,
    ],
    [
      "trust-unpinned",
      OPTIONS["trust-unpinned"],
      `${"  --trust-unpinned".padEnd(30)}${OPTIONS["trust-unpinned"].help} (default off)`,
    ],
    [
      "data-dir",
      OPTIONS["data-dir"],
      `${
        "  --data-dir=DIR".padEnd(30)
      }the data directory (env PARS_DATA_DIR; config data-dir; default ~/.pars)`,
    ],
    ["x", spec({ flag: "value" }), `${"  --x=VALUE".padEnd(30)}does a thing (default -)`],
    [
      "y",
      spec({ flag: "value", metavar: "N", config: "a.b", default: 5 }),
      `${"  --y=N".padEnd(30)}does a thing (config a.b; default 5)`,
    ],
  ];
  for (const [name, o, want] of cases) {
    await t.step(name, () => assert.equal(optionLine(name, o), want));
  }
  await t.step("every real flag fits its column: at least one space before the help", () => {
    for (const [name, o] of FLAG_ROWS) assert.match(optionLine(name, o), /^ {2}--\S+ +\S/, name);
  });
});
