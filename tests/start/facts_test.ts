/**
 * Tests for lib/facts.ts: gathering what `run` and `doctor` need through
 * the fake system of tests/fake_system.ts (real files in temp dirs, programs
 * answered from the luxd fixtures), counting program runs to prove what the
 * verification cache saves.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { cacheText, type VerifyCache } from "../../lib/plugins/cache.ts";
import { resolveSettings } from "../../lib/cli/config.ts";
import type { Settings } from "../../lib/settings.ts";
import { ExitCode, LuxdNotExecutableError } from "../../lib/errors.ts";
import {
  gatherFacts,
  hardNofileLimit,
  luxdFacts,
  luxdRunPath,
  type NodeFacts,
  runningInstance,
} from "../../lib/start/facts.ts";
import { dataDirTrust, verifyLuxd } from "../../lib/start/sealed_facts.ts";
import type { Sealed } from "../../lib/plugins/sealed.ts";
import { storeCopy } from "../../lib/plugins/store.ts";
import { probeName } from "../../lib/plugins/cache.ts";
import { ParsdError } from "../../lib/errors.ts";
import { layout } from "../../lib/data_dir/layout.ts";
import type { LockResult, NoAnswer, Output, System } from "../../lib/os/system.ts";
import { denoFiles, denoSystem } from "../../lib/os/system.ts";
import { updatedCache } from "../../lib/start/apply.ts";
import { fakeSystem, fixtureLuxd, type Program } from "../fake_system.ts";
import { sha256, withTempDir } from "../helpers.ts";
import { SMALL_ARGV_LIMITS } from "../../lib/luxd/spawn_limits.ts";

const SECOND = 1_000_000_000n;
const nowNs = () => BigInt(Date.now()) * 1_000_000n;

/** A program that counts its runs. */
function counted(program: Program): { program: Program; calls: (readonly string[])[] } {
  const calls: (readonly string[])[] = [];
  return { calls, program: (args) => (calls.push(args), program(args)) };
}

/** A system whose files look `ageSeconds` older in ctime: old enough to be cached. */
function aged(sys: System, ageSeconds = 60n): System {
  return {
    ...sys,
    stat: async (path) => {
      const f = await sys.stat(path);
      return f && { ...f, ctimeNs: f.ctimeNs - ageSeconds * SECOND };
    },
  };
}

/** The cache as parsd reads it back from disk (JSON, as written). */
const roundTrip = (cache: VerifyCache): VerifyCache => JSON.parse(cacheText(cache));

async function luxdFile(dir: string): Promise<string> {
  const path = join(await Deno.realPath(dir), "luxd");
  await Deno.writeTextFile(path, "#!/bin/sh\nexit 0\n", { mode: 0o755 });
  return path;
}

/** luxd as `verifyLuxd` would hand it on: checked at `realPath`, with this hash. */
function sealedLuxd(realPath: string, hash: string, dataDir = "/dd"): Sealed {
  return {
    name: "luxd",
    sha256: hash,
    pinned: true,
    storePath: join(dataDir, "store", `sha256-${hash}`),
    realPath,
    facts: Deno.statSync(realPath) as unknown as Sealed["facts"],
    fromCache: false,
    cacheable: false,
    source: { state: "unavailable", reason: "not looked at" },
    records: {},
  };
}

