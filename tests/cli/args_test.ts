import assert from "node:assert/strict";
import { parseArgs } from "../../lib/cli/args.ts";
import { COMMANDS, commandSpec } from "../../lib/cli/commands.ts";
import { UsageError } from "../../lib/errors.ts";

Deno.test("parseArgs() reads the subcommand, parsd flags and pass-through", async (t) => {
  await t.step("no subcommand means run", () => {
    const a = parseArgs(["--network-id", "testnet", "--dry-run"]);
    assert.equal(a.command, "run");
    assert.deepEqual(a.flags, { "network-id": "testnet", "dry-run": true });
  });
  await t.step("--key=value and --key value", () => {
    const a = parseArgs(["run", "--http-port=1", "--staking-port", "2"]);
    assert.deepEqual(a.flags, { "http-port": "1", "staking-port": "2" });
  });
  await t.step("unknown flags pass through unchanged and in order, with their values", () => {
    const a = parseArgs(["--log-level", "debug", "--data-dir=/d", "--dev", "--http-host=0.0.0.0"]);
    assert.deepEqual(a.passthrough, ["--log-level", "debug", "--dev", "--http-host=0.0.0.0"]);
    assert.deepEqual(a.flags, { "data-dir": "/d" });
  });
  await t.step("everything after -- passes verbatim", () => {
    const a = parseArgs(["--dry-run", "--", "--luxd", "--version"]);
    assert.deepEqual(a.passthrough, ["--luxd", "--version"]);
    assert.equal(a.flags["luxd"], undefined);
  });
  await t.step("global flags work after any subcommand", () => {
    const a = parseArgs(["plugins", "pin", "evm", "--data-dir", "/x", "--evm-plugin=/p"]);
    assert.equal(a.command, "plugins");
    assert.deepEqual(a.positionals, ["pin", "evm"]);
    assert.deepEqual(a.flags, { "data-dir": "/x", "evm-plugin": "/p" });
  });
  await t.step("--help and --version win over the subcommand", () => {
    assert.equal(parseArgs(["doctor", "--help"]).command, "help");
    assert.equal(parseArgs(["-h"]).command, "help");
    assert.equal(parseArgs(["--version"]).command, "version");
  });
  await t.step("--help asks for help on the command it follows", () => {
    const cases: [string[], string][] = [
      [["plugins", "--help"], "plugins"],
      [["init", "-h"], "init"],
      [["--help"], "run"],
      [["vmid", "--help", "name"], "vmid"],
    ];
    for (const [argv, command] of cases) {
      assert.deepEqual(parseArgs(argv), {
        command: "help",
        positionals: [command],
        flags: {},
        passthrough: [],
        argv,
      });
    }
  });
  await t.step("'help COMMAND' names the command as a positional", () => {
    const a = parseArgs(["help", "status"]);
    assert.deepEqual([a.command, a.positionals], ["help", ["status"]]);
  });
  await t.step("a command takes only its own flags", () => {
    assert.deepEqual(parseArgs(["status", "--json", "--http-port=1"]).flags, {
      json: true,
      "http-port": "1",
    });
    assert.deepEqual(parseArgs(["plugins", "pin", "--from", "SUMS", "--replace"]).flags, {
      from: "SUMS",
      replace: true,
    });
    assert.deepEqual(parseArgs(["vmid", "sessionvm"]).positionals, ["sessionvm"]);
  });
});

Deno.test("parseArgs() rejects bad command lines with a message naming the input", async (t) => {
  const cases: [string[], RegExp][] = [
    [["frobnicate"], /unknown command 'frobnicate'; expected one of run, init/],
    [["--plugin-dir=/x"], /--plugin-dir.*--data-dir/],
    [["--", "--network-id=5"], /parsd manages --network-id/],
    [["--chain-config-content", "e30="], /chains\.evm/],
    [["--track-all-chains=false"], /track-all-chains in config\.json/],
    [["--data-dir"], /--data-dir needs a value/],
    [["--data-dir="], /--data-dir needs a non-empty value/],
    [["--http-port=1", "--http-port=2"], /--http-port given twice/],
    [["--dry-run=maybe"], /--dry-run is a switch/],
    [["init", "--log-level=debug"], /unknown flag '--log-level' for 'parsd init'/],
    [["run", "stray"], /unexpected argument 'stray'/],
    [["init", "--dry-run"], /--dry-run is not an option of 'parsd init'; it is for 'parsd run'/],
    [["vmid", "--luxd", "x"], /--luxd is not an option of 'parsd vmid'; it is for 'parsd run'/],
    [["version", "--dry-run"], /--dry-run is not an option of 'parsd version'/],
    [["status", "--dry-run"], /--dry-run is not an option of 'parsd status'/],
    [["run", "--json"], /--json is not an option of 'parsd run'; it is for 'parsd status'/],
    [["init", "--", "--log-level=debug"], /'parsd init' takes no luxd flags/],
  ];
  for (const [argv, message] of cases) {
    await t.step(argv.join(" "), () => {
      assert.throws(
        () => parseArgs(argv),
        (e: unknown) => e instanceof UsageError && message.test(e.message),
      );
    });
  }
});

Deno.test("parseArgs() reports every problem at once", () => {
  assert.throws(
    () => parseArgs(["--plugin-dir=/a", "--db-dir=/b"]),
    (e: unknown) => e instanceof UsageError && e.problems.length === 2,
  );
  // A value flag the command does not take swallows its value: one problem, not two.
  assert.throws(
    () => parseArgs(["vmid", "--luxd", "x", "--dry-run"]),
    (e: unknown) => e instanceof UsageError && e.problems.length === 2,
  );
});

Deno.test("parseArgs() refuses words a command does not take, alike for every command", async (t) => {
  const none = COMMANDS.filter((c) => commandSpec(c).maxWords === 0);
  assert.deepEqual(none, ["init", "status", "version"]);
  for (const c of none) {
    await t.step(`${c} extra`, () => {
      assert.throws(
        () => parseArgs([c, "extra"]),
        (e: unknown) =>
          e instanceof UsageError &&
          e.message === `'parsd ${c}' takes no arguments, got 'extra'`,
      );
    });
  }
  await t.step("many words: the first, and a count", () => {
    assert.throws(
      () => parseArgs(["version", "a", "b", "c"]),
      (e: unknown) =>
        e instanceof UsageError &&
        e.message === "'parsd version' takes no arguments, got 'a' and 2 more",
    );
  });
  await t.step("--version after a command's own words answers version, with no words", () => {
    const a = parseArgs(["vmid", "sessionvm", "--version"]);
    assert.deepEqual([a.command, a.positionals], ["version", []]);
  });
});
