/**
 * @module
 * Tests of `scripts/kit.ts`, what the scripts need on top of lib: flag
 * parsing (node:util's parseArgs, mistakes as one UsageError), paths by
 * parsd's rules, `runMain`'s errors, exit codes and interrupts through lib's
 * signal source, the process call, atomic writes — and, run as subprocesses,
 * that every script reports a usage error the same way.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  CommandNotFoundError,
  ExitCode,
  ParsdError,
  SoftwareError,
  UsageError,
} from "../lib/errors.ts";
import type { SignalSource } from "../lib/os/signals.ts";
import { parseFlags, positiveInt } from "../scripts/flags.ts";
import {
  cacheRoot,
  ensureDir,
  interruptSignals,
  parsdArgv,
  produceAtomically,
  REPO_ROOT,
  reportError,
  runMain,
  safeName,
  scriptDataDir,
  type ScriptSystem,
  shellQuote,
  shellWord,
  startFlags,
  startTaskFlags,
  tailLines,
  userPath,
  writeTextAtomic,
} from "../scripts/kit.ts";
import { spawnCapture } from "../scripts/run.ts";
import { fakeSystem } from "./fake_system.ts";
import { withTempDir } from "./helpers.ts";

const SPEC = {
  values: ["out", "data-dir"],
  lists: ["target"],
  booleans: ["force", "no-pin"],
} as const;

const parse = (argv: string[]) => parseFlags(argv, SPEC);

/** A System with this environment and cwd (lib's fake: real files, nothing else). */
const sysWith = (env: Record<string, string>, cwd = "/work") => fakeSystem({ env, cwd }).sys;

// ---------------------------------------------------------------------------
// parseFlags

