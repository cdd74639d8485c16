/**
 * Tests for lib/system.ts: the real System (denoSystem / denoFiles) on
 * temp dirs and real processes — missing files as `undefined`, atomic
 * writes and links that leave no temporary entry, captured output and
 * timeouts that hold whatever a program's children do, process groups and
 * their keeper, hashing, marker search, port checks and the data dir lock.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { FileAccessError, looksExecutable, NotExecutableError } from "../../lib/os/files.ts";
import { HASH_CHUNK } from "../../lib/os/hash.ts";
import { answered, denoFiles, denoSystem } from "../../lib/os/system.ts";
import { boundedOutput } from "../../lib/os/bounded_output.ts";
import { waitFor, withTempDir } from "../helpers.ts";
import { waitGone } from "../processes.ts";

const listing = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

Deno.test("denoFiles.stat() and lstat() give undefined for what is missing", async (t) => {
  await withTempDir(async (dir) => {
    await t.step("a missing path, and one under a missing dir", async () => {
      for (const p of [join(dir, "nope"), join(dir, "nope", "deeper")]) {
        assert.equal(await denoFiles.stat(p), undefined, p);
        assert.equal(await denoFiles.lstat(p), undefined, p);
      }
    });
    await t.step("a path under a regular file (ENOTDIR)", async () => {
      await Deno.writeTextFile(join(dir, "f"), "x");
      assert.equal(await denoFiles.stat(join(dir, "f", "x")), undefined);
    });
    await t.step("a dangling link: stat undefined, lstat the link", async () => {
      const link = join(dir, "dangling");
      await Deno.symlink(join(dir, "gone"), link);
      assert.equal(await denoFiles.stat(link), undefined);
      const l = await denoFiles.lstat(link);
      assert.equal(l?.isSymlink, true);
    });
    await t.step("a file: its facts", async () => {
      const f = (await denoFiles.stat(join(dir, "f")))!;
      assert.equal(f.isFile, true);
      assert.equal(f.size, 1n);
      assert.ok(f.ctimeNs > 0n && f.mtimeNs > 0n && f.ino > 0n);
    });
    await t.step("a link loop is an error, not 'missing'", async () => {
      await Deno.symlink(join(dir, "b"), join(dir, "a"));
      await Deno.symlink(join(dir, "a"), join(dir, "b"));
      await assert.rejects(
        denoFiles.stat(join(dir, "a")),
        (e: unknown) => e instanceof FileAccessError && e.problem === "loop",
      );
    });
  });
});

Deno.test("denoFiles.readText() reads UTF-8 text, undefined when missing", async (t) => {
  await withTempDir(async (dir) => {
    await t.step("missing → undefined", async () => {
      assert.equal(await denoFiles.readText(join(dir, "nope")), undefined);
    });
    await t.step("text", async () => {
      await Deno.writeTextFile(join(dir, "t"), "héllo\n");
      assert.equal(await denoFiles.readText(join(dir, "t")), "héllo\n");
    });
    await t.step("over maxBytes → too-large", async () => {
      await assert.rejects(
        denoFiles.readText(join(dir, "t"), 3),
        (e: unknown) => e instanceof FileAccessError && e.problem === "too-large",
      );
    });
    await t.step("a directory → directory", async () => {
      await assert.rejects(
        denoFiles.readText(dir),
        (e: unknown) => e instanceof FileAccessError && e.problem === "directory",
      );
    });
  });
});

Deno.test("denoFiles.writeAtomic() replaces the content and leaves no temporary file", async (t) => {
  await withTempDir(async (dir) => {
    const path = join(dir, "cache.json");
    await t.step("a new file, mode 0600 by default", async () => {
      await denoFiles.writeAtomic(path, "one");
      assert.equal(await Deno.readTextFile(path), "one");
      assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
      assert.deepEqual(listing(dir), ["cache.json"]);
    });
    await t.step("over an existing file: a new inode, renamed into place", async () => {
      const ino = (await Deno.stat(path)).ino;
      await denoFiles.writeAtomic(path, "two", 0o640);
      assert.equal(await Deno.readTextFile(path), "two");
      assert.notEqual((await Deno.stat(path)).ino, ino);
      assert.deepEqual(listing(dir), ["cache.json"]);
    });
    await t.step("a failed write leaves no temporary file", async () => {
      await Deno.mkdir(join(dir, "sub"));
      await Deno.mkdir(join(dir, "sub", "target")); // rename over a directory fails
      await assert.rejects(denoFiles.writeAtomic(join(dir, "sub", "target"), "x"), FileAccessError);
      assert.deepEqual(listing(join(dir, "sub")), ["target"]);
    });
  });
});

Deno.test("denoFiles.symlink() replaces a link in one rename", async (t) => {
  await withTempDir(async (dir) => {
    const a = join(dir, "a");
    const b = join(dir, "b");
    await Deno.writeTextFile(a, "a");
    await Deno.writeTextFile(b, "b");
    const link = join(dir, "link");
    await t.step("creates, then replaces, with no temporary link left", async () => {
      await denoFiles.symlink(a, link);
      assert.equal(await Deno.readLink(link), a);
      await denoFiles.symlink(b, link);
      assert.equal(await Deno.readLink(link), b);
      assert.deepEqual(listing(dir), ["a", "b", "link"]);
    });
    await t.step("a reader never sees the link missing while it is replaced", async () => {
      let replacing = true;
      let missing = 0;
      // An async reader (denoFiles reads synchronously, which would starve the writer).
      const reader = (async () => {
        while (replacing) {
          if ((await Deno.lstat(link).catch(() => undefined)) === undefined) missing++;
        }
      })();
      for (let i = 0; i < 200; i++) await denoFiles.symlink(i % 2 ? a : b, link);
      replacing = false;
      await reader;
      assert.equal(missing, 0);
      assert.deepEqual(listing(dir), ["a", "b", "link"]);
    });
  });
});

Deno.test("denoSystem.output() captures a program's output, or says why there is none", async (t) => {
  await t.step("stdout, stderr and the exit code", async () => {
    const out = await denoSystem.output("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"], 5000);
    assert.deepEqual(out, { code: 3, stdout: "out\n", stderr: "err\n" });
  });
  await t.step("no stdin: a program reading it sees EOF at once", async () => {
    const out = await denoSystem.output("/bin/cat", [], 5000);
    assert.deepEqual(out, { code: 0, stdout: "", stderr: "" });
  });
  await t.step("a missing program: not started, with the OS's words", async () => {
    const out = await denoSystem.output("/no/such/program", [], 1000);
    assert.ok(!answered(out));
    assert.equal(out.failure, "not-started");
    assert.match(out.reason, /^could not be started: .*No such file or directory/);
  });
  await t.step("a program killed by a signal did not answer, whatever it printed", async () => {
    const out = await denoSystem.output("/bin/sh", ["-c", "echo partial; kill -s SEGV $$"], 5000);
    assert.deepEqual(out, { failure: "killed", reason: "was killed by SIGSEGV" });
  });
});

Deno.test("denoSystem.output() names a missing #! interpreter instead of 'did not finish'", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "luxd");
    await Deno.writeTextFile(path, "#!/nonexistent/interpreter\necho hi\n", { mode: 0o755 });
    await Deno.chmod(path, 0o755);
    assert.deepEqual(await denoSystem.output(path, ["--version"], 5000), {
      failure: "not-started",
      reason:
        "could not be started: its interpreter /nonexistent/interpreter (from its #! line) does not exist",
    });
  });
});

/** A script that answers, leaves a grandchild holding stdout and stderr (its pid in `pidFile`), then exits or hangs. */
async function lingering(dir: string, then: "exit" | "hang"): Promise<[string, string]> {
  const path = join(dir, `lingering-${then}`);
  const pidFile = join(dir, `grandchild-${then}`);
  await Deno.writeTextFile(
    path,
    `#!/bin/sh\necho answer\nsleep 30 &\necho $! > ${pidFile}\n${
      then === "exit" ? "exit 0" : "exec sleep 30"
    }\n`,
    { mode: 0o755 },
  );
  await Deno.chmod(path, 0o755);
  return [path, pidFile];
}

