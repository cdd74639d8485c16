/**
 * Tests for lib/apply.ts: applying a plan with the real file system on temp
 * dirs — dirs, plugin links, chain config files, the verification cache —
 * and the log line each change gives.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { apply, updatedCache } from "../../lib/start/apply.ts";
import { cantCreate, makeDirs } from "../../lib/data_dir/create.ts";
import { cacheKey, type VerifyCache } from "../../lib/plugins/cache.ts";
import { CantCreateError, ExitCode, VerificationError } from "../../lib/errors.ts";
import type { LuxdFacts, NodeFacts, PluginFacts } from "../../lib/start/facts.ts";
import { FileAccessError, type FileFacts } from "../../lib/os/files.ts";
import { layout, layoutDirs } from "../../lib/data_dir/layout.ts";
import { type PluginName, PLUGINS } from "../../lib/network/pars.ts";
import type { Plan } from "../../lib/start/plan.ts";
import { denoSystem } from "../../lib/os/system.ts";
import { withTempDir } from "../helpers.ts";
import { createHash } from "node:crypto";
import { probeName } from "../../lib/plugins/cache.ts";
import { luxdRunPath } from "../../lib/start/facts.ts";

const FILE: FileFacts = {
  dev: 1n,
  ino: 2n,
  mode: 0o100755,
  uid: 0,
  gid: 0,
  size: 10n,
  mtimeNs: 3n,
  ctimeNs: 4n,
  isFile: true,
  isDirectory: false,
  isSymlink: false,
};

/** The sealed-binary fields of a file to be sealed into the store from `realPath`. */
function toSeal(
  dataDir: string,
  realPath: string,
  over: { cacheable?: boolean; fromCache?: boolean } = {},
) {
  const sha256 = createHash("sha256").update(Deno.readFileSync(realPath)).digest("hex");
  return {
    sha256,
    pinned: true,
    storePath: join(dataDir, "store", `sha256-${sha256}`),
    copyFrom: realPath,
    realPath,
    facts: FILE,
    fromCache: over.fromCache ?? false,
    cacheable: over.cacheable ?? true,
    source: {
      state: "matches" as const,
      located: { path: realPath, rule: "flag" as const, realPath, facts: FILE },
    },
    records: {},
  };
}

/** A node under `root`: its data dir (missing), luxd and two plugin files to seal, a plan and the facts behind it. */
async function scene(root: string, o: {
  cacheable?: boolean;
  fromCache?: boolean;
  infoFresh?: boolean;
  luxdEntry?: boolean;
  chainFiles?: boolean;
  cache?: VerifyCache;
} = {}) {
  const dataDir = join(root, "home", ".pars");
  await Deno.mkdir(join(root, "home"));
  const l = layout(dataDir);
  const plugin = async (name: PluginName): Promise<PluginFacts> => {
    const realPath = join(root, name);
    await Deno.writeTextFile(realPath, `#!/bin/sh\n# ${name}\n`, { mode: 0o755 });
    return {
      name,
      vmid: PLUGINS[name].vmid,
      ...toSeal(dataDir, realPath, o),
      ...(o.infoFresh === undefined ? {} : { infoFresh: o.infoFresh }),
      rpcchainvm: 43,
      registrable: name === "evm",
      versionLine: name === "evm" ? "Subnet-EVM/v0.7.3" : undefined,
    };
  };
  const evm = await plugin("evm");
  const sessionvm = await plugin("sessionvm");
  const luxdFile = join(root, "luxd");
  await Deno.writeTextFile(luxdFile, "#!/bin/sh\n# luxd\n", { mode: 0o755 });
  const sealed = { name: "luxd" as const, ...toSeal(dataDir, luxdFile), cacheable: false };
  const probeAt = probeName(sealed.sha256);
  const luxd: LuxdFacts = {
    path: luxdRunPath(l),
    sealed,
    link: { state: "missing" },
    version: "1.22.18",
    rpcchainvm: 43,
    flags: new Map(),
    source: "probe",
    ...(o.luxdEntry ?? true
      ? {
        cacheEntry: {
          path: probeAt,
          entry: { key: "k", probe: { version: "1.22.18", rpcchainvm: 43, flags: {} } },
        },
      }
      : {}),
  };
  const facts: NodeFacts = {
    env: { home: join(root, "home"), os: "linux", uid: Deno.uid(), gid: Deno.gid() },
    layout: l,
    cache: o.cache ?? {},
    dataDir: { ok: "will-create" },
    trust: { ok: [] },
    luxd: { ok: luxd },
    staking: { ok: { tlsKey: false, tlsCert: false, signerKey: false } },
    strays: { ok: [] },
    plugins: { evm: { ok: evm }, sessionvm: { ok: sessionvm } },
    nofile: 1_000_000,
    spawnLimits: undefined,
    ports: { http: true, staking: true },
    runningPid: null,
  };
  const chainC = join(l.chainConfigDir, "C", "config.json");
  const chainFiles = o.chainFiles ? { [chainC]: '{\n  "a": 1\n}\n' } : {};
  const plan: Plan = {
    luxd: {
      path: luxd.path,
      target: sealed.storePath,
      sha256: sealed.sha256,
      pinned: true,
      copyFrom: luxdFile,
      version: "1.22.18",
      rpcchainvm: 43,
      flags: "probe",
    },
    args: [],
    plugins: [evm, sessionvm].map((p) => ({
      name: p.name,
      vmid: p.vmid,
      source: p.realPath,
      rule: "flag",
      target: p.storePath,
      copyFrom: p.realPath,
      sha256: p.sha256,
      pinned: true,
      link: join(l.pluginDir, p.vmid),
      rpcchainvm: 43,
    })),
    dirs: o.chainFiles
      ? [...layoutDirs(l), join(dataDir, "configs"), l.chainConfigDir, join(l.chainConfigDir, "C")]
      : layoutDirs(l),
    chainConfigFiles: chainFiles,
    warnings: [],
  };
  return { l, plan, facts, evm, sessionvm, chainC, luxd: sealed, probeAt };
}

