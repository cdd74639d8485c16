/** In-process tests of `parsd plugins list | verify | pin | rollback | store`. */
import assert from "node:assert/strict";
import { join } from "../../../lib/os/path.ts";
import { PLUGINS } from "../../../lib/network/pars.ts";
import { REPO, sha256, snapshot } from "../../helpers.ts";
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

const MINISIGN = join(REPO, "tests", "fixtures", "minisign");
/** The release key of the minisign fixtures: the second line of `release.pub`. */
const RELEASE_KEY = Deno.readTextFileSync(join(MINISIGN, "release.pub")).split("\n")[1]!.trim();
const OTHER_KEY = Deno.readTextFileSync(join(MINISIGN, "other.pub")).split("\n")[1]!.trim();
const sealed = (dataDir: string, hash: string) => join(dataDir, "store", `sha256-${hash}`);
const config = async (n: { dataDir: string }) =>
  JSON.parse(await Deno.readTextFile(join(n.dataDir, "config.json")));

Deno.test("plugins pin seals all three binaries into the store and pins luxd too", async (t) => {
  await withInProcessNode(async (n) => {
    await Deno.mkdir(join(n.dataDir, "plugins"), { recursive: true, mode: 0o700 });
    const f = n.fake();
    assert.equal(await f.run(["plugins", "pin"]), 0, f.err());
    const c = await config(n);
    const luxd = sha256(await Deno.readFile(n.luxd));
    const evm = sha256(await Deno.readFile(n.evm));
    await t.step("luxd-sha256 and luxd's path (named by PARS_LUXD) are recorded", () => {
      assert.equal(c["luxd-sha256"], luxd);
      assert.equal(c.luxd, n.luxd);
      assert.match(f.out(), new RegExp(`^pinned luxd sha256 ${luxd} \\(${n.luxd}\\)$`, "m"));
    });
    await t.step("each one's bytes sealed, 0500, in a 0700 store", async () => {
      for (const [file, hash] of [[n.luxd, luxd], [n.evm, evm]] as const) {
        assert.equal((await Deno.lstat(sealed(n.dataDir, hash))).mode! & 0o7777, 0o500);
        assert.deepEqual(await Deno.readFile(sealed(n.dataDir, hash)), await Deno.readFile(file));
      }
      assert.equal((await Deno.stat(join(n.dataDir, "store"))).mode! & 0o777, 0o700);
      assert.match(f.out(), /^sealed luxd into .*store\/sha256-/m);
    });
    await t.step("the plugin links point into the store (bin/ is left to run)", async () => {
      assert.equal(
        await Deno.readLink(join(n.dataDir, "plugins", PLUGINS.evm.vmid)),
        sealed(n.dataDir, evm),
      );
      assert.equal(await Deno.lstat(join(n.dataDir, "bin")).catch(() => undefined), undefined);
    });
    await t.step("a changed source changes nothing; verify says so, list shows both", async () => {
      await Deno.writeTextFile(n.evm, "#!/bin/sh\n# rebuilt\n");
      const v = n.fake();
      assert.equal(await v.run(["plugins", "verify"]), 0, v.err());
      assert.match(
        v.out(),
        new RegExp(
          `^ok evm sha256 ${evm} ${sealed(n.dataDir, evm)}; ${n.evm}: source changed since pin`,
          "m",
        ),
      );
      assert.match(
        v.out(),
        new RegExp(`^ok luxd sha256 ${luxd} .*; source ${n.luxd} matches$`, "m"),
      );
      const l = n.fake();
      assert.equal(await l.run(["plugins", "list", "evm", "luxd"]), 0);
      assert.match(l.out(), /^evm\n[^]*pinned +MISMATCH[^]*store +.*sha256-.* \(sealed\)/m);
      assert.match(l.out(), /^luxd\n +found +.*luxd \(by env\)[^]*link +.*bin\/luxd: missing/m);
    });
  });
});

