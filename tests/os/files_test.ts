import assert from "node:assert/strict";
import { join } from "node:path";
import {
  accessError,
  createNewFile,
  FileAccessError,
  type FileProblem,
  octal,
  replaceSymlink,
  tempSibling,
  writeFileAtomic,
} from "../../lib/os/files.ts";
import { denoFiles } from "../../lib/os/system.ts";
import { withTempDir } from "../helpers.ts";
import { fifoTestName, makeFifos, withFifoRescue } from "../fifo.ts";
import { mountTestName, withTmpfs } from "../mounts.ts";

/** The real file system as parsd uses it: reads as promises. */
const fs = denoFiles;

const listing = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

async function rejectsWith(p: Promise<unknown>, problem: FileProblem, path: string) {
  await assert.rejects(
    p,
    (e: unknown) => e instanceof FileAccessError && e.problem === problem && e.path === path,
  );
}

/** Makes `a` and `b` links to each other; returns `a`. */
async function loop(dir: string): Promise<string> {
  const a = join(dir, "loop-a");
  const b = join(dir, "loop-b");
  await Deno.symlink(b, a);
  await Deno.symlink(a, b);
  return a;
}

Deno.test("fs.stat()/fs.lstat(): missing is undefined, a link loop a FileAccessError", async (t) => {
  await withTempDir(async (dir) => {
    const file = join(dir, "f");
    await Deno.writeTextFile(file, "abc");
    await Deno.chmod(file, 0o640);
    await t.step("a file", async () => {
      const f = (await fs.stat(file))!;
      assert.deepEqual([f.isFile, f.isDirectory, f.isSymlink, f.size, f.mode & 0o777], [
        true,
        false,
        false,
        3n,
        0o640,
      ]);
      assert.equal(f.uid, Deno.uid());
      assert.ok(f.ino > 0n);
      assert.ok(f.ctimeNs > 0n && f.mtimeNs > 0n);
      assert.equal(f.mtimeNs % 1_000_000n, 0n, "mtime in ns, from Deno's ms");
    });
    await t.step("missing, and a path through a file", async () => {
      assert.equal(await fs.stat(join(dir, "nope")), undefined);
      assert.equal(await fs.lstat(join(dir, "nope")), undefined);
      assert.equal(await fs.stat(join(file, "below")), undefined);
    });
    await t.step("a dangling link: stat undefined, lstat the link", async () => {
      const dangling = join(dir, "dangling");
      await Deno.symlink(join(dir, "gone"), dangling);
      assert.equal(await fs.stat(dangling), undefined);
      assert.equal((await fs.lstat(dangling))?.isSymlink, true);
    });
    await t.step("a link loop", async () => {
      const a = await loop(dir);
      await rejectsWith(fs.stat(a), "loop", a);
      assert.equal((await fs.lstat(a))?.isSymlink, true);
      await rejectsWith(fs.realPath(a), "loop", a);
    });
  });
});

Deno.test("fs.realPath(), fs.readLink() and fs.readDir() wrap OS errors", async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, "f");
    await Deno.writeTextFile(file, "");
    await Deno.symlink(file, join(dir, "l"));
    assert.equal(await fs.realPath(join(dir, "l")), await Deno.realPath(file));
    assert.equal(await fs.readLink(join(dir, "l")), file);
    await assert.rejects(fs.readLink(file), FileAccessError);
    await assert.rejects(fs.realPath(join(dir, "nope")), FileAccessError);
    assert.deepEqual((await fs.readDir(dir)).map((e) => [e.name, e.isFile, e.isSymlink]).sort(), [
      ["f", true, false],
      ["l", false, true],
    ]);
    assert.deepEqual(await fs.readDir(join(dir, "nope")), []);
  });
});

