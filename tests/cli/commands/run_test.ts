/** In-process tests of `parsd run` with a fake system. */
import assert from "node:assert/strict";
import { join } from "../../../lib/os/path.ts";
import { withInProcessNode } from "./kit.ts";

Deno.test("run: starts luxd with the planned argv and returns its exit code", async () => {
  await withInProcessNode(async (n) => {
    await n.pin();
    const f = n.fake({ exitCode: 3 });
    assert.equal(await f.run(["--log-level=info"]), 3, f.err());
    assert.equal(f.spawned.length, 1);
    const args = f.spawned[0]!.args;
    assert.equal(
      f.spawned[0]!.path,
      join(n.dataDir, "bin", "luxd"),
      "luxd's name for its sealed copy",
    );
    assert.equal(
      await Deno.readFile(join(n.dataDir, "bin", "luxd")).then((b) => b.length),
      (await Deno.readFile(n.luxd)).length,
    );
    assert.ok(args.includes("--network-id=7070"));
    assert.ok(args.includes("--track-all-chains=true"));
    assert.equal(args.at(-1), "--log-level=info");
    assert.ok((await Deno.lstat(join(n.dataDir, "plugins"))).isDirectory);
  });
});

Deno.test("run --dry-run: prints the plan with luxd's version and flag source, starts nothing", async () => {
  await withInProcessNode(async (n) => {
    await n.pin();
    const f = n.fake({ dialect: "1.13.4" });
    assert.equal(await f.run(["--dry-run"]), 0, f.err());
    const plan = JSON.parse(f.out());
    assert.equal(plan.luxd.path, join(n.dataDir, "bin", "luxd"));
    assert.equal(plan.luxd.copyFrom, n.luxd, "sealed from the pinned file on the first run");
    assert.equal(plan.luxd.version, "1.13.4");
    assert.equal(plan.luxd.rpcchainvm, 43);
    assert.equal(plan.luxd.flags, "probe");
    assert.equal(f.spawned.length, 0);
    assert.ok(!plan.args.some((a: string) => a.startsWith("--track-all-chains")));
  });
});

Deno.test("run: a typo in a luxd flag is a usage error naming the nearest flag; luxd never starts", async () => {
  await withInProcessNode(async (n) => {
    await n.pin();
    for (const dialect of ["1.13.4", "1.22.18"] as const) {
      const f = n.fake({ dialect });
      assert.equal(await f.run(["--netwrk-id=7071"]), 64, dialect);
      assert.match(f.err(), /did you mean --network-id\?/);
      assert.equal(f.spawned.length, 0);
    }
  });
});

Deno.test("run: another parsd holding the data dir is refused with 75, naming its pid", async () => {
  await withInProcessNode(async (n) => {
    await n.pin();
    const f = n.fake({ lockHeldBy: 777 });
    assert.equal(await f.run([]), 75);
    assert.match(f.err(), /pid 777/);
    assert.equal(f.spawned.length, 0);
  });
});

Deno.test("run: a busy port is refused with 75, naming the port", async () => {
  await withInProcessNode(async (n) => {
    await n.pin();
    const f = n.fake({ busyPorts: [9660] });
    assert.equal(await f.run([]), 75);
    assert.match(f.err(), /http port 9660 cannot be bound/);
    assert.equal(f.spawned.length, 0);
  });
});

Deno.test("run: a config named by --config that does not exist is 66", async () => {
  await withInProcessNode(async (n) => {
    const f = n.fake();
    assert.equal(await f.run(["--config", join(n.root, "nope.json"), "--trust-unpinned"]), 66);
    assert.match(f.err(), /nope\.json \(from --config \/ PARS_CONFIG\) does not exist/);
    assert.equal(f.spawned.length, 0);
  });
});

Deno.test("run: a warm-start.json left by an older parsd is ignored, never an error, never touched", async () => {
  await withInProcessNode(async (n) => {
    await n.pin();
    const record = join(n.dataDir, "warm-start.json");
    const old = '{"version":1,"argv":["run"],"launch":{"luxd":"/elsewhere/luxd","args":[]}}';
    await Deno.writeTextFile(record, old);
    for (const argv of [[], ["doctor"]]) {
      const f = n.fake();
      assert.equal(await f.run(argv), 0, f.err() + f.out());
      assert.doesNotMatch(f.err() + f.out(), /warm/);
    }
    const f = n.fake();
    assert.equal(await f.run([]), 0);
    assert.equal(
      f.spawned[0]!.path,
      join(n.dataDir, "bin", "luxd"),
      "luxd from this start's checks, not the record",
    );
    assert.equal(await Deno.readTextFile(record), old);
  });
});
