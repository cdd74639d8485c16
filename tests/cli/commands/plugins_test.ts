/** In-process tests of `parsd plugins list | verify | pin`. */
import assert from "node:assert/strict";
import { join } from "../../../lib/os/path.ts";
import { sha256 } from "../../helpers.ts";
import { withInProcessNode } from "./kit.ts";

Deno.test("plugins pin records both hashes; a second different pin needs --replace", async () => {
  await withInProcessNode(async (n) => {
    const f = n.fake();
    assert.equal(await f.run(["plugins", "pin"]), 0, f.err());
    const config = JSON.parse(await Deno.readTextFile(join(n.dataDir, "config.json")));
    assert.equal(config.plugins.evm.sha256, sha256(await Deno.readFile(n.evm)));
    assert.equal(config.plugins.evm.path, n.evm);
    await Deno.writeTextFile(n.evm, "#!/bin/sh\n# v2\n");
    const g = n.fake();
    assert.equal(await g.run(["plugins", "pin", "evm"]), 65);
    assert.match(g.err(), /already pinned to .*--replace/);
    const h = n.fake();
    assert.equal(await h.run(["plugins", "pin", "evm", "--replace"]), 0);
    assert.match(h.out(), /\(was [0-9a-f]{64}\)/);
  });
});

Deno.test("plugins verify and list: verify fails on a changed file; list shows the mismatch", async () => {
  await withInProcessNode(async (n) => {
    await n.pin();
    const ok = n.fake();
    assert.equal(await ok.run(["plugins", "verify"]), 0, ok.err());
    assert.match(ok.out(), /^ok evm sha256/m);
    await Deno.writeTextFile(n.sessionvm, "#!/bin/sh\n# changed\n");
    const bad = n.fake();
    assert.equal(await bad.run(["plugins", "verify", "sessionvm"]), 65);
    const list = n.fake();
    assert.equal(await list.run(["plugins", "list"]), 0);
    assert.match(list.out(), /MISMATCH: the file changed since it was pinned/);
  });
});

Deno.test("plugins: --from and --replace belong to pin; an unknown action is a usage error", async () => {
  await withInProcessNode(async (n) => {
    const f = n.fake();
    assert.equal(await f.run(["plugins", "list", "--replace"]), 64);
    assert.match(f.err(), /--replace is an option of 'parsd plugins pin' only/);
    assert.equal(await n.fake().run(["plugins", "burn"]), 64);
  });
});