Deno.test("fs.readText(): undefined when missing; directory, too large, not UTF-8 are errors", async (t) => {
  await withTempDir(async (dir) => {
    const text = join(dir, "t.json");
    await Deno.writeTextFile(text, '{"a":"é"}');
    await t.step("a UTF-8 file", async () => {
      assert.equal(await fs.readText(text), '{"a":"é"}');
    });
    await t.step("exactly maxBytes is read; one more is refused unread", async () => {
      const size = new TextEncoder().encode('{"a":"é"}').length;
      assert.equal(await fs.readText(text, size), '{"a":"é"}');
      await assert.rejects(
        fs.readText(text, size - 1),
        (e: unknown) =>
          e instanceof FileAccessError && e.problem === "too-large" &&
          e.message === `${text}: is ${size} bytes, more than the ${size - 1} parsd reads`,
      );
    });
    await t.step("a device is refused without being read", async () => {
      if (Deno.build.os === "windows") return;
      for (const device of ["/dev/zero", "/dev/null"]) {
        await assert.rejects(
          fs.readText(device, 100_000),
          (e: unknown) =>
            e instanceof FileAccessError && e.problem === "special" &&
            e.message === `${device}: is a character device, not a regular file`,
        );
      }
    });
    await t.step("a /proc file (size 0 in stat) is read to its end", async () => {
      if (Deno.build.os !== "linux") return;
      const text = await fs.readText("/proc/self/mounts");
      assert.ok(text !== undefined && text.length > 0, "read past stat's 0 bytes");
    });
    await t.step("an empty file", async () => {
      await Deno.writeTextFile(join(dir, "empty"), "");
      assert.equal(await fs.readText(join(dir, "empty")), "");
    });
    await t.step("missing, or a dangling link", async () => {
      assert.equal(await fs.readText(join(dir, "nope")), undefined);
      await Deno.symlink(join(dir, "gone"), join(dir, "dangling"));
      assert.equal(await fs.readText(join(dir, "dangling")), undefined);
    });
    await t.step("a directory", async () => {
      await rejectsWith(fs.readText(dir), "directory", dir);
    });
    await t.step("not UTF-8", async () => {
      const bin = join(dir, "bin");
      await Deno.writeFile(bin, new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]));
      await rejectsWith(fs.readText(bin), "not-utf8", bin);
    });
    await t.step("a link loop", async () => {
      const a = await loop(dir);
      await rejectsWith(fs.readText(a), "loop", a);
    });
  });
});

Deno.test("writeFileAtomic() replaces content in one rename, mode 0600 by default", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "c.json");
    await writeFileAtomic(path, "one");
    assert.equal(await Deno.readTextFile(path), "one");
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    const ino = (await Deno.stat(path)).ino;
    await writeFileAtomic(path, "two", 0o644);
    assert.equal(await Deno.readTextFile(path), "two");
    assert.notEqual((await Deno.stat(path)).ino, ino, "a new file renamed over the old one");
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o644);
    assert.deepEqual(listing(dir), ["c.json"], "no temporary file left behind");
  });
});

Deno.test("writeFileAtomic() fails with the path and leaves no temporary file", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "missing-dir", "c.json");
    await assert.rejects(
      writeFileAtomic(path, "x"),
      (e: unknown) => e instanceof FileAccessError && e.path === path,
    );
    await Deno.mkdir(join(dir, "d"));
    await assert.rejects(writeFileAtomic(join(dir, "d"), "x"), FileAccessError);
    assert.deepEqual(listing(dir), ["d"]);
    assert.deepEqual(listing(join(dir, "d")), []);
  });
});

Deno.test("createNewFile() creates a file once, never overwriting", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "key");
    await createNewFile(path, "secret");
    assert.equal(await Deno.readTextFile(path), "secret");
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    await assert.rejects(
      createNewFile(path, "other"),
      (e: unknown) => e instanceof FileAccessError && e.path === path,
    );
    assert.equal(await Deno.readTextFile(path), "secret");
    await createNewFile(join(dir, "pub"), "p", 0o644);
    assert.equal((await Deno.stat(join(dir, "pub"))).mode! & 0o777, 0o644);
  });
});

Deno.test("replaceSymlink() creates or replaces a link in one rename", async () => {
  await withTempDir(async (dir) => {
    const link = join(dir, "link");
    await replaceSymlink("/a", link);
    assert.equal(await Deno.readLink(link), "/a");
    await replaceSymlink("/b", link);
    assert.equal(await Deno.readLink(link), "/b");
    assert.equal((await Deno.lstat(link)).isSymlink, true);
    assert.deepEqual(listing(dir), ["link"], "no temporary link left behind");
    await assert.rejects(
      replaceSymlink("/c", join(dir, "no-dir", "link")),
      (e: unknown) => e instanceof FileAccessError && e.path === join(dir, "no-dir", "link"),
    );
    assert.deepEqual(listing(dir), ["link"]);
  });
});

Deno.test("tempSibling() is a dot-name in the same directory", () => {
  const t = tempSibling("/d/plugins/abc");
  assert.match(t, /^\/d\/plugins\/\.abc\.tmp-\d+-[0-9a-f]+$/);
  assert.notEqual(tempSibling("/d/x"), tempSibling("/d/x"));
});

Deno.test("octal() shows permission bits", () => {
  assert.deepEqual([octal(0o100755), octal(0o644), octal(0o7)], ["0755", "0644", "0007"]);
});

