/**
 * @module
 * Tests of scripts/compile.ts: the pure core (targets, argv, URLs, SHA256SUMS
 * through lib's `formatSha256Sums`, read back by lib's parser),
 * the shell with injected side effects, and the real script as a subprocess —
 * including one real `deno compile` with the deno binary itself as DENORT_BIN.
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { ExitCode, ParsdError } from "../lib/errors.ts";
import { statFacts } from "../lib/os/files.ts";
import { formatSha256Sums, parseSha256Sums } from "../lib/plugins/sums.ts";
import {
  compileArgs,
  type CompileDeps,
  denortCachePath,
  denortUrl,
  formatSize,
  main,
  outputName,
  parseCompileArgs,
  PERMISSION_SET,
  probeUrl,
  SUMS_FILE,
  TARGETS,
} from "../scripts/compile.ts";
import { REPO_ROOT, startFlags, tailLines } from "../scripts/kit.ts";
import { fakeSystem } from "./fake_system.ts";

const SCRIPT = join(REPO_ROOT, "scripts", "compile.ts");
const ONE = "x86_64-unknown-linux-gnu";

/** Runs the real script in `cwd` with `env` added (the compile variables cleared first). */
async function runScript(args: string[], env: Record<string, string>, cwd = REPO_ROOT) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", SCRIPT, ...args],
    cwd,
    env: {
      INIT_CWD: "",
      DENORT_BIN: "",
      PARSD_DENORT_BASE_URL: "",
      PARSD_COMPILE_PROBE_TIMEOUT_MS: "",
      PARSD_COMPILE_TIMEOUT_MS: "",
      NO_COLOR: "1",
      ...env,
    },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** A loopback port with nothing listening on it (fetch refuses port 9 outright). */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

const exists = async (path: string) => (await statFacts(path)) !== undefined;

function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

interface FakeRun {
  readonly cmd: string;
  readonly args: readonly string[];
  readonly cwd: string | undefined;
  readonly env: Readonly<Record<string, string>> | undefined;
  readonly unset: readonly string[] | undefined;
}

/** Deps whose `deno compile` writes a small file per target, failing for `failOn`. */
function fakeDeps(env: Record<string, string>, failOn?: string) {
  const runs: FakeRun[] = [];
  const out: string[] = [];
  const err: string[] = [];
  const deps: CompileDeps = {
    ...fakeSystem({
      env,
      cwd: REPO_ROOT,
      fetch: () => Promise.resolve(new Response(null, { status: 200 })),
    }).sys,
    execPath: () => "/fake/deno",
    denoVersion: "9.9.9",
    denoDir: () => Promise.resolve(undefined),
    async run(req) {
      const args = req.args ?? [];
      runs.push({ cmd: req.cmd, args, cwd: req.cwd, env: req.env, unset: req.unset });
      const target = args[args.indexOf("--target") + 1] ?? "";
      const ok = { code: 0, signal: null, stdout: "", stderr: "", timedOut: false };
      if (target === failOn) {
        return {
          ...ok,
          code: 1,
          stdout: "line 1\n",
          stderr: "line 2\n\x1b[31merror\x1b[0m: boom\n",
        };
      }
      await Deno.writeTextFile(args[args.indexOf("--output") + 1] ?? "", `binary for ${target}`);
      return ok;
    },
    out: (text) => void out.push(...text.replace(/\n$/, "").split("\n")),
    err: (text) => void err.push(...text.replace(/\n$/, "").split("\n")),
  };
  return { deps, runs, out, err };
}

/** The targets deno itself accepts for `deno compile --target`, from its own error message. */
async function denoCompileTargets(): Promise<string[]> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["compile", "--target", "parsd-no-such-target", "main.ts"],
    cwd: REPO_ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const m = /possible values: ([^\n]+)/.exec(new TextDecoder().decode(r.stderr));
  assert.ok(m, "deno compile did not list its targets");
  return m[1]!.split(",").map((t) => t.trim());
}

Deno.test("builds all five targets by default, in a fixed order", () => {
  assert.deepEqual(parseCompileArgs([]).targets, [
    "x86_64-unknown-linux-gnu",
    "aarch64-unknown-linux-gnu",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    "x86_64-pc-windows-msvc",
  ]);
  assert.equal(parseCompileArgs([]).out, undefined);
});

