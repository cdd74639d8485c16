/** In-process tests of the small commands: help, vmid, version, init, node-id, per-command flags. */
import assert from "node:assert/strict";
import { join } from "../../../lib/os/path.ts";
import { REPO } from "../../helpers.ts";
import { withInProcessNode } from "./kit.ts";

Deno.test("help lists every command; 'help init' lists only init's flags", async () => {
  await withInProcessNode(async (n) => {
    const f = n.fake();
    assert.equal(await f.run(["help"]), 0);
    for (const c of ["run", "init", "doctor", "status", "node-id", "service"]) {
      assert.match(f.out(), new RegExp(`\\n  ${c} `));
    }
    const g = n.fake();
    assert.equal(await g.run(["help", "init"]), 0);
    assert.match(g.out(), /--data-dir/);
    assert.doesNotMatch(g.out(), /--dry-run/);
  });
});

Deno.test("a flag a command does not take is a usage error naming the command", async () => {
  await withInProcessNode(async (n) => {
    for (const argv of [["init", "--dry-run"], ["vmid", "--luxd", "x", "evm"]]) {
      const f = n.fake();
      assert.equal(await f.run(argv), 64, argv.join(" "));
      assert.match(f.err(), new RegExp(`not an option of 'parsd ${argv[0]}'`));
    }
    assert.equal(await Deno.lstat(n.dataDir).catch(() => undefined), undefined);
  });
});

Deno.test("vmid prints the cb58 VMID", async () => {
  await withInProcessNode(async (n) => {
    const f = n.fake();
    assert.equal(await f.run(["vmid", "sessionvm"]), 0);
    assert.equal(f.out(), "speKUgLBX6WRD5cfGeEfLa43LxTXUBckvtv4td6F3eTXvRP48\n");
  });
});

Deno.test("version reports a malformed config instead of 'luxd not found'", async () => {
  await withInProcessNode(async (n) => {
    await Deno.mkdir(n.dataDir);
    await Deno.writeTextFile(join(n.dataDir, "config.json"), "[1,");
    const f = n.fake();
    assert.equal(await f.run(["version"]), 78);
    assert.match(f.err(), /malformed JSON/);
  });
});

Deno.test("init creates the layout once; a second init changes nothing", async () => {
  await withInProcessNode(async (n) => {
    const f = n.fake();
    assert.equal(await f.run(["init"]), 0, f.err());
    assert.match(f.out(), /created .*config\.json/);
    const g = n.fake();
    assert.equal(await g.run(["init"]), 0);
    assert.doesNotMatch(g.out(), /created/);
  });
});

Deno.test("node-id prints the NodeID of a certificate, and refuses a garbled one", async () => {
  await withInProcessNode(async (n) => {
    const f = n.fake();
    assert.equal(
      await f.run(["node-id", join(REPO, "tests", "fixtures", "luxd", "staker-example.crt")]),
      0,
      f.err(),
    );
    assert.equal(f.out(), "NodeID-AYhtDt8UhBSCj9fqzcGunVzrQs7RfCL6M\n");
    const bad = join(n.root, "bad.crt");
    await Deno.writeTextFile(
      bad,
      "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n",
    );
    const g = n.fake();
    assert.equal(await g.run(["node-id", bad]), 78);
    assert.match(g.err(), /certificate .*bad\.crt/);
    const h = n.fake();
    assert.equal(await h.run(["node-id"]), 66);
    assert.match(h.err(), /staker\.crt does not exist/);
  });
});
