import assert from "node:assert/strict";
import { join } from "node:path";
import {
  ensureLink,
  findStrays,
  linkState,
  registeredName,
  strayEntries,
} from "../../lib/plugins/links.ts";
import type { DirEntry } from "../../lib/os/files.ts";
import { denoFiles, denoSystem } from "../../lib/os/system.ts";
import { layout } from "../../lib/data_dir/layout.ts";
import { PLUGINS } from "../../lib/network/pars.ts";
import { isVmid, vmid } from "../../lib/node/vmid.ts";
import { CantCreateError, ExitCode } from "../../lib/errors.ts";
import { withTempDir } from "../helpers.ts";

const EVM = vmid("subnetevm");

const listing = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

Deno.test("ensureLink() creates, keeps, and atomically replaces stale and dangling links", async () => {
  await withTempDir(async (dir) => {
    const a = join(dir, "a");
    const b = join(dir, "b");
    await Deno.writeTextFile(a, "a");
    await Deno.writeTextFile(b, "b");
    const link = join(dir, EVM);
    assert.deepEqual(await linkState(denoFiles, link, a), { state: "missing" });
    assert.equal(await ensureLink(denoFiles, link, a), "created");
    assert.equal(await Deno.readLink(link), a);
    assert.equal((await Deno.lstat(link)).isSymlink, true);
    assert.deepEqual(await linkState(denoFiles, link, a), { state: "ok" });
    const ino = (await Deno.lstat(link)).ino;
    assert.equal(await ensureLink(denoFiles, link, a), "unchanged");
    assert.equal((await Deno.lstat(link)).ino, ino, "an idempotent run must not touch the link");
    assert.equal(await ensureLink(denoFiles, link, b), "replaced");
    assert.equal(await Deno.readLink(link), b);
    await Deno.remove(b);
    assert.deepEqual(await linkState(denoFiles, link, a), { state: "stale", current: b });
    assert.equal(await ensureLink(denoFiles, link, a), "replaced");
    assert.equal(await Deno.readLink(link), a);
    assert.deepEqual(listing(dir), [EVM, "a"].sort(), "no temporary link left behind");
  });
});

Deno.test("ensureLink() never deletes a regular file or directory in the way", async (t) => {
  await withTempDir(async (dir) => {
    await t.step("regular file", async () => {
      const link = join(dir, EVM);
      await Deno.writeTextFile(link, "user's own binary");
      assert.deepEqual(await linkState(denoFiles, link, "/x"), {
        state: "blocked",
        kind: "regular file",
      });
      await assert.rejects(
        ensureLink(denoFiles, link, "/x"),
        (e: unknown) =>
          e instanceof CantCreateError && e.exitCode === ExitCode.cantCreate &&
          /regular file parsd did not create; move it away/.test(e.message),
      );
      assert.equal(await Deno.readTextFile(link), "user's own binary");
      assert.deepEqual(listing(dir), [EVM]);
      await Deno.remove(link);
    });
    await t.step("directory", async () => {
      const link = join(dir, EVM);
      await Deno.mkdir(link);
      await assert.rejects(
        ensureLink(denoFiles, link, "/x"),
        (e: unknown) => e instanceof CantCreateError && /is a directory/.test(e.message),
      );
      assert.equal((await Deno.lstat(link)).isDirectory, true);
      assert.deepEqual(listing(dir), [EVM]);
    });
  });
});

Deno.test("ensureLink() leaves no temporary link when the link cannot be made", async () => {
  await withTempDir(async (dir) => {
    const link = join(dir, "sub", EVM);
    await assert.rejects(ensureLink(denoFiles, link, "/x"), CantCreateError);
    assert.deepEqual(listing(dir), []);
  });
});

