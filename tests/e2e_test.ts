/**
 * End-to-end: parsd's main.ts under exactly the start task's permissions,
 * a fake luxd that records what it got, real files, real signals.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  makeNode,
  type Node,
  parsd,
  type Result,
  sha256,
  snapshot,
  spawnParsd,
  waitFor,
} from "./helpers.ts";
import { vmid } from "../lib/node/vmid.ts";

const EVM = vmid("subnetevm");
const SESSION = vmid("sessionvm");

async function withNode(f: (n: Node) => Promise<void>) {
  const n = await makeNode();
  try {
    await f(n);
  } finally {
    await n.cleanup();
  }
}

/** parsd's own error lines (without the usage hint). */
const errorLines = (r: Result) =>
  r.stderr.split("\n").filter((l) => l.startsWith("parsd: error: "));

Deno.test("parsd run gives luxd exactly the dry-run plan's args and returns luxd's exit code", async () => {
  await withNode(async (n) => {
    await n.pin();
    const dry = await parsd(["--dry-run", "--log-level=info"], { env: n.env });
    assert.equal(dry.code, 0, dry.stderr);
    const plan = JSON.parse(dry.stdout);
    const sealed = async (file: string) =>
      join(n.dataDir, "store", `sha256-${sha256(await Deno.readFile(file))}`);
    assert.equal(plan.luxd.path, join(n.dataDir, "bin", "luxd"), "luxd runs by its name in bin/");
    assert.equal(plan.luxd.target, await sealed(n.luxd));
    assert.equal(plan.luxd.copyFrom, n.luxd, "the first run seals the pinned luxd");
    assert.deepEqual(
      plan.plugins.map((
        p: { name: string; vmid: string; source: string; sha256: string; link: string },
      ) => [p.name, p.vmid, p.source, p.sha256, p.link]),
      [
        ["evm", EVM, n.evm, sha256(await Deno.readFile(n.evm)), join(n.dataDir, "plugins", EVM)],
        [
          "sessionvm",
          SESSION,
          n.sessionvm,
          sha256(await Deno.readFile(n.sessionvm)),
          join(n.dataDir, "plugins", SESSION),
        ],
      ],
    );
    assert.equal(plan.args.at(-1), "--log-level=info");
    assert.equal(await n.recordText(), undefined, "dry run started luxd");

    const run = await parsd(["--log-level=info"], { env: { ...n.env, FAKE_LUXD_EXIT: "3" } });
    assert.equal(run.code, 3, run.stderr);
    assert.deepEqual(await n.recordedArgs(), plan.args);
    for (const dir of ["", "plugins", "db", "staking"]) {
      assert.equal((await Deno.stat(join(n.dataDir, dir))).mode! & 0o777, 0o700, `${dir} mode`);
    }
    assert.equal(await Deno.readLink(join(n.dataDir, "plugins", EVM)), await sealed(n.evm));
    assert.equal(
      await Deno.readLink(join(n.dataDir, "plugins", SESSION)),
      await sealed(n.sessionvm),
    );
    assert.equal(await Deno.readLink(join(n.dataDir, "bin", "luxd")), await sealed(n.luxd));
    assert.match(await n.recordText() ?? "", /^arg --network-id=/m);
  });
});

Deno.test("parsd --dry-run changes nothing on disk", async () => {
  await withNode(async (n) => {
    await n.pin();
    const before = await snapshot(n.root);
    const r = await parsd(["--dry-run"], { env: n.env });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await snapshot(n.root), before);
  });
});

Deno.test("a second run leaves correct links alone and replaces a stale one", async () => {
  await withNode(async (n) => {
    await n.pin();
    assert.equal((await parsd([], { env: n.env })).code, 0);
    const link = join(n.dataDir, "plugins", EVM);
    const ino = (await Deno.lstat(link)).ino;
    const again = await parsd([], { env: n.env });
    assert.equal(again.code, 0);
    assert.equal((await Deno.lstat(link)).ino, ino);
    assert.doesNotMatch(again.stderr, /link/);
    await Deno.remove(link);
    await Deno.symlink("/nonexistent/evm", link);
    const fixed = await parsd([], { env: n.env });
    assert.equal(fixed.code, 0);
    assert.match(fixed.stderr, /replaced link/);
    const hash = sha256(await Deno.readFile(n.evm));
    assert.equal(await Deno.readLink(link), join(n.dataDir, "store", `sha256-${hash}`));
  });
});