const modeOf = async (p: string) => (await Deno.stat(p)).mode! & 0o777;
const listing = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

Deno.test("apply() makes the dirs, links and chain config files, logging each change", async (t) => {
  await withTempDir(async (root) => {
    const { l, plan, facts, evm, sessionvm, chainC, luxd } = await scene(root, {
      chainFiles: true,
    });
    const log = await apply(denoSystem, plan, facts);
    await t.step("one line per change: dirs, sealed copies, links, files", () => {
      const evmLink = join(l.pluginDir, PLUGINS.evm.vmid);
      const svmLink = join(l.pluginDir, PLUGINS.sessionvm.vmid);
      assert.deepEqual(log, [
        ...plan.dirs.map((d) => `created ${d}`),
        `sealed ${luxd.copyFrom} into ${luxd.storePath}`,
        `sealed ${evm.copyFrom} into ${evm.storePath}`,
        `sealed ${sessionvm.copyFrom} into ${sessionvm.storePath}`,
        `created link ${evmLink} -> ${evm.storePath}`,
        `created link ${svmLink} -> ${sessionvm.storePath}`,
        `created ${l.binDir}`,
        `created link ${luxdRunPath(l)} -> ${luxd.storePath}`,
        `wrote ${chainC}`,
      ]);
    });
    await t.step("the sealed copies are 0500 and hold the sources' bytes", async () => {
      for (const b of [luxd, evm, sessionvm]) {
        assert.equal(await modeOf(b.storePath), 0o500);
        assert.deepEqual(await Deno.readFile(b.storePath), await Deno.readFile(b.copyFrom!));
      }
      assert.equal(await modeOf(join(l.dataDir, "store")), 0o700);
    });
    await t.step("every dir is 0700", async () => {
      for (const d of plan.dirs) assert.equal(await modeOf(d), 0o700, d);
    });
    await t.step("the links point at the sealed copies", async () => {
      for (const p of plan.plugins) {
        assert.ok((await Deno.lstat(p.link)).isSymlink);
        assert.equal(await Deno.readLink(p.link), p.target);
      }
    });
    await t.step(
      "the chain config file holds the text, mode 0600, no temp file beside it",
      async () => {
        assert.equal(await Deno.readTextFile(chainC), '{\n  "a": 1\n}\n');
        assert.equal(await modeOf(chainC), 0o600);
        assert.deepEqual(listing(join(l.chainConfigDir, "C")), ["config.json"]);
      },
    );
    await t.step("a second apply changes nothing and logs nothing", async () => {
      const before = await Deno.stat(chainC);
      await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(await apply(denoSystem, plan, facts), [], "the sealed copies are kept");
      const after = await Deno.stat(chainC);
      assert.equal(after.ino, before.ino, "not rewritten");
      assert.equal(after.mtime?.getTime(), before.mtime?.getTime());
    });
    await t.step("changed chain config text is rewritten in place of the old", async () => {
      const next = { ...plan, chainConfigFiles: { [chainC]: "{}\n" } };
      assert.deepEqual(await apply(denoSystem, next, facts), [`wrote ${chainC}`]);
      assert.equal(await Deno.readTextFile(chainC), "{}\n");
      assert.deepEqual(listing(join(l.chainConfigDir, "C")), ["config.json"]);
    });
    await t.step("a link to another target is replaced", async () => {
      const other = join(root, "evm2");
      await Deno.writeTextFile(other, "x");
      const p0 = plan.plugins[0]!;
      const next = {
        ...plan,
        chainConfigFiles: { [chainC]: "{}\n" },
        plugins: [{ ...p0, target: other }, plan.plugins[1]!],
      };
      assert.deepEqual(await apply(denoSystem, next, facts), [
        `replaced link ${p0.link} -> ${other}`,
      ]);
      assert.equal(await Deno.readLink(p0.link), other);
    });
  });
});

