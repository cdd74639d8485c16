/**
 * @module
 * Tests of `scripts/build_plugin.ts` and `scripts/build_luxd.ts` (with their
 * shared `scripts/go_build.ts`): the pure helpers, and the scripts run as
 * subprocesses against the tiny Go module in `tests/fixtures/fakeplugin`,
 * a local `file://` module proxy, and the real Go module proxy.
 *
 * The Go build cache is the user's (only added to); module downloads go to a
 * temporary GOMODCACHE that is cleaned with `go clean -modcache`.
 *
 * The real-proxy tests first ask the proxy (cheaply, `go list -m`) which
 * world they are in, then assert one definite outcome; the test for the
 * other world is reported as ignored, with the reason in its name.
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  compareGoVersions,
  goBuildArgs,
  goEnv,
  goFailure,
  goInstallArgs,
  goInstallEnv,
  goTooOld,
  type ModuleProbe,
  parseGoDirective,
  parseModDownload,
  probeModule,
} from "../scripts/go_build.ts";
import {
  parsePluginArgs,
  pinArgs,
  pinTargetFrom,
  PLUGIN_SOURCES,
  SESSIONVM_VERSION,
} from "../scripts/build_plugin.ts";
import {
  cachedLuxdPath,
  LUXD_MODULE,
  LUXD_VERSIONS,
  parseLuxdArgs,
  shortReason,
  summarizeFailures,
} from "../scripts/build_luxd.ts";
import { parsdArgv } from "../scripts/kit.ts";
import { spawnCapture } from "../scripts/run.ts";
import { fakeSystem } from "./fake_system.ts";

const BUILD_PLUGIN = fileURLToPath(new URL("../scripts/build_plugin.ts", import.meta.url));
const BUILD_LUXD = fileURLToPath(new URL("../scripts/build_luxd.ts", import.meta.url));
const FIXTURE = fileURLToPath(new URL("./fixtures/fakeplugin", import.meta.url));

/** Environment for every script run: no PARS_* leaking in from the user's shell. */
const BASE_ENV = { PARS_DATA_DIR: "", PARS_CONFIG: "", INIT_CWD: "", NO_COLOR: "1" };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(
  script: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<Run> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", script, ...args],
    env: { ...BASE_ENV, ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

const shaOf = async (path: string) =>
  createHash("sha256").update(await Deno.readFile(path)).digest("hex");

async function exists(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, () => false);
}

async function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "parsd-build-test-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function runBinary(path: string): Promise<string> {
  const out = await new Deno.Command(path, { stdout: "piped", stderr: "null" }).output();
  assert.equal(out.code, 0);
  return new TextDecoder().decode(out.stdout);
}

const BUILT = /^built (\S+) (\S+) sha256 ([0-9a-f]{64}) \((\d+) bytes, \d+\.\d s\)$/m;

/** Writes a Go module (go.mod + plugin/main.go) into dir. */
async function writeModule(dir: string, goVersion: string, main: string): Promise<void> {
  await Deno.mkdir(join(dir, "plugin"), { recursive: true });
  await Deno.writeTextFile(join(dir, "go.mod"), `module example.com/broken\n\ngo ${goVersion}\n`);
  await Deno.writeTextFile(join(dir, "plugin", "main.go"), main);
}

// ---------------------------------------------------------------------------
// Pure helpers

Deno.test("compareGoVersions orders go versions, rc before release", () => {
  assert.ok(compareGoVersions("go1.26.8", "1.25.5")! > 0);
  assert.ok(compareGoVersions("go1.24.3", "1.25.5")! < 0);
  assert.equal(compareGoVersions("1.22", "1.22.0"), 0);
  assert.ok(compareGoVersions("go1.21rc1", "1.21.0")! < 0);
  assert.ok(compareGoVersions("go1.21beta1", "1.21rc1")! < 0);
  assert.ok(compareGoVersions("go1.26.8", "9.99")! < 0);
  assert.equal(compareGoVersions("devel go1.27-abc", "1.22"), undefined);
  assert.equal(goTooOld("go1.26.8", "1.25.5", "x/go.mod"), undefined);
  assert.match(goTooOld("go1.26.8", "9.99", "x/go.mod")!, /^x\/go\.mod needs Go 9\.99 or newer/);
});

