/**
 * Every file parsd reads can be missing, a directory, a FIFO or a device, a
 * dangling or looping link, huge or not UTF-8, or hold a key twice: each
 * such input ends in a one-line error with a documented exit code and a
 * correct fix, never `unexpected` exit 1 or a hang, and `doctor` reports it
 * without stopping partway.
 */
import assert from "node:assert/strict";
import { join } from "../../../lib/os/path.ts";
import type { InProcessNode } from "./kit.ts";
import { withInProcessNode } from "./kit.ts";
import type { FakeOptions } from "../../fake_system.ts";
import { makeFifos, withFifoRescue } from "../../fifo.ts";

interface Case {
  name: string;
  setup: (n: InProcessNode) => Promise<void>;
  /** Paths to replace with FIFOs after `setup` (the runs are guarded against a blocking open). */
  fifos?: (n: InProcessNode) => string[];
  argv?: string[];
  fake?: FakeOptions;
  code: number;
  message: RegExp;
}

const config = (n: InProcessNode) => join(n.dataDir, "config.json");

const CASES: Case[] = [
  {
    name: "config.json is a symlink loop",
    setup: async (n) => {
      await Deno.remove(config(n));
      await Deno.symlink(config(n), config(n));
    },
    code: 78,
    message: /config .*config\.json: a symlink loop .*; point the link at the real file/,
  },
  {
    name: "config.json is a directory",
    setup: async (n) => {
      await Deno.remove(config(n));
      await Deno.mkdir(config(n));
    },
    code: 78,
    message: /config\.json: is a directory; give the config file's path with --config/,
  },
  {
    name: "config.json is 200 MB",
    setup: async (n) => {
      const f = await Deno.open(config(n), { write: true, truncate: true });
      await f.truncate(200 * 1024 * 1024);
      f.close();
    },
    code: 78,
    message: /config\.json: is 209715200 bytes, more than the \d+ parsd reads/,
  },
  {
    name: "config.json is not UTF-8",
    setup: (n) => Deno.writeFile(config(n), new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])),
    code: 78,
    message: /config\.json: is not UTF-8 text; save it as UTF-8 JSON/,
  },
  {
    name: "config.json is a FIFO",
    setup: (n) => Deno.remove(config(n)),
    fifos: (n) => [config(n)],
    code: 78,
    message:
      /config\.json: is a FIFO, not a regular file; give the config file's path with --config/,
  },
  {
    name: "config.json is a link to a device",
    setup: async (n) => {
      await Deno.remove(config(n));
      await Deno.symlink("/dev/null", config(n));
    },
    code: 78,
    message: /config\.json: is a character device, not a regular file; give the config file's path/,
  },
  {
    name: "config.json holds a key twice",
    setup: async (n) => {
      const text = await Deno.readTextFile(config(n));
      await Deno.writeTextFile(
        config(n),
        text.replace(/^\{/, '{"http-port": 9000, "http-port": 9001,'),
      );
    },
    code: 78,
    message:
      /config\.json:1: duplicate key 'http-port' \(also on line 1\); JSON keeps only the last one/,
  },
  {
    name: "HOME is a relative path",
    setup: () => Promise.resolve(),
    fake: { env: { HOME: "rel" } },
    code: 78,
    message: /HOME is 'rel', not an absolute path; set it to your home directory's full path/,
  },
  {
    name: "parsd.pid is a FIFO",
    setup: () => Promise.resolve(),
    fifos: (n) => [join(n.dataDir, "parsd.pid")],
    argv: ["--trust-unpinned"],
    code: 73,
    message: /parsd\.pid is not a regular file, where parsd writes its pid; move it away/,
  },
  {
    name: "the data dir is a file",
    setup: async (n) => {
      await Deno.remove(n.dataDir, { recursive: true });
      await Deno.writeTextFile(n.dataDir, "");
    },
    argv: ["--trust-unpinned"],
    code: 73,
    message: /data dir .* exists but is not a directory; choose another --data-dir/,
  },
  {
    name: "the data dir is owned by another user",
    setup: (n) => Deno.chown(n.dataDir, 4321, 4321),
    fake: { uid: 1000 },
    code: 77,
    // The config in it is checked first, as ssh checks its own: the data dir above it is named.
    message: /\.pars: owned by uid 4321 \(neither 1000 nor root\), mode 0700; fix: chown 1000 /,
  },
  {
    name: "a staking key is a dangling symlink",
    setup: async (n) => {
      await Deno.mkdir(join(n.dataDir, "staking"), { mode: 0o700 });
      await Deno.symlink("/nonexistent/key", join(n.dataDir, "staking", "staker.key"));
    },
    code: 77,
    message: /staker\.key is a dangling symlink; point it at the real file or remove the link/,
  },
  {
    name: "staker.key is a directory",
    setup: async (n) => {
      await Deno.mkdir(join(n.dataDir, "staking", "staker.key"), { recursive: true });
      await Deno.chmod(join(n.dataDir, "staking"), 0o700);
    },
    code: 77,
    message: /staker\.key is a directory, not a key file; move it away/,
  },
  {
    name: "a plugin path is a symlink loop",
    setup: async (n) => {
      await Deno.remove(n.evm);
      await Deno.symlink(n.evm, n.evm);
    },
    code: 66,
    message: /plugin evm: .*evm .* is a symlink loop; point the link at the real binary/,
  },
  {
    name: "a plugin is setuid",
    setup: (n) => Deno.chmod(n.evm, 0o4755),
    code: 65,
    message:
      /plugin evm: .*evm is setuid \(mode 4755\), so it would run with its owner's rights, not the node's; run 'chmod ug-s /,
  },
  {
    name: "a plugin is setgid",
    setup: (n) => Deno.chmod(n.sessionvm, 0o2755),
    code: 65,
    message: /plugin sessionvm: .*sessionvm is setgid \(mode 2755\)/,
  },
  {
    name: "luxd is a directory",
    setup: async (n) => {
      await Deno.remove(n.luxd);
      await Deno.mkdir(n.luxd);
    },
    code: 126,
    message: /luxd at .* is a directory; give the luxd binary's path with --luxd/,
  },
  {
    name: "a <VMID>.bak entry shadows a plugin",
    setup: async (n) => {
      await Deno.mkdir(join(n.dataDir, "plugins"), { mode: 0o700 });
      await Deno.writeTextFile(
        join(n.dataDir, "plugins", "srEXiWaHuhNyGwPUi444Tu47ZEDwxTWrbQiuD7FmgSAQ6X7Dy.bak"),
        "",
      );
    },
    code: 65,
    message: /\.bak is a managed VMID with an extension: luxd strips the extension/,
  },
];

for (const c of CASES) {
  Deno.test(`bad input: ${c.name} → exit ${c.code}, one line, in run and doctor`, async () => {
    await withInProcessNode(async (n) => {
      await n.pin();
      await c.setup(n);
      const fifos = c.fifos?.(n) ?? [];
      makeFifos(...fifos);
      const run = n.fake(c.fake);
      assert.equal(
        await withFifoRescue(fifos, () => run.run(c.argv ?? [])),
        c.code,
        run.err(),
      );
      const lines = run.err().split("\n").filter((l) => l.startsWith("parsd: error: "));
      assert.equal(lines.length, 1, run.err());
      assert.match(lines[0]!, c.message);
      assert.doesNotMatch(run.err(), /unexpected/);
      assert.equal(run.spawned.length, 0, "luxd must not start");
      const doctor = n.fake(c.fake);
      assert.equal(
        await withFifoRescue(fifos, () => doctor.run(["doctor", ...(c.argv ?? [])])),
        c.code,
        doctor.out(),
      );
      assert.match(doctor.out(), c.message);
      assert.match(doctor.out(), /^FAIL ready/m, "doctor runs to its end");
    });
  });
}