Deno.test("signals reach luxd; parsd exits 128+n when luxd dies of signal n", async (t) => {
  for (
    const [signal, code] of [["SIGTERM", 143], ["SIGHUP", 129], ["SIGINT", 130], [
      "SIGQUIT",
      131,
    ]] as const
  ) {
    await t.step(signal, async () => {
      await withNode(async (n) => {
        await n.pin();
        const child = spawnParsd([], { env: { ...n.env, FAKE_LUXD_SLEEP: "30" } });
        await waitFor(async () => (await n.recordText())?.includes("ready") ?? false, "fake luxd");
        child.kill(signal);
        const status = await child.status;
        await child.stderr.cancel();
        assert.equal(status.code, code);
        assert.match((await n.recordText())!, new RegExp(`signal ${signal.slice(3)}\\b`));
      });
    });
  }
});

Deno.test("a luxd that ignores SIGTERM is killed after the grace period", async () => {
  await withNode(async (n) => {
    await n.pin();
    const child = spawnParsd(["--shutdown-grace=300ms"], {
      env: { ...n.env, FAKE_LUXD_SLEEP: "30", FAKE_LUXD_IGNORE_TERM: "1" },
    });
    await waitFor(async () => (await n.recordText())?.includes("ready") ?? false, "fake luxd");
    const pid = Number(/^pid (\d+)/m.exec((await n.recordText())!)![1]);
    child.kill("SIGTERM");
    const status = await child.status;
    const stderr = new TextDecoder().decode(await new Response(child.stderr).arrayBuffer());
    assert.equal(status.code, 137);
    assert.match(stderr, /still running 300 ms after SIGTERM; sending SIGKILL/);
    assert.match((await n.recordText())!, /signal TERM \(ignored\)/);
    assert.throws(() => Deno.kill(pid, "SIGCONT"), "luxd must not outlive parsd");
  });
});

Deno.test("parsd exits 128+n for a luxd killed by a signal parsd did not send", async () => {
  await withNode(async (n) => {
    await n.pin();
    const r = await parsd([], { env: { ...n.env, FAKE_LUXD_SELF_SIGNAL: "USR2" } });
    assert.equal(r.code, 128 + 12);
  });
});

Deno.test("after spawning luxd parsd holds no permissions", async () => {
  await withNode(async (n) => {
    await n.pin();
    const r = await parsd([], { env: { ...n.env, PARSD_DEBUG_PERMISSIONS: "1" } });
    assert.equal(r.code, 0, r.stderr);
    const line = r.stderr.split("\n").find((l) =>
      l.startsWith("parsd: debug: permissions after spawn: ")
    );
    assert.ok(line, r.stderr);
    const states = Object.fromEntries(
      line.split(": ").at(-1)!.split(" ").map((kv) => kv.split("=")),
    );
    assert.deepEqual(Object.keys(states).sort(), [
      "env",
      "ffi",
      "import",
      "net",
      "read",
      "run",
      "sys",
      "write",
    ]);
    for (const [name, state] of Object.entries(states)) assert.notEqual(state, "granted", name);
  });
});

interface BadCase {
  name: string;
  args?: string[];
  env?: Record<string, string>;
  setup?: (n: Node) => Promise<void>;
  code: number;
  message: RegExp;
  /** How many error lines (default 1; more where each item has its own problem). */
  lines?: number;
}