Deno.test("parseGoDirective reads the go line of a go.mod", () => {
  assert.equal(parseGoDirective("module a\n\ngo 1.25.5\n\nrequire b v1\n"), "1.25.5");
  assert.equal(parseGoDirective("module a\n// go 1.1\ngo 1.22 // comment\n"), "1.22");
  assert.equal(parseGoDirective("module a\n"), undefined);
});

Deno.test("parseModDownload reads Dir and joins Go's multi-line Error", () => {
  const refused = `{
\t"Path": "github.com/luxfi/node",
\t"Version": "v1.22.18",
\t"Error": "github.com/luxfi/node@v1.22.18: reading https://proxy.golang.org/github.com/luxfi/node/@v/v1.22.18.info: 403 Forbidden\\n\\tserver response: This module version is not available."
}`;
  const m = parseModDownload(refused)!;
  assert.equal(m.dir, undefined);
  assert.equal(
    m.error,
    "github.com/luxfi/node@v1.22.18: reading https://proxy.golang.org/github.com/luxfi/node/@v/v1.22.18.info: 403 Forbidden; server response: This module version is not available.",
  );
  const ok = parseModDownload('{"Path":"a","Version":"v1.0.0","Dir":"/m/a@v1.0.0"}\n')!;
  assert.deepEqual(ok, { path: "a", version: "v1.0.0", dir: "/m/a@v1.0.0" });
  assert.equal(parseModDownload("go: no output\n"), undefined);
});

Deno.test("goBuildArgs, goInstallArgs and their env: reproducible flags, local toolchain", () => {
  assert.deepEqual(goBuildArgs("/o/.x.tmp", "./plugin", false), [
    "build",
    "-trimpath",
    "-buildvcs=false",
    "-ldflags=-s -w -buildid=",
    "-o",
    "/o/.x.tmp",
    "./plugin",
  ]);
  assert.equal(goBuildArgs("o", "./main", true)[1], "-mod=mod");
  const envOf = (vars: Record<string, string>) => (name: string) => vars[name];
  assert.deepEqual(goEnv(envOf({}), { cgo: false, modMod: false }), {
    GOTOOLCHAIN: "local",
    CGO_ENABLED: "0",
  });
  assert.deepEqual(
    goEnv(envOf({ GOFLAGS: "-mod=vendor -x", CGO_ENABLED: "0" }), { cgo: true, modMod: true }),
    {
      GOTOOLCHAIN: "local",
      CGO_ENABLED: "0",
      GOFLAGS: "-x -mod=mod",
      GOWORK: "off",
    },
  );
  assert.deepEqual(goInstallArgs("example.com/m/main", "v1.2.3"), [
    "install",
    "-trimpath",
    "-buildvcs=false",
    "-ldflags=-s -w -buildid=",
    "example.com/m/main@v1.2.3",
  ]);
  assert.deepEqual(goInstallEnv(envOf({ GOFLAGS: "-mod=vendor -trimpath" }), "/c/bin", true), {
    GOTOOLCHAIN: "local",
    CGO_ENABLED: "1",
    GOFLAGS: "-trimpath",
    GOWORK: "off",
    GOBIN: "/c/bin",
  });
});

