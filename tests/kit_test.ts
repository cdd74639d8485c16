/**
 * @module
 * Tests of `scripts/kit.ts`, the kit every script is built on: the argv
 * parser, paths (data dir with `~`, cache dir, the user's cwd), errors and
 * `runMain`'s exit codes and interrupts, the process seam, atomic writes —
 * and, run as subprocesses, that every script reports a usage error the
 * same way.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  cacheRoot,
  CommandNotFoundError,
  ensureDir,
  EXIT,
  type InterruptSignal,
  parseArgs,
  positiveInt,
  produceAtomically,
  REPO_ROOT,
  reportError,
  runMain,
  safeName,
  scriptDataDir,
  ScriptError,
  type ScriptSystem,
  sha256sumsText,
  shellQuote,
  shellWord,
  spawnCapture,
  startFlags,
  startTaskFlags,
  tailLines,
  UsageError,
  userCwd,
  userPath,
  writeTextAtomic,
} from "../scripts/kit.ts";
import { withTempDir } from "./helpers.ts";

const SPEC = {
  values: ["out", "data-dir"],
  lists: ["target"],
  booleans: ["force", "no-pin"],
} as const;

const parse = (argv: string[]) => parseArgs(argv, SPEC);

// ---------------------------------------------------------------------------
// parseArgs

Deno.test("parseArgs reads values, lists, booleans, help and positionals", async (t) => {
  const cases: [string, string[], Partial<ReturnType<typeof parse>>][] = [
    ["nothing", [], {
      values: {},
      lists: { target: [] },
      booleans: { force: false, "no-pin": false },
      help: false,
      positional: [],
    }],
    ["--name value", ["--out", "dist"], { values: { out: "dist" } }],
    ["--name=value", ["--out=dist"], { values: { out: "dist" } }],
    ["a value may contain '='", ["--out=a=b"], { values: { out: "a=b" } }],
    ["a value after '=' may start with --", ["--out=--x"], { values: { out: "--x" } }],
    ["a separate value may start with one -", ["--out", "-"], { values: { out: "-" } }],
    ["booleans", ["--force"], { booleans: { force: true, "no-pin": false } }],
    ["repeatable flags keep order", ["--target", "a", "--target=b"], {
      lists: { target: ["a", "b"] },
    }],
    ["-h", ["-h"], { help: true }],
    ["--help", ["--help"], { help: true }],
    ["positionals between flags", ["evm", "--force", "x"], { positional: ["evm", "x"] }],
    ["-- ends the flags", ["--force", "--", "--out", "-h"], {
      positional: ["--out", "-h"],
      help: false,
    }],
  ];
  for (const [name, argv, want] of cases) {
    await t.step(name, () => {
      const got = parse(argv);
      for (const [k, v] of Object.entries(want)) {
        assert.deepEqual(got[k as keyof typeof got], v, `${k} of ${argv.join(" ")}`);
      }
    });
  }
});

Deno.test("parseArgs: every command-line mistake is a UsageError (exit 64) saying what", async (t) => {
  const cases: [string[], string][] = [
    [["--bogus"], "unknown flag '--bogus'"],
    [["--bogus", "--bogus"], "unknown flag '--bogus'"],
    [["-x"], "unknown flag '-x'"],
    [["--out"], "flag --out needs a value"],
    [["--out="], "flag --out needs a value"],
    [["--out", "--force"], "flag --out needs a value"],
    [["--target"], "flag --target needs a value"],
    [["--force=yes"], "flag --force takes no value"],
    [["--out", "a", "--out=b"], "flag --out given twice"],
    [["--force", "--force"], "flag --force given twice"],
  ];
  for (const [argv, message] of cases) {
    await t.step(argv.join(" "), () => {
      assert.throws(() => parse(argv), (e) => {
        assert.ok(e instanceof UsageError);
        assert.equal(e.exitCode, 64);
        assert.equal(e.message, message);
        return true;
      });
    });
  }
});

Deno.test("positiveInt accepts whole numbers from 1 and names the flag otherwise", () => {
  assert.equal(positiveInt("reps", "3"), 3);
  for (const bad of ["0", "-1", "1.5", "1e3", "", "x", "9007199254740993"]) {
    assert.throws(() => positiveInt("reps", bad), {
      exitCode: 64,
      message: `--reps needs a positive integer, got '${bad}'`,
    });
  }
});

// ---------------------------------------------------------------------------
// Paths

Deno.test("scriptDataDir: PARS_DATA_DIR=~/p is $HOME/p, as in parsd", () => {
  const env = { HOME: "/home/u", PARS_DATA_DIR: "~/p" };
  assert.equal(scriptDataDir(undefined, env, "/work"), "/home/u/p");
  assert.equal(scriptDataDir("~/q", env, "/work"), "/home/u/q");
  assert.equal(scriptDataDir(undefined, { HOME: "/home/u", PARS_DATA_DIR: "~" }, "/w"), "/home/u");
});

Deno.test("scriptDataDir: flag over PARS_DATA_DIR over ~/.pars; relative to the user's cwd", () => {
  const home = { HOME: "/home/u" };
  assert.equal(scriptDataDir(undefined, home, "/work"), "/home/u/.pars");
  assert.equal(scriptDataDir(undefined, { ...home, PARS_DATA_DIR: "" }, "/w"), "/home/u/.pars");
  assert.equal(scriptDataDir(undefined, { ...home, PARS_DATA_DIR: "d" }, "/work"), "/work/d");
  assert.equal(scriptDataDir("f", { ...home, PARS_DATA_DIR: "/e" }, "/work"), "/work/f");
  assert.equal(scriptDataDir("/abs/../x", home, "/work"), "/x");
  // "~x" is not a home path: it is a relative name, as in parsd.
  assert.equal(scriptDataDir("~x", home, "/work"), "/work/~x");
});

Deno.test("paths: HOME is required only where a path needs it", () => {
  assert.equal(scriptDataDir("/d", {}, "/w"), "/d");
  assert.equal(userPath("rel", {}, "/w"), "/w/rel");
  assert.throws(() => scriptDataDir(undefined, {}, "/w"), {
    exitCode: 64,
    message:
      "HOME is not set, so the default data dir ~/.pars is unknown; give the path explicitly",
  });
  assert.throws(() => userPath("~/x", {}, "/w"), { exitCode: 64, message: /'~\/x' cannot be/ });
  assert.equal(userPath("~/x", { USERPROFILE: "C:/u" }, "/w"), "C:/u/x");
});

Deno.test("cacheRoot: $XDG_CACHE_HOME/parsd if absolute, else ~/.cache/parsd", () => {
  assert.equal(cacheRoot({ HOME: "/h" }), "/h/.cache/parsd");
  assert.equal(cacheRoot({ HOME: "/h", XDG_CACHE_HOME: "/x" }), "/x/parsd");
  assert.equal(cacheRoot({ HOME: "/h", XDG_CACHE_HOME: "rel" }), "/h/.cache/parsd");
  assert.throws(() => cacheRoot({}), { exitCode: 64 });
});

Deno.test("userCwd is INIT_CWD (where deno task was started) when set", () => {
  assert.equal(userCwd({ INIT_CWD: "/home/u/x" }, "/repo"), "/home/u/x");
  assert.equal(userCwd({ INIT_CWD: "" }, "/repo"), "/repo");
  assert.equal(userCwd({}, "/repo"), "/repo");
});

Deno.test("safeName keeps version characters and replaces the rest", () => {
  assert.equal(safeName("v1.22.18"), "v1.22.18");
  assert.equal(safeName("a/b c"), "a_b_c");
  assert.equal(safeName("../x"), "__x");
  assert.equal(safeName(""), "_");
});

// ---------------------------------------------------------------------------
// Output helpers

Deno.test("tailLines: last n non-empty lines, trailing blanks and ANSI colours dropped", () => {
  assert.deepEqual(tailLines("a\n\nb\nc\n", 2), ["b", "c"]);
  assert.deepEqual(tailLines("a\n\n\x1b[1m\x1b[31merror\x1b[0m: x\r\nb  \n \n", 2), [
    "error: x",
    "b",
  ]);
  assert.deepEqual(tailLines("", 3), []);
});

Deno.test("sha256sumsText is sha256sum's format and refuses bad entries", () => {
  const a = "a".repeat(64);
  const b = "0123456789abcdef".repeat(4);
  assert.equal(
    sha256sumsText([{ name: "plugin", sha256: a }, { name: "main", sha256: b }]),
    `${b}  main\n${a}  plugin\n`,
  );
  assert.throws(() => sha256sumsText([{ name: "x", sha256: "A".repeat(64) }]), TypeError);
  assert.throws(() => sha256sumsText([{ name: "d/x", sha256: a }]), TypeError);
});

// ---------------------------------------------------------------------------
// Errors and runMain

/** A fake system: records output; `interrupt(sig)` plays a signal. */
function fakeSystem(run = spawnCapture) {
  const out: string[] = [];
  const err: string[] = [];
  const listeners = new Set<(s: InterruptSignal) => void>();
  const sys: ScriptSystem = {
    env: {},
    cwd: "/",
    run,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    onInterrupt(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  return {
    sys,
    out,
    err,
    listeners,
    interrupt: (s: InterruptSignal) => listeners.forEach((l) => l(s)),
  };
}

Deno.test("reportError: details, then one error line; usage adds the --help hint; bugs exit 1", () => {
  const lines: string[] = [];
  const e = new ScriptError(70, "go build failed", { details: ["  a.go:1: x"] });
  assert.equal(reportError("build", e, (l) => lines.push(l)), 70);
  assert.deepEqual(lines, ["  a.go:1: x", "build: error: go build failed"]);
  lines.length = 0;
  assert.equal(reportError("compile", new UsageError("bad"), (l) => lines.push(l)), 64);
  assert.deepEqual(lines, ["compile: error: bad", "compile: run with --help for usage"]);
  lines.length = 0;
  assert.equal(reportError("bench", new TypeError("oops\nmore"), (l) => lines.push(l)), 1);
  assert.equal(lines[0], "bench: error: unexpected: oops");
  assert.equal(new CommandNotFoundError("go").exitCode, EXIT.notFound);
});

Deno.test("runMain returns the body's code or the error's, and unsubscribes", async () => {
  const f = fakeSystem();
  assert.equal(await runMain("s", f.sys, () => Promise.resolve(3)), 3);
  assert.equal(
    await runMain("s", f.sys, () => Promise.reject(new ScriptError(73, "cannot write x"))),
    73,
  );
  assert.deepEqual(f.err, ["s: error: cannot write x"]);
  assert.equal(f.listeners.size, 0);
});

Deno.test("runMain: SIGINT stops the running command, lets the body unwind, exits 130", async () => {
  const f = fakeSystem();
  let unwound = false;
  let signal: Deno.Signal | null = null;
  const started = Date.now();
  const code = await runMain("s", f.sys, async (sys) => {
    setTimeout(() => f.interrupt("SIGINT"), 200);
    try {
      signal = (await sys.run({ cmd: "sleep", args: ["30"] })).signal;
      return 0;
    } finally {
      unwound = true;
    }
  });
  assert.equal(code, 130);
  assert.equal(signal, "SIGINT", "the command gets the signal the script got");
  assert.ok(unwound);
  assert.ok(Date.now() - started < 10_000, "sleep was not stopped");
  assert.deepEqual(f.err, [
    "s: interrupted (SIGINT); stopped its commands and removed temporary files",
  ]);
  assert.equal(f.listeners.size, 0);
});

Deno.test("runMain: SIGTERM exits 143 even when the body then fails", async () => {
  const f = fakeSystem();
  const code = await runMain("s", f.sys, () => {
    f.interrupt("SIGTERM");
    return Promise.reject(new ScriptError(70, "go build exited with 143"));
  });
  assert.equal(code, 143);
  assert.equal(f.err.length, 1);
});

// ---------------------------------------------------------------------------
// The process seam

Deno.test("spawnCapture captures output and exit code, in cwd, with env", async () => {
  await withTempDir(async (dir) => {
    const r = await spawnCapture({
      cmd: "sh",
      args: ["-c", 'pwd; echo "$KIT_X" >&2; exit 7'],
      cwd: dir,
      env: { KIT_X: "hello" },
    });
    assert.deepEqual(r, {
      code: 7,
      signal: null,
      stdout: `${await Deno.realPath(dir)}\n`,
      stderr: "hello\n",
      timedOut: false,
    });
  });
  const clear = await spawnCapture({
    cmd: "/bin/sh",
    args: ["-c", 'echo "${HOME:-none}"'],
    env: {},
    clearEnv: true,
  });
  assert.equal(clear.stdout, "none\n");
});

Deno.test("spawnCapture stops a command at its timeout: timedOut, 128+15", async () => {
  const started = Date.now();
  const r = await spawnCapture({ cmd: "sleep", args: ["30"], timeoutMs: 200 });
  assert.equal(r.timedOut, true);
  assert.equal(r.signal, "SIGTERM");
  assert.equal(r.code, 143);
  assert.ok(Date.now() - started < 10_000);
});

Deno.test("spawnCapture: a program that ignores SIGTERM gets SIGKILL after the grace period", async () => {
  const started = Date.now();
  const r = await spawnCapture({
    cmd: "sh",
    args: ["-c", 'trap "" TERM; exec sleep 30'],
    timeoutMs: 100,
    graceMs: 200,
  });
  assert.equal(r.timedOut, true);
  assert.equal(r.signal, "SIGKILL");
  assert.equal(r.code, 137);
  assert.ok(Date.now() - started < 10_000);
});

Deno.test("spawnCapture: a missing program is a CommandNotFoundError (127)", async () => {
  await assert.rejects(
    () => spawnCapture({ cmd: "parsd-no-such-program-xyz" }),
    (e) => e instanceof CommandNotFoundError && e.exitCode === 127,
  );
});

Deno.test("spawnCapture reports the pid once the program runs", async () => {
  let pid = 0;
  const r = await spawnCapture({ cmd: "sh", args: ["-c", "echo $$"], onSpawn: (p) => pid = p });
  assert.equal(r.stdout.trim(), String(pid));
});

// ---------------------------------------------------------------------------
// Files

Deno.test("writeTextAtomic writes with the mode and leaves no temporary; 73 when it cannot", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "SHA256SUMS");
    await writeTextAtomic(path, "one\n");
    await writeTextAtomic(path, "two\n", 0o600);
    assert.equal(await Deno.readTextFile(path), "two\n");
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["SHA256SUMS"]);
    await assert.rejects(() => writeTextAtomic(join(dir, "no", "x"), "x"), {
      exitCode: 73,
      message: new RegExp(`^cannot write ${join(dir, "no", "x")}: `),
    });
  });
});

