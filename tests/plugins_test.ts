import assert from "node:assert/strict";
import { join } from "node:path";
import { resolveSettings } from "../lib/config.ts";
import { PLUGINS } from "../lib/defaults.ts";
import { ExitCode, ParsdError } from "../lib/errors.ts";
import { statFacts } from "../lib/files.ts";
import { sha256File } from "../lib/hash.ts";
import { cacheHit, cacheKey, loadCache, saveCache } from "../lib/cache.ts";
import {
  cacheUpdates,
  discover,
  parseSha256Sums,
  pickSum,
  RACY_MARGIN_NS,
  type VerifyOptions,
  verifyPlugin,
  withPins,
} from "../lib/plugins.ts";
import { sha256, withTempDir } from "./helpers.ts";

async function exe(path: string, body: string, mode = 0o755) {
  await Deno.writeTextFile(path, body);
  await Deno.chmod(path, mode);
}

function settings(
  home: string,
  config: Record<string, unknown>,
  flags: Record<string, string | boolean> = {},
) {
  return resolveSettings({ flags, env: () => undefined, home, cwd: home }, JSON.stringify(config));
}

const opts = (home: string, o: Partial<VerifyOptions> = {}): VerifyOptions => ({
  mode: "cache",
  cache: {},
  trustUnpinned: false,
  uid: Deno.uid(),
  searchEnv: { home },
  ...o,
});

async function rejects(p: Promise<unknown>, code: number, message: RegExp) {
  await assert.rejects(
    p,
    (e: unknown) => e instanceof ParsdError && e.exitCode === code && message.test(e.message),
  );
}

Deno.test("sha256File() hashes large files in chunks like sha256sum", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "big");
    const data = new Uint8Array(3 * (1 << 20) + 12345).map((_, i) => (i * 31) & 0xff);
    await Deno.writeFile(path, data);
    assert.equal(await sha256File(path), sha256(data));
  });
});

Deno.test("discover() takes flag > env > config > search paths, first match wins", async () => {
  await withTempDir(async (home) => {
    const spec = PLUGINS.sessionvm;
    const none = await discover("sessionvm", settings(home, {}), { home });
    assert.equal(none.found, false);
    assert.equal(none.searched[0], join(home, ".lux", "plugins", spec.vmid));
    assert.equal(none.searched.at(-1), join(home, "go", "bin", "sessionvm"));
    await Deno.mkdir(join(home, "go", "bin"), { recursive: true });
    await exe(join(home, "go", "bin", "sessionvm"), "#!/bin/sh\n");
    const gp = await discover("sessionvm", settings(home, {}), { home });
    assert.deepEqual([gp.found, gp.found && gp.rule], [true, "search"]);
    await Deno.mkdir(join(home, ".lux", "plugins"), { recursive: true });
    await exe(join(home, ".lux", "plugins", spec.vmid), "#!/bin/sh\n");
    const lux = await discover("sessionvm", settings(home, {}), { home });
    assert.equal(lux.found && lux.path, join(home, ".lux", "plugins", spec.vmid));
    const cfg = await discover(
      "sessionvm",
      settings(home, { plugins: { sessionvm: { path: "/c" } } }),
      { home },
    );
    assert.deepEqual(cfg.found && [cfg.path, cfg.rule], ["/c", "config"]);
    const flag = await discover(
      "sessionvm",
      settings(home, { plugins: { sessionvm: { path: "/c" } } }, { "sessionvm-plugin": "/f" }),
      { home },
    );
    assert.deepEqual(flag.found && [flag.path, flag.rule], ["/f", "flag"]);
  });
});

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
    });
    await t.step("tampered after pinning: mismatch names both hashes and the path", async () => {
      await exe(p, "#!/bin/sh\necho evil\n");
      await rejects(
        verifyPlugin("evm", s(), opts(home)),
        ExitCode.verification,
        new RegExp(
          `sha256 mismatch: expected ${pin}, got ${sha256("#!/bin/sh\necho evil\n")} \\(${p}\\)`,
        ),
      );
      await exe(p, "#!/bin/sh\necho evm\n");
    });
    await t.step("unpinned: refused, names the pin command", async () => {
      const unpinned = settings(home, { plugins: { evm: { path: p } } });
      await rejects(
        verifyPlugin("evm", unpinned, opts(home)),
        ExitCode.verification,
        /not pinned.*parsd plugins pin evm/,
      );
      const v = await verifyPlugin("evm", unpinned, opts(home, { trustUnpinned: true }));
      assert.deepEqual([v.pinned, v.sha256], [false, pin]);
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
    await t.step("owned by another non-root user: refused; by root or you: allowed", async () => {
      const other = join(home, "other");
      await exe(other, "#!/bin/sh\necho evm\n");
      // The test needs to give a file away, which only root can do.
      if (Deno.uid() !== 0) return void console.log("skipped: chown needs root");
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
      /sha256 mismatch/,
    );
  });
});