Deno.test("every target is one deno compile accepts (deno's own list, not ours)", async () => {
  const accepted = await denoCompileTargets();
  assert.ok(accepted.length >= 5, accepted.join(", "));
  for (const t of TARGETS) assert.ok(accepted.includes(t), `deno compile does not accept ${t}`);
});

Deno.test("the README's 'Single binaries' section lists exactly the targets built", async () => {
  const readme = await Deno.readTextFile(join(REPO_ROOT, "README.md"));
  const section = /^## Single binaries\n([\s\S]*?)^## /m.exec(readme)?.[1];
  assert.ok(section !== undefined, "README has no 'Single binaries' section");
  const first = section.split(/\n\n/)[0]!;
  const listed = new Set(first.match(/\b(?:x86_64|aarch64)-[a-z0-9]+-[a-z0-9]+(?:-[a-z0-9]+)?\b/g));
  assert.deepEqual([...listed].sort(), [...TARGETS].sort());
});

Deno.test("--target picks a subset: repeatable, comma-separated, de-duplicated", () => {
  assert.deepEqual(
    parseCompileArgs(["--target", "x86_64-pc-windows-msvc", "--target=aarch64-apple-darwin"])
      .targets,
    ["aarch64-apple-darwin", "x86_64-pc-windows-msvc"],
  );
  assert.deepEqual(
    parseCompileArgs([
      "--target",
      "aarch64-unknown-linux-gnu,x86_64-unknown-linux-gnu",
      "--target",
      ONE,
    ])
      .targets,
    ["x86_64-unknown-linux-gnu", "aarch64-unknown-linux-gnu"],
  );
  assert.equal(parseCompileArgs(["--out", "/tmp/x"]).out, "/tmp/x");
  assert.equal(parseCompileArgs(["--out=rel/dir"]).out, "rel/dir");
  assert.equal(parseCompileArgs(["-h"]).help, true);
});

Deno.test("unknown targets, options and missing values are usage errors (exit 64)", () => {
  for (
    const argv of [["--target", "x86_64-linux"], ["--target"], ["--out"], ["--fast"], ["main.ts"]]
  ) {
    assert.throws(
      () => parseCompileArgs(argv),
      (e) => e instanceof ParsdError && e.exitCode === ExitCode.usage,
      argv.join(" "),
    );
  }
  assert.throws(() => parseCompileArgs(["--target", "sparc"]), {
    message: `unknown target 'sparc'; expected one of ${TARGETS.join(", ")}`,
  });
});

Deno.test("the script rejects an unknown target with one error line, the hint, exit 64", async () => {
  const r = await runScript(["--target", "riscv64-unknown-linux-gnu"], {});
  assert.equal(r.code, 64);
  assert.equal(
    r.stderr,
    `compile: error: unknown target 'riscv64-unknown-linux-gnu'; expected one of ` +
      `${TARGETS.join(", ")}\ncompile: run with --help for usage\n`,
  );
});

Deno.test("binaries are named parsd-<target>, with .exe only for Windows", () => {
  assert.deepEqual(TARGETS.map(outputName), [
    "parsd-x86_64-unknown-linux-gnu",
    "parsd-aarch64-unknown-linux-gnu",
    "parsd-x86_64-apple-darwin",
    "parsd-aarch64-apple-darwin",
    "parsd-x86_64-pc-windows-msvc.exe",
  ]);
});

Deno.test("deno compile gets the permission set, the target, the output, the hash worker, the commands and main.ts", () => {
  const outDir = join("/", "build", "out");
  assert.deepEqual(compileArgs("x86_64-pc-windows-msvc", outDir), [
    "compile",
    "-P=parsd",
    "--no-prompt",
    "--v8-flags=--min-semi-space-size=2",
    "--target",
    "x86_64-pc-windows-msvc",
    "--output",
    join(outDir, "parsd-x86_64-pc-windows-msvc.exe"),
    "--include",
    "lib/os/hash_worker.ts",
    "main.ts",
  ]);
  for (const t of TARGETS) {
    const args = compileArgs(t, outDir);
    assert.equal(args.at(-1), "main.ts");
    for (const a of args) {
      assert.ok(!/^(-A|--allow-|--no-check|--check)/.test(a), `unexpected flag ${a}`);
      assert.ok(!/^-[A-Z]$/.test(a), `unexpected short flag ${a}`);
    }
  }
});