Deno.test("goFailure tells a module Go could not fetch from code that did not build", async (t) => {
  const unavailable: [string, string][] = [
    [
      "go: github.com/luxfi/node/main@v1.22.18: reading https://proxy.golang.org/github.com/luxfi/node/@v/v1.22.18.info: 403 Forbidden\n\tserver response: This module version is not available.",
      "github.com/luxfi/node/main@v1.22.18: reading https://proxy.golang.org/github.com/luxfi/node/@v/v1.22.18.info: 403 Forbidden",
    ],
    [
      'go: downloading x v1\ngo: example.com/m@v1: Get "https://proxy.golang.org/x/@v/v1.info": dial tcp: lookup proxy.golang.org: no such host',
      'example.com/m@v1: Get "https://proxy.golang.org/x/@v/v1.info": dial tcp: lookup proxy.golang.org: no such host',
    ],
    [
      "go: example.com/m/main@v1: module lookup disabled by GOPROXY=off",
      "example.com/m/main@v1: module lookup disabled by GOPROXY=off",
    ],
    [
      "go: example.com/m/main@v9: example.com/m/main@v9: reading file:///p/example.com/m/@v/v9.info: no such file or directory",
      "example.com/m/main@v9: example.com/m/main@v9: reading file:///p/example.com/m/@v/v9.info: no such file or directory",
    ],
    [
      "go: example.com/m@v1 requires go >= 1.99 (running go 1.26.8; GOTOOLCHAIN=local)",
      "example.com/m@v1 requires go >= 1.99 (running go 1.26.8; GOTOOLCHAIN=local)",
    ],
  ];
  for (const [output, reason] of unavailable) {
    await t.step(reason.slice(0, 60), () => {
      assert.deepEqual(goFailure(output), { kind: "unavailable", reason });
    });
  }
  await t.step("a compile error is a failed build", () => {
    assert.deepEqual(
      goFailure("# example.com/m/main\nmain.go:3:2: undefined: fmt\n"),
      { kind: "failed" },
    );
  });
});

/** A System with this environment and cwd (lib's fake: real files, nothing else). */
const sysWith = (env: Record<string, string>, cwd = "/cwd") => fakeSystem({ env, cwd }).sys;

Deno.test("parsePluginArgs: defaults, paths and usage errors", () => {
  const env = { HOME: "/home/u" };
  const o = parsePluginArgs(["sessionvm"], sysWith(env));
  assert.ok(o !== "help");
  assert.equal(o.out, "/home/u/.pars/bin/sessionvm");
  assert.equal(o.module, "github.com/luxfi/session");
  assert.equal(o.version, SESSIONVM_VERSION);
  assert.equal(o.pin, true);
  assert.equal(PLUGIN_SOURCES["evm"]?.cgo, true);
  assert.equal(PLUGIN_SOURCES["sessionvm"]?.cgo, false);
  const e = parsePluginArgs(
    ["evm", "--data-dir=dd", "--src", "s", "--no-pin"],
    sysWith({ ...env, PARS_DATA_DIR: "/ignored" }),
  );
  assert.ok(e !== "help");
  assert.equal(e.out, "/cwd/dd/bin/evm");
  assert.equal(e.srcDir, "/cwd/s");
  assert.equal(e.pin, false);
  assert.deepEqual(e.pinTarget, { dataDir: "/cwd/dd" });
  // parsd as the start task runs it (kit's parsdArgv), then the pin.
  assert.deepEqual(
    pinArgs(e.name, e.out, e.pinTarget),
    parsdArgv([
      "plugins",
      "pin",
      "evm",
      "--evm-plugin",
      "/cwd/dd/bin/evm",
      "--data-dir",
      "/cwd/dd",
    ]),
  );
  assert.equal(parsePluginArgs(["-h"], sysWith(env)), "help");
  for (
    const bad of [[], ["foo"], ["toString"], ["evm", "--bogus"], ["evm", "--src"], [
      "evm",
      "--src",
      "a",
      "--version",
      "v1",
    ], ["evm", "x"]]
  ) {
    assert.throws(() => parsePluginArgs(bad, sysWith(env)), { exitCode: 64 }, bad.join(" "));
  }
});

