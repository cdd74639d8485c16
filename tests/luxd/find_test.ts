import assert from "node:assert/strict";
import { join } from "node:path";
import {
  findLuxd,
  knownLuxdPlaces,
  luxdCandidates,
  relativePathEntries,
} from "../../lib/luxd/find.ts";
import { ExitCode, ParsdError } from "../../lib/errors.ts";
import { denoFiles } from "../../lib/os/system.ts";
import { withTempDir } from "../helpers.ts";

async function rejects(p: Promise<unknown>, code: number, message: RegExp, not?: RegExp) {
  await assert.rejects(
    p,
    (e: unknown) =>
      e instanceof ParsdError && e.exitCode === code && message.test(e.message) &&
      (not === undefined || !not.test(e.message)),
  );
}

Deno.test("luxd search: PATH first, then the known places; not found names both", async () => {
  const env = { path: "/a:/b", home: "/h", gopath: "/g", os: "linux" };
  assert.deepEqual(luxdCandidates(env), [
    "/a/luxd",
    "/b/luxd",
    "/usr/local/bin/luxd",
    "/g/bin/luxd",
    "/h/go/bin/luxd",
    "/h/.lux/bin/luxd",
  ]);
  await rejects(
    findLuxd(undefined, {
      path: "/nonexistent1:/nonexistent2",
      home: "/nonexistent-home",
      os: "linux",
    }, denoFiles),
    ExitCode.luxdNotFound,
    /luxd not found; looked on PATH \(2 dirs\) and in \/usr\/local\/bin\/luxd, .*build:luxd/,
  );
});

Deno.test("luxdCandidates() skips empty PATH entries and duplicates; Windows looks for luxd.exe", () => {
  assert.deepEqual(luxdCandidates({ path: ":/usr/local/bin::", home: "/h", os: "linux" }), [
    "/usr/local/bin/luxd",
    "/h/go/bin/luxd",
    "/h/.lux/bin/luxd",
  ]);
  assert.deepEqual(knownLuxdPlaces({ home: "/h", gopath: "/g", os: "windows" }), [
    "/usr/local/bin/luxd",
    "/g/bin/luxd.exe",
    "/h/go/bin/luxd.exe",
    "/h/.lux/bin/luxd.exe",
  ]);
});

Deno.test("findLuxd() takes the first executable on the search, skipping directories", async () => {
  await withTempDir(async (dir) => {
    const [a, b, c] = ["a", "b", "c"].map((d) => join(dir, d));
    for (const d of [a, b, c]) await Deno.mkdir(d!);
    await Deno.mkdir(join(a!, "luxd"));
    await Deno.writeTextFile(join(b!, "luxd"), "#!/bin/sh\n", { mode: 0o755 });
    await Deno.chmod(join(b!, "luxd"), 0o755);
    await Deno.writeTextFile(join(c!, "luxd"), "#!/bin/sh\n", { mode: 0o755 });
    const env = { path: `${a}:${b}:${c}`, home: join(dir, "home"), os: "linux" };
    assert.equal(await findLuxd(undefined, env, denoFiles), join(b!, "luxd"));
  });
});

Deno.test("findLuxd() names a non-executable luxd found on the search", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "luxd"), "#!/bin/sh\n");
    await Deno.chmod(join(dir, "luxd"), 0o644);
    const env = { path: dir, home: join(dir, "home"), os: "linux" };
    await rejects(
      findLuxd(undefined, env, denoFiles),
      ExitCode.luxdNotExecutable,
      new RegExp(`luxd at ${join(dir, "luxd")} is not executable; run 'chmod 755`),
    );
  });
});

Deno.test("findLuxd() checks a given path: missing 127, directory or not executable 126", async (t) => {
  await withTempDir(async (dir) => {
    const env = { home: dir, os: "linux" };
    const luxd = join(dir, "luxd");
    await Deno.writeTextFile(luxd, "#!/bin/sh\n");
    await Deno.chmod(luxd, 0o755);
    await t.step("an executable file: taken as is", async () => {
      assert.equal(await findLuxd(luxd, env, denoFiles), luxd);
    });
    await t.step("missing", async () => {
      await rejects(
        findLuxd(join(dir, "nope"), env, denoFiles),
        ExitCode.luxdNotFound,
        /luxd not found at .*nope \(from --luxd \/ PARS_LUXD \/ config\.json\); fix the path/,
      );
    });
    await t.step("a directory: says so, without chmod advice", async () => {
      await rejects(
        findLuxd(dir, env, denoFiles),
        ExitCode.luxdNotExecutable,
        /is a directory; give the luxd binary's path with --luxd/,
        /chmod/,
      );
    });
    await t.step("not executable: chmod advice", async () => {
      await Deno.chmod(luxd, 0o644);
      await rejects(
        findLuxd(luxd, env, denoFiles),
        ExitCode.luxdNotExecutable,
        /not an executable file \(mode 0644\); run 'chmod 755/,
      );
      await Deno.chmod(luxd, 0o755);
    });
    await t.step("a symlink loop", async () => {
      const a = join(dir, "loop-a");
      const b = join(dir, "loop-b");
      await Deno.symlink(b, a);
      await Deno.symlink(a, b);
      await rejects(
        findLuxd(a, env, denoFiles),
        ExitCode.luxdNotFound,
        /a symlink loop; fix the path/,
      );
    });
  });
});

Deno.test("luxd search: relative PATH entries ('.', '', 'bin') are skipped, and the not-found message says so", async () => {
  await withTempDir(async (dir) => {
    // A luxd in the current directory and in a relative 'bin' would be found from the cwd.
    const cwd = Deno.cwd();
    await Deno.mkdir(join(dir, "bin"));
    for (const p of [join(dir, "luxd"), join(dir, "bin", "luxd")]) {
      await Deno.writeTextFile(p, "#!/bin/sh\n", { mode: 0o755 });
      await Deno.chmod(p, 0o755);
    }
    Deno.chdir(dir);
    try {
      const env = { path: `.::bin:${join(dir, "missing")}`, home: join(dir, "home"), os: "linux" };
      assert.deepEqual(relativePathEntries(env), [".", "", "bin"]);
      assert.deepEqual(luxdCandidates(env).slice(0, 1), [join(dir, "missing", "luxd")]);
      await rejects(
        findLuxd(undefined, env, denoFiles),
        ExitCode.luxdNotFound,
        /looked on PATH \(1 dirs\) and in .*; skipped PATH's relative entries "\.", "", "bin" \(parsd never looks for luxd in the current directory\)/,
      );
    } finally {
      Deno.chdir(cwd);
    }
  });
});
