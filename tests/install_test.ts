/**
 * @module
 * Tests of scripts/install.ts: the launcher text, installing it (atomic,
 * 0755, refusing to replace what is not a launcher), and running it: against
 * a small stand-in repository whose main.ts reports its argv, pid, cwd and
 * permissions and traps SIGTERM, and against this repository's main.ts.
 */

import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ScriptSystem } from "../scripts/kit.ts";
import { fakeSystem } from "./fake_system.ts";
import {
  install,
  isParsdLauncher,
  LAUNCHER_MARK,
  launcherScript,
  type LauncherTarget,
  main,
} from "../scripts/install.ts";

const REPO = dirname(dirname(fileURLToPath(import.meta.url)));
const DENO_JSON = JSON.parse(Deno.readTextFileSync(join(REPO, "deno.json"))) as {
  tasks: Record<string, string>;
  permissions: Record<string, unknown>;
};
/** A PATH without deno on it: the launcher must not need one. */
const PATH_WITHOUT_DENO = "/usr/bin:/bin";

/** The stand-in main.ts: reports itself as one JSON line; with `wait`, waits for SIGTERM. */
const STANDIN_MAIN = `
if (Deno.args[0] === "wait") {
  const keepAlive = setInterval(() => {}, 1000);
  Deno.addSignalListener("SIGTERM", () => {
    clearInterval(keepAlive);
    console.log("got SIGTERM");
    Deno.exit(143);
  });
}
const state = (d: Deno.PermissionDescriptor) => Deno.permissions.querySync(d).state;
console.log(JSON.stringify({
  args: Deno.args,
  pid: Deno.pid,
  cwd: Deno.cwd(),
  read: state({ name: "read" }),
  ffi: state({ name: "ffi" }),
  envHome: state({ name: "env", variable: "HOME" }),
  envOther: state({ name: "env", variable: "NOT_IN_THE_SET" }),
}));
`;

interface FakeSys extends ScriptSystem {
  readonly stdout: string[];
  readonly stderr: string[];
}

/** lib's fake System (real files) with this env and cwd; output kept as lines. */
function fakeSys(env: Record<string, string>, cwd: string): FakeSys {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const lines = (into: string[]) => (text: string) =>
    void into.push(...text.replace(/\n$/, "").split("\n"));
  return {
    ...fakeSystem({ env, cwd }).sys,
    run: () => Promise.reject(new Error("install runs no programs")),
    out: lines(stdout),
    err: lines(stderr),
    stdout,
    stderr,
  };
}

async function withTempDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "parsd install 'q' " });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A stand-in repository with the real `parsd` permission set and STANDIN_MAIN. */
async function standinRepo(dir: string): Promise<string> {
  const repo = join(dir, "repo dir 'with' $quotes");
  await Deno.mkdir(repo);
  await Deno.writeTextFile(
    join(repo, "deno.json"),
    JSON.stringify({ permissions: { parsd: DENO_JSON.permissions["parsd"] } }),
  );
  await Deno.writeTextFile(join(repo, "main.ts"), STANDIN_MAIN);
  return repo;
}

function launcherCommand(
  launcher: string,
  args: string[],
  cwd: string,
  home: string,
  env: Record<string, string> = {},
) {
  return new Deno.Command(launcher, {
    args,
    cwd,
    clearEnv: true,
    env: { PATH: PATH_WITHOUT_DENO, HOME: home, ...env },
    stdout: "piped",
    stderr: "piped",
  });
}

Deno.test("launcherScript() execs the absolute deno with the parsd permission set", () => {
  const target = { deno: "/opt/deno's bin/deno", repo: "/src/pars d" };
  const text = launcherScript(target);
  const lines = text.split("\n");
  assert.equal(lines[0], "#!/bin/sh");
  assert.equal(lines[1], LAUNCHER_MARK);
  assert.ok(lines.includes(`deno='/opt/deno'\\''s bin/deno'`), text);
  assert.ok(lines.includes("repo='/src/pars d'"), text);
  assert.ok(
    lines.includes(
      'exec "$deno" run --quiet --config "$repo/deno.json" -P=parsd --no-prompt ' +
        '--v8-flags=--min-semi-space-size=2 "$repo/main.ts" "$@"',
    ),
    text,
  );
  assert.equal(isParsdLauncher(text), true);
  assert.equal(isParsdLauncher("#!/bin/sh\necho hi\n"), false);
});