Deno.test("parseFlags reads values, lists, booleans, help and positionals", async (t) => {
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

Deno.test("parseFlags: every command-line mistake is a UsageError (exit 64) saying what", async (t) => {
  const cases: [string[], string[]][] = [
    [["--bogus"], ["unknown flag '--bogus'"]],
    [["--bogus=1", "--bogus"], ["unknown flag '--bogus'"]],
    [["-x"], ["unknown flag '-x'"]],
    [["--out"], ["flag --out needs a value"]],
    [["--out="], ["flag --out needs a value"]],
    [["--out", "--force"], ["flag --out needs a value"]],
    [["--target"], ["flag --target needs a value"]],
    [["--force=yes"], ["flag --force takes no value"]],
    [["--out", "a", "--out=b"], ["flag --out given twice"]],
    [["--force", "--force"], ["flag --force given twice"]],
    [["--bogus", "--out"], ["unknown flag '--bogus'", "flag --out needs a value"]],
  ];
  for (const [argv, problems] of cases) {
    await t.step(argv.join(" "), () => {
      assert.throws(() => parse(argv), (e) => {
        assert.ok(e instanceof UsageError);
        assert.equal(e.exitCode, 64);
        assert.deepEqual(e.problems, problems);
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
  assert.equal(scriptDataDir(sysWith(env), undefined), "/home/u/p");
  assert.equal(scriptDataDir(sysWith(env), "~/q"), "/home/u/q");
  assert.equal(
    scriptDataDir(sysWith({ HOME: "/home/u", PARS_DATA_DIR: "~" }), undefined),
    "/home/u",
  );
});

Deno.test("scriptDataDir: flag over PARS_DATA_DIR over ~/.pars; relative to the user's cwd", () => {
  const home = { HOME: "/home/u" };
  const dd = (env: Record<string, string>, flag?: string) => scriptDataDir(sysWith(env), flag);
  assert.equal(dd(home), "/home/u/.pars");
  assert.equal(dd({ ...home, PARS_DATA_DIR: "" }), "/home/u/.pars");
  assert.equal(dd({ ...home, PARS_DATA_DIR: "d" }), "/work/d");
  assert.equal(dd({ ...home, PARS_DATA_DIR: "/e" }, "f"), "/work/f");
  assert.equal(dd(home, "/abs/../x"), "/x");
  // "~x" is not a home path: it is a relative name, as in parsd.
  assert.equal(dd(home, "~x"), "/work/~x");
  // Under deno task, the user's cwd is INIT_CWD (lib's userCwd), not the process's.
  assert.equal(dd({ ...home, INIT_CWD: "/home/u/src" }, "d"), "/home/u/src/d");
});

Deno.test("paths: HOME is required only where a path needs it (ConfigError, 78)", () => {
  assert.equal(scriptDataDir(sysWith({}), "/d"), "/d");
  assert.equal(userPath(sysWith({}), "rel"), "/work/rel");
  assert.throws(() => scriptDataDir(sysWith({}), undefined), {
    exitCode: 78,
    message:
      "HOME is not set, so the default data dir ~/.pars is unknown; set HOME or give the path explicitly",
  });
  assert.throws(() => userPath(sysWith({}), "~/x"), {
    exitCode: 78,
    message: /^HOME is not set, so '~\/x' cannot be expanded; /,
  });
  assert.equal(userPath(sysWith({ HOME: "/h" }), "~/x"), "/h/x");
});

Deno.test("cacheRoot: $XDG_CACHE_HOME/parsd if absolute, else ~/.cache/parsd", () => {
  assert.equal(cacheRoot(sysWith({ HOME: "/h" })), "/h/.cache/parsd");
  assert.equal(cacheRoot(sysWith({ HOME: "/h", XDG_CACHE_HOME: "/x" })), "/x/parsd");
  assert.equal(cacheRoot(sysWith({ HOME: "/h", XDG_CACHE_HOME: "rel" })), "/h/.cache/parsd");
  assert.throws(() => cacheRoot(sysWith({})), { exitCode: 78 });
});

Deno.test("safeName keeps version characters and replaces the rest", () => {
  assert.equal(safeName("v1.22.18"), "v1.22.18");
  assert.equal(safeName("a/b c"), "a_b_c");
  assert.equal(safeName("../x"), "__x");
  assert.equal(safeName(""), "_");
});

Deno.test("tailLines: last n non-empty lines, trailing blanks and ANSI colours dropped", () => {
  assert.deepEqual(tailLines("a\n\nb\nc\n", 2), ["b", "c"]);
  assert.deepEqual(tailLines("a\n\n\x1b[1m\x1b[31merror\x1b[0m: x\r\nb  \n \n", 2), [
    "error: x",
    "b",
  ]);
  assert.deepEqual(tailLines("", 3), []);
});

// ---------------------------------------------------------------------------
// Errors and runMain

/** A script's fake seam: lib's fake System, output as lines, signals played by `interrupt`. */
function fakeScript() {
  const out: string[] = [];
  const err: string[] = [];
  const listeners = new Map<Deno.Signal, Set<() => void>>();
  const signals: SignalSource = {
    add: (s, h) => void (listeners.get(s) ?? listeners.set(s, new Set()).get(s)!).add(h),
    remove: (s, h) => void listeners.get(s)?.delete(h),
  };
  const sys: ScriptSystem = {
    ...fakeSystem().sys,
    os: "linux",
    run: spawnCapture,
    out: (t) => void out.push(...t.replace(/\n$/, "").split("\n")),
    err: (t) => void err.push(...t.replace(/\n$/, "").split("\n")),
    signals,
  };
  const subscribed = () => [...listeners.values()].reduce((n, s) => n + s.size, 0);
  const interrupt = (s: Deno.Signal) => listeners.get(s)?.forEach((h) => h());
  return { sys, out, err, subscribed, interrupt };
}

Deno.test("reportError: details, then one error line per problem; usage adds the hint; bugs exit 1", () => {
  const lines: string[] = [];
  const add = (t: string) => void lines.push(...t.replace(/\n$/, "").split("\n"));
  const e = new SoftwareError("go build failed", { details: ["  a.go:1: x"] });
  assert.equal(reportError("build", e, add), 70);
  assert.deepEqual(lines, ["  a.go:1: x", "build: error: go build failed"]);
  lines.length = 0;
  assert.equal(reportError("compile", new UsageError(["bad", "worse"]), add), 64);
  assert.deepEqual(lines, [
    "compile: error: bad",
    "compile: error: worse",
    "compile: run with --help for usage",
  ]);
  lines.length = 0;
  assert.equal(reportError("bench", new TypeError("oops\nmore"), add), 1);
  assert.equal(lines[0], "bench: error: unexpected: oops");
  assert.match(lines[1]!, /^TypeError: oops/, "a bug shows its stack");
  assert.equal(new CommandNotFoundError("go").exitCode, ExitCode.commandNotFound);
  assert.equal(new CommandNotFoundError("go").message, "go not found on PATH");
});

Deno.test("runMain returns the body's code or the error's, and unsubscribes", async () => {
  const f = fakeScript();
  assert.equal(await runMain("s", f.sys, () => Promise.resolve(3)), 3);
  assert.equal(
    await runMain("s", f.sys, () => Promise.reject(new ParsdError(73, "cannot write x"))),
    73,
  );
  assert.deepEqual(f.err, ["s: error: cannot write x"]);
  assert.equal(f.subscribed(), 0);
});

Deno.test("runMain listens for SIGINT and SIGTERM (lib's forwarded signals, narrowed)", () => {
  assert.deepEqual(interruptSignals("linux"), ["SIGINT", "SIGTERM"]);
  assert.deepEqual(interruptSignals("windows"), ["SIGINT"]);
});

Deno.test("runMain: SIGINT stops the running command, lets the body unwind, exits 130", async () => {
  const f = fakeScript();
  let unwound = false;
  let signal: Deno.Signal | null = null;
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
  assert.deepEqual(f.err, [
    "s: interrupted (SIGINT); stopped its commands and removed temporary files",
  ]);
  assert.equal(f.subscribed(), 0);
});

Deno.test("runMain: SIGTERM exits 143 even when the body then fails", async () => {
  const f = fakeScript();
  const code = await runMain("s", f.sys, () => {
    f.interrupt("SIGTERM");
    return Promise.reject(new SoftwareError("go build exited with 143"));
  });
  assert.equal(code, 143);
  assert.equal(f.err.length, 1);
});

// ---------------------------------------------------------------------------
// The process call

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

Deno.test("spawnCapture: unset removes a variable from the inherited environment", async () => {
  const r = await spawnCapture({
    cmd: "/bin/sh",
    args: ["-c", 'echo "${HOME-unset}|${PATH:+path}"'],
    unset: ["HOME"],
  });
  assert.equal(r.stdout, "unset|path\n");
});

Deno.test("spawnCapture stops a command at its timeout: timedOut, 128+15", async () => {
  const r = await spawnCapture({ cmd: "sleep", args: ["30"], timeoutMs: 200 });
  assert.equal(r.timedOut, true);
  assert.equal(r.signal, "SIGTERM");
  assert.equal(r.code, 143);
});

Deno.test("spawnCapture: a program that ignores SIGTERM gets SIGKILL after the grace period", async () => {
  const r = await spawnCapture({
    cmd: "sh",
    args: ["-c", 'trap "" TERM; exec sleep 30'],
    timeoutMs: 100,
    graceMs: 200,
  });
  assert.equal(r.timedOut, true);
  assert.equal(r.signal, "SIGKILL");
  assert.equal(r.code, 137);
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
          throw new SoftwareError("build failed");
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
  ["bench_node.ts", [], "node bench"],
  ["install.ts", [], "install"],
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

Deno.test("every script: --help prints its usage and exit codes on stdout and exits 0", async (t) => {
  for (const [file, args] of SCRIPTS) {
    await t.step(file, async () => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-all", join(REPO_ROOT, "scripts", file), ...args, "--help"],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      const text = new TextDecoder().decode(out.stdout);
      assert.match(text, /^usage: /);
      assert.match(text, /^Exit codes: 0 /m);
    });
  }
});

Deno.test("no script imports from tests/ (the real-node harness lives in scripts/)", async () => {
  for await (const e of Deno.readDir(join(REPO_ROOT, "scripts"))) {
    const text = await Deno.readTextFile(join(REPO_ROOT, "scripts", e.name));
    assert.doesNotMatch(text, /from "\.\.\/tests\//, e.name);
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

Deno.test("parsdArgv runs main.ts with the start task's flags and the repo's deno.json", () => {
  assert.deepEqual(parsdArgv(["help"]), [
    "run",
    ...startFlags(),
    "--config",
    join(REPO_ROOT, "deno.json"),
    join(REPO_ROOT, "main.ts"),
    "help",
  ]);
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