const BAD: BadCase[] = [
  {
    name: "non-numeric network id",
    args: ["--network-id=abc"],
    code: 64,
    message: /--network-id "abc"/,
  },
  {
    name: "negative network id",
    args: ["--network-id", "-5"],
    code: 64,
    message: /--network-id "-5"/,
  },
  {
    name: "port out of range",
    args: ["--http-port=70000"],
    code: 64,
    message: /--http-port "70000"/,
  },
  { name: "non-numeric port", args: ["--staking-port=x"], code: 64, message: /--staking-port "x"/ },
  { name: "equal ports", args: ["--http-port=9659"], code: 64, message: /both 9659/ },
  {
    name: "bad env value",
    env: { PARS_HTTP_PORT: "http" },
    code: 78,
    message: /PARS_HTTP_PORT "http"/,
  },
  {
    name: "data dir parent missing",
    setup: (n) => {
      n.env["PARS_DATA_DIR"] = join(n.root, "no", "such", "pars");
      n.env["PARS_CONFIG"] = join(n.dataDir, "config.json");
      return Promise.resolve();
    },
    code: 73,
    message: /parent .*no\/such does not exist/,
  },
  {
    name: "luxd missing",
    env: { PARS_LUXD: "/nonexistent/luxd" },
    code: 127,
    message: /luxd not found at \/nonexistent\/luxd/,
  },
  {
    name: "luxd not executable",
    setup: (n) => Deno.chmod(n.luxd, 0o644),
    code: 126,
    message: /not an executable file.*chmod 755/,
  },
  {
    name: "plugin missing",
    env: { PARS_EVM_PLUGIN: "/nonexistent/evm" },
    code: 66,
    message: /plugin evm: \/nonexistent\/evm .*does not exist/,
  },
  {
    name: "plugin is a directory",
    env: { PARS_SESSIONVM_PLUGIN: "/tmp" },
    code: 65,
    message: /plugin sessionvm: \/tmp is a directory/,
  },
  {
    name: "managed flag passed through",
    args: ["--plugin-dir=/x"],
    code: 64,
    message: /--plugin-dir.*--data-dir/,
  },
  {
    name: "managed flag after --",
    args: ["--", "--network-id=1"],
    code: 64,
    message: /parsd manages --network-id/,
  },
  {
    name: "malformed config.json",
    setup: (n) => Deno.writeTextFile(join(n.dataDir, "config.json"), '{\n  "http-port": 1,\n}'),
    code: 78,
    message: /config\.json:3:1: malformed JSON/,
  },
  {
    name: "unknown key in config.json",
    setup: (n) => Deno.writeTextFile(join(n.dataDir, "config.json"), '{"stakingport": 1}'),
    code: 78,
    message: /unknown key 'stakingport'; did you mean 'staking-port'\?/,
  },
  { name: "unknown subcommand", args: ["strat"], code: 64, message: /unknown command 'strat'/ },
  {
    name: "tampered plugin",
    setup: (n) => Deno.writeTextFile(n.evm, "#!/bin/sh\necho tampered\n"),
    code: 65,
    message:
      /plugin evm: .* does not match its pin: sha256 [0-9a-f]{64}, pinned [0-9a-f]{64}; either it changed since it was pinned or it is not the file that was pinned \(found by PARS_EVM_PLUGIN\)/,
  },
  {
    name: "unpinned plugins",
    setup: (n) => Deno.writeTextFile(join(n.dataDir, "config.json"), "{}"),
    code: 65,
    message:
      /(plugin evm|plugin sessionvm|luxd): .* is not pinned; .*parsd plugins pin (evm|sessionvm|luxd)/,
    lines: 3,
  },
  {
    name: "group-writable plugin",
    setup: (n) => Deno.chmod(n.sessionvm, 0o775),
    code: 77,
    message: /mode 0775 \(writable by group\); fix: chmod g-w .*sessionvm/,
  },
  {
    name: "stray file in the plugin dir",
    setup: async (n) => {
      await Deno.mkdir(join(n.dataDir, "plugins"), { mode: 0o700 });
      await Deno.writeTextFile(join(n.dataDir, "plugins", "README"), "notes");
    },
    code: 65,
    message: /plugins\/README is not named by a VMID, so luxd would abort/,
  },
  {
    name: "group-readable staking key",
    setup: async (n) => {
      await Deno.mkdir(join(n.dataDir, "staking"), { mode: 0o700 });
      await Deno.writeTextFile(join(n.dataDir, "staking", "signer.key"), "SECRET-KEY-MATERIAL", {
        mode: 0o640,
      });
      await Deno.chmod(join(n.dataDir, "staking", "signer.key"), 0o640);
    },
    code: 77,
    message:
      /signer\.key is readable or writable by group or others \(mode 0640\); run 'chmod 600 /,
  },
];