Deno.test("install writes a 0755 launcher atomically and it runs parsd as the start task would", async (t) => {
  await withTempDir(async (dir) => {
    const repo = await standinRepo(dir);
    const target: LauncherTarget = { deno: Deno.execPath(), repo };
    const bin = join(dir, "bin");
    const sys = fakeSys({ HOME: dir, PATH: PATH_WITHOUT_DENO }, dir);
    assert.equal(await install(sys, ["--dir", bin], target), 0);
    const launcher = join(bin, "parsd");

    await t.step("the file: launcher text, mode 0755, no temporary left", async () => {
      assert.equal(await Deno.readTextFile(launcher), launcherScript(target));
      assert.equal((await Deno.stat(launcher)).mode! & 0o777, 0o755);
      const names = [];
      for await (const e of Deno.readDir(bin)) names.push(e.name);
      assert.deepEqual(names, ["parsd"]);
      assert.deepEqual(sys.stdout, [
        `installed ${launcher}`,
        `  runs ${join(repo, "main.ts")} with ${Deno.execPath()}`,
        `note: ${bin} is not on PATH; add it, e.g. export PATH="${bin}:$PATH"`,
      ]);
    });

    await t.step("argv passes through, cwd is kept, the permission set is in force", async () => {
      const work = join(dir, "work dir");
      await Deno.mkdir(work);
      const args = ["status", "a b", "", "$HOME", "it's", "--json"];
      const r = await launcherCommand(launcher, args, work, dir).output();
      const stderr = new TextDecoder().decode(r.stderr);
      assert.equal(r.code, 0, stderr);
      assert.equal(stderr, "", "no Deno warning on stderr");
      const report = JSON.parse(new TextDecoder().decode(r.stdout));
      assert.deepEqual(report.args, args);
      assert.equal(report.cwd, work);
      assert.equal(report.read, "granted");
      assert.equal(report.envHome, "granted");
      assert.notEqual(report.envOther, "granted");
      assert.notEqual(report.ffi, "granted");
    });

    await t.step("the launcher's pid is deno's, and SIGTERM sent to it reaches parsd", async () => {
      const p = launcherCommand(launcher, ["wait"], dir, dir).spawn();
      const reader = p.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let out = "";
      while (!out.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) break;
        out += value;
      }
      assert.equal(JSON.parse(out.split("\n")[0]!).pid, p.pid, "exec kept the pid");
      p.kill("SIGTERM");
      while (true) {
        const { value, done } = await reader.read();
        if (done) break;
        out += value;
      }
      const status = await p.status;
      await p.stderr.cancel();
      assert.deepEqual([status.code, status.signal], [143, null], "parsd trapped it and exited");
      assert.match(out, /\ngot SIGTERM\n$/);
    });
  });
});

Deno.test("the launcher says so (exit 127) when its deno or its repository is gone", async (t) => {
  await withTempDir(async (dir) => {
    const repo = await standinRepo(dir);
    const cases: [string, LauncherTarget, RegExp][] = [
      ["deno gone", { deno: join(dir, "no-deno"), repo }, /^parsd: deno is gone from /],
      [
        "repository gone",
        { deno: Deno.execPath(), repo: join(dir, "moved") },
        /^parsd: the parsd repository is gone from /,
      ],
    ];
    for (const [name, target, message] of cases) {
      await t.step(name, async () => {
        const bin = join(dir, name);
        assert.equal(await install(fakeSys({ HOME: dir }, dir), ["--dir", bin], target), 0);
        const r = await launcherCommand(join(bin, "parsd"), [], dir, dir).output();
        assert.equal(r.code, 127);
        assert.match(new TextDecoder().decode(r.stderr), message);
      });
    }
  });
});

Deno.test("install refuses to replace a file that is not a parsd launcher, unless --force", async (t) => {
  await withTempDir(async (dir) => {
    const bin = join(dir, "bin");
    const launcher = join(bin, "parsd");
    await Deno.mkdir(bin);
    const target = { deno: Deno.execPath(), repo: REPO };
    const run = async (...argv: string[]) => {
      const sys = fakeSys({ HOME: dir, PATH: bin }, dir);
      const code = await main(["--dir", bin, ...argv], sys);
      return { code, out: sys.stdout, err: sys.stderr };
    };
    // main() installs this repository's launcher; pin the expectation to it.
    const expected = launcherScript({ ...target, repo: REPO });

    await t.step("another program: exit 73, left alone", async () => {
      await Deno.writeTextFile(launcher, "#!/bin/sh\necho mine\n", { mode: 0o755 });
      const r = await run();
      assert.equal(r.code, 73);
      assert.deepEqual(r.err, [
        `install: error: refusing to replace ${launcher}: it is not a parsd launcher (pass --force to replace it)`,
      ]);
      assert.equal(await Deno.readTextFile(launcher), "#!/bin/sh\necho mine\n");
    });
    await t.step("--force replaces it", async () => {
      const r = await run("--force");
      assert.equal(r.code, 0, r.err.join("\n"));
      assert.equal(r.out[0], `replaced ${launcher}`);
      assert.equal(r.out.length, 2, "no PATH note: bin is on PATH");
      assert.equal(await Deno.readTextFile(launcher), expected);
    });
    await t.step("an earlier launcher is replaced without --force", async () => {
      await Deno.writeTextFile(launcher, `#!/bin/sh\n${LAUNCHER_MARK}\nexec old\n`);
      const r = await run();
      assert.equal(r.code, 0, r.err.join("\n"));
      assert.equal(await Deno.readTextFile(launcher), expected);
    });
    await t.step("a symlink, even to a launcher, is not replaced without --force", async () => {
      await Deno.rename(launcher, join(dir, "real"));
      await Deno.symlink(join(dir, "real"), launcher);
      assert.equal((await run()).code, 73);
      assert.equal((await Deno.lstat(launcher)).isSymlink, true);
      assert.equal((await run("--force")).code, 0);
      assert.equal((await Deno.lstat(launcher)).isFile, true);
    });
    await t.step(
      "a directory in the way: exit 73 even with --force, and no temporary left",
      async () => {
        await Deno.remove(launcher);
        await Deno.mkdir(launcher);
        await Deno.writeTextFile(join(launcher, "keep"), "");
        const r = await run("--force");
        assert.equal(r.code, 73);
        assert.match(r.err[0]!, /^install: error: cannot put .*parsd in place: /);
        const names = [];
        for await (const e of Deno.readDir(bin)) names.push(e.name);
        assert.deepEqual(names, ["parsd"]);
      },
    );
  });
});

