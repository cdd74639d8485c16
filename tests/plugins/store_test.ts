/**
 * Tests for lib/plugins/store.ts: the pure paths and GC plan, and sealed copies
 * and checks on real files in temp dirs (through the real FileSystem).
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { ExitCode, ParsdError } from "../../lib/errors.ts";
import { join } from "../../lib/os/path.ts";
import { denoFiles, type FileSystem } from "../../lib/os/system.ts";
import {
  applyGc,
  checkStoreFile,
  gcStore,
  listStore,
  planGc,
  storeCopy,
  storeDir,
  type StoreEntry,
  storeHash,
  storePath,
} from "../../lib/plugins/store.ts";

const UID = Deno.uid();
const AS_ROOT = UID === 0;
const hex = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");
const mode = (path: string) => Deno.lstatSync(path).mode! & 0o7777;

/** Runs `fn` with a fresh data dir (0700) holding a source file `plugin`. */
async function withDataDir(
  fn: (dataDir: string, source: string, bytes: Uint8Array) => Promise<void>,
): Promise<void> {
  const dataDir = await Deno.makeTempDir({ prefix: "parsd-store-" });
  try {
    // More than one 256 KiB read of the copy.
    const bytes = new Uint8Array(300_000);
    for (let at = 0; at < bytes.length; at += 65536) {
      crypto.getRandomValues(bytes.subarray(at, at + 65536));
    }
    const source = join(dataDir, "plugin");
    await Deno.writeFile(source, bytes, { mode: 0o755 });
    await fn(dataDir, source, bytes);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
}

/** Asserts `promise` rejects with a ParsdError of `code` whose message matches `why`. */
async function rejects(promise: Promise<unknown>, code: number, why: RegExp): Promise<ParsdError> {
  let caught: unknown;
  await promise.then(() => assert.fail("expected a refusal"), (e) => (caught = e));
  assert.ok(caught instanceof ParsdError, String(caught));
  assert.equal(caught.exitCode, code, caught.message);
  assert.match(caught.message, why);
  return caught;
}

/** The names in the store dir. */
const storeNames = (dataDir: string) => [...Deno.readDirSync(storeDir(dataDir))].map((e) => e.name);

Deno.test("storePath() names an entry for its hash under <data-dir>/store", async (t) => {
  const h = "ab".repeat(32);
  await t.step("paths", () => {
    assert.equal(storeDir("/d"), "/d/store");
    assert.equal(storePath("/d", h), `/d/store/sha256-${h}`);
    assert.equal(storePath("/d", h.toUpperCase()), `/d/store/sha256-${h}`);
    assert.throws(() => storePath("/d", "abc"), TypeError);
    assert.throws(() => storePath("/d", "../".repeat(21) + "x"), TypeError);
  });
  await t.step("storeHash() reads only entry names", () => {
    const cases: [string, string | undefined][] = [
      [`sha256-${h}`, h],
      [`sha256-${h.toUpperCase()}`, undefined],
      [`sha256-${h}x`, undefined],
      [`.sha256-${h}.tmp-1`, undefined],
      [h, undefined],
      ["", undefined],
    ];
    for (const [name, want] of cases) assert.equal(storeHash(name), want, name);
  });
});

Deno.test("storeCopy() seals a copy: 0700 dir, 0500 file, parsd's owner, the same bytes", async (t) => {
  await withDataDir(async (dataDir, source, bytes) => {
    const sha = hex(bytes);
    await t.step("with the expected hash", async () => {
      const got = await storeCopy(denoFiles, dataDir, source, { uid: UID, expectedSha256: sha });
      assert.deepEqual(got, {
        path: storePath(dataDir, sha),
        sha256: sha,
        size: bytes.length,
        status: "stored",
      });
      assert.equal(mode(storeDir(dataDir)), 0o700);
      assert.equal(mode(got.path), 0o500);
      const st = Deno.lstatSync(got.path);
      assert.equal(st.uid, UID);
      assert.ok(st.isFile);
      assert.notEqual(st.ino, Deno.statSync(source).ino, "a copy, not a link");
      assert.deepEqual(Deno.readFileSync(got.path), bytes);
      assert.deepEqual(storeNames(dataDir), [`sha256-${sha}`]);
    });
    await t.step("again: the entry checks out and is kept as it is", async () => {
      const ino = Deno.lstatSync(storePath(dataDir, sha)).ino;
      const got = await storeCopy(denoFiles, dataDir, source, {
        uid: UID,
        expectedSha256: sha.toUpperCase(),
      });
      assert.equal(got.status, "exists");
      assert.equal(Deno.lstatSync(got.path).ino, ino);
      // With the expected hash and a good entry, the source is not needed at all.
      await Deno.rename(source, `${source}.away`);
      const again = await storeCopy(denoFiles, dataDir, source, { uid: UID, expectedSha256: sha });
      assert.equal(again.status, "exists");
      await Deno.rename(`${source}.away`, source);
    });
    await t.step("without an expected hash, the source's own hash names it", async () => {
      await Deno.writeFile(source, new TextEncoder().encode("other bytes"));
      const got = await storeCopy(denoFiles, dataDir, source, { uid: UID });
      assert.equal(got.sha256, hex("other bytes"));
      assert.equal(got.status, "stored");
      assert.equal(storeNames(dataDir).length, 2);
    });
  });
});

Deno.test("storeCopy(): a source rewritten in place after the copy leaves the store copy unchanged", async () => {
  await withDataDir(async (dataDir, source, bytes) => {
    const sha = hex(bytes);
    const { path } = await storeCopy(denoFiles, dataDir, source, { uid: UID });
    const ino = Deno.statSync(source).ino;
    await Deno.writeFile(source, new TextEncoder().encode("rewritten"));
    assert.equal(Deno.statSync(source).ino, ino, "the same file, rewritten in place");
    assert.deepEqual(Deno.readFileSync(path), bytes);
    const checked = await checkStoreFile(denoFiles, path, sha, { uid: UID });
    assert.equal(checked.hashed, true);
  });
});

Deno.test("storeCopy() refuses bytes that do not hash as they must, and leaves no temp file", async (t) => {
  await withDataDir(async (dataDir, source, bytes) => {
    const sha = hex(bytes);
    await t.step("a wrong expected hash (65)", async () => {
      const wrong = "0".repeat(64);
      await rejects(
        storeCopy(denoFiles, dataDir, source, { uid: UID, expectedSha256: wrong }),
        ExitCode.verification,
        new RegExp(`^${source}: its copy in the store hashes to ${sha}, not ${wrong}`),
      );
      assert.deepEqual(storeNames(dataDir), []);
    });
    await t.step("bytes that changed on their way to disk (65)", async () => {
      const corrupting: FileSystem = {
        ...denoFiles,
        async copyNew(from, to, m) {
          const n = await denoFiles.copyNew(from, to, m);
          await Deno.writeFile(to, new Uint8Array([0]), { append: true });
          return n;
        },
      };
      await rejects(
        storeCopy(corrupting, dataDir, source, { uid: UID }),
        ExitCode.verification,
        /changed while it was copied/,
      );
      assert.deepEqual(storeNames(dataDir), []);
    });
    await t.step("a source that is missing (66) or cannot be read whole (66)", async () => {
      const missing = join(dataDir, "nope");
      await rejects(
        storeCopy(denoFiles, dataDir, missing, { uid: UID, expectedSha256: sha }),
        ExitCode.noInput,
        /nope: .*cannot copy it into the store/,
      );
      const dir = join(dataDir, "a-dir");
      await Deno.mkdir(dir);
      await rejects(
        storeCopy(denoFiles, dataDir, dir, { uid: UID, expectedSha256: sha }),
        ExitCode.noInput,
        /a-dir: .*cannot copy it into the store/,
      );
      assert.deepEqual(storeNames(dataDir), []);
    });
  });
});

Deno.test("storeCopy() replaces a bad entry atomically, and refuses an unsafe store dir", async (t) => {
  await withDataDir(async (dataDir, source, bytes) => {
    const sha = hex(bytes);
    const path = storePath(dataDir, sha);
    await t.step("an entry chmod'ed 0755 is replaced by a sealed one", async () => {
      await storeCopy(denoFiles, dataDir, source, { uid: UID });
      Deno.chmodSync(path, 0o755);
      const got = await storeCopy(denoFiles, dataDir, source, { uid: UID, expectedSha256: sha });
      assert.equal(got.status, "replaced");
      assert.equal(mode(path), 0o500);
    });
    await t.step("an entry that is a symlink is replaced by a file", async () => {
      Deno.removeSync(path);
      Deno.symlinkSync(source, path);
      const got = await storeCopy(denoFiles, dataDir, source, { uid: UID, expectedSha256: sha });
      assert.equal(got.status, "replaced");
      assert.ok(Deno.lstatSync(path).isFile);
      assert.deepEqual(storeNames(dataDir), [`sha256-${sha}`]);
    });
    await t.step("a group-writable store dir (77)", async () => {
      Deno.chmodSync(storeDir(dataDir), 0o770);
      await rejects(
        storeCopy(denoFiles, dataDir, source, { uid: UID }),
        ExitCode.permission,
        /store has mode 0770; fix: chmod 0700 /,
      );
      Deno.chmodSync(storeDir(dataDir), 0o700);
    });
    await t.step("a store that is a symlink to a dir (77)", async () => {
      const elsewhere = join(dataDir, "elsewhere");
      Deno.renameSync(storeDir(dataDir), elsewhere);
      Deno.symlinkSync(elsewhere, storeDir(dataDir));
      await rejects(
        storeCopy(denoFiles, dataDir, source, { uid: UID }),
        ExitCode.permission,
        /store is not a directory/,
      );
    });
  });
});

Deno.test("checkStoreFile() refuses an entry whose mode, type, owner or bytes are wrong (65)", async (t) => {
  await withDataDir(async (dataDir, source, bytes) => {
    const sha = hex(bytes);
    const { path } = await storeCopy(denoFiles, dataDir, source, { uid: UID });
    const check = (o: Parameters<typeof checkStoreFile>[3] = { uid: UID }) =>
      checkStoreFile(denoFiles, path, sha, o);
    await t.step("a sealed entry checks out", async () => {
      const got = await check();
      assert.equal(got.hashed, true);
      assert.equal(got.facts.size, BigInt(bytes.length));
    });
    for (const m of [0o755, 0o700, 0o400, 0o4500]) {
      await t.step(`mode ${m.toString(8)}`, async () => {
        Deno.chmodSync(path, m);
        await rejects(check(), ExitCode.verification, /has mode 0?\d{3,4}, not exactly 0500/);
        Deno.chmodSync(path, 0o500);
      });
    }
    await t.step("altered bytes (hashed)", async () => {
      Deno.chmodSync(path, 0o700);
      Deno.writeFileSync(path, new Uint8Array([1]), { append: true });
      Deno.chmodSync(path, 0o500);
      await rejects(check(), ExitCode.verification, /hashes to [0-9a-f]{64}, not .*altered/);
    });
    await t.step("`unchanged` skips the hash for facts a cache vouches for", async () => {
      const seen: bigint[] = [];
      const got = await check({ uid: UID, unchanged: (f) => (seen.push(f.ino), true) });
      assert.equal(got.hashed, false);
      assert.deepEqual(seen, [BigInt(Deno.lstatSync(path).ino!)]);
      await rejects(check({ uid: UID, unchanged: () => false }), ExitCode.verification, /altered/);
    });
    await t.step("a symlink to a good file", async () => {
      const good = join(dataDir, "good");
      Deno.writeFileSync(good, bytes, { mode: 0o500 });
      Deno.removeSync(path);
      Deno.symlinkSync(good, path);
      await rejects(check(), ExitCode.verification, /is a symlink, .*rm -f /);
    });
    await t.step("a directory", async () => {
      Deno.removeSync(path);
      Deno.mkdirSync(path, { mode: 0o500 });
      await rejects(check(), ExitCode.verification, /is not a regular file/);
      Deno.removeSync(path);
    });
    await t.step("missing (66)", async () => {
      await rejects(check(), ExitCode.noInput, /is missing; pin the plugin again/);
    });
    await t.step("named for another hash", async () => {
      await storeCopy(denoFiles, dataDir, source, { uid: UID });
      await rejects(
        checkStoreFile(denoFiles, path, "1".repeat(64), { uid: UID }),
        ExitCode.verification,
        /is not named sha256-1{64}/,
      );
    });
  });
});

Deno.test({
  name: `checkStoreFile() refuses an entry owned by another user, with every problem at once${
    AS_ROOT ? "" : " [skipped: needs root to chown]"
  }`,
  ignore: !AS_ROOT,
  async fn() {
    await withDataDir(async (dataDir, source, bytes) => {
      const sha = hex(bytes);
      const { path } = await storeCopy(denoFiles, dataDir, source, { uid: 1000 });
      Deno.chownSync(path, 65534, 65534);
      const e = await rejects(
        checkStoreFile(denoFiles, path, sha, { uid: 1000 }),
        ExitCode.verification,
        /owned by uid 65534, neither parsd's user \(uid 1000\) nor root/,
      );
      assert.equal(e.problems.length, 1);
      Deno.chmodSync(path, 0o777);
      const both = await rejects(checkStoreFile(denoFiles, path, sha, { uid: 1000 }), 65, /0777/);
      assert.equal(both.problems.length, 2);
      Deno.chownSync(path, 0, 0);
      Deno.chmodSync(path, 0o500);
      assert.equal((await checkStoreFile(denoFiles, path, sha, { uid: 1000 })).hashed, true);
    });
  },
});

const entry = (n: number, size = n * 10): StoreEntry => ({
  sha256: String(n).repeat(64),
  path: `/d/store/sha256-${String(n).repeat(64)}`,
  size,
  mtimeNs: BigInt(n),
});

Deno.test("planGc() keeps the pins and the keepN latest earlier pins in the store", () => {
  const h = (n: number) => String(n).repeat(64);
  const all = [1, 2, 3, 4, 5, 6].map((n) => entry(n));
  const cases: [string, string[], string[], number, number[]][] = [
    ["nothing pinned", [], [], 0, []],
    ["pins only", [h(1), h(2)], [h(3), h(4)], 0, [1, 2]],
    ["the latest earlier pin", [h(1)], [h(3), h(4), h(5)], 1, [1, 3]],
    ["two, skipping one no longer stored", [h(1)], [h(9), h(4), h(5), h(6)], 2, [1, 4, 5]],
    ["an earlier pin that is pinned again", [h(1)], [h(1), h(2), h(3)], 1, [1, 2]],
    ["more kept than there are", [h(6).toUpperCase()], [h(5)], 10, [5, 6]],
  ];
  for (const [name, pinned, previous, keepN, kept] of cases) {
    const plan = planGc(all, pinned, previous, keepN);
    assert.deepEqual(plan.keep.map((e) => Number(e.sha256[0])), kept, name);
    const removed = all.filter((e) => !kept.includes(Number(e.sha256[0])));
    assert.deepEqual(plan.remove, removed, name);
    assert.equal(plan.freedBytes, removed.reduce((n, e) => n + e.size, 0), name);
  }
});

Deno.test("applyGc() goes on past a failed removal and reports it", async () => {
  const plan = planGc([entry(1), entry(2)], [], [], 0);
  const removed: string[] = [];
  const got = await applyGc({
    remove: (p) =>
      p.includes("sha256-1")
        ? Promise.reject(new Error(`${p}: permission denied`))
        : Promise.resolve(void removed.push(p)),
  }, plan);
  assert.deepEqual(got.removed, [entry(2)]);
  assert.equal(got.freedBytes, 20);
  assert.deepEqual(got.problems, [`${entry(1).path}: permission denied; cannot remove it`]);
});

Deno.test("listStore() and gcStore() on a real store", async (t) => {
  await withDataDir(async (dataDir, source) => {
    await t.step("a missing store is empty", async () => {
      assert.deepEqual(await listStore(denoFiles, dataDir), { entries: [], strays: [] });
    });
    const shas: string[] = [];
    for (const text of ["a", "bb", "ccc"]) {
      Deno.writeTextFileSync(source, text);
      shas.push((await storeCopy(denoFiles, dataDir, source, { uid: UID })).sha256);
    }
    Deno.writeTextFileSync(join(storeDir(dataDir), `.sha256-${shas[0]}.tmp-1`), "");
    Deno.writeTextFileSync(join(storeDir(dataDir), "README"), "");
    await t.step("entries with sizes, and strays", async () => {
      const { entries, strays } = await listStore(denoFiles, dataDir);
      assert.deepEqual(
        entries.map((e) => [e.sha256, e.size]),
        [[shas[0], 1], [shas[1], 2], [shas[2], 3]].sort(),
      );
      assert.deepEqual(strays, [`.sha256-${shas[0]}.tmp-1`, "README"]);
    });
    await t.step("gc keeps the pin and one earlier pin", async () => {
      const got = await gcStore(denoFiles, dataDir, {
        pinned: [shas[2]!],
        previous: [shas[1]!, shas[0]!],
      }, 1);
      assert.deepEqual(got.removed.map((e) => e.sha256), [shas[0]]);
      assert.equal(got.freedBytes, 1);
      assert.deepEqual(got.problems, []);
      const left = (await listStore(denoFiles, dataDir)).entries.map((e) => e.sha256);
      assert.deepEqual(left, [shas[1], shas[2]].sort());
    });
  });
});