Deno.test("luxdFacts() probes a luxd once, then reads its flags from the cache by its hash", async (t) => {
  await withTempDir(async (dir) => {
    const luxd = await luxdFile(dir);
    const hash = sha256(await Deno.readFile(luxd));
    const { program, calls } = counted(fixtureLuxd("1.22.18"));
    const sys = fakeSystem({ programs: { [luxd]: program } }).sys;
    const l = layout(join(dir, "dd"));

    const first = await luxdFacts(sys, sealedLuxd(luxd, hash), l, {});
    await t.step("an empty cache: the checked file is run, the result is to be cached", () => {
      assert.equal(first.source, "probe");
      assert.equal(first.version, "1.22.18");
      assert.equal(first.rpcchainvm, 43);
      assert.ok(first.flags.has("track-all-chains"));
      assert.ok(calls.length >= 2, "--version-json and --help at least");
      assert.equal(first.cacheEntry?.path, probeName(hash), "keyed by the hash, not a path");
      assert.equal(first.path, luxdRunPath(l), "luxd runs by <data-dir>/bin/luxd");
      assert.equal(first.path, join(dir, "dd", "bin", "luxd"));
      assert.deepEqual(first.link, { state: "missing" });
    });
    const probes = calls.length;
    const cache = roundTrip({ [first.cacheEntry!.path]: first.cacheEntry!.entry });

    await t.step("the same hash anywhere: luxd is not run", async () => {
      const elsewhere = join(dir, "copy");
      await Deno.copyFile(luxd, elsewhere);
      const second = await luxdFacts(sys, sealedLuxd(elsewhere, hash), l, cache);
      assert.equal(calls.length, probes, "no program run on a cache hit");
      assert.equal(second.source, "cache");
      assert.deepEqual([second.version, second.rpcchainvm], ["1.22.18", 43]);
      assert.deepEqual([...second.flags.keys()], [...first.flags.keys()]);
      assert.equal(second.cacheEntry, undefined, "nothing new to record");
    });
    await t.step("a malformed cached flag set: luxd is probed again", async () => {
      const entry = cache[probeName(hash)]!;
      const bad = {
        [probeName(hash)]: { ...entry, probe: { ...entry.probe!, flags: { x: { type: "?" } } } },
      };
      const again = await luxdFacts(sys, sealedLuxd(luxd, hash), l, bad);
      assert.equal(again.source, "probe");
      assert.ok(calls.length > probes);
      assert.ok(again.cacheEntry, "the fresh probe replaces the bad entry");
    });
    await t.step("another hash (a new pin): luxd is probed again", async () => {
      const before = calls.length;
      const again = await luxdFacts(sys, sealedLuxd(luxd, "f".repeat(64)), l, cache);
      assert.equal(again.source, "probe");
      assert.ok(calls.length > before);
    });
    await t.step("the link parsd runs luxd by is compared with the sealed copy", async () => {
      await Deno.mkdir(l.binDir, { recursive: true });
      await Deno.symlink(sealedLuxd(luxd, hash).storePath, luxdRunPath(l));
      assert.deepEqual((await luxdFacts(sys, sealedLuxd(luxd, hash), l, cache)).link, {
        state: "ok",
      });
      const other = await luxdFacts(sys, sealedLuxd(luxd, "f".repeat(64)), l, cache);
      assert.equal(other.link.state, "stale");
    });
  });
});

Deno.test("luxdFacts() probes again when a cached probe's version or rpcchainvm is malformed", async () => {
  await withTempDir(async (dir) => {
    const luxd = await luxdFile(dir);
    const hash = sha256(await Deno.readFile(luxd));
    const sys = fakeSystem({ programs: { [luxd]: fixtureLuxd("1.22.18") } }).sys;
    const l = layout(join(dir, "dd"));
    const { cacheEntry } = await luxdFacts(sys, sealedLuxd(luxd, hash), l, {});
    const entry = cacheEntry!.entry;
    for (
      const probe of [
        { ...entry.probe!, version: 42, rpcchainvm: "43" },
        { version: "1.22.18", flags: entry.probe!.flags }, // no rpcchainvm: the protocol check is skipped
      ]
    ) {
      const cache = JSON.parse(
        JSON.stringify({ [probeName(hash)]: { ...entry, probe } }),
      ) as VerifyCache;
      const again = await luxdFacts(sys, sealedLuxd(luxd, hash), l, cache);
      assert.equal(again.source, "probe", JSON.stringify(probe).slice(0, 60));
      assert.equal(typeof again.rpcchainvm, "number");
    }
  });
});

Deno.test("luxdFacts() calls a binary that cannot be probed not executable (126)", async () => {
  await withTempDir(async (dir) => {
    const luxd = await luxdFile(dir);
    const sys = fakeSystem().sys; // no program answers
    await assert.rejects(
      luxdFacts(sys, sealedLuxd(luxd, "a".repeat(64)), layout(dir), {}),
      (e: unknown) =>
        e instanceof LuxdNotExecutableError && e.exitCode === ExitCode.luxdNotExecutable &&
        e.message.startsWith(`luxd at ${luxd} could not be probed: `) &&
        e.message.endsWith("check that it is a luxd binary"),
    );
  });
});