Deno.test("bad input: one-line error naming the input, documented exit code, no luxd, no changes", async (t) => {
  for (const c of BAD) {
    await t.step(c.name, async () => {
      await withNode(async (n) => {
        await n.pin();
        await c.setup?.(n);
        const before = await snapshot(n.root);
        const r = await parsd(c.args ?? [], { env: { ...n.env, ...c.env } });
        assert.equal(r.code, c.code, r.stderr);
        const lines = errorLines(r);
        assert.equal(lines.length, c.lines ?? 1, r.stderr);
        for (const line of lines) assert.match(line, c.message);
        assert.doesNotMatch(r.stderr, /^\s+at /m, "no stack trace");
        assert.doesNotMatch(r.stderr, /SECRET-KEY-MATERIAL/);
        assert.equal(await n.recordText(), undefined, "luxd must not start");
        assert.deepEqual(await snapshot(n.root), before, "nothing may change");
      });
    });
  }
});

Deno.test("every problem at once: two plugins and luxd all reported", async () => {
  await withNode(async (n) => {
    const r = await parsd([], {
      env: { ...n.env, PARS_LUXD: "/no/luxd", PARS_EVM_PLUGIN: "/no/evm" },
    });
    assert.equal(r.code, 127);
    const lines = errorLines(r);
    assert.equal(lines.length, 3, r.stderr);
    assert.match(r.stderr, /luxd not found/);
    assert.match(r.stderr, /plugin evm: \/no\/evm/);
    assert.match(r.stderr, /plugin sessionvm: .* is not pinned/);
  });
});

Deno.test("--trust-unpinned starts with unpinned plugins and logs their hashes", async () => {
  await withNode(async (n) => {
    const r = await parsd(["--trust-unpinned"], { env: n.env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`trusting unpinned plugin evm: sha256 ${sha256(await Deno.readFile(n.evm))}`),
    );
    assert.ok(await n.recordText());
  });
});

Deno.test("once sealed, a tampered source changes nothing luxd runs; a tampered copy is refused", async () => {
  await withNode(async (n) => {
    await n.pin();
    await new Promise((r) => setTimeout(r, 2100)); // let the plugins' ctimes settle (racy-clean rule)
    const first = await parsd([], { env: n.env });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /^parsd: sealed .*evm into .*store\/sha256-/m);
    const cache = JSON.parse(await Deno.readTextFile(join(n.dataDir, "verify-cache.json")));
    const luxdHash = sha256(await Deno.readFile(n.luxd));
    assert.ok(Object.keys(cache).includes(`luxd-probe:sha256-${luxdHash}`), "probe keyed by hash");
    const links = await snapshot(join(n.dataDir, "plugins"));
    const evmCopy = join(n.dataDir, "store", `sha256-${sha256(await Deno.readFile(n.evm))}`);
    await Deno.remove(n.record);
    await Deno.writeTextFile(n.evm, "#!/bin/sh\n# fake evm plugin\nexit 1\n"); // same size
    const again = await parsd([], { env: n.env });
    assert.equal(again.code, 0, again.stderr);
    assert.ok(await n.recordText(), "luxd started, with the sealed plugin");
    assert.deepEqual(await snapshot(join(n.dataDir, "plugins")), links);
    const doctor = await parsd(["doctor"], { env: n.env });
    assert.match(
      doctor.stdout,
      new RegExp(
        `^warn\\s+plugin evm\\s+${n.evm}: source changed since pin \\(sha256 [0-9a-f]{64}\\); luxd runs the pinned copy ${evmCopy}$`,
        "m",
      ),
    );
    assert.equal(doctor.code, 0, doctor.stdout);
    await Deno.remove(n.record);
    await Deno.chmod(evmCopy, 0o700);
    await Deno.writeTextFile(evmCopy, "#!/bin/sh\n# fake evm plugin\nexit 2\n");
    await Deno.chmod(evmCopy, 0o500);
    const r = await parsd(["--verify=full"], { env: n.env });
    assert.equal(r.code, 65, r.stderr);
    assert.match(
      r.stderr,
      /plugin evm: store entry .* hashes to [0-9a-f]{64}, not [0-9a-f]{64}: it was altered/,
    );
    assert.equal(await n.recordText(), undefined);
    assert.deepEqual(await snapshot(join(n.dataDir, "plugins")), links);
  });
});

