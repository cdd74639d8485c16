/**
 * Warm start (lib/warm_start.ts, lib/warm_record.ts), in process with a fake
 * system over real files: a steady `run` records what it observed, the next
 * identical `run` replays it and starts luxd without the checks, and every
 * kind of change sends the start back through the full checks.
 */
import assert from "node:assert/strict";
import type { FileFacts } from "../lib/files.ts";
import { layout } from "../lib/layout.ts";
import { join } from "../lib/path.ts";
import {
  argvKey,
  dataDirFlag,
  factsValue,
  parseRecord,
  WARM_START_FORMAT,
  warmStartPath,
  type WarmStartRecord,
} from "../lib/warm_start.ts";
import type { FakeOptions } from "./fake_system.ts";
import { type InProcessNode, withInProcessNode } from "./commands/kit.ts";

const WARM = /parsd: warm start: nothing parsd checks has changed since the last start\n/;

/** Files made a moment ago look settled to a clock 10 s ahead (the racily-clean rule). */
const AHEAD: FakeOptions = { clockAheadMs: 10_000 };

/** Runs `parsd argv` with a fresh fake; its exit code, stderr and luxd argv (if started). */
async function start(n: InProcessNode, argv: string[] = [], o: FakeOptions = {}) {
  const f = n.fake({ ...AHEAD, ...o });
  const code = await f.run(argv);
  return { code, err: f.err(), out: f.out(), luxd: f.spawned[0]?.args };
}

const recordPath = (n: InProcessNode) => layout(n.dataDir).warmStart;

async function readRecord(n: InProcessNode): Promise<WarmStartRecord | undefined> {
  return parseRecord(await Deno.readTextFile(recordPath(n)).catch(() => undefined));
}

/** A pinned node that has started once (dirs and links made) and once more (recorded). */
async function recordedNode(n: InProcessNode, argv: string[] = []) {
  await n.pin();
  const first = await start(n, argv);
  assert.equal(first.code, 0, first.err);
  assert.doesNotMatch(first.err, WARM);
  assert.equal(
    await readRecord(n),
    undefined,
    "the start that made dirs and links records nothing",
  );
  const second = await start(n, argv);
  assert.equal(second.code, 0, second.err);
  assert.doesNotMatch(second.err, WARM);
  assert.ok(await readRecord(n), "a steady start leaves a record");
  return second;
}

Deno.test("warm start: the third identical start replays the record and starts luxd as the second did", async () => {
  await withInProcessNode(async (n) => {
    const second = await recordedNode(n, ["--log-level=info"]);
    const third = await start(n, ["--log-level=info"]);
    assert.equal(third.code, 0, third.err);
    assert.match(third.err, WARM);
    assert.deepEqual(third.luxd, second.luxd);
    // The same warnings and starting line as the full start, after the warm-start line.
    assert.equal(third.err.replace(WARM, ""), second.err);
    const record = (await readRecord(n))!;
    assert.equal(record.argv, argvKey(["--log-level=info"]));
    assert.equal((await Deno.stat(recordPath(n))).mode! & 0o777, 0o600);
    // luxd's exit code comes back from a warm start too.
    assert.equal((await start(n, ["--log-level=info"], { exitCode: 9 })).code, 9);
  });
});

Deno.test("warm start: what it observes includes config, env, links, plugins, luxd, limit and ports", async () => {
  await withInProcessNode(async (n) => {
    await recordedNode(n);
    const record = (await readRecord(n))!;
    const seen = (call: string, arg?: string | number) =>
      record.observations.some((o) => o.call === call && (arg === undefined || o.args[0] === arg));
    assert.ok(seen("readText", join(n.dataDir, "config.json")));
    assert.ok(seen("readText", join(n.dataDir, "verify-cache.json")));
    assert.ok(seen("env", "PARS_EVM_PLUGIN"));
    assert.ok(seen("stat", n.evm) && seen("stat", n.sessionvm) && seen("stat", n.luxd));
    assert.ok(seen("readDir", join(n.dataDir, "plugins")));
    assert.ok(seen("output", "/bin/sh"));
    assert.ok(seen("canBind", "127.0.0.1"));
    assert.ok(!seen("output", n.luxd), "no luxd probe in a recorded start");
  });
});

/** One change after a record exists, and what the next start must then do. */
interface Change {
  readonly what: string;
  readonly change: (n: InProcessNode) => Promise<FakeOptions | void>;
  readonly argv?: string[];
  /** The next start's exit code (0: luxd starts, through the full checks). */
  readonly code: number;
  readonly message?: RegExp;
}