Deno.test("produceAtomically: the result appears with its mode; a failed fill leaves dest alone", async () => {
  await withTempDir(async (dir) => {
    const dest = join(dir, "bin");
    await Deno.writeTextFile(dest, "old");
    await assert.rejects(
      () =>
        produceAtomically(dest, 0o755, async (tmp) => {
          await Deno.writeTextFile(tmp, "half");
          throw new ScriptError(70, "build failed");
        }),
      { exitCode: 70 },
    );
    assert.equal(await Deno.readTextFile(dest), "old");
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["bin"]);
    await produceAtomically(dest, 0o755, (tmp) => Deno.writeTextFile(tmp, "new"));
    assert.equal(await Deno.readTextFile(dest), "new");
    assert.equal((await Deno.stat(dest)).mode! & 0o777, 0o755);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["bin"]);
  });
});

Deno.test("ensureDir creates parents with the mode and says why it cannot (73)", async () => {
  await withTempDir(async (dir) => {
    await ensureDir(join(dir, "a", "b"));
    await ensureDir(join(dir, "a", "b"));
    assert.equal((await Deno.stat(join(dir, "a", "b"))).mode! & 0o777, 0o700);
    await Deno.writeTextFile(join(dir, "file"), "");
    await assert.rejects(() => ensureDir(join(dir, "file", "sub")), {
      exitCode: 73,
      message: new RegExp(`^cannot create ${join(dir, "file", "sub")}: `),
    });
  });
});

