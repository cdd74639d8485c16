import assert from "node:assert/strict";
import { join } from "node:path";
import { PLUGINS } from "../../lib/network/pars.ts";
import { ExitCode, NoInputError, ParsdError, PermissionError } from "../../lib/errors.ts";
import { FileAccessError, statFacts } from "../../lib/os/files.ts";
import { cacheHit, cacheKey } from "../../lib/plugins/cache.ts";
import {
  cacheUpdates,
  forEachPlugin,
  hashOrFail,
  inspectTarget,
  pluginAccessError,
  RACY_MARGIN_NS,
  type VerifyOptions,
  verifyPlugin,
} from "../../lib/plugins/trust.ts";
import { denoFiles } from "../../lib/os/system.ts";
import { sha256, withTempDir } from "../helpers.ts";
import { exe, settings } from "./kit.ts";

/** Verify options for the real file system, with "now" taken at the call. */
const opts = (home: string, o: Partial<VerifyOptions> = {}): VerifyOptions => ({
  mode: "cache",
  cache: {},
  trustUnpinned: false,
  uid: Deno.uid(),
  os: Deno.build.os,
  searchEnv: { home },
  fs: denoFiles,
  nowNs: BigInt(Date.now()) * 1_000_000n,
  ...o,
});

async function rejects(p: Promise<unknown>, code: number, message: RegExp) {
  await assert.rejects(
    p,
    (e: unknown) => e instanceof ParsdError && e.exitCode === code && message.test(e.message),
  );
}

Deno.test("verifyPlugin() refuses what must not run, with the reason", async (t) => {
  await withTempDir(async (home) => {
    const p = join(home, "evm");
    await exe(p, "#!/bin/sh\necho evm\n");
    const pin = sha256("#!/bin/sh\necho evm\n");
    const s = (extra: Record<string, unknown> = {}) =>
      settings(home, { plugins: { evm: { path: p, sha256: pin, ...extra } } });

    await t.step("pinned and matching: ok", async () => {
      const v = await verifyPlugin("evm", s(), opts(home));
      assert.deepEqual([v.sha256, v.pinned, v.fromCache, v.realPath], [pin, true, false, p]);
      assert.deepEqual([v.name, v.vmid, v.rule], ["evm", PLUGINS.evm.vmid, "config"]);
    });
    await t.step(
      "tampered after pinning: names both hashes and the path, says --replace",
      async () => {
        await exe(p, "#!/bin/sh\necho evil\n");
        await rejects(
          verifyPlugin("evm", s(), opts(home)),
          ExitCode.verification,
          new RegExp(
            `plugin evm: ${p} does not match its pin: sha256 ${
              sha256("#!/bin/sh\necho evil\n")
            }, pinned ${pin}; either it changed since it was pinned or it is not the file that was pinned \\(found by plugins\\.evm\\.path in config\\.json\\);.*parsd plugins pin evm --replace`,
          ),
        );
        await exe(p, "#!/bin/sh\necho evm\n");
      },
    );
    await t.step("unpinned: refused, names the pin command", async () => {
      const unpinned = settings(home, { plugins: { evm: { path: p } } });
      await rejects(
        verifyPlugin("evm", unpinned, opts(home)),
        ExitCode.verification,
        /not pinned.*parsd plugins pin evm/,
      );
      const v = await verifyPlugin("evm", unpinned, opts(home, { trustUnpinned: true }));
      assert.deepEqual([v.pinned, v.sha256, v.cacheable], [false, pin, false]);
    });
    await t.step("missing: 66, directory / non-executable / group-writable: 65", async () => {
      await rejects(
        verifyPlugin("evm", s({ path: join(home, "nope") }), opts(home)),
        ExitCode.noInput,
        /does not exist/,
      );
      await rejects(
        verifyPlugin("evm", s({ path: home }), opts(home)),
        ExitCode.verification,
        /is a directory/,
      );
      await Deno.chmod(p, 0o644);
      await rejects(
        verifyPlugin("evm", s(), opts(home)),
        ExitCode.verification,
        /not executable.*chmod 755/,
      );
      await Deno.chmod(p, 0o775);
      await rejects(
        verifyPlugin("evm", s(), opts(home)),
        ExitCode.verification,
        /writable by group or others.*chmod go-w/,
      );
      await Deno.chmod(p, 0o755);
    });
    await t.step("on Windows the mode bits are not checked", async () => {
      await Deno.chmod(p, 0o664);
      const v = await verifyPlugin("evm", s(), opts(home, { os: "windows" }));
      assert.equal(v.sha256, pin);
      await Deno.chmod(p, 0o755);
    });
    await t.step("a symlink loop: 66, says so", async () => {
      const a = join(home, "loop-a");
      const b = join(home, "loop-b");
      await Deno.symlink(b, a);
      await Deno.symlink(a, b);
      await rejects(
        verifyPlugin("evm", s({ path: a }), opts(home)),
        ExitCode.noInput,
        new RegExp(
          `plugin evm: ${a} \\(from plugins\\.evm\\.path in config\\.json\\) is a symlink loop`,
        ),
      );
    });
    await t.step("a dangling link: 66, says so", async () => {
      const dangling = join(home, "dangling");
      await Deno.symlink(join(home, "gone"), dangling);
      await rejects(
        verifyPlugin("evm", s({ path: dangling }), opts(home)),
        ExitCode.noInput,
        /does not exist or is a dangling link/,
      );
    });
    // The step gives a file away, which only root can do: elsewhere it is a named skip.
    const root = Deno.uid() === 0;
    await t.step({
      name: root
        ? "owned by another non-root user: refused; by root or you: allowed"
        : "skipped: owned by another user (chown needs root)",
      ignore: !root,
      fn: async () => {
        const other = join(home, "other");
        await exe(other, "#!/bin/sh\necho evm\n");
        await Deno.chown(other, 4242, 4242);
        await rejects(
          verifyPlugin("evm", s({ path: other }), opts(home)),
          ExitCode.verification,
          /owned by uid 4242/,
        );
        assert.equal(
          (await verifyPlugin("evm", s({ path: other }), opts(home, { uid: 4242 }))).sha256,
          pin,
        );
        assert.equal(
          (await verifyPlugin("evm", s({ path: other }), opts(home, { uid: null }))).sha256,
          pin,
          "no uid (Windows): ownership is not checked",
        );
      },
    });
    await t.step("a link is followed to the real file", async () => {
      const link = join(home, "evm-link");
      await Deno.symlink(p, link);
      const v = await verifyPlugin("evm", s({ path: link }), opts(home));
      assert.equal(v.realPath, p);
      assert.equal(v.source, link);
    });
    await t.step("not found anywhere: lists where it looked", async () => {
      await rejects(
        verifyPlugin("sessionvm", s(), opts(home)),
        ExitCode.noInput,
        /not found; looked in .*\.lux\/plugins\/speKU/,
      );
    });
  });
});