Deno.test("pinTargetFrom: parsd pins into the data dir and config the user meant", () => {
  const env = { HOME: "/home/u" };
  assert.deepEqual(pinTargetFrom({}, sysWith(env)), {});
  // parsd runs from the repo root, so a relative PARS_DATA_DIR is resolved here, not there.
  assert.deepEqual(
    pinTargetFrom({}, sysWith({ ...env, PARS_DATA_DIR: "data", PARS_CONFIG: "~/c.json" })),
    { dataDir: "/cwd/data", config: "/home/u/c.json" },
  );
  assert.deepEqual(
    pinTargetFrom({ dataDir: "~/p", config: "c.json" }, sysWith({ ...env, PARS_DATA_DIR: "/x" })),
    { dataDir: "/home/u/p", config: "/cwd/c.json" },
  );
  const o = parsePluginArgs(["sessionvm"], sysWith({ ...env, PARS_DATA_DIR: "~/p" }));
  assert.ok(o !== "help");
  assert.equal(o.out, "/home/u/p/bin/sessionvm");
  assert.deepEqual(o.pinTarget, { dataDir: "/home/u/p" });
});

Deno.test("build_luxd helpers: versions, cache path, failure summary", () => {
  const o = parseLuxdArgs([], sysWith({}));
  assert.ok(o !== "help");
  assert.deepEqual(o.versions, LUXD_VERSIONS);
  const v = parseLuxdArgs(["--version", "v1.13.5", "--out", "l"], sysWith({}));
  assert.ok(v !== "help");
  assert.deepEqual(v.versions, ["v1.13.5"]);
  assert.equal(v.out, "/cwd/l");
  assert.throws(() => parseLuxdArgs(["--version", "v1", "--src", "d"], sysWith({})), {
    exitCode: 64,
  });
  assert.equal(
    cachedLuxdPath(sysWith({ HOME: "/h" }), "v1.22.18"),
    "/h/.cache/parsd/luxd-v1.22.18/luxd",
  );
  assert.equal(
    cachedLuxdPath(sysWith({ HOME: "/h", XDG_CACHE_HOME: "/x" }), "a/b"),
    "/x/parsd/luxd-a_b/luxd",
  );
  const msg = (v: string) =>
    `cannot download github.com/luxfi/node@${v}: reading https://proxy.golang.org/github.com/luxfi/node/@v/${v}.info: 403 Forbidden; server response: This module version is not available.`;
  assert.equal(shortReason(msg("v1")), '403 Forbidden "This module version is not available."');
  const s = summarizeFailures([
    { version: "v1.22.18", exitCode: 69, message: msg("v1.22.18") },
    { version: "v1.13.5", exitCode: 69, message: msg("v1.13.5") },
  ]);
  assert.equal(s.exitCode, 69);
  assert.equal(
    s.message,
    "no luxd version could be built (tried v1.22.18, v1.13.5 of github.com/luxfi/node); " +
      'every attempt failed with: 403 Forbidden "This module version is not available."',
  );
  assert.equal(
    summarizeFailures([{ version: "a", exitCode: 70, message: "x" }, {
      version: "b",
      exitCode: 69,
      message: "y",
    }]).exitCode,
    70,
  );
});

// ---------------------------------------------------------------------------
// build_plugin.ts end to end, with the fixture