const CHANGES: readonly Change[] = [
  {
    what:
      "a plugin replaced by other bytes is refused (65), though the record said it was verified",
    change: (n) =>
      Deno.writeTextFile(n.evm, "#!/bin/sh\necho evil\n# LUX_VM_RUNTIME_ENGINE_ADDR\n"),
    code: 65,
    message: /does not match its pin/,
  },
  {
    what: "config.json edited: the new network",
    change: async (n) => {
      const path = join(n.dataDir, "config.json");
      const config = JSON.parse(await Deno.readTextFile(path));
      await Deno.writeTextFile(path, JSON.stringify({ ...config, "network-id": 7071 }));
    },
    code: 0,
    message: /network 7071/,
  },
  {
    what: "an environment variable parsd reads",
    change: () => Promise.resolve({ env: { PARS_NETWORK_ID: "7072" } }),
    code: 0,
    message: /network 7072/,
  },
  {
    what: "another command line",
    change: () => Promise.resolve(),
    argv: ["--log-level=debug"],
    code: 0,
  },
  {
    what: "a link in plugins/ pointed elsewhere",
    change: async (n) => {
      const link = join(n.dataDir, "plugins", "srEXiWaHuhNyGwPUi444Tu47ZEDwxTWrbQiuD7FmgSAQ6X7Dy");
      await Deno.remove(link);
      await Deno.symlink(n.sessionvm, link);
    },
    code: 0,
    message: /replaced link/,
  },
  {
    what: "a staking key that appeared",
    change: (n) =>
      Deno.writeTextFile(join(n.dataDir, "staking", "staker.key"), "k", { mode: 0o600 }),
    code: 0,
  },
  {
    what: "a new hard open-files limit",
    change: () => Promise.resolve({ hardNofile: 40000 }),
    code: 0,
  },
  {
    what: "a busy port is refused (75) as the full checks say",
    change: () => Promise.resolve({ busyPorts: [9660] }),
    code: 75,
    message: /9660/,
  },
  {
    what: "another parsd holding the data dir is refused (75)",
    change: () => Promise.resolve({ lockHeldBy: 4321 }),
    code: 75,
    message: /pid 4321/,
  },
  {
    what: "parsd's own code edited",
    change: (n) => Deno.writeTextFile(n.code, "// a newer parsd\n"),
    code: 0,
  },
  {
    what: "luxd replaced by another binary",
    change: async (n) => {
      await Deno.remove(n.luxd);
      await Deno.writeTextFile(n.luxd, "#!/bin/sh\n# another build\nexit 0\n", { mode: 0o755 });
    },
    code: 0,
  },
  {
    what: "a truncated record",
    change: async (n) => {
      const text = await Deno.readTextFile(recordPath(n));
      await Deno.writeTextFile(recordPath(n), text.slice(0, text.length / 2));
    },
    code: 0,
  },
  {
    what: "a record another parsd version wrote",
    change: async (n) => {
      const r = JSON.parse(await Deno.readTextFile(recordPath(n)));
      await Deno.writeTextFile(recordPath(n), JSON.stringify({ ...r, parsd: "0.0.1" }));
    },
    code: 0,
  },
];

Deno.test("warm start: any change sends the start through the full checks", async (t) => {
  for (const c of CHANGES) {
    await t.step(c.what, async () => {
      await withInProcessNode(async (n) => {
        const argv = ["--log-level=info"];
        await recordedNode(n, argv);
        const o = (await c.change(n)) ?? {};
        const next = await start(n, c.argv ?? argv, o);
        assert.equal(next.code, c.code, next.err);
        assert.doesNotMatch(next.err, WARM);
        if (c.message) assert.match(next.err, c.message);
        if (c.code !== 0) assert.equal(next.luxd, undefined, "luxd must not start");
      });
    });
  }
});

Deno.test("warm start: a start that fails its checks leaves no record to replay", async () => {
  await withInProcessNode(async (n) => {
    await recordedNode(n);
    await Deno.writeTextFile(n.evm, "#!/bin/sh\n# LUX_VM_RUNTIME_ENGINE_ADDR\n");
    assert.equal((await start(n)).code, 65);
    assert.equal((await start(n)).code, 65, "still refused");
  });
});

Deno.test("warm start: after a change, the next full start records again", async () => {
  await withInProcessNode(async (n) => {
    await recordedNode(n);
    const env = { PARS_NETWORK_ID: "7071" };
    assert.doesNotMatch((await start(n, [], { env })).err, WARM);
    const warm = await start(n, [], { env });
    assert.match(warm.err, WARM);
    assert.ok(warm.luxd?.includes("--network-id=7071"));
  });
});