Deno.test("denoSystem.output() does not wait for a grandchild holding stdout, and ends it", async () => {
  await withTempDir(async (dir) => {
    const [path, pidFile] = await lingering(dir, "exit");
    // The timeout is far longer than the test may take: the answer must come from the exit.
    const out = await denoSystem.output(path, [], 60_000);
    assert.deepEqual(out, { code: 0, stdout: "answer\n", stderr: "" });
    await waitGone(Number(await Deno.readTextFile(pidFile)), "the grandchild");
  });
});

Deno.test("denoSystem.output() ends at its timeout though a grandchild holds stdout, and kills the group", async () => {
  await withTempDir(async (dir) => {
    const [path, pidFile] = await lingering(dir, "hang");
    const out = await denoSystem.output(path, [], 300);
    assert.deepEqual(out, { failure: "timeout", reason: "did not finish within 0.3 s" });
    await waitGone(Number(await Deno.readTextFile(pidFile)), "the grandchild");
  });
});

Deno.test("boundedOutput() stops a program that prints more than it keeps", async () => {
  const out = await boundedOutput("/usr/bin/yes", [], 60_000, 1 << 20);
  assert.deepEqual(out, { failure: "too-large", reason: "printed more than 1 MiB" });
});

Deno.test("denoSystem.spawn() starts a program as the leader of its own process group and session", async () => {
  const child = denoSystem.spawn("/bin/sleep", ["30"], { stdout: "null" });
  try {
    const fields = Deno.readTextFileSync(`/proc/${child.pid}/stat`).split(") ")[1]!.split(" ");
    // state ppid pgrp session …
    assert.equal(Number(fields[2]), child.pid, "pgid");
    assert.equal(Number(fields[3]), child.pid, "sid");
  } finally {
    child.killGroup("SIGKILL");
    await child.status;
    await child.reapGroup(0);
  }
});