// ---------------------------------------------------------------------------
// Every script, one way of failing

const SCRIPTS: [string, string[], string][] = [
  ["build_plugin.ts", ["evm"], "build"],
  ["build_luxd.ts", [], "build"],
  ["build_e2e_node.ts", [], "e2e-node"],
  ["compile.ts", [], "compile"],
  ["bench.ts", [], "bench"],
];

Deno.test("every script: an unknown flag is one error line, the --help hint, exit 64", async (t) => {
  for (const [file, args, name] of SCRIPTS) {
    await t.step(file, async () => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-all", join(REPO_ROOT, "scripts", file), ...args, "--bogus"],
        env: { NO_COLOR: "1" },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(out.code, 64);
      assert.equal(new TextDecoder().decode(out.stdout), "");
      assert.equal(
        new TextDecoder().decode(out.stderr),
        `${name}: error: unknown flag '--bogus'\n${name}: run with --help for usage\n`,
      );
    });
  }
});

Deno.test("every script: --help prints its usage on stdout and exits 0", async (t) => {
  for (const [file, args] of SCRIPTS) {
    await t.step(file, async () => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-all", join(REPO_ROOT, "scripts", file), ...args, "--help"],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      assert.match(new TextDecoder().decode(out.stdout), /^usage: /i);
    });
  }
});

