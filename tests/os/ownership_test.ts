/**
 * Tests for lib/os/ownership.ts on real files in temp dirs. Cases that need a
 * file owned by another user make it as that user (`setpriv` to nobody, 65534)
 * and run only as root; they skip, by name, elsewhere.
 */

import assert from "node:assert/strict";
import { ExitCode, NoInputError, PermissionError } from "../../lib/errors.ts";
import { assertTrustedPath, checkTrustedPath } from "../../lib/os/ownership.ts";
import { join } from "../../lib/os/path.ts";
import { denoFiles } from "../../lib/os/system.ts";

const UID = Deno.uid();
const NOBODY = 65534;

/** Whether this process may act as nobody (root, with setpriv installed). */
function canActAsNobody(): boolean {
  if (UID !== 0) return false;
  try {
    return new Deno.Command("setpriv", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

const AS_NOBODY = canActAsNobody();
const nobodyName = (name: string) =>
  AS_NOBODY ? name : `${name} [skipped: needs root and setpriv to act as uid ${NOBODY}]`;

/** Runs a shell command as nobody; resolves to its exit code. */
async function asNobody(script: string): Promise<number> {
  const out = await new Deno.Command("setpriv", {
    args: [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "sh", "-c", script],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).output();
  return out.code;
}

/** A temp dir (0755, so that another user can pass through) for one test. */
async function withBase(fn: (base: string) => Promise<void>): Promise<void> {
  // realPath: the checks report resolved paths, and TMPDIR may itself be a link.
  const base = Deno.realPathSync(await Deno.makeTempDir({ prefix: "parsd-own-" }));
  Deno.chmodSync(base, 0o755);
  try {
    await fn(base);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
}

/** Makes a dir with an exact mode (mkdir's mode is masked by the umask). */
function dir(path: string, mode: number): string {
  Deno.mkdirSync(path);
  Deno.chmodSync(path, mode);
  return path;
}

/** Makes a file with an exact mode. */
function file(path: string, mode = 0o600): string {
  Deno.writeTextFileSync(path, "{}\n");
  Deno.chmodSync(path, mode);
  return path;
}

const check = (path: string, kind: "file" | "dir" = "file") =>
  checkTrustedPath(denoFiles, path, { uid: UID, kind, user: "parsd" });

Deno.test("checkTrustedPath() accepts a path whose every ancestor is safe, /tmp included", async (t) => {
  await withBase(async (base) => {
    await t.step("a 0600 file in a 0700 dir", async () => {
      const d = dir(join(base, "conf"), 0o700);
      assert.deepEqual(await check(file(join(d, "config.json"))), []);
      assert.deepEqual(await check(d, "dir"), []);
      assert.deepEqual(await check(file(join(d, "ro.json"), 0o444)), []);
    });
    await t.step("a sticky 1777 ancestor (like /tmp) of a dir and file the user owns", async () => {
      const tmp = dir(join(base, "tmp"), 0o1777);
      const mine = dir(join(tmp, "mine"), 0o700);
      assert.deepEqual(await check(file(join(mine, "config.json"))), []);
      assert.deepEqual(await check(file(join(tmp, "direct.json"))), [], "the file's own dir");
      assert.deepEqual(await check(mine, "dir"), []);
    });
  });
});

Deno.test("checkTrustedPath() reports a writable dir or file with the chmod that fixes it", async (t) => {
  await withBase(async (base) => {
    await t.step("a 0777 non-sticky parent", async () => {
      const open = dir(join(base, "open"), 0o777);
      const f = file(join(open, "config.json"));
      assert.deepEqual(await check(f), [
        `${open}: owned by uid ${UID}, mode 0777 (writable by group and others); fix: chmod go-w ${open}`,
      ]);
    });
    await t.step("a 0666 config file", async () => {
      const f = file(join(base, "config.json"), 0o666);
      assert.deepEqual(await check(f), [
        `${f}: owned by uid ${UID}, mode 0666 (writable by group and others); fix: chmod go-w ${f}`,
      ]);
    });
    await t.step("group-writable only, and others-writable only", async () => {
      const g = file(join(base, "g.json"), 0o620);
      const o = file(join(base, "o.json"), 0o602);
      assert.match((await check(g))[0]!, /mode 0620 \(writable by group\); fix: chmod g-w /);
      assert.match((await check(o))[0]!, /mode 0602 \(writable by others\); fix: chmod o-w /);
    });
    await t.step("every problem at once, and a quoted path in the fix", async () => {
      const open = dir(join(base, "open it"), 0o775);
      const f = file(join(open, "it's.json"), 0o666);
      const problems = await check(f);
      assert.equal(problems.length, 2);
      assert.match(problems[0]!, new RegExp(`fix: chmod g-w '${base}/open it'$`));
      assert.ok(problems[1]!.endsWith(`fix: chmod go-w '${base}/open it/it'\\''s.json'`));
    });
    await t.step("a sticky dir as the path itself (kind dir) is refused", async () => {
      const tmp = dir(join(base, "tmp"), 0o1777);
      assert.deepEqual(await check(tmp, "dir"), [
        `${tmp}: owned by uid ${UID}, mode 1777 (writable by group and others); fix: chmod go-w ${tmp}`,
      ]);
    });
  });
});

Deno.test("checkTrustedPath() follows links and checks every dir they pass through", async (t) => {
  await withBase(async (base) => {
    const open = dir(join(base, "open"), 0o777);
    const good = dir(join(base, "good"), 0o700);
    const target = file(join(open, "config.json"));
    await t.step("a symlink into a bad dir", async () => {
      const link = join(good, "config.json");
      Deno.symlinkSync(target, link);
      assert.deepEqual(await check(link), [
        `${open}: owned by uid ${UID}, mode 0777 (writable by group and others); fix: chmod go-w ${open}`,
      ]);
    });
    await t.step("a link in a bad dir to a good file (anyone could repoint it)", async () => {
      const real = file(join(good, "real.json"));
      const link = join(open, "link.json");
      Deno.symlinkSync("../good/real.json", link);
      assert.equal((await check(link)).length, 1);
      assert.match((await check(link))[0]!, new RegExp(`^${open}: `));
      assert.deepEqual(await check(real), []);
    });
    await t.step("a linked directory in the middle, and .. taken after the link", async () => {
      Deno.symlinkSync(open, join(good, "to-open"));
      const viaDir = join(good, "to-open", "config.json");
      assert.match((await check(viaDir))[0]!, new RegExp(`^${open}: `));
      // good/to-open/.. is base (the link's target's parent), not good.
      file(join(base, "top.json"));
      const dotdot = `${good}/to-open/../top.json`; // not join(): it would drop the ".." lexically
      assert.deepEqual(await check(dotdot), await check(viaDir));
    });
    await t.step("a link to a file where a dir is wanted, and a loop", async () => {
      assert.match((await check(target, "dir"))[1]!, /config\.json: is not a directory/);
      assert.deepEqual(await check(good, "file"), [
        `${good}: is a directory, not a file; point it at a file`,
      ]);
      Deno.symlinkSync("loop-b", join(good, "loop-a"));
      Deno.symlinkSync("loop-a", join(good, "loop-b"));
      assert.deepEqual(await check(join(good, "loop-a")), [
        `${join(good, "loop-a")}: a symlink loop (over 40 links)`,
      ]);
    });
    await t.step("missing: 66, naming what is missing", async () => {
      await assert.rejects(check(join(good, "nope.json")), (e) => {
        assert.ok(e instanceof NoInputError);
        assert.equal(e.message, `${join(good, "nope.json")} does not exist`);
        return true;
      });
      Deno.symlinkSync("gone.json", join(good, "dangling.json"));
      await assert.rejects(
        check(join(good, "dangling.json")),
        /gone\.json does not exist \(resolving /,
      );
    });
    await t.step("a relative path is a caller's bug", async () => {
      await assert.rejects(check("config.json"), TypeError);
    });
  });
});

Deno.test("assertTrustedPath() refuses with 77 and every problem", async () => {
  await withBase(async (base) => {
    const open = dir(join(base, "open"), 0o777);
    const f = file(join(open, "config.json"), 0o666);
    await assert.rejects(assertTrustedPath(denoFiles, f, { uid: UID, kind: "file" }), (e) => {
      assert.ok(e instanceof PermissionError);
      assert.equal(e.exitCode, ExitCode.permission);
      assert.equal(e.problems.length, 2);
      return true;
    });
    Deno.chmodSync(open, 0o755);
    Deno.chmodSync(f, 0o644);
    await assertTrustedPath(denoFiles, f, { uid: UID, kind: "file" });
  });
});

Deno.test({
  name: nobodyName(
    "checkTrustedPath() refuses what another user owns, with the chown that fixes it",
  ),
  ignore: !AS_NOBODY,
  async fn(t) {
    await withBase(async (base) => {
      const tmp = dir(join(base, "tmp"), 0o1777);
      await t.step("a file owned by another uid", async () => {
        const f = file(join(base, "config.json"));
        Deno.chownSync(f, NOBODY, NOBODY);
        assert.deepEqual(await check(f), [
          `${f}: owned by uid ${NOBODY} (neither parsd nor root), mode 0600; fix: chown parsd ${f}`,
        ]);
      });
      await t.step("a dir owned by another uid above a file of the user's", async () => {
        const theirs = dir(join(base, "theirs"), 0o755);
        Deno.chownSync(theirs, NOBODY, NOBODY);
        const f = file(join(theirs, "config.json"));
        assert.deepEqual(await check(f), [
          `${theirs}: owned by uid ${NOBODY} (neither parsd nor root), mode 0755; fix: chown parsd ${theirs}`,
        ]);
      });
      await t.step(
        "a sticky dir as the file's own dir, the file made by another user",
        async () => {
          assert.equal(await asNobody(`umask 077; echo '{}' > '${tmp}/planted.json'`), 0);
          const f = join(tmp, "planted.json");
          assert.equal(Deno.statSync(f).uid, NOBODY);
          const problems = await check(f);
          assert.deepEqual(problems, [
            `${tmp}: mode 1777 (sticky, writable by others) is safe only above what parsd or root owns, but ${f} is owned by uid ${NOBODY}; fix: chown parsd ${f}, or move it out of ${tmp}`,
            `${f}: owned by uid ${NOBODY} (neither parsd nor root), mode 0600; fix: chown parsd ${f}`,
          ]);
        },
      );
      await t.step("a link in a sticky dir made by another user, to a good file", async () => {
        const real = file(join(base, "real.json"));
        assert.equal(await asNobody(`ln -s '${real}' '${tmp}/link.json'`), 0);
        const problems = await check(join(tmp, "link.json"));
        assert.equal(problems.length, 1);
        assert.match(problems[0]!, /sticky, .*\/link\.json is owned by uid 65534/);
      });
    });
  },
});

Deno.test({
  name: nobodyName(
    "the rule's premise: another user can replace a file in a 0777 dir, not in a 1777 one",
  ),
  ignore: !AS_NOBODY,
  async fn() {
    await withBase(async (base) => {
      const open = dir(join(base, "open"), 0o777);
      const sticky = dir(join(base, "sticky"), 0o1777);
      for (const d of [open, sticky]) file(join(d, "config.json"));
      const replace = (d: string) =>
        asNobody(`echo evil > '${d}/x' && mv -f '${d}/x' '${d}/config.json'`);
      assert.equal(await replace(open), 0);
      assert.equal(Deno.readTextFileSync(join(open, "config.json")), "evil\n");
      assert.notEqual(await replace(sticky), 0);
      assert.equal(Deno.readTextFileSync(join(sticky, "config.json")), "{}\n");
      assert.equal((await check(join(open, "config.json"))).length, 2);
      assert.deepEqual(await check(join(sticky, "config.json")), []);
    });
  },
});