Deno.test("denoSystem.spawn(): killGroup reaches grandchildren; reapGroup ends what is left after the exit", async (t) => {
  await withTempDir(async (dir) => {
    const script = join(dir, "parent");
    const pids = join(dir, "pids");
    // Two grandchildren, one ignoring SIGTERM, then the parent waits (or exits at once with 'exit').
    await Deno.writeTextFile(
      script,
      `#!/bin/sh\nsleep 30 & echo $! >> ${pids}\n(trap '' TERM; exec sleep 30) & echo $! >> ${pids}\n[ "$1" = exit ] && exit 0\nwait\n`,
      { mode: 0o755 },
    );
    await Deno.chmod(script, 0o755);
    const grandchildren = async () =>
      (await Deno.readTextFile(pids)).trim().split("\n").map(Number);
    await t.step("killGroup(SIGKILL) ends the parent and both grandchildren", async () => {
      const child = denoSystem.spawn(script, ["wait"], { stdout: "null" });
      await waitFor(
        async () => (await Deno.readTextFile(pids).catch(() => "")).split("\n").length > 2,
        "pids",
      );
      child.killGroup("SIGKILL");
      assert.equal((await child.status).signal, "SIGKILL");
      await child.reapGroup(0);
      for (const pid of await grandchildren()) await waitGone(pid, "a grandchild");
      await Deno.remove(pids);
    });
    await t.step(
      "after the parent's exit, reapGroup() ends even a grandchild that ignores SIGTERM",
      async () => {
        const child = denoSystem.spawn(script, ["exit"], { stdout: "null" });
        assert.equal((await child.status).code, 0);
        await child.reapGroup(200);
        for (const pid of await grandchildren()) await waitGone(pid, "a grandchild");
      },
    );
  });
});

Deno.test("denoSystem.spawn()'s group keeper stops the group when its parent dies, SIGKILL included", async () => {
  await withTempDir(async (dir) => {
    const record = join(dir, "pid");
    // A parent that spawns a sleeper through denoSystem and then is SIGKILLed: the keeper's pipe ends.
    const parent = join(dir, "parent.ts");
    await Deno.writeTextFile(
      parent,
      `import { denoSystem } from ${
        JSON.stringify(new URL("../../lib/os/system.ts", import.meta.url).href)
      };
const child = denoSystem.spawn("/bin/sh", ["-c", "trap '' TERM; sleep 30 & echo $! > ${record}.g; exec sleep 30"], { graceMs: 200 });
await Deno.writeTextFile(${JSON.stringify(record)}, String(child.pid));
await child.status;
`,
    );
    const proc = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--no-check", parent],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const written = async (p: string) => (await Deno.readTextFile(p).catch(() => "")).trim() !== "";
    await waitFor(async () => await written(record) && await written(`${record}.g`), "spawn");
    const pid = Number(await Deno.readTextFile(record));
    const grandchild = Number(await Deno.readTextFile(`${record}.g`));
    proc.kill("SIGKILL");
    await proc.status;
    await proc.stderr.cancel();
    await waitGone(pid, "the program");
    await waitGone(grandchild, "its child, which ignores SIGTERM");
  });
});