Deno.test("build --src: prints the real sha256, 0755 output, pinned through parsd", async () => {
  await withTemp(async (tmp) => {
    const dd = join(tmp, "data");
    await Deno.mkdir(dd, { mode: 0o700 });
    const out = join(tmp, "out", "sessionvm-fake");
    const r = await run(BUILD_PLUGIN, [
      "sessionvm",
      "--src",
      FIXTURE,
      "--out",
      out,
      "--data-dir",
      dd,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const m = BUILT.exec(r.stdout);
    assert.ok(m, r.stdout);
    assert.equal(m[1], "sessionvm");
    assert.equal(m[2], out);
    const st = await Deno.stat(out);
    assert.equal(st.mode! & 0o777, 0o755);
    assert.equal(Number(m[4]), st.size);
    assert.equal(m[3], await shaOf(out));
    assert.ok(r.stdout.includes(`pinned sessionvm sha256 ${m[3]} (${out})`), r.stdout);
    const config = JSON.parse(await Deno.readTextFile(join(dd, "config.json")));
    assert.deepEqual(config.plugins.sessionvm, { sha256: m[3], path: out });
    assert.equal(await runBinary(out), "fakeplugin: ok\n");
    assert.deepEqual([...Deno.readDirSync(join(tmp, "out"))].map((e) => e.name), [
      "sessionvm-fake",
    ]);
  });
});

Deno.test("build --src twice is reproducible; default out <data-dir>/bin; --no-pin", async () => {
  await withTemp(async (tmp) => {
    const dd = join(tmp, "data");
    const a = await run(BUILD_PLUGIN, [
      "sessionvm",
      "--src",
      FIXTURE,
      "--data-dir",
      dd,
      "--no-pin",
    ]);
    assert.equal(a.code, 0, a.stderr);
    const outB = join(tmp, "b", "plugin");
    const b = await run(BUILD_PLUGIN, ["sessionvm", "--src", FIXTURE, "--out", outB, "--no-pin"]);
    assert.equal(b.code, 0, b.stderr);
    const ma = BUILT.exec(a.stdout)!;
    const mb = BUILT.exec(b.stdout)!;
    assert.equal(ma[2], join(dd, "bin", "sessionvm"));
    assert.equal((await Deno.stat(join(dd, "bin"))).mode! & 0o777, 0o700);
    assert.equal(ma[3], mb[3], "two builds of the same source differ");
    assert.equal(await shaOf(outB), mb[3]);
    assert.equal(await exists(join(dd, "config.json")), false);
    assert.ok(!a.stdout.includes("pinned"));
  });
});

Deno.test("build --src of a missing dir or one without go.mod: 66, nothing written", async () => {
  await withTemp(async (tmp) => {
    const out = join(tmp, "out", "p");
    const r = await run(BUILD_PLUGIN, ["sessionvm", "--src", join(tmp, "nope"), "--out", out]);
    assert.equal(r.code, 66);
    assert.match(r.stderr, /^build: error: source dir .*nope does not exist/m);
    await Deno.mkdir(join(tmp, "empty"));
    const e = await run(BUILD_PLUGIN, ["sessionvm", "--src", join(tmp, "empty"), "--out", out]);
    assert.equal(e.code, 66);
    assert.match(e.stderr, /has no go\.mod/);
    assert.equal(await exists(join(tmp, "out")), false);
  });
});

Deno.test("build failure: 70, Go's error shown, existing output untouched, no temp left", async () => {
  await withTemp(async (tmp) => {
    const src = join(tmp, "broken");
    await writeModule(src, "1.22", 'package main\n\nfunc main() {\n\tfmt.Println("x"\n}\n');
    const outDir = join(tmp, "out");
    await Deno.mkdir(outDir);
    const out = join(outDir, "sessionvm");
    await Deno.writeTextFile(out, "old plugin\n", { mode: 0o755 });
    const r = await run(BUILD_PLUGIN, ["sessionvm", "--src", src, "--out", out, "--no-pin"]);
    assert.equal(r.code, 70, r.stderr);
    assert.match(r.stderr, /^ {2}.*plugin\/main\.go:\d+:\d+: syntax error/m);
    assert.match(r.stderr, /^build: error: building sessionvm failed: go build exited with 1/m);
    assert.equal(await Deno.readTextFile(out), "old plugin\n");
    assert.deepEqual([...Deno.readDirSync(outDir)].map((e) => e.name), ["sessionvm"]);
  });
});

Deno.test("a go.mod asking for go 9.99: clear 'needs Go 9.99' error (69)", async () => {
  await withTemp(async (tmp) => {
    const src = join(tmp, "future");
    await writeModule(src, "9.99", 'package main\n\nfunc main() { println("x") }\n');
    const out = join(tmp, "p");
    const r = await run(BUILD_PLUGIN, ["sessionvm", "--src", src, "--out", out, "--no-pin"]);
    assert.equal(r.code, 69, r.stderr);
    assert.match(
      r.stderr,
      /^build: error: .*go\.mod needs Go 9\.99 or newer, but the go on PATH is go1\.\d+/m,
    );
    assert.equal(await exists(out), false);
  });
});

Deno.test("no go on PATH: 127 and how to install Go", async () => {
  await withTemp(async (tmp) => {
    const r = await run(BUILD_PLUGIN, ["sessionvm", "--src", FIXTURE, "--out", join(tmp, "p")], {
      PATH: tmp,
    });
    assert.equal(r.code, 127, r.stderr);
    assert.match(
      r.stderr,
      /^build: error: go not found on PATH; install Go 1\.25\.5 or newer from https:\/\/go\.dev\/dl\//m,
    );
    assert.equal(await exists(join(tmp, "p")), false);
  });
});

Deno.test("unknown plugin or flag: 64", async () => {
  const r = await run(BUILD_PLUGIN, ["sessionvmx"]);
  assert.equal(r.code, 64);
  assert.equal(
    r.stderr,
    "build: error: unknown plugin 'sessionvmx'; expected sessionvm or evm\n" +
      "build: run with --help for usage\n",
  );
  const f = await run(BUILD_PLUGIN, ["evm", "--frobnicate"]);
  assert.equal(f.code, 64);
  assert.match(f.stderr, /unknown flag '--frobnicate'/);
  const h = await run(BUILD_PLUGIN, ["--help"]);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /^usage: deno task build:<sessionvm\|evm>/);
});

// ---------------------------------------------------------------------------
// Module mode

const crcTable = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of data) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A minimal stored (uncompressed) zip, as a Go module proxy serves. */
function zip(files: { name: string; data: Uint8Array }[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const f of files) {
    const name = new TextEncoder().encode(f.name);
    const crc = crc32(f.data);
    const local = new DataView(new ArrayBuffer(30));
    [
      [0, 0x04034b50, 4],
      [4, 20, 2],
      [12, 0x21, 2],
      [14, crc, 4],
      [18, f.data.length, 4],
      [22, f.data.length, 4],
      [26, name.length, 2],
    ].forEach(([at, v, n]) =>
      n === 4 ? local.setUint32(at!, v!, true) : local.setUint16(at!, v!, true)
    );
    const cd = new DataView(new ArrayBuffer(46));
    [
      [0, 0x02014b50, 4],
      [4, 20, 2],
      [6, 20, 2],
      [14, 0x21, 2],
      [16, crc, 4],
      [20, f.data.length, 4],
      [24, f.data.length, 4],
      [28, name.length, 2],
      [42, offset, 4],
    ].forEach(([at, v, n]) => n === 4 ? cd.setUint32(at!, v!, true) : cd.setUint16(at!, v!, true));
    parts.push(new Uint8Array(local.buffer), name, f.data);
    central.push(new Uint8Array(cd.buffer), name);
    offset += 30 + name.length + f.data.length;
  }
  const cdSize = central.reduce((s, p) => s + p.length, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, files.length, true);
  end.setUint16(10, files.length, true);
  end.setUint32(12, cdSize, true);
  end.setUint32(16, offset, true);
  const all = [...parts, ...central, new Uint8Array(end.buffer)];
  const buf = new Uint8Array(all.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of all) {
    buf.set(p, at);
    at += p.length;
  }
  return buf;
}

