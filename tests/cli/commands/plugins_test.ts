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

/** A config.json of `bytes` or so: a chain config nested `depth` deep, indented with `indent`. */
function nestedConfig(depth: number, indent: string | number, bytes: number): string {
  let inner: unknown = { "log-level": "info", pad: "x".repeat(Math.max(0, bytes - depth * 24)) };
  for (let i = 0; i < depth; i++) inner = { [`level-${i}`]: inner };
  return JSON.stringify(
    { "network-id": "mainnet", chains: { evm: { config: inner } } },
    null,
    indent,
  ) +
    "\n";
}

Deno.test("plugins pin keeps the user's config file: size, layout, every other byte", async (t) => {
  for (const indent of [2, 4, "\t"]) {
    await t.step(`indent ${JSON.stringify(indent)}`, async () => {
      await withInProcessNode(async (n) => {
        const path = join(n.dataDir, "config.json");
        await Deno.mkdir(n.dataDir, { mode: 0o700 });
        const before = nestedConfig(60, indent, 10_800);
        await Deno.writeTextFile(path, before);
        const f = n.fake();
        assert.equal(await f.run(["plugins", "pin"]), 0, f.err());
        const after = await Deno.readTextFile(path);
        assert.ok(after.length - before.length < 1024, `grew by ${after.length - before.length}`);
        assert.ok(after.startsWith(before.slice(0, before.lastIndexOf("\n}"))), "nothing moved");
        const doc = JSON.parse(after);
        // Only the pins are new (plugins, and luxd's where it is pinned too).
        for (const pinned of ["plugins", "luxd", "luxd-sha256"]) delete doc[pinned];
        assert.deepEqual(doc, JSON.parse(before));
        const doctor = n.fake();
        await doctor.run(["doctor"]);
        assert.match(doctor.out(), /^ok +config +\S+config\.json$/m, "parsd reads its own file");
      });
    });
  }
});

Deno.test("plugins pin writes only when a pin changes", async () => {
  await withInProcessNode(async (n) => {
    const path = join(n.dataDir, "config.json");
    const first = n.fake();
    assert.equal(await first.run(["plugins", "pin"]), 0, first.err());
    const before = await Deno.stat(path);
    const text = await Deno.readTextFile(path);
    const again = n.fake();
    assert.equal(await again.run(["plugins", "pin"]), 0, again.err());
    assert.match(again.out(), /^unchanged \S+config\.json: every pin was already recorded$/m);
    const after = await Deno.stat(path);
    assert.deepEqual([after.ino, after.mtime?.getTime()], [before.ino, before.mtime?.getTime()]);
    assert.equal(await Deno.readTextFile(path), text);
  });
});

Deno.test("plugins pin writes through a symlinked config.json and keeps its mode", async () => {
  await withInProcessNode(async (n) => {
    const real = join(n.root, "etc", "pars.json");
    const link = join(n.dataDir, "config.json");
    await Deno.mkdir(join(n.root, "etc"));
    await Deno.mkdir(n.dataDir, { mode: 0o700 });
    await Deno.writeTextFile(real, '{"network-id": "mainnet"}\n');
    await Deno.chmod(real, 0o640);
    await Deno.symlink(real, link);
    const f = n.fake();
    assert.equal(await f.run(["plugins", "pin"]), 0, f.err());
    assert.ok((await Deno.lstat(link)).isSymlink, "still a link");
    assert.equal(await Deno.readLink(link), real);
    const doc = JSON.parse(await Deno.readTextFile(real));
    assert.equal(doc.plugins.evm.sha256, sha256(await Deno.readFile(n.evm)));
    assert.equal((await Deno.stat(real)).mode! & 0o777, 0o640);
  });
});

Deno.test("plugins pin refuses a hard-linked config.json (73) and leaves both names alone", async () => {
  await withInProcessNode(async (n) => {
    const path = join(n.dataDir, "config.json");
    const other = join(n.root, "backup.json");
    await Deno.mkdir(n.dataDir, { mode: 0o700 });
    await Deno.writeTextFile(path, '{"network-id": "mainnet"}\n');
    await Deno.link(path, other);
    const f = n.fake();
    assert.equal(await f.run(["plugins", "pin"]), 73, f.err());
    assert.match(
      f.err(),
      /^parsd: error: cannot write \S+config\.json: has 2 hard links, and replacing it would leave the others with the old text; keep one name/m,
    );
    assert.equal(await Deno.readTextFile(path), '{"network-id": "mainnet"}\n');
    assert.equal((await Deno.stat(other)).nlink, 2);
  });
});

Deno.test("plugins pin refuses a config.json with a key given twice (78), before writing", async () => {
  await withInProcessNode(async (n) => {
    const path = join(n.dataDir, "config.json");
    await Deno.mkdir(n.dataDir, { mode: 0o700 });
    const text = '{"plugins": {"evm": {"path": "/a"}, "evm": {"path": "/b"}}}\n';
    await Deno.writeTextFile(path, text);
    const f = n.fake();
    assert.equal(await f.run(["plugins", "pin"]), 78, f.err());
    assert.match(f.err(), /config\.json:1: duplicate key 'plugins\.evm' \(also on line 1\)/);
    assert.equal(await Deno.readTextFile(path), text);
  });
});