Deno.test("parsd init creates the layout 0700 and a default config; idempotent; never overwrites", async () => {
  await withNode(async (n) => {
    const first = await parsd(["init"], { env: n.env });
    assert.equal(first.code, 0, first.stderr);
    for (const dir of ["", "plugins", "db", "staking"]) {
      assert.equal((await Deno.stat(join(n.dataDir, dir))).mode! & 0o777, 0o700);
    }
    const config = join(n.dataDir, "config.json");
    assert.deepEqual(JSON.parse(await Deno.readTextFile(config)), {
      "network-id": 7070,
      "http-port": 9660,
      "staking-port": 9659,
      plugins: {},
    });
    await Deno.writeTextFile(config, '{"network-id": 7071}');
    const second = await parsd(["init"], { env: n.env });
    assert.equal(second.code, 0);
    assert.doesNotMatch(second.stdout, /created/);
    assert.equal(await Deno.readTextFile(config), '{"network-id": 7071}');
  });
});

Deno.test("parsd doctor: one line per check, exit 0 only when ready, starts nothing", async () => {
  await withNode(async (n) => {
    await n.pin();
    const ready = await parsd(["doctor"], { env: n.env });
    assert.equal(ready.code, 0, ready.stdout + ready.stderr);
    for (
      const check of [
        "config",
        "data-dir",
        "ports",
        "staking",
        "luxd",
        "plugin-dir",
        "plugin evm",
        "plugin sessionvm",
        "ready",
      ]
    ) {
      assert.match(ready.stdout, new RegExp(`^ok\\s+${check}\\b`, "m"), check);
    }
    assert.match(ready.stdout, /luxd 1\.22\.18, rpcchainvm 43; flags from probe/);
    // The fake plugins are shell scripts, not rpcchainvm plugins: warned about, but not failing.
    assert.match(
      ready.stdout,
      /^warn\s+plugin sessionvm\s+.*never mentions LUX_VM_RUNTIME_ENGINE_ADDR/m,
    );
    await Deno.writeTextFile(n.evm, "#!/bin/sh\n# reads LUX_VM_RUNTIME_ENGINE_ADDR\nexit 0\n");
    await n.pin();
    const rpc = await parsd(["doctor"], { env: n.env });
    assert.equal(rpc.code, 0);
    assert.doesNotMatch(rpc.stdout, /^warn\s+plugin evm\s+.*never mentions/m);
    assert.match(rpc.stdout, /^warn\s+plugin sessionvm\s+.*never mentions/m);
    await Deno.mkdir(join(n.dataDir, "plugins"));
    await Deno.writeTextFile(join(n.dataDir, "plugins", "notes.txt"), "x");
    const broken = await parsd(["doctor"], { env: { ...n.env, PARS_LUXD: "/no/luxd" } });
    assert.equal(broken.code, 127);
    assert.match(broken.stdout, /^FAIL\s+luxd\s+luxd not found/m);
    assert.match(broken.stdout, /^FAIL\s+plugin-dir\s+.*notes\.txt is not named by a VMID/m);
    assert.match(broken.stdout, /^ok\s+plugin evm/m);
    assert.ok(
      await Deno.stat(join(n.dataDir, "plugins", "notes.txt")),
      "doctor must not delete strays",
    );
    assert.equal(await n.recordText(), undefined);
  });
});