async function cleanModCache(modCache: string): Promise<void> {
  await new Deno.Command("go", {
    args: ["clean", "-modcache"],
    env: { GOMODCACHE: modCache, GOTOOLCHAIN: "local" },
    stdout: "null",
    stderr: "null",
  }).output();
}

Deno.test("module mode through a file:// GOPROXY: download, copy out of the cache, build, pin", async () => {
  await withTemp(async (tmp) => {
    const mod = "example.com/fakeplugin";
    const v = "v0.1.0";
    const at = join(tmp, "proxy", mod, "@v");
    await Deno.mkdir(at, { recursive: true });
    const goMod = await Deno.readFile(join(FIXTURE, "go.mod"));
    await Deno.writeTextFile(join(at, "list"), `${v}\n`);
    await Deno.writeTextFile(
      join(at, `${v}.info`),
      `{"Version":"${v}","Time":"2026-01-01T00:00:00Z"}`,
    );
    await Deno.writeFile(join(at, `${v}.mod`), goMod);
    await Deno.writeFile(
      join(at, `${v}.zip`),
      zip([
        { name: `${mod}@${v}/go.mod`, data: goMod },
        {
          name: `${mod}@${v}/plugin/main.go`,
          data: await Deno.readFile(join(FIXTURE, "plugin", "main.go")),
        },
      ]),
    );
    const modCache = join(tmp, "modcache");
    const env = {
      GOPROXY: `file://${join(tmp, "proxy")}`,
      GOSUMDB: "off",
      GOMODCACHE: modCache,
    };
    try {
      const dd = join(tmp, "data");
      const args = ["sessionvm", "--module", mod, "--version", v, "--data-dir", dd];
      const r = await run(BUILD_PLUGIN, args, env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /^built from example\.com\/fakeplugin@v0\.1\.0$/m);
      const m = BUILT.exec(r.stdout)!;
      const out = join(dd, "bin", "sessionvm");
      assert.equal(m[3], await shaOf(out));
      assert.equal(await runBinary(out), "fakeplugin: ok\n");
      const config = JSON.parse(await Deno.readTextFile(join(dd, "config.json")));
      assert.equal(config.plugins.sessionvm.sha256, m[3]);

      const missing = await run(
        BUILD_PLUGIN,
        [...args, "--no-pin"].map((a) => a === v ? "v0.2.0" : a),
        env,
      );
      assert.equal(missing.code, 69);
      assert.match(
        missing.stderr,
        /^build: error: cannot download example\.com\/fakeplugin@v0\.2\.0: /m,
      );
      assert.equal(await shaOf(out), m[3], "a failed build replaced the previous one");
    } finally {
      await cleanModCache(modCache);
    }
  });
});

