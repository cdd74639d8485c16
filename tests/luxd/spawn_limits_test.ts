/**
 * Tests for lib/luxd/spawn_limits.ts: reading what getconf and env say, the
 * byte count execve makes, every reason the OS would refuse luxd's argv —
 * and, against the real kernel, that the count and the limits are right.
 */
import assert from "node:assert/strict";
import {
  type ArgOrigin,
  argvBytes,
  LINUX_ARG_MAX_CAP,
  MAX_ARG_STRLEN,
  parseSpawnLimits,
  SAFE_ARG_MAX,
  SPAWN_LIMITS_QUERY,
  SPAWN_MARGIN_BYTES,
  type SpawnLimits,
  spawnProblems,
} from "../../lib/luxd/spawn_limits.ts";
import { denoSystem } from "../../lib/os/system.ts";

const LIMITS: SpawnLimits = { argMax: 2097152, measured: true, env: { bytes: 2000, count: 30 } };
const fromConfig = (i: number): ArgOrigin => ({
  from: "config",
  name: `'luxd-args' entry ${i + 1}`,
});

Deno.test("parseSpawnLimits() reads getconf's ARG_MAX and env's size, or falls back to the safe bound", async (t) => {
  const cases: [string, string | undefined, string, SpawnLimits][] = [
    ["both", "2097152\n     31    2345\n", "linux", {
      argMax: 2097152,
      measured: true,
      env: { count: 31, bytes: 2345 },
    }],
    ["no getconf", "sh: getconf: not found\n 3 40\n", "linux", {
      argMax: SAFE_ARG_MAX,
      measured: false,
      env: { count: 3, bytes: 40 },
    }],
    ["no output", undefined, "linux", { argMax: SAFE_ARG_MAX, measured: false }],
    ["an unlimited stack, capped as Linux caps it", "4611686018427387903\n1 10\n", "linux", {
      argMax: LINUX_ARG_MAX_CAP,
      measured: true,
      env: { count: 1, bytes: 10 },
    }],
    ["macOS: not capped", "1048576\n1 10\n", "darwin", {
      argMax: 1048576,
      measured: true,
      env: { count: 1, bytes: 10 },
    }],
  ];
  for (const [what, stdout, os, want] of cases) {
    await t.step(what, () => assert.deepEqual(parseSpawnLimits(stdout, os), want));
  }
});

Deno.test("argvBytes() counts what execve counts: the path twice, each string with its NUL, one pointer each", () => {
  // "/x" as file name (3) and argv[0] (3), "ab" (3), env 2000 bytes, pointers for 2 args + 30 vars.
  assert.equal(argvBytes("/x", ["ab"], LIMITS), 3 + 3 + 3 + 2000 + 8 * 32);
  assert.equal(argvBytes("/x", ["é"], { argMax: 1, measured: true }), 3 + 3 + 3 + 8 * 2);
});

Deno.test("spawnProblems() finds a NUL byte, an argument of MAX_ARG_STRLEN bytes, and an argv over ARG_MAX, all at once", () => {
  const big = "--x=" + "y".repeat(MAX_ARG_STRLEN);
  const problems = spawnProblems("/usr/bin/luxd", ["--ok", "--a=b\0c", big], LIMITS, fromConfig);
  assert.deepEqual(problems.map((p) => p.from), ["config", "config"]);
  assert.match(
    problems[0]!.text,
    /^'luxd-args' entry 2 "--a=b\\u0000c" holds a NUL byte, which no program argument can carry; remove it$/,
  );
  assert.match(
    problems[1]!.text,
    new RegExp(
      `^'luxd-args' entry 3 "--x=y{36}…" is ${
        MAX_ARG_STRLEN + 4
      } bytes; the OS refuses any one argument of ${MAX_ARG_STRLEN} bytes or more \\(MAX_ARG_STRLEN\\); shorten it$`,
    ),
  );
  const many = Array.from({ length: 40 }, () => "--z=" + "w".repeat(60_000));
  const over = spawnProblems("/usr/bin/luxd", many, LIMITS, fromConfig);
  assert.equal(over.length, 1);
  assert.match(
    over[0]!.text,
    /^luxd's command line would be 2346\.\d KiB \(its 40 arguments, the environment 2\.0 KiB\), more than this system's ARG_MAX \(getconf ARG_MAX\), 2048\.0 KiB, allows with a 4\.0 KiB margin; shorten 'luxd-args' in config\.json, the luxd flags given, or the environment$/,
  );
});

