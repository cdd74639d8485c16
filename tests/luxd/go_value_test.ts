/**
 * Tests for lib/luxd/go_value.ts: Go's value syntax as luxd's flag parser reads it.
 */
import assert from "node:assert/strict";
import { type LuxdFlagType } from "../../lib/luxd/help_text.ts";
import { isGoDuration, luxdValueProblem } from "../../lib/luxd/go_value.ts";

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