Deno.test("cacheUpdates() skips racily clean files (changed within a second of hashing)", async () => {
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
  });
});

Deno.test("loadCache()/saveCache() round-trip; a corrupt cache is an empty one", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "c.json");
    assert.deepEqual(await loadCache(path), {});
    await saveCache(path, { "/x": { key: "k", sha256: "s" } });
    assert.deepEqual(await loadCache(path), { "/x": { key: "k", sha256: "s" } });
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    await Deno.writeTextFile(path, "{nope");
    assert.deepEqual(await loadCache(path), {});
  });
});

Deno.test("parseSha256Sums() reads sha256sum lines and reports bad ones with line numbers", () => {
  const a = "a".repeat(64);
  const b = "B".repeat(64);
  const { entries, problems } = parseSha256Sums(
    `# release sums\n${a}  sessionvm-linux-amd64\n\n${b} *evm.exe\nnot a line\n${
      "c".repeat(63)
    }  short\n`,
    "SUMS",
  );
  assert.deepEqual(entries, [
    { sha256: a, file: "sessionvm-linux-amd64", line: 2 },
    { sha256: b.toLowerCase(), file: "evm.exe", line: 4 },
  ]);
  assert.equal(problems.length, 2);
  assert.match(problems[0]!, /^SUMS:5: not a sha256sum line/);
  assert.match(problems[1]!, /^SUMS:6:/);
});

Deno.test("pickSum() finds a plugin's entry, preferring this platform among several", () => {
  const e = (file: string, line: number) => ({
    sha256: String(line).repeat(64).slice(0, 64),
    file,
    line,
  });
  const linux = { os: "linux", arch: "x86_64" };
  const one = pickSum([e("sessionvm", 1), e("parsd", 2)], PLUGINS.sessionvm, linux);
  assert.equal(typeof one !== "string" && one.line, 1);
  const many = [
    e("sessionvm-darwin-arm64", 1),
    e("sessionvm-linux-amd64", 2),
    e("sessionvm-linux-arm64", 3),
  ];
  const picked = pickSum(many, PLUGINS.sessionvm, linux);
  assert.equal(typeof picked !== "string" && picked.line, 2);
  assert.match(
    pickSum([e("evm", 1)], PLUGINS.sessionvm, linux) as string,
    /no entry for plugin sessionvm/,
  );
  assert.match(
    pickSum([e("evm-a", 1), e("evm-b", 2)], PLUGINS.evm, linux) as string,
    /several entries could be plugin evm/,
  );
  const byVmid = pickSum([e(`dir/${PLUGINS.evm.vmid}`, 7)], PLUGINS.evm, linux);
  assert.equal(typeof byVmid !== "string" && byVmid.line, 7);
});

Deno.test("withPins() records pins and keeps every other key", () => {
  const doc = { "http-port": 1, plugins: { evm: { path: "/e", sha256: "0".repeat(64) } } };
  const out = JSON.parse(
    withPins(doc, [{ name: "sessionvm", sha256: "1".repeat(64), path: "/s" }]),
  );
  assert.deepEqual(out, {
    "http-port": 1,
    plugins: {
      evm: { path: "/e", sha256: "0".repeat(64) },
      sessionvm: { sha256: "1".repeat(64), path: "/s" },
    },
  });
  assert.deepEqual(JSON.parse(withPins({}, [{ name: "evm", sha256: "2".repeat(64) }])), {
    plugins: { evm: { sha256: "2".repeat(64) } },
  });
});

Deno.test("luxd search: PATH first, then the known places; not found names both", async () => {
  const { findLuxd, luxdCandidates } = await import("../lib/luxd.ts");
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
    }),
    ExitCode.luxdNotFound,
    /luxd not found; looked on PATH \(2 dirs\) and in \/usr\/local\/bin\/luxd, .*build:luxd/,
  );
});