Deno.test("the compile task runs this script and the permission set it bakes in is deno.json's", async () => {
  const config = JSON.parse(await Deno.readTextFile(join(REPO_ROOT, "deno.json"))) as {
    tasks: Record<string, string>;
    permissions: Record<string, unknown>;
  };
  assert.match(config.tasks["compile"] ?? "", /^deno run .*scripts\/compile\.ts$/);
  assert.ok(
    Object.hasOwn(config.permissions, PERMISSION_SET),
    `deno.json has no permission set '${PERMISSION_SET}'`,
  );
  // The start task and the binaries use the same single definition.
  assert.ok((config.tasks["start"] ?? "").includes(`-P=${PERMISSION_SET}`));
  assert.ok(compileArgs(ONE, "dist").includes(`-P=${PERMISSION_SET}`));
});

Deno.test("denort is probed at the URL deno compile downloads it from", () => {
  assert.equal(
    denortUrl("2.9.6", "aarch64-apple-darwin"),
    "https://dl.deno.land/release/v2.9.6/denort-aarch64-apple-darwin.zip",
  );
  assert.equal(
    denortUrl("2.9.6", ONE, "http://127.0.0.1:8/mirror"),
    "http://127.0.0.1:8/mirror/release/v2.9.6/denort-x86_64-unknown-linux-gnu.zip",
  );
  assert.equal(
    denortCachePath("/deno", "2.9.6", ONE),
    join("/deno", "dl", "release", "v2.9.6", "denort-x86_64-unknown-linux-gnu.zip"),
  );
});

Deno.test("SHA256SUMS is sha256sum's format (lib's formatter), and lib's parser reads it back", () => {
  const a = "a".repeat(64);
  const b = "0123456789abcdef".repeat(4);
  const entries = [
    { file: "parsd-x86_64-pc-windows-msvc.exe", sha256: a },
    { file: "parsd-aarch64-apple-darwin", sha256: b },
  ];
  const text = formatSha256Sums(entries);
  assert.equal(text, `${b}  parsd-aarch64-apple-darwin\n${a}  parsd-x86_64-pc-windows-msvc.exe\n`);
  assert.deepEqual(parseSha256Sums(text, SUMS_FILE), {
    entries: [{ ...entries[1]!, line: 1 }, { ...entries[0]!, line: 2 }],
    problems: [],
  });
  assert.equal(formatSha256Sums([]), "");
  for (const bad of [{ file: "x", sha256: "A".repeat(64) }, { file: "dist/x", sha256: a }]) {
    assert.throws(() => formatSha256Sums([bad]), TypeError, bad.file);
  }
});

Deno.test("sizes print in B, KiB and MiB; deno's output is shown without colour", () => {
  assert.equal(formatSize(512), "512 B");
  assert.equal(formatSize(3584), "3.5 KiB");
  assert.equal(formatSize(103_179_878), "98.4 MiB");
  assert.deepEqual(tailLines("a\n\n\x1b[1m\x1b[31merror\x1b[0m: x\r\nb\n", 2), ["error: x", "b"]);
});

Deno.test("an unreachable denort download exits 69 fast with the documented message", async () => {
  const port = closedPort();
  const out = await Deno.makeTempDir({ prefix: "parsd-compile-test-" });
  try {
    const r = await runScript(["--target", ONE, "--out", join(out, "dist")], {
      PARSD_DENORT_BASE_URL: `http://127.0.0.1:${port}/`,
      PARSD_COMPILE_PROBE_TIMEOUT_MS: "1500",
      DENO_DIR: join(out, "deno_dir"), // no cached denort, so the download is needed
    });
    const url = `http://127.0.0.1:${port}/release/v${Deno.version.deno}/denort-${ONE}.zip`;
    assert.equal(r.code, 69, r.stderr);
    assert.equal(r.stderr.split("\n").filter((l) => l !== "").length, 1, r.stderr);
    assert.ok(r.stderr.startsWith(`compile: error: cannot reach ${url} (`), r.stderr);
    assert.ok(
      r.stderr.endsWith(
        ") to download denort, the runtime base deno compile needs; build where dl.deno.land " +
          "is reachable (e.g. the release workflow on GitHub), or set DENORT_BIN to a denort " +
          "binary for the target\n",
      ),
      r.stderr,
    );
    assert.ok(!(await exists(join(out, "dist"))), "nothing is written before the probe passes");
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("a download server that never answers fails the probe at its timeout", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) held.push(conn);
  })();
  try {
    const url = `http://127.0.0.1:${listener.addr.port}/denort.zip`;
    const result = await probeUrl(url, 200, (u, init) => fetch(u, init));
    assert.deepEqual(result, { reachable: false, reason: "no answer within 200 ms" });
  } finally {
    listener.close();
    await accepting.catch(() => {});
    for (const conn of held) conn.close();
  }
});