Deno.test("startTaskFlags: the flags between 'deno run' and main.ts; any other task is an error", () => {
  assert.deepEqual(startTaskFlags("deno run -P=parsd --no-prompt main.ts"), [
    "-P=parsd",
    "--no-prompt",
  ]);
  assert.deepEqual(startTaskFlags(" deno run main.ts "), []);
  for (
    const task of [
      undefined,
      "deno run -P=parsd lib/main.ts",
      "deno compile main.ts",
      "node main.ts",
    ]
  ) {
    assert.throws(() => startTaskFlags(task), /start task is not 'deno run … main\.ts'/);
  }
  assert.deepEqual(startFlags().slice(0, 2), ["-P=parsd", "--no-prompt"], "deno.json's start task");
});

Deno.test("shellQuote and shellWord: /bin/sh reads each word back unchanged, bare when safe", async () => {
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
  // A start flag goes into the install launcher as the shell would read it back: bare when safe.
  assert.equal(
    shellWord("--v8-flags=--min-semi-space-size=2"),
    "--v8-flags=--min-semi-space-size=2",
  );
  assert.equal(shellWord("-P=parsd"), "-P=parsd");
  const risky = ["a b", "$HOME", "x;y", "it's", "*", ""];
  for (const w of risky) assert.equal(shellWord(w), shellQuote(w), w);
  const words = ["-P=parsd", ...risky];
  const out = await new Deno.Command("/bin/sh", {
    args: ["-c", `printf '%s\\n' ${words.map(shellWord).join(" ")}`],
    stdout: "piped",
  }).output();
  assert.equal(new TextDecoder().decode(out.stdout), words.map((w) => w + "\n").join(""));
});