Deno.test("a signal that ends parsd while a probe runs first kills the probe's group", async (t) => {
  await withTempDir(async (dir) => {
    const pids = join(dir, "pids");
    const probe = join(dir, "probe");
    await Deno.writeTextFile(
      probe,
      `#!/bin/sh\necho $$ >> ${pids}\nsleep 30 & echo $! >> ${pids}\nwait\n`,
      {
        mode: 0o755,
      },
    );
    await Deno.chmod(probe, 0o755);
    const parent = join(dir, "parent.ts");
    await Deno.writeTextFile(
      parent,
      `import { denoSystem } from ${
        JSON.stringify(new URL("../../lib/os/system.ts", import.meta.url).href)
      };
await denoSystem.output(${JSON.stringify(probe)}, [], 60_000);
console.log("the probe ended on its own");
`,
    );
    for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
      await t.step(signal, async () => {
        await Deno.remove(pids).catch(() => {});
        const proc = new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", "--no-check", parent],
          stdin: "null",
          stdout: "piped",
          stderr: "null",
        }).spawn();
        await waitFor(
          async () => (await Deno.readTextFile(pids).catch(() => "")).split("\n").length > 2,
          "the probe",
        );
        proc.kill(signal);
        const out = await proc.output();
        // It dies of the signal, as it would have without a probe running.
        assert.equal(out.signal, signal);
        assert.equal(new TextDecoder().decode(out.stdout), "");
        for (const pid of (await Deno.readTextFile(pids)).trim().split("\n").map(Number)) {
          await waitGone(pid, "the probe or its child");
        }
      });
    }
  });
});

Deno.test("denoFiles.sha256() hashes a file's bytes", async (t) => {
  await withTempDir(async (dir) => {
    const cases: [string, Uint8Array, string][] = [
      [
        "empty",
        new Uint8Array(),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      ],
      [
        "abc",
        new TextEncoder().encode("abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
      ],
      [
        "a million 'a's (spans chunks)",
        new Uint8Array(1_000_000).fill(0x61),
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
      ],
    ];
    for (const [what, bytes, want] of cases) {
      await t.step(what, async () => {
        const path = join(dir, "f");
        await Deno.writeFile(path, bytes);
        assert.equal(await denoFiles.sha256(path), want);
      });
    }
  });
});

Deno.test("denoFiles.contains() finds a marker anywhere, across read chunks", async (t) => {
  await withTempDir(async (dir) => {
    const marker = "LUX_VM_RUNTIME_ENGINE_ADDR";
    const enc = new TextEncoder();
    const fileWith = async (before: number, text: string) => {
      const path = join(dir, `f${before}`);
      const bytes = new Uint8Array(before + text.length + 10).fill(0x78);
      bytes.set(enc.encode(text), before);
      await Deno.writeFile(path, bytes);
      return path;
    };
    const cases: [string, number, string, boolean][] = [
      ["at the start", 0, marker, true],
      ["in the middle", 5000, marker, true],
      ["straddling the chunk boundary", HASH_CHUNK - 7, marker, true],
      ["right after the boundary", HASH_CHUNK, marker, true],
      ["only a prefix", 100, marker.slice(0, -1), false],
    ];
    for (const [what, before, text, want] of cases) {
      await t.step(what, async () => {
        assert.equal(await denoFiles.contains(await fileWith(before, text), marker), want);
      });
    }
  });
});

Deno.test("denoSystem.canBind() says 'in use' for a held port and true once freed", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  try {
    assert.equal(await denoSystem.canBind("127.0.0.1", port), "in use");
  } finally {
    listener.close();
  }
  assert.equal(await denoSystem.canBind("127.0.0.1", port), true);
});

