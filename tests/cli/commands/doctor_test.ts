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

Deno.test("doctor: one line per check, whatever a path holds", async () => {
  await withInProcessNode(async (n) => {
    await n.pin();
    const odd = `${n.evm}\nFAKE ready\u001b[2J`;
    await Deno.rename(n.evm, odd);
    const d = n.fake({ env: { PARS_EVM_PLUGIN: odd } });
    await d.run(["doctor"]);
    const lines = d.out().trimEnd().split("\n");
    for (const l of lines) assert.match(l, /^(ok|warn|FAIL) +\S/, l);
    assert.ok(lines.some((l) => l.includes("evm\\nFAKE ready\\x1b[2J")), d.out());
    assert.equal(lines.filter((l) => / ready /.test(l)).length, 1, "one ready line");
  });
});

Deno.test("doctor and run: 10,000 bad luxd flags print 25 problems and a count", async () => {
  await withInProcessNode(async (n) => {
    await n.pin();
    const flags = Array.from({ length: 10_000 }, (_, i) => `--bad${i}`);
    const run = n.fake();
    assert.equal(await run.run(flags), 64);
    const errors = run.err().trimEnd().split("\n");
    assert.equal(errors.length, 26, run.err().slice(0, 2000));
    assert.equal(errors[25], "parsd: error: … and 9975 more");
    const doctor = n.fake();
    assert.equal(await doctor.run(["doctor", ...flags]), 64);
    const fails = doctor.out().split("\n").filter((l) => l.startsWith("FAIL luxd flags"));
    assert.equal(fails.length, 26);
    assert.match(fails[25]!, /^FAIL luxd flags +… and 9975 more$/);
  });
});