// ---------------------------------------------------------------------------
// The real module proxy: which world are we in?

/** A test name that says why it is ignored, when it is. */
function named(name: string, probe: ModuleProbe, runsWhen: ModuleProbe["state"]): string {
  if (probe.state === runsWhen) return name;
  const why = probe.state === "served"
    ? "the proxy serves it"
    : probe.reason.length > 140
    ? probe.reason.slice(0, 140) + "…"
    : probe.reason;
  return `${name} [skipped: ${why}]`;
}

const SESSIONVM = PLUGIN_SOURCES.sessionvm;

Deno.test("real module proxy and SessionVM: it builds where served, exit 69 with Go's reason where refused", async (t) => {
  // Asked inside the test (up to 30 s where the proxy does not answer), never at module load.
  const probe = await probeModule(spawnCapture, SESSIONVM.module, SESSIONVM.version, 30_000);
  const build = async (expect: (r: Run, out: string) => Promise<void>) => {
    await withTemp(async (tmp) => {
      const out = join(tmp, "sessionvm");
      try {
        const r = await run(BUILD_PLUGIN, ["sessionvm", "--out", out, "--no-pin"], {
          GOMODCACHE: join(tmp, "modcache"),
        });
        await expect(r, out);
      } finally {
        await cleanModCache(join(tmp, "modcache"));
      }
    });
  };
  await t.step({
    name: named("served: it builds at the pinned version", probe, "served"),
    ignore: probe.state !== "served",
    fn: () =>
      build(async (r, out) => {
        assert.equal(r.code, 0, r.stderr);
        assert.equal(BUILT.exec(r.stdout)![3], await shaOf(out));
      }),
  });
  await t.step({
    name: named("refused: exit 69 with Go's reason", probe, "unavailable"),
    ignore: probe.state !== "unavailable",
    fn: () =>
      build(async (r, out) => {
        assert.equal(r.code, 69, r.stderr);
        assert.match(
          r.stderr,
          /^build: error: cannot download github\.com\/luxfi\/session@\S+: \S.*$/m,
        );
        assert.equal(await exists(out), false);
      }),
  });
});

