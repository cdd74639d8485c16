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
import { storeCopy, storePath } from "../../lib/plugins/store.ts";
import { sourceNote } from "../../lib/plugins/sealed.ts";
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

Deno.test("verifyPlugin() checks the source of a pin the store has no copy of yet", async (t) => {
  await withTempDir(async (home) => {
    const p = join(home, "evm");
    await exe(p, "#!/bin/sh\necho evm\n");
    const pin = sha256("#!/bin/sh\necho evm\n");
    const s = (extra: Record<string, unknown> = {}) =>
      settings(home, { plugins: { evm: { path: p, sha256: pin, ...extra } } });

    await t.step("pinned and matching: to be sealed from the source", async () => {
      const v = await verifyPlugin("evm", s(), opts(home));
      assert.deepEqual([v.sha256, v.pinned, v.fromCache, v.realPath, v.copyFrom], [
        pin,
        true,
        false,
        p,
        p,
      ]);
      assert.equal(v.storePath, storePath(join(home, ".pars"), pin));
      assert.deepEqual([v.name, v.vmid, v.source.state], ["evm", PLUGINS.evm.vmid, "matches"]);
      assert.equal(v.source.state === "matches" && v.source.located.rule, "config");
      assert.equal(v.mentionsMarker, false, "scanned in the hash's read");
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
            }, pinned ${pin}; either it changed since it was pinned or it is not the file that was pinned \\(found by plugins\\.evm\\.path in config\\.json\\), and the store has no copy.*parsd plugins pin evm --replace`,
          ),
        );
        await exe(p, "#!/bin/sh\necho evm\n");
      },
    );
    await t.step("unpinned: refused, names the pin command; trusted, sealed too", async () => {
      const unpinned = settings(home, { plugins: { evm: { path: p } } });
      await rejects(
        verifyPlugin("evm", unpinned, opts(home)),
        ExitCode.verification,
        /not pinned.*parsd plugins pin evm/,
      );
      const v = await verifyPlugin("evm", unpinned, opts(home, { trustUnpinned: true }));
      assert.deepEqual([v.pinned, v.sha256, v.cacheable, v.copyFrom], [false, pin, false, p]);
    });
    await t.step("missing: 66; directory / non-executable: 65; group-writable: 77", async () => {
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
        ExitCode.permission,
        new RegExp(`plugin evm: ${p}: .*mode 0775 \\(writable by group\\); fix: chmod g-w ${p}`),
      );
      await Deno.chmod(p, 0o755);
    });
    await t.step("a directory above the source that others can write: 77, naming it", async () => {
      const open = join(home, "open");
      await Deno.mkdir(open);
      await Deno.chmod(open, 0o777);
      const q = join(open, "evm");
      await exe(q, "#!/bin/sh\necho evm\n");
      await rejects(
        verifyPlugin("evm", s({ path: q }), opts(home)),
        ExitCode.permission,
        new RegExp(`${open}: .*mode 0777 \\(writable by group and others\\); fix: chmod go-w`),
      );
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
        ? "owned by another non-root user: refused (77); by root or you: allowed"
        : "skipped: owned by another user (chown needs root)",
      ignore: !root,
      fn: async () => {
        const other = join(home, "other");
        await exe(other, "#!/bin/sh\necho evm\n");
        await Deno.chown(other, 4242, 4242);
        await rejects(
          verifyPlugin("evm", s({ path: other }), opts(home)),
          ExitCode.permission,
          /owned by uid 4242 \(neither 0 nor root\)/,
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
      assert.equal(v.source.state === "matches" && v.source.located.path, link);
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

Deno.test("verifyPlugin() runs the sealed copy: the source may change, the copy may not", async (t) => {
  await withTempDir(async (home) => {
    const p = join(home, "evm");
    const body = "#!/bin/sh\necho evm\n# LUX_VM_RUNTIME_ENGINE_ADDR\n";
    await exe(p, body);
    const pin = sha256(body);
    const dataDir = join(home, ".pars");
    await Deno.mkdir(dataDir, { mode: 0o700 });
    const copy = await storeCopy(denoFiles, dataDir, p, { uid: Deno.uid() });
    const s = settings(home, { plugins: { evm: { path: p, sha256: pin } } });

    await t.step("the store's copy is what is checked; the source matches", async () => {
      const v = await verifyPlugin("evm", s, opts(home));
      assert.deepEqual([v.realPath, v.storePath, v.copyFrom], [copy.path, copy.path, undefined]);
      assert.deepEqual([v.source.state, v.fromCache, v.mentionsMarker], ["matches", false, true]);
      assert.equal(sourceNote(v), undefined);
    });
    await t.step("a rewritten source: still the pinned copy, and doctor's one line", async () => {
      await exe(p, "#!/bin/sh\necho evil\n");
      const v = await verifyPlugin("evm", s, opts(home));
      assert.equal(v.realPath, copy.path);
      assert.equal(v.source.state, "changed");
      assert.match(
        sourceNote(v)!,
        new RegExp(
          `^${p}: source changed since pin \\(sha256 ${
            sha256("#!/bin/sh\necho evil\n")
          }\\); luxd runs the pinned copy ${copy.path}$`,
        ),
      );
    });
    await t.step("a deleted source: still the pinned copy", async () => {
      await Deno.remove(p);
      const v = await verifyPlugin("evm", s, opts(home));
      assert.equal(v.source.state, "unavailable");
      assert.match(
        sourceNote(v)!,
        /^source not available \(plugin evm: .* does not exist.*luxd runs the pinned copy/,
      );
    });
    await t.step("a copy whose mode changed: refused (65)", async () => {
      await Deno.chmod(copy.path, 0o755);
      await rejects(
        verifyPlugin("evm", s, opts(home)),
        ExitCode.verification,
        /plugin evm: store entry .* has mode 0755, not exactly 0500/,
      );
      await Deno.chmod(copy.path, 0o500);
    });
    await t.step("a copy the cache vouches for is not hashed again", async () => {
      const later = BigInt(Date.now()) * 1_000_000n + 60n * 1_000_000_000n;
      const first = await verifyPlugin("evm", s, opts(home, { nowNs: later }));
      assert.equal(first.cacheable, true);
      const cache = cacheUpdates([first]);
      assert.deepEqual(Object.keys(cache), [copy.path]);
      const hit = await verifyPlugin("evm", s, opts(home, { cache }));
      assert.deepEqual([hit.fromCache, hit.realPath], [true, copy.path]);
    });
    await t.step("an altered copy: refused (65)", async () => {
      const before = (await Deno.lstat(copy.path)).mtime!;
      await Deno.chmod(copy.path, 0o700);
      await Deno.writeTextFile(copy.path, "#!/bin/sh\necho evil copy\n");
      await Deno.chmod(copy.path, 0o500);
      await Deno.utime(copy.path, before, before);
      await rejects(
        verifyPlugin("evm", s, opts(home, { mode: "full" })),
        ExitCode.verification,
        /hashes to .* it was altered/,
      );
    });
    await t.step(
      "a store dir others can write: refused (77) before the copy is trusted",
      async () => {
        await Deno.chmod(join(dataDir, "store"), 0o777);
        await rejects(
          verifyPlugin("evm", s, opts(home)),
          ExitCode.permission,
          /store: .*mode 0777 \(writable by group and others\); fix: chmod go-w/,
        );
      },
    );
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
    records: {},
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
