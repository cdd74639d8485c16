/** In-process tests of `parsd doctor`: it agrees with run. */
import assert from "node:assert/strict";
import { withInProcessNode } from "./kit.ts";

Deno.test("doctor: ready exactly when run would start, in both luxd dialects", async () => {
  await withInProcessNode(async (n) => {
    await n.pin();
    for (const dialect of ["1.13.4", "1.22.18"] as const) {
      const d = n.fake({ dialect });
      assert.equal(await d.run(["doctor"]), 0, d.out());
      assert.match(d.out(), /ok {3}ready/);
      assert.match(d.out(), /fd-limit/);
      const bad = n.fake({ dialect });
      assert.equal(await bad.run(["doctor", "--bogus-flag"]), 64);
      assert.match(bad.out(), /FAIL ready/);
      const run = n.fake({ dialect });
      assert.equal(await run.run(["--bogus-flag"]), 64);
    }
  });
});

Deno.test("doctor: 1.13.4 has no --track-all-chains: a tracking warning, not a failure", async () => {
  await withInProcessNode(async (n) => {
    await n.pin();
    const d = n.fake({ dialect: "1.13.4" });
    assert.equal(await d.run(["doctor"]), 0);
    assert.match(d.out(), /warn tracking .*--track-subnets/);
  });
});

Deno.test("doctor: a broken config.json is one FAIL line with the config's exit code", async () => {
  await withInProcessNode(async (n) => {
    await Deno.mkdir(n.dataDir);
    await Deno.writeTextFile(`${n.dataDir}/config.json`, "{ nope");
    const d = n.fake();
    assert.equal(await d.run(["doctor"]), 78);
    assert.match(d.out(), /FAIL config .*malformed JSON/);
  });
});
