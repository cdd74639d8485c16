/** Tests for lib/cli/problem_lines.ts: one line per problem, a screenful at most. */
import assert from "node:assert/strict";
import { MAX_PROBLEMS_SHOWN, printable, shownProblems } from "../../lib/cli/problem_lines.ts";

Deno.test("printable() escapes every control character and keeps the rest", async (t) => {
  const cases: [string, string, string][] = [
    ["a newline in a path", "/tmp/a\nb", "/tmp/a\\nb"],
    ["CR and tab", "a\rb\tc", "a\\rb\\tc"],
    ["a terminal escape", "\u001b[31mred", "\\x1b[31mred"],
    ["NUL, DEL and a C1 control", "\u0000\u007f\u009b", "\\x00\\x7f\\x9b"],
    ["Unicode line separators", "a\u2028b\u2029", "a\\u{2028}b\\u{2029}"],
    ["printable text, accents and emoji", "é → 🦕 'x'", "é → 🦕 'x'"],
  ];
  for (const [what, raw, want] of cases) {
    await t.step(what, () => {
      assert.equal(printable(raw), want);
      assert.ok(!/[\n\r]/.test(printable(raw)));
    });
  }
});

Deno.test("shownProblems() shows the first 25 and counts the rest", async (t) => {
  const many = (n: number) => Array.from({ length: n }, (_, i) => `problem ${i}`);
  await t.step("10,000 problems: 25 and '… and 9975 more'", () => {
    const shown = shownProblems(many(10_000));
    assert.equal(MAX_PROBLEMS_SHOWN, 25);
    assert.deepEqual(shown, [...many(25), "… and 9975 more"]);
  });
  await t.step("26 are all shown (never '… and 1 more')", () => {
    assert.deepEqual(shownProblems(many(26)), many(26));
  });
  await t.step("27: 25 and '… and 2 more'", () => {
    assert.deepEqual(shownProblems(many(27)), [...many(25), "… and 2 more"]);
  });
  await t.step("each made printable", () => {
    assert.deepEqual(shownProblems(["a\nb"]), ["a\\nb"]);
  });
});
