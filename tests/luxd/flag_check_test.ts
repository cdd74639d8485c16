/**
 * Tests for lib/luxd/flag_check.ts: checking pass-through flags against the luxd at hand, and the typo distance behind its hints.
 */
import assert from "node:assert/strict";
import { checkLuxdFlags } from "../../lib/luxd/flag_check.ts";
import { type LuxdFlagSet } from "../../lib/luxd/help_text.ts";
import { editDistance, nearest } from "../../lib/nearest.ts";
import { FLAGS_13, FLAGS_22 } from "./fixtures.ts";

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
