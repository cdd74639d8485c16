/**
 * Tests for lib/os/rewrite.ts on real files: a rewritten file keeps its mode,
 * owner and group, a symlink keeps pointing at its (rewritten) target, and a
 * hard-linked or special file is refused with the file unchanged.
 */
import assert from "node:assert/strict";
import { join } from "../../lib/os/path.ts";
import { FileAccessError, type FileProblem } from "../../lib/os/files.ts";
import { rewriteFile } from "../../lib/os/rewrite.ts";
import { withTempDir } from "../helpers.ts";
import { fifoTestName, makeFifos, withFifoRescue } from "../fifo.ts";
import { mountTestName, withTmpfs } from "../mounts.ts";

const listing = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

async function refused(p: Promise<unknown>, problem: FileProblem, path: string, reason: RegExp) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof FileAccessError, String(e));
    assert.equal(e.problem, problem);
    assert.equal(e.path, path);
    assert.match(e.reason, reason);
    return true;
  });
}

Deno.test("rewriteFile() replaces the content and keeps the mode", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "config.json");
    await Deno.writeTextFile(path, "old");
    await Deno.chmod(path, 0o640);
    await rewriteFile(path, "new");
    assert.equal(await Deno.readTextFile(path), "new");
    assert.equal((await Deno.stat(path)).mode! & 0o7777, 0o640);
    assert.deepEqual(listing(dir), ["config.json"], "no temporary file left behind");
  });
});

Deno.test("rewriteFile() keeps the owner and group", { ignore: Deno.uid() !== 0 }, async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "config.json");
    await Deno.writeTextFile(path, "old");
    await Deno.chown(path, 4321, 4322);
    await rewriteFile(path, "new");
    const s = await Deno.stat(path);
    assert.deepEqual([s.uid, s.gid], [4321, 4322]);
    assert.equal(await Deno.readTextFile(path), "new");
  });
});

Deno.test("rewriteFile() writes through a symlink: the link stays, its target changes", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(join(dir, "real"));
    await Deno.mkdir(join(dir, "data"));
    const target = join(dir, "real", "config.json");
    const link = join(dir, "data", "config.json");
    await Deno.writeTextFile(target, "old");
    await Deno.chmod(target, 0o644);
    await Deno.symlink("../real/config.json", link);
    await rewriteFile(link, "new");
    assert.equal(await Deno.readLink(link), "../real/config.json", "the link is untouched");
    assert.equal(await Deno.readTextFile(target), "new");
    assert.equal((await Deno.stat(target)).mode! & 0o777, 0o644);
    assert.deepEqual(listing(join(dir, "real")), ["config.json"]);
    assert.deepEqual(listing(join(dir, "data")), ["config.json"]);
  });
});

Deno.test("rewriteFile() creates a missing file with the given mode", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "config.json");
    await rewriteFile(path, "{}", 0o600);
    assert.equal(await Deno.readTextFile(path), "{}");
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
  });
});

Deno.test("rewriteFile() refuses what it cannot replace as it is, and leaves it unchanged", async (t) => {
  await withTempDir(async (dir) => {
    await t.step("a hard-linked file (replacing it would split the names)", async () => {
      const path = join(dir, "config.json");
      const other = join(dir, "copy.json");
      await Deno.writeTextFile(path, "old");
      await Deno.link(path, other);
      await refused(rewriteFile(path, "new"), "hard-linked", path, /has 2 hard links/);
      assert.equal(await Deno.readTextFile(path), "old");
      assert.equal(await Deno.readTextFile(other), "old");
    });
    await t.step("a dangling symlink", async () => {
      const link = join(dir, "dangling.json");
      await Deno.symlink(join(dir, "gone.json"), link);
      await refused(rewriteFile(link, "new"), "io", link, /dangling symlink/);
      assert.deepEqual(listing(dir).includes("gone.json"), false);
    });
    await t.step("a directory", async () => {
      await Deno.mkdir(join(dir, "d.json"));
      await refused(rewriteFile(join(dir, "d.json"), "x"), "directory", join(dir, "d.json"), /dir/);
    });
  });
});

Deno.test(fifoTestName("rewriteFile() refuses a FIFO without opening it"), async () => {
  await withTempDir(async (dir) => {
    const fifo = join(dir, "config.json");
    makeFifos(fifo);
    await withFifoRescue([fifo], async () => {
      await refused(rewriteFile(fifo, "x"), "special", fifo, /^is a FIFO, not a regular file$/);
    });
    assert.ok((await Deno.lstat(fifo)).isFifo, "the FIFO is still there");
  });
});

Deno.test(mountTestName("rewriteFile() on a full disk leaves the file as it was"), async () => {
  const setup = (dir: string) => Deno.writeTextFileSync(join(dir, "config.json"), "old");
  await withTmpfs({ full: true, setup }, async (dir) => {
    const path = join(dir, "config.json");
    await refused(rewriteFile(path, "n".repeat(16384)), "no-space", path, /no space left/);
    assert.equal(await Deno.readTextFile(path), "old");
    assert.deepEqual(listing(dir), [".fill", "config.json"]);
  });
});
