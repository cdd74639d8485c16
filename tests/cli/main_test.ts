/**
 * Tests for lib/cli/main.ts: `main()` turns every outcome into an exit code and
 * `parsd: error:` lines on stderr, prints usage only after a usage error,
 * never a stack trace, and never throws. In process, with the fake system;
 * a closed pipe and a full stdout also with the real parsd process.
 */
import assert from "node:assert/strict";
import { main } from "../../lib/cli/main.ts";
import { COMMANDS, USAGE } from "../../lib/cli/commands.ts";
import type { System } from "../../lib/os/system.ts";
import { VERSION } from "../../lib/cli/version.ts";
import { fakeSystem } from "../fake_system.ts";
import { withInProcessNode } from "./commands/kit.ts";
import { REPO, spawnParsd } from "../helpers.ts";
import { startFlags } from "../../scripts/kit.ts";
import { join } from "../../lib/os/path.ts";

Deno.test("main() prints a usage error, then the usage line, and returns 64", async (t) => {
  await t.step("an unknown command", async () => {
    const f = fakeSystem();
    assert.equal(await f.run(["bogus"]), 64);
    assert.equal(
      f.err(),
      `parsd: error: unknown command 'bogus'; expected one of ${
        COMMANDS.join(", ")
      } (see 'parsd help')\n${USAGE}\n`,
    );
    assert.equal(f.out(), "");
  });
  await t.step("every problem on its own line, the usage line once", async () => {
    const f = fakeSystem();
    assert.equal(await f.run(["init", "--bogus", "--dry-run"]), 64);
    const lines = f.err().trimEnd().split("\n");
    assert.equal(lines.length, 3, f.err());
    assert.match(lines[0]!, /^parsd: error: .*'--bogus'/);
    assert.match(lines[1]!, /^parsd: error: --dry-run is not an option of 'parsd init'/);
    assert.equal(lines[2], USAGE);
  });
});

Deno.test("main() prints no usage line after an error that is not about usage", async () => {
  const f = fakeSystem({ env: {} }); // no HOME
  assert.equal(await f.run(["init"]), 78);
  assert.match(f.err(), /^parsd: error: HOME is not set;/);
  assert.ok(!f.err().includes("usage:"), f.err());
});

Deno.test("main() turns an unexpected exception into exit 1 and one line, no stack", async (t) => {
  const throwing = (thrown: unknown): System => ({
    ...fakeSystem().sys,
    env: () => {
      throw thrown;
    },
  });
  const cases: [string, unknown, string][] = [
    ["an Error", new Error("boom\n    at env (fake.ts:1:1)"), "parsd: error: unexpected: boom\n"],
    [
      "a TypeError",
      new TypeError("x is not a function"),
      "parsd: error: unexpected: x is not a function\n",
    ],
    ["a thrown string", "string thrown", "parsd: error: unexpected: string thrown\n"],
  ];
  for (const [what, thrown, want] of cases) {
    await t.step(what, async () => {
      let err = "";
      const sys = { ...throwing(thrown), err: (s: string) => void (err += s) };
      assert.equal(await main(["doctor"], sys), 1);
      assert.equal(err, want);
      assert.doesNotMatch(err, /\bat /);
    });
  }
});

Deno.test("main() answers --version after any command", async (t) => {
  await withInProcessNode(async (n) => {
    const argvs = [
      ["--version"],
      ...COMMANDS.map((c) => [c, "--version"]),
      ["run", "--log-level=info", "--version"],
      ["doctor", "--http-port=1234", "--version"],
      ["vmid", "sessionvm", "--version"],
    ];
    for (const argv of argvs) {
      await t.step(argv.join(" "), async () => {
        const f = n.fake();
        assert.equal(await f.run(argv), 0, f.err());
        const lines = f.out().split("\n");
        assert.match(lines[0]!, new RegExp(`^parsd ${VERSION.replaceAll(".", "\\.")} \\(deno `));
        assert.equal(
          lines[1],
          `luxd: node/1.22.18 [database=v1.4.5, rpcchainvm=43, commit=000000000, go=1.25.5] (${n.luxd})`,
        );
        assert.equal(f.err(), "");
        assert.deepEqual(f.spawned, [], "nothing started");
      });
    }
    await t.step("nothing was created", async () => {
      assert.equal(await Deno.lstat(n.dataDir).catch(() => undefined), undefined);
    });
  });
});