Deno.test("pin --replace keeps the old version; rollback goes back and forth; store lists and cleans", async (t) => {
  await withInProcessNode(async (n) => {
    await Deno.mkdir(join(n.dataDir, "plugins"), { recursive: true, mode: 0o700 });
    assert.equal(await n.fake().run(["plugins", "pin"]), 0);
    const v1 = sha256(await Deno.readFile(n.evm));
    await Deno.writeTextFile(n.evm, "#!/bin/sh\n# evm v2\n");
    const v2 = sha256(await Deno.readFile(n.evm));
    const link = join(n.dataDir, "plugins", PLUGINS.evm.vmid);
    await t.step("the replace: history keeps v1, the link goes to v2", async () => {
      const f = n.fake();
      assert.equal(await f.run(["plugins", "pin", "evm", "--replace"]), 0, f.err());
      assert.match(f.out(), new RegExp(`^pinned evm sha256 ${v2} \\(was ${v1}\\)`, "m"));
      const history = JSON.parse(await Deno.readTextFile(join(n.dataDir, "pin-history.json")));
      assert.deepEqual(history, { evm: [v1] });
      assert.equal(await Deno.readLink(link), sealed(n.dataDir, v2));
    });
    await t.step(
      "store lists each version, what pins it and what it is a rollback of",
      async () => {
        const f = n.fake();
        assert.equal(await f.run(["plugins", "store"]), 0, f.err());
        assert.match(f.out(), /^store .*\/store: 4 versions, \d+ bytes$/m);
        assert.match(f.out(), new RegExp(`^sha256-${v2} +\\d+ bytes  pinned: evm$`, "m"));
        assert.match(
          f.out(),
          new RegExp(`^sha256-${v1} +\\d+ bytes  earlier pin of evm \\(rollback 1\\)$`, "m"),
        );
      },
    );
    await t.step("rollback: the pin and the link back to v1, old -> new printed", async () => {
      const f = n.fake();
      assert.equal(await f.run(["plugins", "rollback", "evm"]), 0, f.err());
      assert.match(f.out(), new RegExp(`^rolled back evm sha256 ${v2} -> ${v1}$`, "m"));
      assert.equal((await config(n)).plugins.evm.sha256, v1);
      assert.equal(await Deno.readLink(link), sealed(n.dataDir, v1));
      const history = JSON.parse(await Deno.readTextFile(join(n.dataDir, "pin-history.json")));
      assert.deepEqual(history, { evm: [v2] }, "a second rollback undoes the first");
    });
    await t.step("rollback with no earlier pin: 66, nothing changed", async () => {
      const before = await Deno.readTextFile(join(n.dataDir, "config.json"));
      const f = n.fake();
      assert.equal(await f.run(["plugins", "rollback", "sessionvm"]), 66);
      assert.match(f.err(), /plugin sessionvm: no earlier pin to roll back to/);
      assert.equal(await Deno.readTextFile(join(n.dataDir, "config.json")), before);
    });
    await t.step("--gc --keep 0 removes what no pin names; then rollback is 66", async () => {
      const f = n.fake();
      assert.equal(await f.run(["plugins", "store", "--gc", "--keep", "0"]), 0, f.err());
      assert.match(f.out(), new RegExp(`^removed sha256-${v2} \\(\\d+ bytes\\)$`, "m"));
      assert.match(f.out(), /^gc: removed 1, freed \d+ bytes$/m);
      assert.match(f.out(), /: 3 versions,/);
      const g = n.fake();
      assert.equal(await g.run(["plugins", "rollback", "evm"]), 66);
      assert.match(g.err(), /no longer in the store .*pin it again from its file/);
    });
    await t.step("--gc keeps the most recent earlier pin by default", async () => {
      await Deno.writeTextFile(n.evm, "#!/bin/sh\n# evm v3\n");
      assert.equal(await n.fake().run(["plugins", "pin", "evm", "--replace"]), 0);
      const f = n.fake();
      assert.equal(await f.run(["plugins", "store", "--gc"]), 0, f.err());
      assert.match(f.out(), /^gc: removed 0, freed 0 bytes$/m);
      assert.match(f.out(), new RegExp(`sha256-${v1} .*earlier pin of evm \\(rollback 1\\)`));
    });
    await t.step("all of them take the data dir's lock: 75 while the node runs", async () => {
      for (const argv of [["pin", "evm"], ["rollback", "evm"], ["store"], ["store", "--gc"]]) {
        const f = n.fake({ lockHeldBy: 4321 });
        assert.equal(await f.run(["plugins", ...argv]), 75, argv.join(" "));
        assert.match(f.err(), /another parsd \(pid 4321\) is running/);
      }
    });
  });
});