Deno.test("denoSystem.lock() admits one holder per data dir, even in one process", async (t) => {
  await withTempDir(async (dir) => {
    const pidFile = join(dir, "parsd.pid");
    const first = await denoSystem.lock(dir, pidFile);
    assert.ok("release" in first);
    try {
      await t.step("a second holder is refused; no pid announced yet", async () => {
        assert.deepEqual(await denoSystem.lock(dir, pidFile), { heldBy: undefined });
        assert.deepEqual(listing(dir), [], "taking or refusing the lock creates no file");
      });
      await t.step("once announced, the refusal names the holder", async () => {
        await first.announce();
        assert.deepEqual(await denoSystem.lock(dir, pidFile), { heldBy: Deno.pid });
      });
    } finally {
      first.release();
    }
    await t.step("after release the lock can be taken again", async () => {
      const again = await denoSystem.lock(dir, pidFile);
      assert.ok("release" in again);
      again.release();
    });
    await t.step("a missing dir cannot be locked", async () => {
      await assert.rejects(denoSystem.lock(join(dir, "missing"), pidFile), /cannot open/);
    });
  });
});

Deno.test("denoSystem describes this process", () => {
  assert.equal(denoSystem.pid, Deno.pid);
  assert.equal(denoSystem.os, Deno.build.os);
  assert.equal(denoSystem.uid(), Deno.uid());
  assert.equal(denoSystem.execPath(), Deno.execPath());
  assert.equal(denoSystem.env("PATH"), Deno.env.get("PATH"));
});

Deno.test("a file that is no program is never handed to /bin/sh (execvp's ENOEXEC rule)", async (t) => {
  await withTempDir(async (dir) => {
    const made = join(dir, "made-by-sh");
    const notProgram = join(dir, "corrupt-plugin");
    // No #!: execvp would run it with /bin/sh, which would create `made`.
    await Deno.writeTextFile(notProgram, `touch ${made}\necho ran\n`, { mode: 0o755 });
    await Deno.chmod(notProgram, 0o755);
    await t.step("output() does not run it: 126, and why", async () => {
      assert.deepEqual(await denoSystem.output(notProgram, ["--version"], 5000), {
        code: 126,
        stdout: "",
        stderr: `${notProgram} is not a program: it is neither ELF, Mach-O, PE nor a #! script`,
      });
    });
    await t.step("spawn() refuses it, naming it", () => {
      assert.throws(() => denoSystem.spawn(notProgram, []), NotExecutableError);
    });
    await t.step("and it never ran", async () => {
      assert.equal(await Deno.stat(made).catch(() => undefined), undefined);
    });
    await t.step("a #! script and an ELF binary still run", async () => {
      const script = join(dir, "script");
      await Deno.writeTextFile(script, "#!/bin/sh\necho hi\n", { mode: 0o755 });
      await Deno.chmod(script, 0o755);
      assert.deepEqual(await denoSystem.output(script, [], 5000), {
        code: 0,
        stdout: "hi\n",
        stderr: "",
      });
      assert.deepEqual(await denoSystem.output("/bin/echo", ["x"], 5000), {
        code: 0,
        stdout: "x\n",
        stderr: "",
      });
    });
  });
});

Deno.test("looksExecutable: ELF, Mach-O, PE and #! are programs; text and random bytes are not", async () => {
  await withTempDir(async (dir) => {
    const cases: [string, number[], boolean][] = [
      ["elf", [0x7f, 0x45, 0x4c, 0x46, 2, 1], true],
      ["macho64", [0xcf, 0xfa, 0xed, 0xfe, 7, 0], true],
      ["fat", [0xca, 0xfe, 0xba, 0xbe], true],
      ["pe", [0x4d, 0x5a, 0x90, 0], true],
      ["script", [0x23, 0x21, 0x2f], true],
      ["html", [...new TextEncoder().encode("<!DOCTYPE html>")], false],
      ["empty", [], false],
      ["short", [0x7f, 0x45], false],
    ];
    for (const [name, bytes, expected] of cases) {
      await Deno.writeFile(join(dir, name), new Uint8Array(bytes));
      assert.equal(looksExecutable(join(dir, name)), expected, name);
    }
    assert.equal(looksExecutable("/bin/sh"), true);
    // What cannot be read is left to the exec to judge.
    assert.equal(looksExecutable(join(dir, "missing")), true);
  });
});