Deno.test("main() prints help to stdout and returns 0", async () => {
  const f = fakeSystem();
  assert.equal(await f.run(["help"]), 0);
  assert.ok(f.out().includes(USAGE));
  assert.equal(f.err(), "");
  const g = fakeSystem();
  assert.equal(await g.run(["init", "--help"]), 0);
  assert.match(g.out(), /^parsd init: /);
});

/** A fake system whose stdout write throws `error` (from the `at`-th write on). */
function failingOut(error: () => Error, at = 0) {
  const f = fakeSystem();
  let writes = 0;
  let out = "";
  const sys: System = {
    ...f.sys,
    out: (t) => {
      if (writes++ >= at) throw error();
      out += t;
    },
  };
  return { sys, f, out: () => out, writes: () => writes };
}

Deno.test("main() ends quietly when stdout's reader is gone (EPIPE), with the command's code", async (t) => {
  const epipe = () => new Deno.errors.BrokenPipe("Broken pipe (os error 32)");
  await t.step("from the first write", async () => {
    const s = failingOut(epipe);
    assert.equal(await main(["help"], s.sys), 0);
    assert.equal(s.f.err(), "", "no message, no stack");
  });
  await t.step("after a write: nothing more is tried", async () => {
    const s = failingOut(epipe, 1);
    const sys = { ...s.sys, env: () => undefined }; // doctor: two FAIL lines, no HOME
    assert.equal(await main(["doctor"], sys), 78);
    assert.equal(s.writes(), 2);
    assert.match(s.out(), /^FAIL config +HOME is not set/);
    assert.equal(s.f.err(), "");
  });
  await t.step("a failing command keeps its own code", async () => {
    const s = failingOut(epipe);
    const sys = { ...s.sys, env: () => undefined };
    assert.equal(await main(["doctor"], sys), 78);
    assert.doesNotMatch(s.f.err(), /unexpected|Broken pipe/);
  });
});

Deno.test("main() makes a stdout it cannot write (a full disk) a one-line 73", async () => {
  const enospc = () =>
    Object.assign(new Error("No space left on device (os error 28)"), { code: "ENOSPC" });
  const s = failingOut(enospc);
  assert.equal(await main(["help"], s.sys), 73);
  assert.equal(
    s.f.err(),
    "parsd: error: cannot write standard output: no space left on its file system; free some space or send the output elsewhere\n",
  );
});

Deno.test("main() survives a stderr it cannot write", async () => {
  const sys: System = {
    ...fakeSystem().sys,
    err: () => {
      throw new Deno.errors.BrokenPipe("Broken pipe (os error 32)");
    },
  };
  assert.equal(await main(["bogus"], sys), 64);
});

Deno.test("main() prints at most 25 problems and a count of the rest, each on one line", async () => {
  const f = fakeSystem();
  const flags = Array.from({ length: 10_000 }, (_, i) => `--bad${i}`);
  assert.equal(await f.run(["init", ...flags]), 64);
  const lines = f.err().trimEnd().split("\n");
  assert.equal(lines.length, 27, "25 problems, the count, the usage line");
  assert.equal(lines[25], "parsd: error: … and 9975 more");
  assert.equal(lines[26], USAGE);
  const g = fakeSystem();
  assert.equal(await g.run(["plugins", "list", "a\nb\u001b[31m"]), 64);
  assert.match(
    g.err(),
    /^parsd: error: unknown \w+ 'a\\nb\\x1b\[31m'/,
    "control characters escaped",
  );
});

Deno.test("parsd whose reader went away (parsd help | head -0) ends quietly with 0", async () => {
  const child = spawnParsd(["help"]);
  await child.stdout.cancel(); // the reader is gone before parsd writes
  const { code } = await child.status;
  const stderr = new TextDecoder().decode(await new Response(child.stderr).arrayBuffer());
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stderr, /error|unexpected|Broken pipe|at /);
});

Deno.test({
  name: "parsd help >/dev/full is 73 with one line naming stdout",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const out = await new Deno.Command("sh", {
      args: [
        "-c",
        'exec "$@" >/dev/full',
        "sh",
        Deno.execPath(),
        "run",
        "--config",
        join(REPO, "deno.json"),
        ...startFlags(),
        join(REPO, "main.ts"),
        "help",
      ],
      clearEnv: true,
      env: { PATH: "/usr/bin:/bin", NO_COLOR: "1", HOME: Deno.env.get("HOME") ?? "/" },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr).split("\n")
      .filter((l) => l !== "" && !l.includes("Permissions in the config file"));
    assert.equal(out.code, 73, stderr.join("\n"));
    assert.deepEqual(stderr, [
      "parsd: error: cannot write standard output: no space left on its file system; free some space or send the output elsewhere",
    ]);
  },
});