Deno.test("parsd plugins pin, verify and list", async (t) => {
  await withNode(async (n) => {
    await t.step("pin records hashes and explicit paths, keeping other keys", async () => {
      await Deno.mkdir(n.dataDir, { mode: 0o700 });
      await Deno.writeTextFile(join(n.dataDir, "config.json"), '{"http-port": 9000}');
      const r = await parsd(["plugins", "pin"], { env: n.env });
      assert.equal(r.code, 0, r.stderr);
      const evmHash = sha256(await Deno.readFile(n.evm));
      assert.match(r.stdout, new RegExp(`^pinned evm sha256 ${evmHash} \\(${n.evm}\\)$`, "m"));
      const config = JSON.parse(await Deno.readTextFile(join(n.dataDir, "config.json")));
      assert.equal(config["http-port"], 9000);
      assert.deepEqual(config.plugins.evm, { sha256: evmHash, path: n.evm });
    });
    await t.step("verify hashes fully and changes nothing", async () => {
      const before = await snapshot(n.root);
      const ok = await parsd(["plugins", "verify"], { env: n.env });
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /^ok evm sha256 /m);
      assert.deepEqual(await snapshot(n.root), before);
      await Deno.writeTextFile(n.sessionvm, "changed");
      const moved = await parsd(["plugins", "verify"], { env: n.env });
      assert.equal(moved.code, 0, "luxd runs the sealed copy: a changed source is only a note");
      assert.match(moved.stdout, /^ok sessionvm sha256 .* source changed since pin/m);
      const copy = join(
        n.dataDir,
        "store",
        `sha256-${
          JSON.parse(
            await Deno.readTextFile(join(n.dataDir, "config.json")),
          ).plugins.sessionvm.sha256
        }`,
      );
      await Deno.chmod(copy, 0o700);
      await Deno.writeTextFile(copy, "altered");
      await Deno.chmod(copy, 0o500);
      const bad = await parsd(["plugins", "verify"], { env: n.env });
      assert.equal(bad.code, 65);
      assert.match(bad.stderr, /plugin sessionvm: store entry .* it was altered/);
    });
    await t.step("list shows vmid, rule, size, sha256, pin and link state", async () => {
      const r = await parsd(["plugins", "list"], { env: n.env });
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stdout,
        new RegExp(`^evm\\n  vmid +${EVM}\\n  found +${n.evm} \\(by env\\)`, "m"),
      );
      assert.match(r.stdout, /size +\d+ bytes/);
      assert.match(r.stdout, /pinned +yes \(matches\)/);
      assert.match(r.stdout, /pinned +MISMATCH/);
      assert.match(r.stdout, /link +.*: missing/);
    });
    await t.step("pin --from SHA256SUMS takes hashes from a release file", async () => {
      const sums = join(n.root, "SHA256SUMS");
      const h = "ab".repeat(32);
      await Deno.writeTextFile(
        sums,
        `${h}  sessionvm-linux-amd64\n${"cd".repeat(32)}  parsd-x86_64-unknown-linux-gnu\n`,
      );
      // Without a named binary, the release's hash is pinned as is (it replaces a pin: --replace).
      const { PARS_SESSIONVM_PLUGIN: _, ...unnamed } = n.env;
      const r = await parsd(["plugins", "pin", "sessionvm", "--from", sums, "--replace"], {
        env: unnamed,
      });
      assert.equal(r.code, 0, r.stderr);
      const config = JSON.parse(await Deno.readTextFile(join(n.dataDir, "config.json")));
      assert.equal(config.plugins.sessionvm.sha256, h);
      // A binary named by flag or env must be the one the sums describe.
      const named = await parsd(["plugins", "pin", "sessionvm", "--from", sums, "--replace"], {
        env: n.env,
      });
      assert.equal(named.code, 65);
      assert.match(named.stderr, /has sha256 [0-9a-f]{64}, but .*SHA256SUMS line 1 says a{0}(ab)+/);
      const real = sha256(await Deno.readFile(n.sessionvm));
      await Deno.writeTextFile(sums, `${real}  sessionvm\n`);
      const good = await parsd(["plugins", "pin", "sessionvm", "--from", sums, "--replace"], {
        env: n.env,
      });
      assert.equal(good.code, 0, good.stderr);
      const after = JSON.parse(await Deno.readTextFile(join(n.dataDir, "config.json")));
      assert.deepEqual(after.plugins.sessionvm, { sha256: real, path: n.sessionvm });
      await Deno.writeTextFile(sums, "garbage line\n");
      const bad = await parsd(["plugins", "pin", "--from", sums], { env: n.env });
      assert.equal(bad.code, 78);
      assert.match(bad.stderr, /SHA256SUMS:1: not a sha256sum line/);
    });
    await t.step("unknown plugin or action is a usage error", async () => {
      assert.equal((await parsd(["plugins", "pin", "foo"], { env: n.env })).code, 64);
      assert.equal((await parsd(["plugins", "burn"], { env: n.env })).code, 64);
    });
  });
});

Deno.test("parsd vmid, version and help", async () => {
  await withNode(async (n) => {
    const v = await parsd(["vmid", "sessionvm"], { env: n.env });
    assert.equal(v.stdout, `${SESSION}\n`);
    const version = await parsd(["--version"], { env: n.env });
    assert.equal(version.code, 0);
    assert.match(
      version.stdout,
      /^parsd \d+\.\d+\.\d+ \(deno 2\.\d+\.\d+, x86_64-unknown-linux-gnu\)$/m,
    );
    assert.match(version.stdout, /^luxd: node\/1\.22\.18 .*\(.*luxd\)$/m);
    const help = await parsd(["help"], { env: n.env });
    assert.match(help.stdout, /--trust-unpinned/);
    assert.equal((await parsd(["vmid"], { env: n.env })).code, 64);
  });
});
