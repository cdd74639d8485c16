/**
 * Tests for lib/data_dir/staking.ts: the staking dir is held to ssh's rules
 * (0700 dir, no key readable or writable by group or others), with real
 * files in temp dirs.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ExitCode, PermissionError } from "../../lib/errors.ts";
import { layout } from "../../lib/data_dir/layout.ts";
import { stakingFiles } from "../../lib/data_dir/staking.ts";
import { denoSystem } from "../../lib/os/system.ts";
import { withTempDir } from "../helpers.ts";

/** A staking dir in a temp data dir; `files` maps a name to a mode (or a link target). */
async function stakingLayout(root: string, dirMode: number, files: Record<string, number>) {
  const l = layout(root);
  await Deno.mkdir(l.stakingDir);
  await Deno.chmod(l.stakingDir, dirMode);
  for (const [name, mode] of Object.entries(files)) {
    const path = join(l.stakingDir, name);
    await Deno.writeTextFile(path, "key");
    await Deno.chmod(path, mode);
  }
  return l;
}

Deno.test("stakingFiles() holds the staking dir to ssh's rules", async (t) => {
  const rejects = (p: Promise<unknown>, ...res: RegExp[]) =>
    assert.rejects(p, (e: unknown) => {
      assert.ok(e instanceof PermissionError, String(e));
      assert.equal(e.exitCode, ExitCode.permission);
      for (const re of res) assert.match(e.message, re);
      return true;
    });
  await t.step("no staking dir: nothing present, no problem", async () => {
    await withTempDir(async (root) => {
      assert.deepEqual(await stakingFiles(denoSystem, layout(root), "linux"), {
        tlsKey: false,
        tlsCert: false,
        signerKey: false,
      });
    });
  });
  await t.step("0700 dir, 0600 files: which files exist", async () => {
    await withTempDir(async (root) => {
      const l = await stakingLayout(root, 0o700, { "staker.key": 0o600, "staker.crt": 0o600 });
      assert.deepEqual(await stakingFiles(denoSystem, l, "linux"), {
        tlsKey: true,
        tlsCert: true,
        signerKey: false,
      });
    });
  });
  await t.step("a 0755 dir → chmod 700", async () => {
    await withTempDir(async (root) => {
      const l = await stakingLayout(root, 0o755, {});
      await rejects(
        stakingFiles(denoSystem, l, "linux"),
        new RegExp(`mode 0755\\); run 'chmod 700 ${l.stakingDir}'`),
      );
    });
  });
  await t.step("a 0640 key → chmod 600, every problem at once", async () => {
    await withTempDir(async (root) => {
      const l = await stakingLayout(root, 0o750, { "staker.key": 0o640, "signer.key": 0o604 });
      await rejects(
        stakingFiles(denoSystem, l, "linux"),
        /chmod 700/,
        new RegExp(
          `${l.stakingKey} is readable or writable by group or others \\(mode 0640\\); run 'chmod 600 ${l.stakingKey}'`,
        ),
        new RegExp(`chmod 600 ${l.signerKey}`),
      );
    });
  });
  await t.step("a dangling link for a key", async () => {
    await withTempDir(async (root) => {
      const l = await stakingLayout(root, 0o700, {});
      await Deno.symlink(join(root, "gone"), l.stakingKey);
      await rejects(
        stakingFiles(denoSystem, l, "linux"),
        new RegExp(`${l.stakingKey} is a dangling symlink`),
      );
    });
  });
  await t.step("a link to a real key is accepted", async () => {
    await withTempDir(async (root) => {
      const l = await stakingLayout(root, 0o700, { "real.key": 0o600 });
      await Deno.symlink(join(l.stakingDir, "real.key"), l.stakingKey);
      assert.equal((await stakingFiles(denoSystem, l, "linux")).tlsKey, true);
    });
  });
  await t.step("a link to a real key is judged by the key's mode", async () => {
    await withTempDir(async (root) => {
      const l = await stakingLayout(root, 0o700, {});
      await Deno.writeTextFile(join(root, "elsewhere.key"), "key", { mode: 0o600 });
      await Deno.chmod(join(root, "elsewhere.key"), 0o600);
      await Deno.symlink(join(root, "elsewhere.key"), l.stakingKey);
      assert.equal((await stakingFiles(denoSystem, l, "linux")).tlsKey, true);
    });
  });
  await t.step("a directory where a key should be", async () => {
    await withTempDir(async (root) => {
      const l = await stakingLayout(root, 0o700, {});
      await Deno.mkdir(l.signerKey);
      await rejects(
        stakingFiles(denoSystem, l, "linux"),
        new RegExp(`${l.signerKey} is a directory, not a key file`),
      );
    });
  });
  await t.step("a staking path that is a file", async () => {
    await withTempDir(async (root) => {
      const l = layout(root);
      await Deno.writeTextFile(l.stakingDir, "");
      await rejects(stakingFiles(denoSystem, l, "linux"), /is not a directory; move it away/);
    });
  });
  await t.step("on Windows modes are not judged", async () => {
    await withTempDir(async (root) => {
      const l = await stakingLayout(root, 0o755, { "staker.key": 0o644 });
      assert.equal((await stakingFiles(denoSystem, l, "windows")).tlsKey, true);
    });
  });
});

Deno.test({
  name: "stakingFiles() judges a linked key by its target: readable by group or others is 77",
  async fn() {
    await withTempDir(async (root) => {
      const l = await stakingLayout(root, 0o700, {});
      const target = join(root, "world-readable.key");
      await Deno.writeTextFile(target, "key");
      await Deno.chmod(target, 0o644);
      await Deno.symlink(target, l.stakingKey);
      await assert.rejects(stakingFiles(denoSystem, l, "linux"), PermissionError);
    });
  },
});