Deno.test("verifyLuxd() checks luxd as a plugin: its sealed copy, else its source to seal", async (t) => {
  await withTempDir(async (tmp) => {
    const root = await Deno.realPath(tmp);
    const luxd = await luxdFile(root);
    const hash = sha256(await Deno.readFile(luxd));
    const env = { home: root, os: Deno.build.os, uid: Deno.uid(), gid: Deno.gid() };
    const o = { env, search: { home: root, os: Deno.build.os }, cache: {}, nowNs: nowNs() };
    const sys = fakeSystem().sys;
    const s = (config: Record<string, unknown>, flags: Record<string, string | boolean> = {}) =>
      resolveSettings(
        { flags: { luxd, ...flags }, env: () => undefined, home: root, cwd: root },
        JSON.stringify(config),
      );
    await t.step(
      "unpinned: refused (65) with the pin command; --trust-unpinned seals it",
      async () => {
        await assert.rejects(
          verifyLuxd(sys, s({}), o),
          (e: unknown) =>
            e instanceof ParsdError && e.exitCode === ExitCode.verification &&
            e.message ===
              `luxd: ${luxd} is not pinned; check it, then pin it with 'parsd plugins pin luxd' (or start once with --trust-unpinned)`,
        );
        const v = await verifyLuxd(sys, s({}, { "trust-unpinned": true }), o);
        assert.deepEqual([v.pinned, v.sha256, v.copyFrom], [false, hash, luxd]);
      },
    );
    await t.step("pinned, no sealed copy: the source is checked against the pin", async () => {
      const v = await verifyLuxd(sys, s({ "luxd-sha256": hash }), o);
      assert.deepEqual([v.pinned, v.copyFrom, v.realPath], [true, luxd, luxd]);
      await assert.rejects(
        verifyLuxd(sys, s({ "luxd-sha256": "d".repeat(64) }), o),
        (e: unknown) =>
          e instanceof ParsdError && e.exitCode === ExitCode.verification &&
          /luxd: .* does not match its pin.*found by --luxd/.test(e.message),
      );
    });
    await t.step("sealed: the copy runs; a replaced source is only a note", async () => {
      const dataDir = join(root, ".pars");
      await Deno.mkdir(dataDir, { mode: 0o700 });
      const copy = await storeCopy(denoFiles, dataDir, luxd, { uid: Deno.uid() });
      await Deno.writeTextFile(luxd, "#!/bin/sh\necho evil\n");
      const v = await verifyLuxd(sys, s({ "luxd-sha256": hash }), o);
      assert.deepEqual([v.realPath, v.copyFrom, v.source.state], [copy.path, undefined, "changed"]);
    });
  });
});

Deno.test("dataDirTrust() names every unsafe directory above and in the data dir, once", async (t) => {
  await withTempDir(async (tmp) => {
    const root = await Deno.realPath(tmp);
    const l = layout(join(root, "a", ".pars"));
    await t.step("missing data dir: its nearest existing ancestor is checked", async () => {
      assert.deepEqual(await dataDirTrust(denoFiles, l, Deno.uid()), []);
      await Deno.mkdir(join(root, "a"));
      await Deno.chmod(join(root, "a"), 0o777);
      const problems = await dataDirTrust(denoFiles, l, Deno.uid());
      assert.equal(problems.length, 1);
      assert.match(problems[0]!, new RegExp(`^${root}/a: .*mode 0777.*fix: chmod go-w ${root}/a$`));
      await Deno.chmod(join(root, "a"), 0o755);
    });
    await t.step("plugins/ and store/ that others can write", async () => {
      await Deno.mkdir(l.pluginDir, { recursive: true });
      await Deno.mkdir(join(l.dataDir, "store"));
      await Deno.chmod(l.pluginDir, 0o777);
      await Deno.chmod(join(l.dataDir, "store"), 0o770);
      const problems = await dataDirTrust(denoFiles, l, Deno.uid());
      assert.deepEqual(problems.map((p) => p.split(":")[0]), [
        l.pluginDir,
        join(l.dataDir, "store"),
      ]);
    });
    await t.step("no uid (Windows): nothing is checked", async () => {
      assert.deepEqual(await dataDirTrust(denoFiles, l, null), []);
    });
  });
});