Deno.test("spawnProblems() passes an argument one byte under MAX_ARG_STRLEN and a command line that fits", () => {
  const arg = "y".repeat(MAX_ARG_STRLEN - 1);
  assert.deepEqual(spawnProblems("/l", [arg], LIMITS, fromConfig), []);
  // Multi-byte characters count as bytes: half as many 2-byte characters reach the limit.
  assert.equal(spawnProblems("/l", ["é".repeat(MAX_ARG_STRLEN / 2)], LIMITS, fromConfig).length, 1);
});

Deno.test("the real kernel agrees: an argument of MAX_ARG_STRLEN-1 bytes starts, one of MAX_ARG_STRLEN does not", async (t) => {
  if (Deno.build.os !== "linux") {
    await t.step({ name: "skipped: not Linux", ignore: true, fn: () => {} });
    return;
  }
  const limits = await denoSystem.output(SPAWN_LIMITS_QUERY.path, SPAWN_LIMITS_QUERY.args, 5000);
  const parsed = parseSpawnLimits("code" in limits ? limits.stdout : undefined, "linux");
  await t.step("getconf and env answered", () => {
    assert.ok(parsed.measured && parsed.env !== undefined, JSON.stringify(limits));
  });
  // Deno throws at once for what execve refuses; as a promise, for assert.rejects.
  const spawn = (args: string[]) =>
    Promise.resolve().then(() => new Deno.Command("/bin/true", { args }).output());
  const run = (arg: string) => spawn([arg]);
  await t.step("MAX_ARG_STRLEN - 1 bytes", async () => {
    const arg = "y".repeat(MAX_ARG_STRLEN - 1);
    assert.deepEqual(spawnProblems("/bin/true", [arg], parsed, fromConfig), []);
    assert.equal((await run(arg)).code, 0);
  });
  await t.step("MAX_ARG_STRLEN bytes", async () => {
    const arg = "y".repeat(MAX_ARG_STRLEN);
    assert.equal(spawnProblems("/bin/true", [arg], parsed, fromConfig).length, 1);
    await assert.rejects(run(arg), /Argument list too long/);
  });
  await t.step("a NUL byte", async () => {
    assert.equal(spawnProblems("/bin/true", ["a\0b"], parsed, fromConfig).length, 1);
    await assert.rejects(run("a\0b"), /nul byte/);
  });
  await t.step("a total just over ARG_MAX is refused by both", async () => {
    const piece = "y".repeat(100_000);
    const n = Math.ceil(parsed.argMax / 100_001) + 1;
    const args = Array.from({ length: n }, () => piece);
    assert.equal(spawnProblems("/bin/true", args, parsed, fromConfig).length, 1);
    await assert.rejects(spawn(args), /Argument list too long/);
  });
  await t.step(
    "the largest argv the check passes does start (the count is not short)",
    async () => {
      const args: string[] = [];
      const room = () => parsed.argMax - SPAWN_MARGIN_BYTES - argvBytes("/bin/true", args, parsed);
      while (room() > 100_000 + 9) args.push("y".repeat(100_000));
      args.push("y".repeat(room() - 9)); // its NUL and pointer take the last 9 bytes
      assert.equal(argvBytes("/bin/true", args, parsed) + SPAWN_MARGIN_BYTES, parsed.argMax);
      assert.deepEqual(spawnProblems("/bin/true", args, parsed, fromConfig), []);
      assert.equal((await spawn(args)).code, 0);
    },
  );
});
