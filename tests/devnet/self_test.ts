/**
 * @module
 * Tests of lib/devnet/self.ts: under `deno run`, a node's parsd is started
 * with exactly the start task's flags (the same ones every end-to-end test
 * uses, `scripts/kit.ts`'s `startFlags()`); a compiled parsd runs itself.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { selfCommand, SOURCE_ROOT, sourceCommand, taskFlags } from "../../lib/devnet/self.ts";
import { startFlags } from "../../scripts/kit.ts";
import { denoSystem } from "../../lib/os/system.ts";
import { REPO } from "../helpers.ts";

Deno.test("from source, parsd runs main.ts with deno.json and the start task's flags", async () => {
  assert.equal(join(SOURCE_ROOT), join(REPO) + "/");
  const self = await selfCommand(denoSystem, false);
  assert.deepEqual(self, {
    path: Deno.execPath(),
    args: ["run", "--config", join(REPO, "deno.json"), ...startFlags(), join(REPO, "main.ts")],
  });
});

Deno.test("a compiled parsd runs its own executable", async () => {
  assert.deepEqual(await selfCommand({ ...denoSystem, execPath: () => "/usr/bin/parsd" }, true), {
    path: "/usr/bin/parsd",
    args: [],
  });
});

Deno.test("taskFlags and sourceCommand refuse what is not a 'deno run … main.ts' task", async (t) => {
  const cases: [string, string | undefined, string | RegExp][] = [
    ["no deno.json", undefined, /deno\.json is missing/],
    ["not JSON", "{", /is not JSON/],
    ["no start task", "{}", /no 'start' task/],
    [
      "another script",
      JSON.stringify({ tasks: { start: "deno run -A other.ts" } }),
      /no 'start' task/,
    ],
  ];
  for (const [name, text, why] of cases) {
    await t.step(
      name,
      () => assert.match(sourceCommand("/deno", "/r", text) as string, why as RegExp),
    );
  }
  assert.deepEqual(taskFlags("deno run -P=x --no-prompt main.ts"), ["-P=x", "--no-prompt"]);
  assert.equal(taskFlags("deno task start"), undefined);
});
