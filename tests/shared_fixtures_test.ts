/**
 * The fixtures copied from ../shared/luxd (the real luxd's recordings and
 * luxd's flag spec) still match their source. Runs only where ../shared sits
 * beside the clone (as in CI here); elsewhere it is a named skip.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO } from "./helpers.ts";

const SHARED = join(REPO, "..", "shared", "luxd");
const present = (() => {
  try {
    return Deno.statSync(SHARED).isDirectory;
  } catch {
    return false;
  }
})();

const COPIES: [string, string][] = [
  ["flags-spec-1.22.18.json", "flags-spec-1.22.18.json"],
  ["real/luxd-1.13.4-help.txt", "luxd-1.13.4-help.txt"],
  ["real/luxd-1.13.4-version.txt", "luxd-1.13.4-version.txt"],
  ["real/luxd-1.13.4-version.json", "luxd-1.13.4-version.json"],
  ["real/staker-example.crt", "staker-example.crt"],
];

Deno.test({
  name: present
    ? "tests/fixtures/luxd holds byte-exact copies of ../shared/luxd"
    : "skipped: ../shared/luxd is not beside this clone (the fixtures in tests/fixtures are used)",
  ignore: !present,
  fn: async () => {
    for (const [from, to] of COPIES) {
      const a = await Deno.readFile(join(SHARED, from));
      const b = await Deno.readFile(join(REPO, "tests", "fixtures", "luxd", to));
      assert.deepEqual(b, a, `${to} differs from ../shared/luxd/${from}`);
    }
    const crt = await Deno.readFile(join(REPO, "tests", "fixtures", "staker-example.crt"));
    assert.deepEqual(crt, await Deno.readFile(join(SHARED, "real", "staker-example.crt")));
  },
});