Deno.test("DENORT_BIN naming a missing file exits 66 and names it", async () => {
  const r = await runScript(["--target", ONE], { DENORT_BIN: "no/such/denort" });
  assert.equal(r.code, 66);
  assert.match(
    r.stderr,
    /^compile: error: DENORT_BIN 'no\/such\/denort' is not a file \(.+\); name a denort binary\n$/,
  );
});

Deno.test("DENORT_BIN with several targets selected exits 64 and asks for --target", async () => {
  const fake = fakeDeps({ DENORT_BIN: Deno.execPath() });
  assert.equal(await main([], fake.deps), 64);
  assert.deepEqual(fake.err, [
    "compile: error: DENORT_BIN is one denort binary but 5 targets are selected; " +
    "pick the one it is for with --target",
    "compile: run with --help for usage",
  ]);
  assert.equal(fake.runs.length, 0);
});

Deno.test("every target is built from the repo root, then SHA256SUMS lists them all", async () => {
  const out = await Deno.makeTempDir({ prefix: "parsd-compile-test-" });
  try {
    const fake = fakeDeps({});
    assert.equal(await main(["--out", out], fake.deps), 0, fake.err.join("\n"));
    assert.deepEqual(fake.runs.map((r) => r.args), TARGETS.map((t) => compileArgs(t, out)));
    assert.ok(fake.runs.every((r) => r.cwd === REPO_ROOT && r.cmd === "/fake/deno"));
    // Without DENORT_BIN, an inherited empty one must not reach deno compile (it reads '').
    assert.ok(fake.runs.every((r) => r.unset?.join() === "DENORT_BIN" && r.env === undefined));
    const expected = TARGETS.map((t) =>
      `${sha256Hex(new TextEncoder().encode(`binary for ${t}`))}  ${outputName(t)}`
    )
      .sort((a, b) => a.slice(66) < b.slice(66) ? -1 : 1);
    assert.equal(await Deno.readTextFile(join(out, SUMS_FILE)), expected.join("\n") + "\n");
    assert.equal(fake.out.length, TARGETS.length + 1);
    assert.match(fake.out[0] ?? "", /parsd-x86_64-unknown-linux-gnu {2}\d+ B$/);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("a failed deno compile prints its last lines, exits 70 and leaves no SHA256SUMS", async () => {
  const out = await Deno.makeTempDir({ prefix: "parsd-compile-test-" });
  try {
    await Deno.writeTextFile(join(out, SUMS_FILE), `${"0".repeat(64)}  parsd-stale\n`);
    const fake = fakeDeps({}, "x86_64-apple-darwin");
    assert.equal(await main(["--out", out], fake.deps), 70);
    assert.deepEqual(fake.err.slice(-4), [
      "  line 1",
      "  line 2",
      "  error: boom",
      "compile: error: deno compile for x86_64-apple-darwin failed (exit 1)",
    ]);
    assert.equal(fake.runs.length, 3, "stops at the first failure");
    assert.ok(!(await exists(join(out, SUMS_FILE))), "no SHA256SUMS after a failure");
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("a real deno compile (deno itself as DENORT_BIN) bakes in -P=parsd and sha256sum -c passes", async () => {
  const work = await Deno.makeTempDir({ prefix: "parsd-compile-test-" });
  try {
    // --out is relative: it resolves against the cwd, while main.ts is found from the script.
    const r = await runScript(
      ["--target", ONE, "--out", "out"],
      { DENORT_BIN: Deno.execPath() },
      work,
    );
    assert.equal(r.code, 0, r.stderr);
    const dist = join(work, "out");
    const binary = join(dist, outputName(ONE));
    assert.match(r.stdout, /^out\/parsd-x86_64-unknown-linux-gnu {2}\d+\.\d MiB\n/);

    const sums = await Deno.readTextFile(join(dist, SUMS_FILE));
    assert.match(sums, /^[0-9a-f]{64} {2}parsd-x86_64-unknown-linux-gnu\n$/);
    const names = [...Deno.readDirSync(dist)].map((e) => e.name).sort();
    assert.deepEqual(names, [SUMS_FILE, outputName(ONE)].sort(), "no temp files left behind");

    let checked = false;
    try {
      const check = await new Deno.Command("sha256sum", { args: ["-c", SUMS_FILE], cwd: dist })
        .output();
      assert.equal(check.code, 0, new TextDecoder().decode(check.stderr));
      assert.equal(new TextDecoder().decode(check.stdout), `${outputName(ONE)}: OK\n`);
      checked = true;
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    if (!checked) {
      assert.equal(sums.slice(0, 64), sha256Hex(await Deno.readFile(binary)));
    }

    // The binary's embedded metadata carries deno.json's permission set and no prompting.
    type Grant = boolean | string[] | undefined;
    const config = JSON.parse(await Deno.readTextFile(join(REPO_ROOT, "deno.json"))) as {
      permissions: Record<string, Record<"env" | "sys" | "net" | "ffi", Grant>>;
    };
    const set = config.permissions[PERMISSION_SET];
    assert.ok(set !== undefined);
    // deno compile embeds a list as the list, `true` as [] (all), and `false` or nothing as null.
    const embedded = (g: Grant) => Array.isArray(g) ? g : g === true ? [] : null;
    const meta = embeddedPermissions(await Deno.readFile(binary));
    for (const kind of ["env", "sys", "net", "ffi"] as const) {
      assert.deepEqual(meta[`allow_${kind}`], embedded(set[kind]), `allow_${kind}`);
    }
    assert.equal(meta["prompt"], false);

    // And the start task's V8 flags, as the start task runs parsd.
    const v8 = /"v8_flags":(\[[^\]]*\])/.exec(
      new TextDecoder("latin1").decode(await Deno.readFile(binary)),
    );
    assert.ok(v8 !== null, "no v8_flags in the binary's metadata");
    const v8Flags = JSON.parse(v8[1]!) as string[];
    for (const flag of startFlags().filter((f) => f.startsWith("--v8-flags="))) {
      for (const one of flag.slice("--v8-flags=".length).split(",")) {
        assert.ok(v8Flags.includes(one), `${one} is not in the binary's V8 flags ${v8Flags}`);
      }
    }

    // The command modules, loaded by dynamic import(), and the hash worker are embedded.
    const bytes = await Deno.readFile(binary);
    const index = new TextDecoder("latin1").decode(bytes);
    assert.equal(
      index.split('{"File":{"n":"main.ts"').length - 1,
      2,
      "main.ts and lib/cli/main.ts",
    );
    assert.ok(index.includes('{"File":{"n":"hash_worker.ts"'), "lib/os/hash_worker.ts is embedded");
    const embeddedCommands = embeddedDir(bytes, "commands");
    for (const entry of Deno.readDirSync(join(REPO_ROOT, "lib", "cli", "commands"))) {
      assert.ok(
        embeddedCommands.includes(entry.name),
        `lib/cli/commands/${entry.name} is not embedded: ${embeddedCommands}`,
      );
    }
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

/** The file names in a directory of a compiled binary's embedded file system (its JSON index). */
function embeddedDir(bytes: Uint8Array, dir: string): string[] {
  const text = new TextDecoder("latin1").decode(bytes);
  const start = text.indexOf(`{"Dir":{"n":${JSON.stringify(dir)},"e":[`);
  if (start < 0) return [];
  const entries = text.slice(start, text.indexOf("}}]}}", start));
  return [...entries.matchAll(/"File":\{"n":"([^"]+)"/g)].map((m) => m[1]!);
}

/** The `"permissions":{…}` object of a compiled binary's metadata. */
function embeddedPermissions(bytes: Uint8Array): Record<string, unknown> {
  const needle = new TextEncoder().encode('"permissions":{"allow_env"');
  let at = bytes.indexOf(needle[0] ?? 0);
  while (at >= 0 && !needle.every((b, j) => bytes[at + j] === b)) {
    at = bytes.indexOf(needle[0] ?? 0, at + 1);
  }
  assert.ok(at >= 0, "no permissions metadata in the binary");
  const start = at + '"permissions":'.length;
  let depth = 0;
  let end = start;
  for (; end < bytes.length; end++) {
    if (bytes[end] === 0x7b) depth++;
    else if (bytes[end] === 0x7d && --depth === 0) break;
  }
  return JSON.parse(new TextDecoder().decode(bytes.subarray(start, end + 1)));
}
