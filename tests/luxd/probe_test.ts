/**
 * Tests for lib/luxd/probe.ts: probing a luxd through a real runner: the stand-in in both dialects, a program that is not a luxd, and one whose grandchild holds stdout.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { deserialiseFlagSet } from "../../lib/luxd/help_text.ts";
import { probeLuxd, type ProbeRunner } from "../../lib/luxd/probe.ts";
import { denoSystem } from "../../lib/os/system.ts";
import { withTempDir } from "../helpers.ts";
import { waitGone } from "../processes.ts";
import { boundedOutput } from "../../lib/os/bounded_output.ts";
import { DIALECTS, FIXTURES, HELP_13, TESTS } from "./fixtures.ts";

const STANDIN = join(TESTS, "luxd_standin.sh");

Deno.test("probeLuxd() learns the stand-in's version and flags in both dialects", async (t) => {
  for (const [dialect, flags] of DIALECTS) {
    await t.step(`luxd ${dialect}`, async () => {
      const calls: string[] = [];
      const real = runnerWith({ FAKE_LUXD_DIALECT: dialect, FAKE_LUXD_FIXTURES: FIXTURES });
      const run: ProbeRunner = (path, args, ms) => {
        calls.push(args.join(" "));
        return real(path, args, ms);
      };
      const result = await probeLuxd(STANDIN, run);
      assert.equal(result.version, dialect);
      assert.equal(result.rpcchainvm, 43);
      assert.equal(result.application, `node/${dialect}`);
      assert.equal(result.source, "probe");
      assert.deepEqual([...deserialiseFlagSet(result.flags)], [...flags]);
      assert.deepEqual(calls.sort(), ["--help", "--version-json"]);
    });
  }
  await t.step("falls back to --version when --version-json is not understood", async () => {
    const run: ProbeRunner = (_path, args) =>
      Promise.resolve(
        args[0] === "--version-json"
          ? {
            code: 1,
            stdout: "",
            stderr: "couldn't configure flags: unknown flag: --version-json",
          }
          : args[0] === "--version"
          ? {
            code: 0,
            stdout: "avalanchego/1.13.5 [database=v1.4.5, rpcchainvm=43, go=1.24.6]\n",
            stderr: "",
          }
          : { code: 0, stdout: HELP_13, stderr: "" }, // help on stdout is accepted too
      );
    const result = await probeLuxd("/opt/avalanchego", run);
    assert.equal(result.version, "1.13.5");
    assert.equal(Object.keys(result.flags).length, 206);
  });
});

Deno.test("probeLuxd() says clearly when a program is not a luxd", async (t) => {
  await withTempDir(async (dir) => {
    const script = async (name: string, text: string) => {
      const path = join(dir, name);
      await Deno.writeTextFile(path, text, { mode: 0o755 });
      await Deno.chmod(path, 0o755);
      return path;
    };
    await t.step("a program that prints nothing", async () => {
      const path = await script("silent", "#!/bin/sh\nexit 0\n");
      await assert.rejects(
        probeLuxd(path, runnerWith({})),
        (e: Error) =>
          e.message.startsWith(`cannot probe luxd at ${path}: it printed no version`) &&
          e.message.includes("'--version' exited 0 printing nothing") &&
          e.message.includes("listed no flags for '--help'") &&
          e.message.endsWith("is it a luxd binary?"),
      );
    });
    await t.step("a runner that rejects: its error is the cause", async () => {
      const refuse: ProbeRunner = () => Promise.reject(new Deno.errors.NotFound("no such file"));
      await assert.rejects(
        probeLuxd("/nonexistent/luxd", refuse),
        (e: Error) =>
          e.message.startsWith("cannot probe luxd at /nonexistent/luxd: '--") &&
          e.message.includes("could not run") &&
          e.cause instanceof Deno.errors.NotFound,
      );
    });
    await t.step(
      "a program that cannot start says so, not 'did not finish', and is asked once",
      async () => {
        const path = await script("shebang", "#!/nonexistent/sh\necho never\n");
        const calls: string[] = [];
        const run: ProbeRunner = (p, a, ms) => {
          calls.push(a.join(" "));
          return denoSystem.output(p, a, ms);
        };
        await assert.rejects(
          probeLuxd(path, run),
          (e: Error) =>
            e.message.includes(
              "'--version-json' could not be started: its interpreter /nonexistent/sh (from its #! line) does not exist",
            ) && !e.message.includes("did not finish"),
        );
        assert.deepEqual(calls.sort(), ["--help", "--version-json"]);
      },
    );
    await t.step("a program that hangs is given up on after the timeout", async () => {
      const path = await script("hangs", "#!/bin/sh\nexec sleep 30\n");
      await assert.rejects(
        probeLuxd(path, runnerWith({}), 300),
        (e: Error) => e.message.includes("'--version-json' did not finish within 0.3 s"),
      );
    });
    await t.step("what it printed is shown with control characters escaped", async () => {
      const path = await script(
        "noisy",
        "#!/bin/sh\nprintf 'oops\\033[2J\\rok   ready\\n' >&2\nexit 2\n",
      );
      await assert.rejects(
        probeLuxd(path, runnerWith({})),
        (e: Error) => e.message.includes("'--help' exited 2: oops\\x1b[2J\\rok   ready"),
      );
    });
  });
});

Deno.test("probeLuxd() of a luxd that leaves a grandchild holding stdout answers at its exit; the grandchild is ended", async () => {
  await withTempDir(async (dir) => {
    const pids = join(dir, "lingering");
    const run = runnerWith({
      FAKE_LUXD_FIXTURES: FIXTURES,
      FAKE_LUXD_PROBE_LINGER: "30",
      FAKE_LUXD_LINGER_PIDS: pids,
    });
    // Far longer than the test may take: the answers must come from the exits, not the timeout.
    const result = await probeLuxd(STANDIN, run, 60_000);
    assert.equal(result.version, "1.22.18");
    const lingering = (await Deno.readTextFile(pids)).trim().split("\n").map(Number);
    assert.equal(lingering.length, 2, "--version-json and --help each left one");
    for (const pid of lingering) await waitGone(pid, "a probe's grandchild");
  });
});

/** Runs a program as parsd's System does (`boundedOutput`), with `env` added through env(1). */
function runnerWith(env: Record<string, string>): ProbeRunner {
  const assignments = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  return (path, args, timeoutMs) =>
    boundedOutput("/usr/bin/env", [...assignments, path, ...args], timeoutMs);
}
