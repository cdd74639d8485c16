/**
 * Tests for lib/data_dir.ts: whether the data dir exists as a directory the
 * user owns, or its parent lets the user create it. Real dirs in temp dirs;
 * the tests run as root, so `chown` sets up dirs owned by someone else and
 * the user parsd judges for is given as `env` (uid 1000).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { checkDataDir } from "../../lib/data_dir/checks.ts";
import type { Env } from "../../lib/os/env.ts";
import { CantCreateError, ExitCode, PermissionError } from "../../lib/errors.ts";
import { denoSystem } from "../../lib/os/system.ts";
import { withTempDir } from "../helpers.ts";

const asUser = (uid: number | null, gid: number | null = uid): Env => ({
  home: "/home/u",
  os: uid === null ? "windows" : "linux",
  uid,
  gid,
});
const ROOT = asUser(0);
const USER = asUser(1000);
const OTHER = 4321;

const isRoot = Deno.uid() === 0;

function rejectsWith(p: Promise<unknown>, kind: typeof CantCreateError, code: number, re: RegExp) {
  return assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof kind, String(e));
    assert.equal((e as CantCreateError).exitCode, code);
    assert.match((e as Error).message, re);
    return true;
  });
}

Deno.test("checkDataDir() accepts an existing dir and a creatable one", async (t) => {
  await withTempDir(async (root) => {
    await t.step("an existing directory → exists", async () => {
      assert.equal(await checkDataDir(denoSystem, root, ROOT), "exists");
    });
    await t.step("missing, with a writable parent → will-create", async () => {
      const dataDir = join(root, ".pars");
      assert.equal(await checkDataDir(denoSystem, dataDir, ROOT), "will-create");
      await assert.rejects(Deno.lstat(dataDir), Deno.errors.NotFound, "nothing was created");
    });
  });
});

Deno.test("checkDataDir() refuses what cannot become the data dir (73)", async (t) => {
  await withTempDir(async (root) => {
    await t.step("its parent is missing", async () => {
      const dataDir = join(root, "no", ".pars");
      await rejectsWith(
        checkDataDir(denoSystem, dataDir, ROOT),
        CantCreateError,
        ExitCode.cantCreate,
        new RegExp(`^data dir ${dataDir}: its parent ${join(root, "no")} does not exist;`),
      );
    });
    await t.step("its parent is a file", async () => {
      await Deno.writeTextFile(join(root, "file"), "");
      await rejectsWith(
        checkDataDir(denoSystem, join(root, "file", ".pars"), ROOT),
        CantCreateError,
        ExitCode.cantCreate,
        new RegExp(`^data dir ${join(root, "file", ".pars")}: its parent ${join(root, "file")} `),
      );
    });
    await t.step("it is a file", async () => {
      const dataDir = join(root, "pars-file");
      await Deno.writeTextFile(dataDir, "");
      await rejectsWith(
        checkDataDir(denoSystem, dataDir, ROOT),
        CantCreateError,
        ExitCode.cantCreate,
        new RegExp(
          `^data dir ${dataDir} exists but is not a directory; choose another --data-dir$`,
        ),
      );
    });
    await t.step("it is under a symlink loop", async () => {
      await Deno.symlink(join(root, "b"), join(root, "a"));
      await Deno.symlink(join(root, "a"), join(root, "b"));
      await rejectsWith(
        checkDataDir(denoSystem, join(root, "a", ".pars"), ROOT),
        CantCreateError,
        ExitCode.cantCreate,
        /symlink loop.*; fix it or choose another --data-dir$/,
      );
    });
  });
});

Deno.test({
  name: "checkDataDir() refuses a data dir owned by another uid (77), except for root",
  ignore: !isRoot,
  async fn(t) {
    await withTempDir(async (root) => {
      const dataDir = join(root, ".pars");
      await Deno.mkdir(dataDir);
      await Deno.chown(dataDir, OTHER, OTHER);
      await t.step("uid 1000 → 77 naming both uids", async () => {
        await rejectsWith(
          checkDataDir(denoSystem, dataDir, USER),
          PermissionError,
          ExitCode.permission,
          new RegExp(`^data dir ${dataDir} is owned by uid ${OTHER}, not you \\(uid 1000\\);`),
        );
      });
      await t.step("root may use it", async () => {
        assert.equal(await checkDataDir(denoSystem, dataDir, ROOT), "exists");
      });
      await t.step("no uid (Windows): ownership is not judged", async () => {
        assert.equal(await checkDataDir(denoSystem, dataDir, asUser(null)), "exists");
      });
      await t.step("its owner may use it", async () => {
        assert.equal(await checkDataDir(denoSystem, dataDir, asUser(OTHER)), "exists");
      });
    });
  },
});

Deno.test({
  name: "checkDataDir() judges a missing data dir's parent by its mode bits for this user",
  ignore: !isRoot,
  async fn(t) {
    // [mode, owner uid, owner gid, the user, creatable]
    const cases: [number, number, number, Env, boolean][] = [
      [0o555, OTHER, OTHER, USER, false],
      [0o755, OTHER, OTHER, USER, false],
      [0o775, OTHER, 1000, USER, true],
      [0o775, OTHER, OTHER, USER, false],
      [0o757, OTHER, OTHER, USER, true],
      [0o755, 1000, OTHER, USER, true],
      [0o555, 1000, 1000, USER, false],
      [0o555, OTHER, OTHER, ROOT, true],
      [0o555, OTHER, OTHER, asUser(null), true],
    ];
    for (const [mode, uid, gid, env, creatable] of cases) {
      await t.step(
        `parent ${mode.toString(8)} owned by ${uid}:${gid}, user ${env.uid}:${env.gid} → ${
          creatable ? "will-create" : "73"
        }`,
        async () => {
          await withTempDir(async (root) => {
            const parent = join(root, "parent");
            await Deno.mkdir(parent);
            await Deno.chown(parent, uid, gid);
            await Deno.chmod(parent, mode);
            const dataDir = join(parent, ".pars");
            if (creatable) {
              assert.equal(await checkDataDir(denoSystem, dataDir, env), "will-create");
            } else {
              await rejectsWith(
                checkDataDir(denoSystem, dataDir, env),
                CantCreateError,
                ExitCode.cantCreate,
                new RegExp(`^data dir ${dataDir}: its parent ${parent} is not writable by you;`),
              );
            }
          });
        },
      );
    }
  },
});

Deno.test({
  name: "checkDataDir() refuses a data dir that is a dangling symlink (73), as run would fail",
  ignore: false,
  async fn() {
    await withTempDir(async (root) => {
      const dataDir = join(root, ".pars");
      await Deno.symlink(join(root, "unmounted", "pars"), dataDir);
      await rejectsWith(
        checkDataDir(denoSystem, dataDir, ROOT),
        CantCreateError,
        ExitCode.cantCreate,
        /dangling/,
      );
    });
  },
});

Deno.test({
  name: "checkDataDir() says a parent that is a file is not a directory",
  ignore: false,
  async fn() {
    await withTempDir(async (root) => {
      await Deno.writeTextFile(join(root, "file"), "");
      await assert.rejects(
        checkDataDir(denoSystem, join(root, "file", ".pars"), ROOT),
        (e: unknown) => {
          assert.ok(e instanceof CantCreateError);
          assert.doesNotMatch(e.message, /does not exist/);
          assert.match(e.message, /is not a directory/);
          return true;
        },
      );
    });
  },
});
