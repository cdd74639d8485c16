/**
 * In-process tests of `parsd init`, `run`, `doctor` and `plugins pin` when
 * the disk is full or the data dir is read-only: each ends in 73 naming the
 * path and the fix, `doctor` says so before `run` would fail, and `init`
 * leaves nothing behind. The data dir lock is the real one (it writes
 * `parsd.pid`). Full and read-only disks are small tmpfs mounts where this
 * process may mount (else those tests skip, by name), or a simulated ENOSPC
 * through the System seam.
 */
import assert from "node:assert/strict";
import { join } from "../../../lib/os/path.ts";
import { main } from "../../../lib/cli/main.ts";
import { accessError } from "../../../lib/os/files.ts";
import { denoFiles, denoSystem, type System } from "../../../lib/os/system.ts";
import type { Fake } from "../../fake_system.ts";
import { type InProcessNode, withInProcessNode } from "./kit.ts";
import { mountTestName, withTmpfs } from "../../mounts.ts";

/** Every path under `dir`, sorted. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of Deno.readDirSync(d)) {
      out.push(join(d, e.name).slice(dir.length));
      if (e.isDirectory) walk(join(d, e.name));
    }
  };
  walk(dir);
  return out.sort();
}

/** The node's fake system, with the real data dir lock and `files` over the real files. */
function withRealLock(f: Fake, files: Partial<System> = {}): System {
  return { ...f.sys, lock: denoSystem.lock, ...files };
}

const ENOSPC = () =>
  Object.assign(new Error("No space left on device (os error 28)"), { code: "ENOSPC" });

/** createNew that fails like a full disk for one path. */
const fullFor = (path: string): Partial<System> => ({
  createNew: (p, text, mode) =>
    p === path ? Promise.reject(accessError(p, ENOSPC())) : denoFiles.createNew(p, text, mode),
});

Deno.test("init that cannot write config.json removes the data dir, its dirs and parsd.pid", async () => {
  await withInProcessNode(async (n) => {
    const f = n.fake();
    const config = join(n.dataDir, "config.json");
    assert.equal(await main(["init"], withRealLock(f, fullFor(config))), 73, f.err());
    assert.equal(
      f.err(),
      `parsd: error: cannot create ${config}: no space left on its file system; free some space on its file system, then try again\n`,
    );
    assert.equal(f.out(), "", "nothing claimed as created");
    assert.deepEqual(tree(n.home), [], "no half-made data dir, no parsd.pid");
  });
});

Deno.test("init that fails in an existing data dir removes only what it made", async () => {
  await withInProcessNode(async (n) => {
    await Deno.mkdir(n.dataDir, { mode: 0o700 });
    await Deno.writeTextFile(join(n.dataDir, "keep.txt"), "mine");
    const f = n.fake();
    const config = join(n.dataDir, "config.json");
    assert.equal(await main(["init"], withRealLock(f, fullFor(config))), 73, f.err());
    assert.deepEqual(tree(n.dataDir), ["/keep.txt"]);
  });
});

Deno.test(
  mountTestName("init on a full disk is 73 naming the dir, and leaves nothing"),
  async () => {
    await withTmpfs({ full: true, setup: (d) => Deno.mkdirSync(join(d, "home")) }, async (root) => {
      await withInProcessNode(async (n) => {
        const home = join(root, "home");
        const f = n.fake({ env: { HOME: home } });
        assert.equal(await main(["init"], withRealLock(f)), 73, f.err());
        assert.match(
          f.err(),
          /^parsd: error: data dir .*\/home\/\.pars: its parent .*\/home has no space left on its file system; free some space or choose another --data-dir\n$/,
        );
        assert.deepEqual(tree(home), []);
      });
    });
  },
);

/** A node whose data dir (with its config) is on a read-only tmpfs. */
async function withReadOnlyDataDir(
  config: (n: InProcessNode) => Promise<string>,
  f: (n: InProcessNode, fake: () => Fake) => Promise<void>,
): Promise<void> {
  await withInProcessNode(async (n) => {
    const text = await config(n);
    await withTmpfs({
      readOnly: true,
      setup: async (d) => {
        await Deno.chmod(d, 0o700);
        await Deno.writeTextFile(join(d, "config.json"), text);
      },
    }, async (dataDir) => {
      await f(n, () => n.fake({ env: { PARS_DATA_DIR: dataDir } }));
    });
  });
}

const pinnedConfig = async (n: InProcessNode) => {
  await n.pin();
  return await Deno.readTextFile(join(n.dataDir, "config.json"));
};

Deno.test(
  mountTestName("a read-only data dir: doctor FAILs it, run and init are 73 naming it"),
  async () => {
    await withReadOnlyDataDir(pinnedConfig, async (_n, fake) => {
      const doctor = fake();
      assert.equal(await main(["doctor"], withRealLock(doctor)), 73, doctor.out());
      assert.match(
        doctor.out(),
        /^FAIL data-dir +data dir \S+ is on a read-only file system; remount it read-write or choose another --data-dir$/m,
      );
      assert.match(doctor.out(), /^FAIL ready/m);
      for (const argv of [[], ["init"]]) {
        const f = fake();
        assert.equal(await main(argv, withRealLock(f)), 73, f.err());
        assert.match(f.err(), /is on a read-only file system; remount it read-write/);
        assert.doesNotMatch(f.err(), /unexpected/);
        assert.equal(f.spawned.length, 0);
      }
    });
  },
);

Deno.test(
  mountTestName("a read-only data dir: plugins pin is 73 naming what it cannot write"),
  async () => {
    await withReadOnlyDataDir(() => Promise.resolve("{}\n"), async (_n, fake) => {
      const f = fake();
      assert.equal(await main(["plugins", "pin"], withRealLock(f)), 73, f.err());
      assert.match(
        f.err(),
        /^parsd: error: cannot (write|create) .*: is on a read-only file system; /,
      );
      assert.doesNotMatch(f.err(), /unexpected/);
    });
  },
);