Deno.test("signed releases: once trusted-keys is set, a pin needs a valid minisign signature", async (t) => {
  await withInProcessNode(async (n) => {
    // The fixture sums name the bytes 'evm plugin' and 'sessionvm plugin'.
    await Deno.writeTextFile(n.evm, "evm plugin", { mode: 0o755 });
    const sums = join(n.root, "SHA256SUMS");
    await Deno.copyFile(join(MINISIGN, "SHA256SUMS"), sums);
    const sig = join(MINISIGN, "SHA256SUMS.minisig");
    await n.pin({ "trusted-keys": [RELEASE_KEY] });
    const cfg = join(n.dataDir, "config.json");
    const refused = async (argv: string[], code: number, message: RegExp) => {
      const before = await snapshot(n.dataDir);
      const f = n.fake();
      assert.equal(await f.run(["plugins", "pin", ...argv]), code, f.err());
      assert.match(f.err(), message);
      assert.deepEqual(await snapshot(n.dataDir), before, "nothing changed");
    };
    await t.step("no signature: refused (65), naming the fix", async () => {
      await refused(
        ["evm", "--replace"],
        65,
        /sets 'trusted-keys', so every pin needs a signed release/,
      );
      await refused(["evm", "--from", sums, "--replace"], 65, /--signature SHA256SUMS\.minisig/);
    });
    await t.step("a good signature: the trusted comment is printed, the pin sealed", async () => {
      const f = n.fake();
      assert.equal(
        await f.run(["plugins", "pin", "evm", "--from", sums, "--signature", sig, "--replace"]),
        0,
        f.err(),
      );
      assert.match(f.out(), /^signature ok: .* by trusted key D3AF98704655FB33$/m);
      assert.match(f.out(), /^trusted comment: parsd test release 1\.0\.0 \(prehashed ED\)$/m);
      const hash = sha256("evm plugin");
      assert.equal((await config(n)).plugins.evm.sha256, hash);
      assert.ok((await Deno.lstat(sealed(n.dataDir, hash))).isFile);
    });
    const tampered = join(n.root, "tampered");
    await Deno.writeTextFile(tampered, (await Deno.readTextFile(sums)).replace(/^6/, "7"));
    const cut = join(n.root, "cut.minisig");
    await Deno.writeTextFile(
      cut,
      (await Deno.readTextFile(sig)).split("\n").slice(0, 2).join("\n"),
    );
    const comment = join(n.root, "comment.minisig");
    await Deno.writeTextFile(
      comment,
      (await Deno.readTextFile(sig)).replace("1.0.0 (prehashed ED)", "9.9.9 (prehashed ED)"),
    );
    const cases: [string, string[], RegExp][] = [
      [
        "tampered sums",
        ["--from", tampered, "--signature", sig],
        /bad signature by key D3AF98704655FB33/,
      ],
      [
        "a wrong key",
        ["--from", sums, "--signature", join(MINISIGN, "SHA256SUMS.other.minisig")],
        /signed by key C291846B94C3408D, which is not a trusted key/,
      ],
      [
        "a truncated signature",
        ["--from", sums, "--signature", cut],
        /truncated: 2 of the 4 lines/,
      ],
      [
        "a modified trusted comment",
        ["--from", sums, "--signature", comment],
        /bad global signature.*trusted comment was modified/,
      ],
    ];
    for (const [what, argv, message] of cases) {
      await t.step(`${what}: refused (65), nothing changed`, async () => {
        await Deno.writeTextFile(n.evm, "#!/bin/sh\n# other\n");
        await refused(["sessionvm", ...argv, "--replace"], 65, message);
      });
    }
    await t.step("a key that is no minisign key: 78 naming trusted-keys", async () => {
      await Deno.writeTextFile(cfg, JSON.stringify({ "trusted-keys": ["RW" + "A".repeat(54)] }));
      await refused(
        ["evm", "--from", sums, "--signature", sig],
        78,
        /'trusted-keys'\[0\]: not an Ed25519 minisign key|a minisign public key is 42 bytes/,
      );
      await Deno.writeTextFile(cfg, JSON.stringify({ "trusted-keys": [OTHER_KEY] }));
      await refused(
        ["evm", "--from", sums, "--signature", sig],
        65,
        /not a trusted key \(trusted: C291846B94C3408D\)/,
      );
    });
  });
});

Deno.test("plugins: --signature without trusted-keys is 78; misused flags are 64", async () => {
  await withInProcessNode(async (n) => {
    const sums = join(MINISIGN, "SHA256SUMS");
    const f = n.fake();
    assert.equal(
      await f.run(["plugins", "pin", "--from", sums, "--signature", `${sums}.minisig`]),
      78,
    );
    assert.match(f.err(), /has no 'trusted-keys' to check it against/);
    for (
      const [argv, message] of [
        [["pin", "--signature", "x"], /--signature signs a checksum file: give it with --from/],
        [["store", "--keep", "2"], /--keep says what --gc keeps: give --gc too/],
        [["list", "--gc"], /--gc is an option of 'parsd plugins store' only/],
        [["rollback"], /'parsd plugins rollback' needs a name: evm, sessionvm, luxd/],
        [["store", "evm"], /'parsd plugins store' takes no names/],
        [["store", "--gc", "--keep", "x"], /--keep "x": must be a whole number/],
      ] as const
    ) {
      const g = n.fake();
      assert.equal(await g.run(["plugins", ...argv]), 64, argv.join(" "));
      assert.match(g.err(), message);
    }
  });
});