// ---------------------------------------------------------------------------
// build_luxd.ts

Deno.test("build:luxd tries every version, one line each, then exit 69", async () => {
  await withTemp(async (tmp) => {
    const env = { GOPROXY: `file://${tmp}/empty-proxy`, GOSUMDB: "off", XDG_CACHE_HOME: tmp };
    const r = await run(BUILD_LUXD, [], env);
    assert.equal(r.code, 69, r.stderr);
    for (const v of LUXD_VERSIONS) {
      assert.match(
        r.stderr,
        new RegExp(`^build: luxd ${v}: cannot download github\\.com/luxfi/node@${v}: .+$`, "m"),
      );
    }
    assert.match(
      r.stderr,
      new RegExp(
        `^build: error: no luxd version could be built \\(tried ${
          LUXD_VERSIONS.join(", ")
        } of github\\.com/luxfi/node\\); .+$`,
        "m",
      ),
    );
    assert.equal(await exists(join(tmp, "parsd", `luxd-${LUXD_VERSIONS[0]}`, "luxd")), false);
  });
});

Deno.test("build:luxd reuses a cached build without Go's network", async () => {
  await withTemp(async (tmp) => {
    const cached = join(tmp, "parsd", "luxd-v1.13.5", "luxd");
    await Deno.mkdir(join(tmp, "parsd", "luxd-v1.13.5"), { recursive: true });
    await Deno.writeTextFile(cached, "#!/bin/sh\n", { mode: 0o755 });
    const r = await run(BUILD_LUXD, ["--version", "v1.13.5"], {
      XDG_CACHE_HOME: tmp,
      GOPROXY: "off",
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `cached luxd v1.13.5 ${cached} sha256 ${await shaOf(cached)}\n`);
    assert.match(r.stderr, /--luxd /);
  });
});

Deno.test("real module proxy and luxd: where refused, every pinned version is tried, then exit 69", async (t) => {
  // Asked inside the test (up to 30 s where the proxy does not answer), never at module load.
  const probe = await probeModule(spawnCapture, LUXD_MODULE, LUXD_VERSIONS[0]!, 30_000);
  await t.step({
    name: named("refused: every version tried, exit 69", probe, "unavailable"),
    // Where the proxy serves luxd, building it takes minutes: run 'deno task build:luxd'.
    ignore: probe.state !== "unavailable",
    async fn() {
      await withTemp(async (tmp) => {
        const r = await run(BUILD_LUXD, [], { XDG_CACHE_HOME: tmp });
        assert.equal(r.code, 69, r.stderr);
        const tried = r.stderr.split("\n").flatMap((l) =>
          /^build: luxd (\S+): cannot download /.exec(l)?.[1] ?? []
        );
        assert.deepEqual(tried, LUXD_VERSIONS, r.stderr);
        assert.match(r.stderr, /^build: error: no luxd version could be built \(tried /m);
        assert.equal(await exists(join(tmp, "parsd")), false);
      });
    },
  });
});
