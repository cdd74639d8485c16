/**
 * Tests for lib/luxd/flags.ts: the one table of luxd flags parsd manages,
 * and the collision, required-flag and tracking rules derived from it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  givesFlag,
  luxdFlagName,
  MANAGED_LUXD_FLAGS,
  managedCollisions,
  missingRequired,
  userTracksChains,
} from "../../lib/luxd/flags.ts";
import { parseLuxdHelp } from "../../lib/luxd/help_text.ts";
import { REPO } from "../helpers.ts";

const help = (v: string) =>
  parseLuxdHelp(
    Deno.readTextFileSync(join(REPO, "tests", "fixtures", "luxd", `luxd-${v}-help.txt`)),
  );

Deno.test("luxdFlagName() names the flag in a luxd token", async (t) => {
  const cases: [string, string | undefined][] = [
    ["--log-level=info", "log-level"],
    ["--dev", "dev"],
    ["-dev", "dev"],
    ["--", undefined],
    ["word", undefined],
  ];
  for (const [token, name] of cases) {
    await t.step(token, () => assert.equal(luxdFlagName(token), name));
  }
});

Deno.test("managedCollisions() names each managed flag with its origin and the fix", () => {
  assert.deepEqual(managedCollisions(["--log-level=info", "--dev"], "x"), []);
  const problems = managedCollisions(
    ["--db-dir=/b", "--http-port", "1"],
    "config.json 'luxd-args'",
  );
  assert.equal(problems.length, 2);
  assert.match(problems[0]!, /^config\.json 'luxd-args' '--db-dir=\/b': parsd manages --db-dir/);
  assert.match(problems[1]!, /--http-port.*use parsd's --http-port/);
});

Deno.test("managedCollisions() refuses every managed flag but one a user may give (--fd-limit)", () => {
  for (const [name, row] of Object.entries(MANAGED_LUXD_FLAGS)) {
    const problems = managedCollisions([`--${name}=1`], "luxd flag");
    assert.equal(problems.length, row.userMay === true ? 0 : 1, name);
    if (row.userMay !== true) assert.ok(problems[0]!.endsWith(row.instead), name);
  }
  assert.deepEqual(managedCollisions(["--fd-limit=4096"], "luxd flag"), []);
});

Deno.test("missingRequired() is derived from the table: both real dialects have every required flag", async (t) => {
  const required = Object.entries(MANAGED_LUXD_FLAGS).filter(([, r]) => r.required).map(([n]) => n);
  assert.ok(required.includes("network-id") && required.includes("chain-config-content"));
  for (const v of ["1.13.4", "1.22.18"]) {
    await t.step(`luxd ${v}`, () => assert.deepEqual(missingRequired(help(v)), []));
  }
  await t.step("a luxd lacking two names them in table order", () => {
    const flags = new Map(help("1.22.18"));
    flags.delete("chain-config-content");
    flags.delete("db-dir");
    assert.deepEqual(missingRequired(flags), ["db-dir", "chain-config-content"]);
  });
});

Deno.test("userTracksChains(): --track-chains (1.22) and --track-subnets (1.13) both count", () => {
  assert.equal(userTracksChains(["--track-chains=abc"]), true);
  assert.equal(userTracksChains(["--track-subnets=abc"]), true);
  assert.equal(userTracksChains(["--track-all-chains=false", "--log-level=info"]), false);
  assert.equal(givesFlag(["--fd-limit", "10"], "fd-limit"), true);
});