Deno.test("warm start: --dry-run neither replays nor records", async () => {
  await withInProcessNode(async (n) => {
    await recordedNode(n);
    const dry = await start(n, ["--dry-run"]);
    assert.equal(dry.code, 0, dry.err);
    assert.doesNotMatch(dry.err, WARM);
    assert.ok(JSON.parse(dry.out).args);
    await Deno.remove(recordPath(n));
    await start(n, ["--dry-run"]);
    assert.equal(await readRecord(n), undefined);
  });
});

Deno.test("warm start: files changed less than 2 s ago rule the record out (racily clean)", async () => {
  await withInProcessNode(async (n) => {
    await n.pin();
    await start(n);
    // The real clock: the plugins and luxd were written a moment ago.
    const fresh = await start(n, [], { clockAheadMs: 0 });
    assert.equal(fresh.code, 0, fresh.err);
    assert.equal(await readRecord(n), undefined);
  });
});

Deno.test("warm start: a data dir named only in a --config file gets no record", async () => {
  await withInProcessNode(async (n) => {
    const dataDir = join(n.root, "elsewhere");
    const config = join(n.root, "parsd.json");
    await n.pin();
    const pins = JSON.parse(await Deno.readTextFile(join(n.dataDir, "config.json")));
    await Deno.writeTextFile(config, JSON.stringify({ ...pins, "data-dir": dataDir }));
    for (let i = 0; i < 3; i++) {
      const r = await start(n, ["--config", config]);
      assert.equal(r.code, 0, r.err);
      assert.doesNotMatch(r.err, WARM);
    }
    assert.ok(!(await Deno.stat(layout(dataDir).warmStart).catch(() => undefined)));
  });
});

Deno.test("factsValue: a directory's times and size are left out, a file's are kept", () => {
  const base: FileFacts = {
    dev: 1n,
    ino: 2n,
    mode: 0o40700,
    uid: 0,
    gid: 0,
    size: 4096n,
    mtimeNs: 1n,
    ctimeNs: 1n,
    isFile: false,
    isDirectory: true,
    isSymlink: false,
  };
  const later = { ...base, size: 8192n, mtimeNs: 9n, ctimeNs: 9n };
  assert.equal(factsValue(base), factsValue(later));
  assert.notEqual(factsValue(base), factsValue({ ...base, mode: 0o40755 }));
  const file = { ...base, isDirectory: false, isFile: true };
  assert.notEqual(factsValue(file), factsValue({ ...file, mtimeNs: 9n }));
  assert.notEqual(factsValue(file), factsValue({ ...file, size: 1n }));
  assert.equal(factsValue(undefined), "absent");
});

Deno.test("parseRecord: only a whole record of this format", () => {
  const good: WarmStartRecord = {
    format: WARM_START_FORMAT,
    parsd: "0.1.0",
    argv: "[]",
    observations: [{ call: "env", args: ["HOME"], value: '"/root"' }],
    stderr: "",
    launch: { luxd: "/bin/luxd", args: ["--network-id=7070"], graceMs: 30000 },
  };
  assert.deepEqual(parseRecord(JSON.stringify(good)), good);
  for (
    const bad of [
      undefined,
      "",
      "{",
      "null",
      JSON.stringify({ ...good, format: 0 }),
      JSON.stringify({ ...good, observations: [{ call: "env" }] }),
      JSON.stringify({ ...good, launch: { luxd: "/bin/luxd", args: [1], graceMs: 1 } }),
      JSON.stringify({ ...good, stderr: undefined }),
    ]
  ) {
    assert.equal(parseRecord(bad), undefined, String(bad));
  }
});

Deno.test("dataDirFlag: --data-dir as the full parser reads it, up to --", () => {
  assert.equal(dataDirFlag([]), undefined);
  assert.equal(dataDirFlag(["run", "--data-dir", "/a"]), "/a");
  assert.equal(dataDirFlag(["--data-dir=/b", "--log-level=info"]), "/b");
  assert.equal(dataDirFlag(["--", "--data-dir=/c"]), undefined);
  assert.equal(dataDirFlag(["--data-dir"]), undefined);
});

Deno.test("warm start: commands other than run never look for a record", async () => {
  await withInProcessNode(async (n) => {
    await recordedNode(n);
    const sys = n.fake(AHEAD).sys;
    assert.equal(warmStartPath(sys, ["status"]), undefined);
    assert.equal(warmStartPath(sys, ["doctor"]), undefined);
    assert.equal(warmStartPath(sys, ["run"]), recordPath(n));
    assert.equal(warmStartPath(sys, ["--log-level=info"]), recordPath(n));
    const doctor = await start(n, ["doctor"]);
    assert.doesNotMatch(doctor.err + doctor.out, /warm start/);
  });
});