/** A node in a temp dir: home, luxd and two pinned plugins, and a way to gather its facts. */
async function withNode(
  f: (n: {
    home: string;
    settings: (extra?: Record<string, unknown>) => Settings;
    gather: (s?: Settings) => Promise<NodeFacts>;
    luxdCalls: (readonly string[])[];
    evmCalls: (readonly string[])[];
    sessionvmCalls: (readonly string[])[];
  }) => Promise<void>,
): Promise<void> {
  await withTempDir(async (tmp) => {
    const root = await Deno.realPath(tmp);
    const home = join(root, "home");
    await Deno.mkdir(home);
    const luxd = await luxdFile(root);
    const evm = join(root, "evm");
    const sessionvm = join(root, "sessionvm");
    // The EVM mentions the engine variable (registrable); SessionVM does not.
    await Deno.writeTextFile(evm, "#!/bin/sh\n# LUX_VM_RUNTIME_ENGINE_ADDR\n", { mode: 0o755 });
    await Deno.writeTextFile(sessionvm, "#!/bin/sh\n# standalone\n", { mode: 0o755 });
    const env: Record<string, string> = {
      HOME: home,
      PARS_LUXD: luxd,
      PARS_EVM_PLUGIN: evm,
      PARS_SESSIONVM_PLUGIN: sessionvm,
    };
    const l = counted(fixtureLuxd("1.22.18"));
    const e = counted(() => ({
      code: 0,
      stdout: "Subnet-EVM/v0.7.3 [Luxd=v1.22.18, rpcchainvm=43]\n",
      stderr: "",
    }));
    const s = counted(() => ({ code: 0, stdout: "", stderr: "" }));
    const fake = fakeSystem({
      env,
      cwd: root,
      programs: { [luxd]: l.program, [evm]: e.program, [sessionvm]: s.program },
    });
    const sys = aged(fake.sys);
    const pins = {
      evm: { sha256: sha256(await Deno.readFile(evm)) },
      sessionvm: { sha256: sha256(await Deno.readFile(sessionvm)) },
    };
    const luxdPin = sha256(await Deno.readFile(luxd));
    const settings = (extra: Record<string, unknown> = {}) =>
      resolveSettings(
        { flags: {}, env: (n) => env[n], home, cwd: root },
        JSON.stringify({ plugins: pins, "luxd-sha256": luxdPin, ...extra }),
      );
    await f({
      home,
      settings,
      gather: (st = settings()) => gatherFacts(sys, st, true),
      luxdCalls: l.calls,
      evmCalls: e.calls,
      sessionvmCalls: s.calls,
    });
  });
}