Deno.test("accessError() classifies OS errors", async (t) => {
  const cases: [string, unknown, FileProblem][] = [
    ["PermissionDenied", new Deno.errors.PermissionDenied("no"), "denied"],
    ["os error 13", new Error("Permission denied (os error 13)"), "denied"],
    ["FilesystemLoop", new Deno.errors.FilesystemLoop("loop"), "loop"],
    ["os error 40", new Error("Too many levels of symbolic links (os error 40)"), "loop"],
    ["IsADirectory", new Deno.errors.IsADirectory("dir"), "directory"],
    [
      "NotCapable (Deno's refusal of /proc, /dev)",
      new Deno.errors.NotCapable("Requires all access"),
      "special",
    ],
    [
      "ENOSPC by code",
      Object.assign(new Error("No space left on device"), { code: "ENOSPC" }),
      "no-space",
    ],
    ["os error 28", new Error("No space left on device (os error 28): write"), "no-space"],
    ["EDQUOT", new Error("Disk quota exceeded (os error 122)"), "no-space"],
    [
      "EROFS by code",
      Object.assign(new Error("Read-only file system"), { code: "EROFS" }),
      "read-only",
    ],
    ["os error 30", new Error("Read-only file system (os error 30): open '/x'"), "read-only"],
    ["anything else", new Error("Input/output error (os error 5)\nmore"), "io"],
  ];
  for (const [name, error, problem] of cases) {
    await t.step(name, () => {
      const e = accessError("/p", error);
      assert.equal(e.problem, problem);
      assert.equal(e.path, "/p");
      assert.equal(e.cause, error);
      assert.ok(!e.message.includes("\n"), "one line");
    });
  }
  await t.step("Deno's permission text never reaches the message", () => {
    const e = accessError(
      "/proc/self/environ",
      new Deno.errors.NotCapable(
        'Requires all access to "/proc/1/environ", run again with the --allow-all flag',
      ),
    );
    assert.equal(
      e.message,
      "/proc/self/environ: is a special file (under /dev, /proc or /sys), not a regular file",
    );
  });
  await t.step("a FileAccessError passes unchanged", () => {
    const e = new FileAccessError("/q", "too-large", "big");
    assert.equal(accessError("/p", e), e);
  });
});

Deno.test("fs.readText() reports an unreadable file as denied", {
  ignore: Deno.uid() === 0,
}, async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "secret");
    await Deno.writeTextFile(path, "x");
    await Deno.chmod(path, 0o000);
    await rejectsWith(fs.readText(path), "denied", path);
  });
});

Deno.test(
  fifoTestName("fs.readText() refuses a FIFO, or a link to one, without opening it"),
  async () => {
    await withTempDir(async (dir) => {
      const fifo = join(dir, "config.json");
      const link = join(dir, "link.json");
      makeFifos(fifo);
      await Deno.symlink(fifo, link);
      await withFifoRescue([fifo], async () => {
        for (const path of [fifo, link]) {
          await assert.rejects(
            fs.readText(path),
            (e: unknown) =>
              e instanceof FileAccessError && e.problem === "special" &&
              e.message === `${path}: is a FIFO, not a regular file`,
          );
        }
      });
    });
  },
);

Deno.test(
  mountTestName("createNewFile() on a full disk fails as no-space and leaves no file"),
  async () => {
    await withTmpfs({ full: true }, async (dir) => {
      const path = join(dir, "config.json");
      await rejectsWith(createNewFile(path, "x".repeat(8192)), "no-space", path);
      assert.deepEqual(listing(dir).filter((n) => n !== ".fill"), []);
    });
  },
);

Deno.test(
  mountTestName("writeFileAtomic() on a full disk or a read-only mount leaves the old file"),
  async (t) => {
    const setup = (dir: string) => Deno.writeTextFileSync(join(dir, "c.json"), "old");
    await t.step("full", async () => {
      await withTmpfs({ full: true, setup }, async (dir) => {
        const path = join(dir, "c.json");
        await rejectsWith(writeFileAtomic(path, "n".repeat(16384)), "no-space", path);
        assert.equal(await Deno.readTextFile(path), "old");
        assert.deepEqual(listing(dir), [".fill", "c.json"], "no temporary file left behind");
      });
    });
    await t.step("read-only", async () => {
      await withTmpfs({ readOnly: true, setup }, async (dir) => {
        const path = join(dir, "c.json");
        await rejectsWith(writeFileAtomic(path, "new"), "read-only", path);
        assert.equal(await Deno.readTextFile(path), "old");
      });
    });
  },
);

Deno.test("fs.sha256() and fs.contains() reject with a FileAccessError, as every read does", async () => {
  await withTempDir(async (dir) => {
    await rejectsWith(fs.sha256(dir), "directory", dir);
    await rejectsWith(fs.contains(dir, "x"), "directory", dir);
    const missing = join(dir, "nope");
    await assert.rejects(fs.sha256(missing), FileAccessError);
  });
});

Deno.test("fs.sha256() reports an unreadable file as denied", {
  ignore: Deno.uid() === 0,
}, async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "plugin");
    await Deno.writeTextFile(path, "x");
    await Deno.chmod(path, 0o100);
    await rejectsWith(fs.sha256(path), "denied", path);
  });
});
