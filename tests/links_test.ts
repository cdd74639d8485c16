import assert from "node:assert/strict";
import { join } from "node:path";
import { ensureLink, findStrays, linkState, registeredName } from "../lib/links.ts";
import { vmid } from "../lib/vmid.ts";
import { CantCreateError } from "../lib/errors.ts";
import { withTempDir } from "./helpers.ts";

const EVM = vmid("subnetevm");

const listing = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

Deno.test("ensureLink() creates, keeps, and atomically replaces stale and dangling links", async () => {
  await withTempDir(async (dir) => {
    const a = join(dir, "a");
    const b = join(dir, "b");
    await Deno.writeTextFile(a, "a");
    await Deno.writeTextFile(b, "b");
    const link = join(dir, EVM);
    assert.equal(await ensureLink(link, a), "created");
    assert.equal(await Deno.readLink(link), a);
    assert.equal((await Deno.lstat(link)).isSymlink, true);
    const ino = (await Deno.lstat(link)).ino;
    assert.equal(await ensureLink(link, a), "unchanged");
    assert.equal((await Deno.lstat(link)).ino, ino, "an idempotent run must not touch the link");
    assert.equal(await ensureLink(link, b), "replaced");
    assert.equal(await Deno.readLink(link), b);
    await Deno.remove(b);
    assert.deepEqual(await linkState(link, a), { state: "stale", current: b });
    assert.equal(await ensureLink(link, a), "replaced");
    assert.equal(await Deno.readLink(link), a);
    assert.deepEqual(listing(dir), [EVM, "a"].sort(), "no temporary link left behind");
  });
});

Deno.test("ensureLink() never deletes a regular file in the way", async () => {
  await withTempDir(async (dir) => {
    const link = join(dir, EVM);
    await Deno.writeTextFile(link, "user's own binary");
    await assert.rejects(
      ensureLink(link, "/x"),
      (e: unknown) => e instanceof CantCreateError && /regular file/.test(e.message),
    );
    assert.equal(await Deno.readTextFile(link), "user's own binary");
    assert.deepEqual(listing(dir), [EVM]);
  });
});

Deno.test("ensureLink() leaves no temporary link when the link cannot be made", async () => {
  await withTempDir(async (dir) => {
    const link = join(dir, "sub", EVM);
    await assert.rejects(ensureLink(link, "/x"), CantCreateError);
    assert.deepEqual(listing(dir), []);
  });
});

Deno.test("findStrays() flags names luxd would reject, skipping dirs and dot-names", async () => {
  await withTempDir(async (dir) => {
    for (
      const name of [
        EVM,
        vmid("other"),
        ".DS_Store",
        ".tmp",
        "README",
        "notes.txt",
        "SHA256SUMS",
        `${EVM}.bak`,
      ]
    ) {
      await Deno.writeTextFile(join(dir, name), "");
    }
    await Deno.mkdir(join(dir, "subdir"));
    assert.deepEqual(
      await findStrays(dir, [EVM]),
      [
        join(dir, `${EVM}.bak`),
        join(dir, "README"),
        join(dir, "SHA256SUMS"),
        join(dir, "notes.txt"),
      ].sort(),
    );
    assert.deepEqual(await findStrays(join(dir, "missing"), [EVM]), []);
  });
});

Deno.test("registeredName() strips the extension as luxd does", () => {
  assert.equal(registeredName("a.so"), "a");
  assert.equal(registeredName(".DS_Store"), "");
  assert.equal(registeredName("plain"), "plain");
});