Deno.test("findStrays() flags names luxd would reject, skipping dirs and dot-names", async (t) => {
  const file = (name: string): DirEntry => ({
    name,
    isFile: true,
    isDirectory: false,
    isSymlink: false,
  });
  const names = [
    EVM,
    vmid("other"),
    ".DS_Store",
    ".tmp",
    "README",
    "notes.txt",
    "SHA256SUMS",
    `${EVM}.bak`,
  ];
  const expected = (dir: string) =>
    [
      { path: join(dir, `${EVM}.bak`), kind: "shadows" },
      { path: join(dir, "README"), kind: "invalid" },
      { path: join(dir, "SHA256SUMS"), kind: "invalid" },
      { path: join(dir, "notes.txt"), kind: "invalid" },
    ].sort((a, b) => a.path < b.path ? -1 : 1);
  const asked: string[] = [];
  const checking = (name: string) => (asked.push(name), isVmid(name));

  await t.step("pure: from a listing", () => {
    const entries = [
      ...names.map(file),
      { name: "subdir", isFile: false, isDirectory: true, isSymlink: false },
      { name: "README-link", isFile: false, isDirectory: false, isSymlink: true },
    ];
    assert.deepEqual(
      findStrays("/p", entries, [EVM], checking),
      [...expected("/p"), { path: "/p/README-link", kind: "invalid" }].sort((a, b) =>
        a.path < b.path ? -1 : 1
      ),
    );
    // The checksum check (SHA-256) is asked only of names that are not managed VMIDs.
    assert.ok(!asked.includes(EVM));
    assert.deepEqual(findStrays("/p", [], [EVM], isVmid), []);
    // `<VMID>.bak` shadows only a managed plugin; beside an unmanaged one it is luxd's business.
    assert.deepEqual(findStrays("/p", [file(`${EVM}.bak`)], [], isVmid), []);
  });

  await t.step("from a real directory listing", async () => {
    await withTempDir(async (dir) => {
      for (const name of names) await Deno.writeTextFile(join(dir, name), "");
      await Deno.mkdir(join(dir, "subdir"));
      assert.deepEqual(
        findStrays(dir, await denoFiles.readDir(dir), [EVM], isVmid),
        expected(dir),
      );
      const missing = join(dir, "missing");
      assert.deepEqual(findStrays(missing, await denoFiles.readDir(missing), [EVM], isVmid), []);
    });
  });
});

Deno.test("registeredName() strips the extension as luxd does", () => {
  assert.equal(registeredName("a.so"), "a");
  assert.equal(registeredName(".DS_Store"), "");
  assert.equal(registeredName("plain"), "plain");
  assert.equal(registeredName("a.b.c"), "a.b");
});

Deno.test("strayEntries() finds entries luxd would trip over", async (t) => {
  const evm = PLUGINS.evm.vmid;
  const withPluginDir = (names: string[], f: (l: ReturnType<typeof layout>) => Promise<void>) =>
    withTempDir(async (root) => {
      const l = layout(root);
      await Deno.mkdir(l.pluginDir);
      for (const name of names) await Deno.writeTextFile(join(l.pluginDir, name), "");
      await f(l);
    });
  await t.step("no plugin dir: none", async () => {
    await withTempDir(async (root) => {
      assert.deepEqual(await strayEntries(denoSystem, layout(root)), []);
    });
  });
  await t.step("only managed names: a managed VMID with an extension shadows", async () => {
    await withPluginDir([evm, PLUGINS.sessionvm.vmid, `${evm}.bak`], async (l) => {
      assert.deepEqual(await strayEntries(denoSystem, l), [
        { path: join(l.pluginDir, `${evm}.bak`), kind: "shadows" },
      ]);
    });
  });
  await t.step(
    "another name: checked as a VMID (a real one passes, others are invalid)",
    async () => {
      await withPluginDir([evm, vmid("othervm"), "README", "notes.txt", ".DS_Store"], async (l) => {
        assert.deepEqual(await strayEntries(denoSystem, l), [
          { path: join(l.pluginDir, "README"), kind: "invalid" },
          { path: join(l.pluginDir, "notes.txt"), kind: "invalid" },
        ]);
      });
    },
  );
  await t.step("directories are skipped, as luxd skips them", async () => {
    await withPluginDir([], async (l) => {
      await Deno.mkdir(join(l.pluginDir, "current"));
      assert.deepEqual(await strayEntries(denoSystem, l), []);
    });
  });
});
