/**
 * Tests for lib/cli/main.ts: `main()` turns every outcome into an exit code and
 * `parsd: error:` lines on stderr, prints usage only after a usage error,
 * never a stack trace, and never throws. In process, with the fake system.
 */
import assert from "node:assert/strict";
import { main } from "../../lib/cli/main.ts";
import { COMMANDS, USAGE } from "../../lib/cli/commands.ts";
import type { System } from "../../lib/os/system.ts";
import { VERSION } from "../../lib/cli/version.ts";
import { fakeSystem } from "../fake_system.ts";
import { withInProcessNode } from "./commands/kit.ts";

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