Deno.test("install's command line: default dir, usage errors", async (t) => {
  await withTempDir(async (dir) => {
    await t.step("default ~/.local/bin, created", async () => {
      const sys = fakeSys({ HOME: dir }, "/");
      assert.equal(await main([], sys), 0, sys.stderr.join("\n"));
      assert.ok(isParsdLauncher(await Deno.readTextFile(join(dir, ".local", "bin", "parsd"))));
    });
    await t.step(
      "a relative --dir is relative to the user's cwd",
      async () => {
        const sys = fakeSys({ HOME: dir }, dir);
        assert.equal(await main(["--dir=rel"], sys), 0, sys.stderr.join("\n"));
        assert.ok(isParsdLauncher(await Deno.readTextFile(join(dir, "rel", "parsd"))));
      },
    );
    const usage: [string, string[], Record<string, string>, number, string][] = [
      ["unknown flag", ["--bogus"], { HOME: dir }, 64, "install: error: unknown flag '--bogus'"],
      ["stray argument", ["here"], { HOME: dir }, 64, "install: error: unexpected argument 'here'"],
      [
        "--dir without value",
        ["--dir"],
        { HOME: dir },
        64,
        "install: error: flag --dir needs a value",
      ],
      [
        "no HOME and no --dir",
        [],
        {},
        78,
        "install: error: HOME is not set, so the default ~/.local/bin is unknown; set HOME or pass --dir",
      ],
    ];
    for (const [name, argv, env, code, message] of usage) {
      await t.step(`${name}: exit ${code}`, async () => {
        const sys = fakeSys(env, dir);
        assert.equal(await main(argv, sys), code);
        assert.equal(sys.stderr[0], message);
      });
    }
    await t.step("--help: usage, exit 0", async () => {
      const sys = fakeSys({}, dir);
      assert.equal(await main(["--help"], sys), 0);
      assert.match(sys.stdout[0]!, /^usage: deno task install \[--dir DIR\] \[--force\]/);
    });
  });
});

Deno.test("deno task install --dir bin (relative to the caller's cwd), then 'parsd help' through the launcher, exits 0", async (t) => {
  if (DENO_JSON.tasks["install"] === undefined) {
    await t.step({ name: "skipped: deno.json has no install task", ignore: true, fn: () => {} });
    return;
  }
  // The deno dir holds the npm packages deno.json's imports name: with HOME a temp dir, deno
  // would look for them there and try to download them.
  const info = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).output();
  const denoDir = { DENO_DIR: JSON.parse(new TextDecoder().decode(info.stdout)).denoDir };
  await withTempDir(async (dir) => {
    const task = await new Deno.Command(Deno.execPath(), {
      args: ["task", "--quiet", "--config", join(REPO, "deno.json"), "install", "--dir", "bin"],
      cwd: dir,
      // A clean environment: under 'deno task test' an inherited INIT_CWD would name the repo.
      clearEnv: true,
      env: { HOME: dir, PATH: "/usr/bin:/bin", ...denoDir },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(task.code, 0, new TextDecoder().decode(task.stderr));
    const launcher = join(dir, "bin", "parsd");
    assert.equal(
      await Deno.readTextFile(launcher),
      launcherScript({ deno: Deno.execPath(), repo: REPO }),
    );
    const r = await launcherCommand(launcher, ["help"], dir, dir, denoDir).output();
    assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
    assert.match(new TextDecoder().decode(r.stdout), /parsd/);
  });
});