Deno.test("apply() records fresh verifications and luxd's probe in the cache", async (t) => {
  await withTempDir(async (root) => {
    const old = { "/old/plugin": { key: "x", sha256: "c".repeat(64) } };
    const { l, plan, facts, evm, sessionvm, probeAt } = await scene(root, { cache: old });
    await apply(denoSystem, plan, facts);
    const cache = JSON.parse(await Deno.readTextFile(l.verifyCache)) as VerifyCache;
    await t.step("each plugin with its key, hash and what it said", () => {
      assert.deepEqual(cache[evm.realPath], {
        key: cacheKey(FILE, evm.sha256),
        sha256: evm.sha256,
        plugin: { rpcchainvm: 43, registrable: true, versionLine: "Subnet-EVM/v0.7.3" },
      });
      assert.deepEqual(cache[sessionvm.realPath]?.plugin, {
        rpcchainvm: 43,
        registrable: false,
        versionLine: null,
      });
    });
    await t.step("luxd's probe under its hash", () => {
      assert.deepEqual(cache[probeAt], {
        key: "k",
        probe: { version: "1.22.18", rpcchainvm: 43, flags: {} },
      });
    });
    await t.step("earlier entries are kept", () => {
      assert.deepEqual(cache["/old/plugin"], old["/old/plugin"]);
    });
    await t.step("the cache file is 0600", async () => {
      assert.equal(await modeOf(l.verifyCache), 0o600);
    });
  });
});

Deno.test("apply() writes no cache when nothing is fresh", async () => {
  await withTempDir(async (root) => {
    const { l, plan, facts } = await scene(root, { cacheable: false, luxdEntry: false });
    assert.equal(updatedCache(facts), undefined);
    await apply(denoSystem, plan, facts);
    assert.ok(!listing(l.dataDir).includes("verify-cache.json"));
  });
});

Deno.test("apply() logs, and does not fail on, a cache it cannot write", async () => {
  await withTempDir(async (root) => {
    const { l, plan, facts } = await scene(root);
    await Deno.mkdir(l.dataDir, { mode: 0o700 });
    await Deno.mkdir(l.verifyCache); // a directory where the cache file goes
    const log = await apply(denoSystem, plan, facts);
    assert.equal(
      log.at(-1),
      `could not write ${l.verifyCache}; the next start re-hashes the plugins`,
    );
  });
});

Deno.test("apply() refuses a link blocked by a regular file (73) and leaves it alone", async () => {
  await withTempDir(async (root) => {
    const { l, plan, facts } = await scene(root);
    await makeDirs(denoSystem, plan.dirs);
    const blocked = plan.plugins[0]!.link;
    await Deno.writeTextFile(blocked, "the user's own binary");
    await assert.rejects(
      apply(denoSystem, plan, facts),
      (e: unknown) =>
        e instanceof CantCreateError && e.exitCode === ExitCode.cantCreate &&
        e.message.startsWith(`${blocked} is a regular file parsd did not create`),
    );
    assert.equal(await Deno.readTextFile(blocked), "the user's own binary");
    assert.ok(!listing(l.dataDir).includes("verify-cache.json"), "no cache after a refusal");
  });
});

Deno.test("makeDirs() creates missing dirs 0700 in order and reports only those", async (t) => {
  await withTempDir(async (root) => {
    const a = join(root, "a");
    const b = join(a, "b");
    await t.step("parents first", async () => {
      assert.deepEqual(await makeDirs(denoSystem, [a, b]), [a, b]);
      assert.equal(await modeOf(b), 0o700);
    });
    await t.step("existing dirs are skipped", async () => {
      assert.deepEqual(await makeDirs(denoSystem, [a, b, join(b, "c")]), [join(b, "c")]);
    });
    await t.step("a child before its parent: cannot create (73)", async () => {
      const child = join(root, "x", "y");
      await assert.rejects(
        makeDirs(denoSystem, [child, join(root, "x")]),
        (e: unknown) =>
          e instanceof CantCreateError && e.message.startsWith(`cannot create ${child}: `),
      );
    });
  });
});