Deno.test("inspectTarget() names the flag the path came from", async () => {
  await withTempDir(async (dir) => {
    await assert.rejects(
      inspectTarget(PLUGINS.sessionvm, join(dir, "x"), "flag", 0, denoFiles, "linux"),
      (e: unknown) =>
        e instanceof NoInputError && /\(from --sessionvm-plugin\)/.test(e.message) &&
        /deno task build:sessionvm/.test(e.message),
    );
    await assert.rejects(
      inspectTarget(PLUGINS.evm, dir, "env", 0, denoFiles, "linux"),
      (e: unknown) =>
        e instanceof ParsdError && /point PARS_EVM_PLUGIN at the binary/.test(e.message),
    );
  });
});

Deno.test("verification cache: hit when unchanged, miss after any change", async () => {
  await withTempDir(async (home) => {
    const p = join(home, "evm");
    await exe(p, "AAAA");
    const pin = sha256("AAAA");
    const s = settings(home, { plugins: { evm: { path: p, sha256: pin } } });
    const fixed = new Date("2026-01-02T03:04:05.678Z");
    await Deno.utime(p, fixed, fixed);
    const facts = (await statFacts(p))!;
    const cache = { [p]: { key: cacheKey(facts, pin), sha256: pin } };
    assert.equal(cacheHit(cache, p, facts, pin), true);
    assert.equal((await verifyPlugin("evm", s, opts(home, { cache }))).fromCache, true);
    assert.equal(
      (await verifyPlugin("evm", s, opts(home, { cache, mode: "full" }))).fromCache,
      false,
    );
    assert.equal(cacheHit(cache, p, facts, sha256("other pin")), false);

    // Same size, mtime restored: ctime still moves, so the cache misses and the hash catches it.
    // Deno reports ctime in whole seconds: make the change in the next second.
    await new Promise((r) => setTimeout(r, 1010 - (Date.now() % 1000)));
    await Deno.writeTextFile(p, "BBBB");
    await Deno.utime(p, fixed, fixed);
    const after = (await statFacts(p))!;
    assert.deepEqual([after.size, after.mtimeNs, after.ino], [
      facts.size,
      facts.mtimeNs,
      facts.ino,
    ]);
    assert.notEqual(after.ctimeNs, facts.ctimeNs);
    assert.equal(cacheHit(cache, p, after, pin), false);
    await rejects(
      verifyPlugin("evm", s, opts(home, { cache })),
      ExitCode.verification,
      /changed since it was pinned/,
    );
  });
});