Deno.test("gatherFacts() asks a plugin '--version' once, then reads it from the cache", async (t) => {
  await withNode(async (n) => {
    const first = await n.gather();
    await t.step(
      "first start: the rpcchainvm plugin asked once, after hashing; the other never run",
      () => {
        assert.deepEqual(n.evmCalls, [["--version"]]);
        // No rpcchainvm runtime variable: it may be anything (the real SessionVM serves on :9652).
        assert.deepEqual(n.sessionvmCalls, []);
        assert.ok("ok" in first.plugins.evm && "ok" in first.plugins.sessionvm);
        const evm = first.plugins.evm.ok;
        assert.equal(evm.fromCache, false);
        assert.equal(evm.rpcchainvm, 43);
        assert.equal(evm.registrable, true);
        assert.equal(evm.versionLine, "Subnet-EVM/v0.7.3 [Luxd=v1.22.18, rpcchainvm=43]");
        const svm = first.plugins.sessionvm.ok;
        assert.equal(svm.rpcchainvm, undefined, "it was not asked");
        assert.equal(svm.registrable, false);
        assert.equal(svm.versionLine, undefined);
        assert.ok("ok" in first.luxd && first.luxd.ok.source === "probe");
      },
    );
    const luxdRuns = n.luxdCalls.length;
    const cache = updatedCache(first);
    assert.ok(cache, "fresh verifications to record");
    await Deno.mkdir(first.layout.dataDir, { mode: 0o700 });
    await Deno.writeTextFile(first.layout.verifyCache, cacheText(cache));

    const second = await n.gather();
    await t.step("after a cache hit: no plugin and no luxd is run", () => {
      assert.equal(n.evmCalls.length, 1);
      assert.equal(n.sessionvmCalls.length, 0);
      assert.equal(n.luxdCalls.length, luxdRuns);
      assert.ok("ok" in second.plugins.evm && "ok" in second.plugins.sessionvm);
      assert.ok("ok" in second.luxd && second.luxd.ok.source === "cache");
    });
    await t.step("what the plugins said is kept exactly", () => {
      assert.ok("ok" in first.plugins.evm && "ok" in second.plugins.evm);
      assert.ok("ok" in first.plugins.sessionvm && "ok" in second.plugins.sessionvm);
      for (
        const [a, b] of [
          [first.plugins.evm.ok, second.plugins.evm.ok],
          [first.plugins.sessionvm.ok, second.plugins.sessionvm.ok],
        ] as const
      ) {
        assert.equal(b.fromCache, true);
        assert.deepEqual(
          [b.rpcchainvm, b.registrable, b.versionLine, b.sha256],
          [a.rpcchainvm, a.registrable, a.versionLine, a.sha256],
        );
      }
    });
    await t.step("--verify=full re-hashes and asks again", async () => {
      const full = await n.gather(n.settings({ verify: "full" }));
      assert.ok("ok" in full.plugins.evm && full.plugins.evm.ok.fromCache === false);
      assert.equal(n.evmCalls.length, 2);
    });
  });
});

Deno.test("gatherFacts() gathers every fact without changing anything on disk", async (t) => {
  await withNode(async (n) => {
    const f = await n.gather();
    await t.step("the facts of a fresh home", () => {
      assert.deepEqual(f.dataDir, { ok: "will-create" });
      assert.deepEqual(f.staking, { ok: { tlsKey: false, tlsCert: false, signerKey: false } });
      assert.deepEqual(f.strays, { ok: [] });
      assert.equal(f.nofile, 20000, "the fake's ulimit -Hn");
      assert.deepEqual(f.ports, { http: true, staking: true });
      assert.equal(f.runningPid, null, "we hold the lock");
      assert.deepEqual(f.cache, {});
      assert.equal(f.layout.dataDir, join(n.home, ".pars"));
    });
    await t.step("nothing was created", () => {
      assert.deepEqual([...Deno.readDirSync(n.home)], []);
    });
  });
});

Deno.test("gatherFacts() reports busy ports and another parsd", async () => {
  await withTempDir(async (tmp) => {
    const home = await Deno.realPath(tmp);
    await Deno.mkdir(join(home, ".pars"));
    const fake = fakeSystem({ env: { HOME: home }, busyPorts: [9659], lockHeldBy: 777 });
    const s = resolveSettings({ flags: {}, env: () => undefined, home, cwd: home }, undefined);
    const f = await gatherFacts(fake.sys, s, false);
    assert.deepEqual(f.ports, { http: true, staking: "in use" });
    assert.equal(f.runningPid, 777);
    assert.ok("error" in f.luxd, "no luxd anywhere in a fake system without programs");
  });
});