Deno.test("plugins pin refuses a source or data dir another user could change (77), changing nothing", async (t) => {
  await withInProcessNode(async (n) => {
    await t.step("a source in a directory others can write", async () => {
      const open = join(n.root, "open");
      await Deno.mkdir(open);
      await Deno.chmod(open, 0o777);
      const evm = join(open, "evm");
      await Deno.copyFile(n.evm, evm);
      const f = n.fake({ env: { PARS_EVM_PLUGIN: evm } });
      assert.equal(await f.run(["plugins", "pin"]), 77);
      assert.match(f.err(), new RegExp(`${open}: .*mode 0777 .*fix: chmod go-w ${open}`));
      assert.equal(await Deno.lstat(n.dataDir).catch(() => undefined), undefined);
    });
    await t.step("a data dir others can write", async () => {
      await Deno.mkdir(n.dataDir);
      await Deno.chmod(n.dataDir, 0o777);
      const f = n.fake();
      assert.equal(await f.run(["plugins", "pin"]), 77);
      assert.match(f.err(), /\.pars: .*mode 0777 .*fix: chmod go-w/);
      assert.deepEqual([...Deno.readDirSync(n.dataDir)], []);
    });
  });
});

Deno.test("a data dir from before the store migrates on the next run or pin, every pin kept", async (t) => {
  await withInProcessNode(async (n) => {
    // What an older parsd left: pins in config.json and links to the sources, no store.
    await n.pin();
    const plugins = join(n.dataDir, "plugins");
    await Deno.mkdir(plugins, { mode: 0o700 });
    await Deno.symlink(n.evm, join(plugins, PLUGINS.evm.vmid));
    const before = await Deno.readTextFile(join(n.dataDir, "config.json"));
    const evm = sha256(await Deno.readFile(n.evm));
    await t.step("a source that no longer matches: refused (65), nothing written", async () => {
      const good = await Deno.readTextFile(n.sessionvm);
      await Deno.writeTextFile(n.sessionvm, "#!/bin/sh\n# changed\n");
      const snap = await snapshot(n.dataDir);
      const f = n.fake();
      assert.equal(await f.run([]), 65);
      assert.match(f.err(), /plugin sessionvm: .* does not match its pin.*the store has no copy/);
      assert.deepEqual(await snapshot(n.dataDir), snap);
      await Deno.writeTextFile(n.sessionvm, good);
    });
    await t.step("run seals each pinned source, then relinks; config.json untouched", async () => {
      const f = n.fake();
      assert.equal(await f.run([]), 0, f.err());
      assert.match(f.err(), /^parsd: sealed .*\/evm into .*store\/sha256-/m);
      assert.match(f.err(), /^parsd: replaced link .*srEXiWaH.* -> .*store\/sha256-/m);
      assert.equal(await Deno.readLink(join(plugins, PLUGINS.evm.vmid)), sealed(n.dataDir, evm));
      assert.equal(await Deno.readTextFile(join(n.dataDir, "config.json")), before);
    });
    await t.step("pin with the same files seals what is missing; every pin stays", async () => {
      await Deno.chmod(sealed(n.dataDir, evm), 0o700);
      await Deno.remove(sealed(n.dataDir, evm));
      const f = n.fake();
      assert.equal(await f.run(["plugins", "pin"]), 0, f.err());
      assert.match(f.out(), /^sealed plugin evm into /m);
      assert.doesNotMatch(f.out(), /\(was /, "no pin replaced");
      type Pinned = {
        plugins: { evm: { sha256: string }; sessionvm: { sha256: string } };
        "luxd-sha256": string;
      };
      const pins = (
        c: Pinned,
      ) => [c.plugins.evm.sha256, c.plugins.sessionvm.sha256, c["luxd-sha256"]];
      assert.deepEqual(pins(await config(n)), pins(JSON.parse(before)));
    });
  });
});

Deno.test("plugins pin refuses a file parsd did not make where a link goes (73), before writing", async () => {
  await withInProcessNode(async (n) => {
    await Deno.mkdir(join(n.dataDir, "bin"), { recursive: true, mode: 0o700 });
    await Deno.writeTextFile(join(n.dataDir, "bin", "luxd"), "the user's own luxd");
    const f = n.fake();
    assert.equal(await f.run(["plugins", "pin"]), 73);
    assert.match(
      f.err(),
      /bin\/luxd is a regular file parsd did not create, where the link to luxd's sealed copy goes; move it away \(and name it with --luxd if it is yours\)/,
    );
    assert.deepEqual([...Deno.readDirSync(n.dataDir)].map((e) => e.name), ["bin"]);
    assert.equal(await Deno.readTextFile(join(n.dataDir, "bin", "luxd")), "the user's own luxd");
  });
});