Deno.test("cacheUpdates() skips racily clean files (changed within the margin of hashing)", async () => {
  await withTempDir(async (home) => {
    const p = join(home, "evm");
    await exe(p, "AAAA");
    const s = settings(home, { plugins: { evm: { path: p, sha256: sha256("AAAA") } } });
    const fresh = await verifyPlugin("evm", s, opts(home));
    assert.equal(fresh.cacheable, false);
    assert.deepEqual(cacheUpdates([fresh]), {});
    await new Promise((r) => setTimeout(r, Number(RACY_MARGIN_NS / 1_000_000n) + 100));
    const settled = await verifyPlugin("evm", s, opts(home));
    assert.equal(settled.cacheable, true);
    assert.deepEqual(Object.keys(cacheUpdates([settled])), [p]);
    assert.deepEqual(cacheUpdates([settled])[p], {
      key: cacheKey(settled.facts, settled.sha256),
      sha256: settled.sha256,
    });
    // A cache hit is not written again.
    const hit = await verifyPlugin("evm", s, opts(home, { cache: cacheUpdates([settled]) }));
    assert.deepEqual([hit.fromCache, hit.cacheable], [true, false]);
  });
});

Deno.test("cacheUpdates() records what a plugin said of itself", () => {
  const facts = {
    dev: 1n,
    ino: 2n,
    mode: 0o100755,
    uid: 0,
    gid: 0,
    size: 3n,
    mtimeNs: 4n,
    ctimeNs: 5n,
    isFile: true,
    isDirectory: false,
    isSymlink: false,
  };
  const v = {
    name: "evm" as const,
    vmid: PLUGINS.evm.vmid,
    source: "/p",
    rule: "flag" as const,
    realPath: "/p",
    sha256: "a".repeat(64),
    pinned: true,
    fromCache: false,
    cacheable: true,
    facts,
  };
  assert.deepEqual(cacheUpdates([{ ...v, rpcchainvm: 43, registrable: true }])["/p"]?.plugin, {
    rpcchainvm: 43,
    registrable: true,
    versionLine: null,
  });
  assert.equal(cacheUpdates([v])["/p"]?.plugin, undefined);
});

Deno.test("forEachPlugin() runs every plugin and reports every failure at once", async () => {
  assert.deepEqual(await forEachPlugin(["evm", "sessionvm"], (n) => Promise.resolve(n)), [
    "evm",
    "sessionvm",
  ]);
  await assert.rejects(
    forEachPlugin(["evm", "sessionvm"], (n) =>
      Promise.reject(
        n === "evm" ? new PermissionError("evm denied") : new NoInputError("sessionvm missing"),
      )),
    (e: unknown) =>
      e instanceof ParsdError && e.exitCode === ExitCode.permission &&
      e.problems.join("|") === "evm denied|sessionvm missing",
  );
  await assert.rejects(
    forEachPlugin(["evm"], () => Promise.reject(new TypeError("a bug"))),
    TypeError,
  );
});

Deno.test("pluginAccessError() maps file-system failures to exit codes", () => {
  const cases: [FileAccessError, number, RegExp][] = [
    [
      new FileAccessError("/p", "denied", "permission denied"),
      ExitCode.permission,
      /permission denied/,
    ],
    [new FileAccessError("/p", "loop", "a symlink loop"), ExitCode.noInput, /is a symlink loop/],
    [new FileAccessError("/p", "io", "I/O error"), ExitCode.noInput, /x: \/p: I\/O error/],
  ];
  for (const [error, code, message] of cases) {
    const e = pluginAccessError("x", "/p", error);
    assert.equal(e.exitCode, code);
    assert.match(e.message, message);
  }
  assert.throws(() => pluginAccessError("x", "/p", new TypeError("bug")), TypeError);
});

Deno.test("hashOrFail() turns a hashing failure into a one-line error", async () => {
  await assert.rejects(
    hashOrFail(denoFiles, "evm", "/nonexistent/parsd-plugin"),
    (e: unknown) =>
      e instanceof ParsdError && e.exitCode === ExitCode.noInput &&
      /^plugin evm: \/nonexistent\/parsd-plugin: /.test(e.message),
  );
  assert.equal(
    await hashOrFail({ sha256: () => Promise.resolve("h") }, "evm", "/p"),
    "h",
  );
});