Deno.test("runningInstance() names the parsd holding the data dir's lock", async (t) => {
  const withLock = (sys: System, lock: System["lock"]): System => ({ ...sys, lock });
  await withTempDir(async (root) => {
    const l = layout(root);
    const sys = fakeSystem().sys;
    await t.step("no data dir: nobody runs (and no lock is tried)", async () => {
      let tried = false;
      const missing = layout(join(root, "missing"));
      const s = withLock(sys, () => (tried = true, Promise.reject(new Error("no"))));
      assert.equal(await runningInstance(s, missing), undefined);
      assert.equal(tried, false);
    });
    await t.step("the lock is free: released at once, nobody runs", async () => {
      let released = 0;
      const s = withLock(
        sys,
        () =>
          Promise.resolve<LockResult>({
            announce: () => Promise.resolve(),
            release: () => void released++,
          }),
      );
      assert.equal(await runningInstance(s, l), undefined);
      assert.equal(released, 1);
    });
    await t.step("held by an announced pid: that pid", async () => {
      const s = withLock(sys, () => Promise.resolve<LockResult>({ heldBy: 31337 }));
      assert.equal(await runningInstance(s, l), 31337);
    });
    await t.step("held by a holder not yet announced: -1", async () => {
      const s = withLock(sys, () => Promise.resolve<LockResult>({ heldBy: undefined }));
      assert.equal(await runningInstance(s, l), -1);
    });
    await t.step("the lock cannot be tried: nobody known", async () => {
      const s = withLock(sys, () => Promise.reject(new Error("cannot open")));
      assert.equal(await runningInstance(s, l), undefined);
    });
    await t.step("a real lock held in this process", async () => {
      const held = await denoSystem.lock(l.dataDir, l.pidFile);
      assert.ok("release" in held);
      try {
        assert.equal(await runningInstance(denoSystem, l), -1);
        await held.announce();
        assert.equal(await runningInstance(denoSystem, l), Deno.pid);
      } finally {
        held.release();
      }
      assert.equal(await runningInstance(denoSystem, l), undefined);
    });
  });
});

Deno.test("hardNofileLimit() reads 'ulimit -Hn' from /bin/sh", async (t) => {
  const answering = (stdout: string | undefined, os = "linux") => {
    const asked: [string, readonly string[]][] = [];
    const sys: System = {
      ...fakeSystem().sys,
      os,
      output: (path, args) => {
        asked.push([path, args]);
        return Promise.resolve<Output | NoAnswer>(
          stdout === undefined
            ? { failure: "timeout", reason: "did not finish within 2 s" }
            : { code: 0, stdout, stderr: "" },
        );
      },
    };
    return { sys, asked };
  };
  const cases: [string | undefined, number | "unlimited" | undefined][] = [
    ["20000\n", 20000],
    ["  1048576 \n", 1048576],
    ["unlimited\n", "unlimited"],
    ["garbage\n", undefined],
    ["-1\n", undefined],
    ["1e5\n", undefined],
    ["", undefined],
    [undefined, undefined],
  ];
  for (const [stdout, want] of cases) {
    await t.step(`${JSON.stringify(stdout)} → ${want}`, async () => {
      const { sys, asked } = answering(stdout);
      assert.equal(await hardNofileLimit(sys), want);
      assert.deepEqual(asked, [["/bin/sh", ["-c", "ulimit -Hn"]]]);
    });
  }
  await t.step("Windows: undefined, nothing run", async () => {
    const { sys, asked } = answering("20000\n", "windows");
    assert.equal(await hardNofileLimit(sys), undefined);
    assert.deepEqual(asked, []);
  });
  await t.step("the real /bin/sh answers with a number or 'unlimited'", async () => {
    const limit = await hardNofileLimit(denoSystem);
    assert.ok(limit === "unlimited" || (typeof limit === "number" && limit > 0), String(limit));
  });
});

Deno.test("gatherFacts() asks the system for ARG_MAX only when luxd's command line could come near it", async (t) => {
  await withNode(async (n) => {
    await t.step("a usual start: not asked, the small-command-line bound assumed", async () => {
      const f = await n.gather();
      assert.deepEqual(f.spawnLimits, SMALL_ARGV_LIMITS);
    });
    await t.step("40 KiB of luxd-args: asked (the fake's getconf answers)", async () => {
      const f = await n.gather(n.settings({ "luxd-args": [`--log-dir=/${"d".repeat(40 << 10)}`] }));
      assert.equal(f.spawnLimits?.small, undefined);
      assert.ok(f.spawnLimits !== undefined && f.spawnLimits.argMax > 0);
    });
  });
});