Deno.test("updatedCache() adds only fresh entries to the cache", async (t) => {
  await withTempDir(async (root) => {
    await t.step("nothing fresh → undefined", async () => {
      const { facts } = await scene(join(await Deno.makeTempDir({ dir: root })), {
        cacheable: false,
        luxdEntry: false,
      });
      assert.equal(updatedCache(facts), undefined);
    });
    await t.step("a cache hit whose plugin answered --version only now is recorded", async () => {
      const { facts, evm } = await scene(await Deno.makeTempDir({ dir: root }), {
        cacheable: false,
        fromCache: true,
        infoFresh: true,
        luxdEntry: false,
      });
      const cache = updatedCache(facts)!;
      assert.deepEqual(cache[evm.realPath]?.plugin, {
        rpcchainvm: 43,
        registrable: true,
        versionLine: "Subnet-EVM/v0.7.3",
      });
      const again = await scene(await Deno.makeTempDir({ dir: root }), {
        cacheable: false,
        fromCache: true,
        infoFresh: false,
        luxdEntry: false,
      });
      assert.equal(
        updatedCache(again.facts),
        undefined,
        "an answer from the cache is not re-recorded",
      );
    });
    await t.step("luxd's probe alone", async () => {
      const { facts, probeAt } = await scene(await Deno.makeTempDir({ dir: root }), {
        cacheable: false,
      });
      assert.deepEqual(Object.keys(updatedCache(facts)!), [probeAt]);
    });
    await t.step("plugins alone, over the old cache", async () => {
      const { facts, evm, sessionvm } = await scene(await Deno.makeTempDir({ dir: root }), {
        luxdEntry: false,
        cache: { "/old": { key: "o" } },
      });
      assert.deepEqual(
        Object.keys(updatedCache(facts)!).sort(),
        [
          "/old",
          evm.realPath,
          sessionvm.realPath,
        ].sort(),
      );
    });
    await t.step("a plugin that failed is not recorded", async () => {
      const { facts, sessionvm } = await scene(await Deno.makeTempDir({ dir: root }), {
        luxdEntry: false,
      });
      const f: NodeFacts = {
        ...facts,
        plugins: { ...facts.plugins, evm: { error: new CantCreateError("x") } },
      };
      assert.deepEqual(Object.keys(updatedCache(f)!), [sessionvm.realPath]);
    });
  });
});

Deno.test("cantCreate() is a one-line 73 error: 'cannot <verb> <what>: <reason>'", () => {
  const cases: [unknown, string | undefined, string][] = [
    [
      new FileAccessError("/d/x", "denied", "permission denied"),
      undefined,
      "cannot create /d/x: permission denied; fix its owner or mode, or run parsd as its owner",
    ],
    [new Error("disk full"), undefined, "cannot create /d/x: disk full"],
    [new Error("read-only file system"), "write", "cannot write /d/x: read-only file system"],
  ];
  for (const [cause, verb, message] of cases) {
    const e = verb === undefined ? cantCreate("/d/x", cause) : cantCreate("/d/x", cause, verb);
    assert.ok(e instanceof CantCreateError);
    assert.equal(e.exitCode, ExitCode.cantCreate);
    assert.equal(e.message, message);
    assert.deepEqual(e.problems, [message]);
    assert.equal(e.cause, cause);
  }
});

Deno.test({
  name: "apply() removes a stale upgrade.json when config.json drops the chain's upgrade",
  ignore: false,
  async fn() {
    await withTempDir(async (root) => {
      const { plan, facts, chainC } = await scene(root, { chainFiles: true });
      const upgrade = join(chainC, "..", "upgrade.json");
      const withUpgrade = {
        ...plan,
        chainConfigFiles: { ...plan.chainConfigFiles, [upgrade]: '{\n  "u": 1\n}\n' },
      };
      await apply(denoSystem, withUpgrade, facts);
      assert.ok((await Deno.lstat(upgrade)).isFile);
      // The next start: chains.evm.upgrade is gone from config.json, so the plan has no upgrade.json.
      await apply(denoSystem, plan, facts);
      assert.deepEqual(listing(join(chainC, "..")), ["config.json"]);
    });
  },
});

Deno.test("apply() refuses a source that changed since it was checked (65), before any link", async () => {
  await withTempDir(async (root) => {
    const { l, plan, facts, evm } = await scene(root);
    await Deno.writeTextFile(evm.copyFrom!, "#!/bin/sh\n# swapped after the check\n");
    await assert.rejects(
      apply(denoSystem, plan, facts),
      (e: unknown) =>
        e instanceof VerificationError && e.exitCode === ExitCode.verification &&
        e.message.includes(`its copy in the store hashes to`),
    );
    assert.deepEqual(listing(l.pluginDir), [], "no link made");
    assert.ok(!listing(join(l.dataDir, "store")).includes(`sha256-${evm.sha256}`), "no copy kept");
  });
});
