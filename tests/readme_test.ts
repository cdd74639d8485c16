/**
 * The README is the user's door: these tests hold its command table and
 * its exit-code table to the code's own tables (`lib/cli/commands.ts`,
 * `ExitCode` in `lib/errors.ts`), and its internal links to its headings.
 * The flag table is held to the option table in `tests/cli/options_test.ts`.
 */
import assert from "node:assert/strict";
import { COMMANDS } from "../lib/cli/commands.ts";
import { ExitCode } from "../lib/errors.ts";

const README = Deno.readTextFileSync(new URL("../README.md", import.meta.url));

/** The first cell of each row of the first Markdown table after `heading`. */
function firstColumn(text: string, heading: string): string[] {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.trim() === heading);
  assert.ok(start >= 0, `no '${heading}' heading`);
  const rows: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^#/.test(line)) break;
    if (line.startsWith("|")) rows.push(line.split("|")[1]!.trim());
    else if (rows.length > 0) break;
  }
  return rows.slice(2);
}

/** GitHub's anchor for a heading. */
const anchor = (heading: string) =>
  heading.toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replaceAll(" ", "-");

Deno.test("firstColumn() reads a table's first column (so the README tests can fail)", () => {
  const sample = "## T\n\ntext\n\n| a | b |\n| - | - |\n| `x` | 1 |\n| 2 | y |\n\n| z | w |\n";
  assert.deepEqual(firstColumn(sample, "## T"), ["`x`", "2"]);
});

Deno.test("the README's command table has a row for every command, and no other", () => {
  const named = firstColumn(README, "## Command line").map((cell) => /^`([a-z-]+)/.exec(cell)?.[1]);
  assert.deepEqual([...new Set(named)].sort(), [...COMMANDS].sort());
});

Deno.test("the README's exit-code table lists every code parsd uses, and no other", () => {
  const codes = firstColumn(README, "### Exit codes").filter((c) => /^\d+$/.test(c)).map(Number);
  assert.deepEqual(
    codes.sort((a, b) => a - b),
    [...new Set(Object.values(ExitCode))].sort((a, b) => a - b),
  );
});

Deno.test("every link to a README heading names one that exists", () => {
  const anchors = new Set(
    README.split("\n").filter((l) => /^#{1,6} /.test(l)).map((l) => anchor(l.replace(/^#+ /, ""))),
  );
  const links = [...README.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]!);
  assert.ok(links.length > 0);
  assert.deepEqual(links.filter((a) => !anchors.has(a)), []);
});

Deno.test("the README stays a door: under 500 lines, and every docs/ page it links exists", () => {
  const lines = README.split("\n").length;
  assert.ok(lines < 500, `README has ${lines} lines`);
  const linked = [...README.matchAll(/\]\((docs\/[^)#]*)/g)].map((m) => m[1]!);
  assert.ok(linked.length > 0);
  const missing = linked.filter((p) => {
    try {
      Deno.statSync(new URL(`../${p}`, import.meta.url));
      return false;
    } catch {
      return true;
    }
  });
  assert.deepEqual(missing, []);
});
