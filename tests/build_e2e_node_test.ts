/**
 * @module
 * Tests of `scripts/build_e2e_node.ts`: the pure parts (version lines, the
 * cache path, argv and go's env), the install flow against a fake `go`
 * (no network, no Go needed), the script's failure paths with the real Go
 * (no Go on PATH, lookups disabled), and one real run into the user's cache.
 *
 * The real run is tried once when this file loads: if Go is missing or the
 * proxy refuses or cannot be reached, those tests are reported as ignored,
 * with the reason in their names.
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import {
  AVALANCHEGO,
  cacheName,
  commonRpcchainvm,
  e2eCacheDir,
  type E2eNode,
  E2eUnavailableError,
  ensureE2eNode,
  parseE2eArgs,
  parseVersionLine,
  reportLines,
  SUBNET_EVM,
  versionProblem,
} from "../scripts/build_e2e_node.ts";
import { goInstallArgs, goInstallEnv, NO_GO } from "../scripts/go_build.ts";
import { CommandNotFoundError, ParsdError } from "../lib/errors.ts";
import { denoScriptSystem, REPO_ROOT, type ScriptSystem } from "../scripts/kit.ts";
import { type RunRequest, type RunResult, spawnCapture } from "../scripts/run.ts";
import { fakeSystem } from "./fake_system.ts";
import { withTempDir } from "./helpers.ts";

const SCRIPT = join(REPO_ROOT, "scripts", "build_e2e_node.ts");
const AVAGO_LINE = "avalanchego/1.13.5 [database=v1.4.5, rpcchainvm=43, go=1.26.8]";
const EVM_LINE = "Subnet-EVM/v0.7.9 [AvalancheGo=v1.13.5, rpcchainvm=43]";

const sha256Of = async (path: string) =>
  createHash("sha256").update(await Deno.readFile(path)).digest("hex");

// ---------------------------------------------------------------------------
// Pure parts

Deno.test("parseVersionLine reads the app, version and bracketed fields", () => {
  assert.deepEqual(parseVersionLine(AVAGO_LINE + "\n"), {
    line: AVAGO_LINE,
    app: "avalanchego",
    version: "1.13.5",
    fields: { database: "v1.4.5", rpcchainvm: "43", go: "1.26.8" },
    rpcchainvm: 43,
  });
  assert.deepEqual(parseVersionLine(`\n${EVM_LINE}\nmore`), {
    line: EVM_LINE,
    app: "Subnet-EVM",
    version: "v0.7.9",
    fields: { AvalancheGo: "v1.13.5", rpcchainvm: "43" },
    rpcchainvm: 43,
  });
  assert.equal(parseVersionLine("node/1.13.5 [rpcchainvm=x]")?.rpcchainvm, undefined);
  for (const bad of ["", "avalanchego 1.13.5", "flag provided but not defined: -version"]) {
    assert.equal(parseVersionLine(bad), undefined, bad);
  }
});

Deno.test("versionProblem accepts only the pinned app and version with an rpcchainvm", () => {
  assert.equal(versionProblem(AVALANCHEGO, AVAGO_LINE), undefined);
  assert.equal(versionProblem(SUBNET_EVM, EVM_LINE), undefined);
  assert.equal(
    versionProblem(AVALANCHEGO, "avalanchego/1.13.4 [rpcchainvm=42]"),
    "'--version' says avalanchego/1.13.4, expected avalanchego/1.13.5",
  );
  assert.equal(
    versionProblem(SUBNET_EVM, AVAGO_LINE),
    "'--version' says avalanchego/1.13.5, expected Subnet-EVM/v0.7.9",
  );
  assert.equal(
    versionProblem(AVALANCHEGO, "avalanchego/1.13.5 [database=v1.4.5]"),
    `'--version' shows no rpcchainvm number: "avalanchego/1.13.5 [database=v1.4.5]"`,
  );
  assert.equal(
    versionProblem(AVALANCHEGO, "usage: main [flags]\n"),
    `'--version' printed "usage: main [flags]", not 'avalanchego/1.13.5 […]'`,
  );
});

Deno.test("commonRpcchainvm: the same number on both, else 70 naming both", () => {
  const node = parseVersionLine(AVAGO_LINE)!;
  assert.equal(commonRpcchainvm(node, parseVersionLine(EVM_LINE)!), 43);
  assert.throws(
    () => commonRpcchainvm(node, parseVersionLine("Subnet-EVM/v0.7.9 [rpcchainvm=42]")!),
    {
      exitCode: 70,
      message: "rpcchainvm differs: avalanchego speaks 43, Subnet-EVM speaks 42; the node " +
        "would refuse the plugin (pin versions that agree)",
    },
  );
});

/** A System with this environment and cwd (lib's fake: real files, nothing else). */
const sysWith = (env: Record<string, string>, cwd = "/cwd") => fakeSystem({ env, cwd }).sys;

Deno.test("the cache dir: ${XDG_CACHE_HOME:-~/.cache}/parsd/e2e-node/<versions>", () => {
  assert.equal(cacheName(), "avalanchego-v1.13.5+subnet-evm-v0.7.9");
  assert.equal(
    e2eCacheDir(sysWith({ HOME: "/h" })),
    "/h/.cache/parsd/e2e-node/avalanchego-v1.13.5+subnet-evm-v0.7.9",
  );
  assert.equal(
    e2eCacheDir(sysWith({ HOME: "/h", XDG_CACHE_HOME: "/x" })),
    "/x/parsd/e2e-node/avalanchego-v1.13.5+subnet-evm-v0.7.9",
  );
});

Deno.test("go install argv and env: pinned package@version, GOBIN the cache dir", () => {
  assert.deepEqual(goInstallArgs(AVALANCHEGO.pkg, AVALANCHEGO.version), [
    "install",
    "-trimpath",
    "-buildvcs=false",
    "-ldflags=-s -w -buildid=",
    "github.com/ava-labs/avalanchego/main@v1.13.5",
  ]);
  assert.equal(
    goInstallArgs(SUBNET_EVM.pkg, SUBNET_EVM.version).at(-1),
    "github.com/ava-labs/subnet-evm/plugin@v0.7.9",
  );
  assert.deepEqual(goInstallEnv(sysWith({ CGO_ENABLED: "0" }).env, "/c", true), {
    GOTOOLCHAIN: "local",
    CGO_ENABLED: "0",
    GOFLAGS: "",
    GOWORK: "off",
    GOBIN: "/c",
  });
});

Deno.test("parseE2eArgs: --out, --force, --pin with where to pin; mistakes are 64", () => {
  const sys = sysWith({ HOME: "/home/u" });
  assert.deepEqual(parseE2eArgs([], sys), { force: false, pin: false });
  assert.deepEqual(
    parseE2eArgs(["--out", "n", "--force", "--pin", "--data-dir=~/p", "--config", "c"], sys),
    { out: "/cwd/n", force: true, pin: true, dataDir: "~/p", config: "c" },
  );
  assert.deepEqual(parseE2eArgs(["--out=~/n"], sys), {
    out: "/home/u/n",
    force: false,
    pin: false,
  });
  assert.equal(parseE2eArgs(["-h"], sys), "help");
  for (const bad of [["--data-dir", "d"], ["--config=c"], ["x"], ["--out"], ["--pin=yes"]]) {
    assert.throws(() => parseE2eArgs(bad, sys), { exitCode: 64 }, bad.join(" "));
  }
});

// ---------------------------------------------------------------------------
// The install flow, with a fake go

interface FakeGo {
  /** The `--version` line each installed binary prints, by binary name. */
  lines: Record<string, string>;
  /** What `go install` does: succeed, or fail with this output and code. */
  install: "ok" | { code: number; stderr: string };
  /** Every go argv run. */
  calls: string[][];
}

/** A system whose `go` is fake: `go install` writes a shell script printing a version line. */
function fakeGoSystem(go: FakeGo | "missing") {
  const notes: string[] = [];
  const run = async (req: RunRequest): Promise<RunResult> => {
    if (req.cmd !== "go") return await spawnCapture(req);
    if (go === "missing") throw new CommandNotFoundError("go");
    const args = [...(req.args ?? [])];
    go.calls.push(args);
    const ok = { code: 0, signal: null, stdout: "", stderr: "", timedOut: false };
    if (args[0] === "env") return { ...ok, stdout: "go1.26.8\n" };
    if (go.install !== "ok") return { ...ok, ...go.install };
    const binary = args.at(-1)!.split("@")[0]!.split("/").at(-1)!;
    const path = join(req.env!["GOBIN"]!, binary);
    await Deno.writeTextFile(path, `#!/bin/sh\necho '${go.lines[binary]}'\n`, { mode: 0o755 });
    await Deno.chmod(path, 0o755);
    return ok;
  };
  const sys: ScriptSystem = {
    ...denoScriptSystem(),
    run,
    out: () => {},
    err: (text) => void notes.push(...text.replace(/\n$/, "").split("\n")),
  };
  return { sys, notes };
}

const goodGo = (): FakeGo => ({
  lines: { main: AVAGO_LINE, plugin: EVM_LINE },
  install: "ok",
  calls: [],
});

Deno.test("ensureE2eNode installs both, writes SHA256SUMS, then reuses them", async () => {
  await withTempDir(async (tmp) => {
    const dir = join(tmp, "node");
    const go = goodGo();
    const { sys } = fakeGoSystem(go);
    const first = await ensureE2eNode({ sys, dir });
    assert.deepEqual(go.calls.filter((c) => c[0] === "install").map((c) => c.at(-1)), [
      "github.com/ava-labs/avalanchego/main@v1.13.5",
      "github.com/ava-labs/subnet-evm/plugin@v0.7.9",
    ]);
    assert.equal(first.avalanchego, join(dir, "main"));
    assert.equal(first.subnetEvm, join(dir, "plugin"));
    assert.deepEqual(first.versions, { avalanchego: "v1.13.5", subnetEvm: "v0.7.9" });
    assert.equal(first.rpcchainvm, 43);
    assert.equal(first.binaries.avalanchego.version.line, AVAGO_LINE);
    assert.equal(first.binaries.avalanchego.built, true);
    const [a, p] = [await sha256Of(first.avalanchego), await sha256Of(first.subnetEvm)];
    assert.equal(first.binaries.avalanchego.sha256, a);
    assert.equal(await Deno.readTextFile(join(dir, "SHA256SUMS")), `${a}  main\n${p}  plugin\n`);
    assert.deepEqual(reportLines(first), [
      `built avalanchego v1.13.5 ${first.avalanchego} sha256 ${a}`,
      `built subnet-evm v0.7.9 ${first.subnetEvm} sha256 ${p}`,
      `sums ${join(dir, "SHA256SUMS")}`,
    ]);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
      "SHA256SUMS",
      "main",
      "plugin",
    ]);

    go.calls.length = 0;
    const second = await ensureE2eNode({ sys, dir });
    assert.deepEqual(go.calls, [], "the second run ran go");
    assert.equal(second.binaries.subnetEvm.built, false);
    assert.match(reportLines(second)[0]!, /^cached avalanchego v1\.13\.5 /);

    await ensureE2eNode({ sys, dir, force: true });
    assert.equal(go.calls.filter((c) => c[0] === "install").length, 2, "--force reinstalls");
  });
});

Deno.test("ensureE2eNode reinstalls only a binary whose --version is wrong", async () => {
  await withTempDir(async (dir) => {
    const go = goodGo();
    const { sys, notes } = fakeGoSystem(go);
    await ensureE2eNode({ sys, dir });
    await Deno.writeTextFile(
      join(dir, "plugin"),
      "#!/bin/sh\necho 'Subnet-EVM/v0.7.8 [rpcchainvm=42]'\n",
    );
    go.calls.length = 0;
    const node = await ensureE2eNode({ sys, dir });
    assert.deepEqual(go.calls.filter((c) => c[0] === "install").map((c) => c.at(-1)), [
      "github.com/ava-labs/subnet-evm/plugin@v0.7.9",
    ]);
    assert.equal(node.binaries.avalanchego.built, false);
    assert.equal(node.binaries.subnetEvm.built, true);
    assert.ok(
      notes.includes(
        "e2e-node: reinstalling subnet-evm: '--version' says Subnet-EVM/v0.7.8, expected Subnet-EVM/v0.7.9",
      ),
      notes.join("\n"),
    );
  });
});

Deno.test("ensureE2eNode: binaries that disagree on rpcchainvm are refused (70)", async () => {
  await withTempDir(async (dir) => {
    const go = goodGo();
    go.lines["plugin"] = "Subnet-EVM/v0.7.9 [AvalancheGo=v1.13.5, rpcchainvm=42]";
    const { sys } = fakeGoSystem(go);
    await assert.rejects(() => ensureE2eNode({ sys, dir }), (e) => {
      assert.ok(e instanceof ParsdError && !(e instanceof E2eUnavailableError));
      assert.equal(e.exitCode, 70);
      assert.match(e.message, /^rpcchainvm differs: avalanchego speaks 43, Subnet-EVM speaks 42/);
      return true;
    });
    assert.equal(await Deno.stat(join(dir, "SHA256SUMS")).catch(() => undefined), undefined);
  });
});

Deno.test("ensureE2eNode: no go is E2eUnavailableError 127 saying how to install Go", async () => {
  await withTempDir(async (dir) => {
    const { sys } = fakeGoSystem("missing");
    await assert.rejects(
      () => ensureE2eNode({ sys, dir: join(dir, "n") }),
      (e) => e instanceof E2eUnavailableError && e.exitCode === 127 && e.message === NO_GO,
    );
  });
});

Deno.test("ensureE2eNode: a refused module is E2eUnavailableError 69 with Go's lines", async () => {
  await withTempDir(async (dir) => {
    const go = goodGo();
    go.install = {
      code: 1,
      stderr: "go: downloading x v1\n" +
        "go: github.com/ava-labs/avalanchego/main@v1.13.5: reading https://proxy.golang.org/github.com/ava-labs/avalanchego/@v/v1.13.5.info: 403 Forbidden\n",
    };
    const { sys } = fakeGoSystem(go);
    await assert.rejects(() => ensureE2eNode({ sys, dir }), (e) => {
      assert.ok(e instanceof E2eUnavailableError);
      assert.equal(e.exitCode, 69);
      assert.match(
        e.message,
        /^cannot install github\.com\/ava-labs\/avalanchego\/main@v1\.13\.5: reading https:\/\/proxy\.golang\.org\/\S+: 403 Forbidden; the Go module proxy refused it or cannot be reached \(GOPROXY=/,
      );
      assert.deepEqual(e.details, [
        "  go: downloading x v1",
        "  go: github.com/ava-labs/avalanchego/main@v1.13.5: reading https://proxy.golang.org/github.com/ava-labs/avalanchego/@v/v1.13.5.info: 403 Forbidden",
      ]);
      return true;
    });
  });
});

Deno.test("ensureE2eNode: code that does not build is a failed install (70), not 'unavailable'", async () => {
  await withTempDir(async (dir) => {
    const go = goodGo();
    go.install = { code: 1, stderr: "# github.com/x/y\nx.go:3:2: undefined: z\n" };
    const { sys } = fakeGoSystem(go);
    await assert.rejects(() => ensureE2eNode({ sys, dir }), (e) => {
      assert.ok(e instanceof ParsdError && !(e instanceof E2eUnavailableError));
      assert.equal(e.exitCode, 70);
      assert.match(
        e.message,
        /^go install github\.com\/ava-labs\/avalanchego\/main@v1\.13\.5 exited with 1/,
      );
      assert.deepEqual(e.details, ["  # github.com/x/y", "  x.go:3:2: undefined: z"]);
      return true;
    });
  });
});

// ---------------------------------------------------------------------------
// The script with the real Go, where no network is needed

async function runScript(args: string[], env: Record<string, string>) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", SCRIPT, ...args],
    env: { NO_COLOR: "1", INIT_CWD: "", PARS_DATA_DIR: "", PARS_CONFIG: "", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("the script without go on PATH: 127 and how to install Go, nothing written", async () => {
  await withTempDir(async (tmp) => {
    const r = await runScript(["--out", join(tmp, "n")], { PATH: tmp });
    assert.equal(r.code, 127, r.stderr);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr, `e2e-node: error: ${NO_GO}\n`);
    assert.deepEqual([...Deno.readDirSync(tmp)], []);
  });
});

Deno.test("the script with module lookups off: 69, Go's line above the error", async () => {
  await withTempDir(async (tmp) => {
    const modCache = join(tmp, "modcache");
    try {
      const r = await runScript(["--out", join(tmp, "n")], {
        GOPROXY: "off",
        GOMODCACHE: modCache,
      });
      assert.equal(r.code, 69, r.stderr);
      const lines = r.stderr.trimEnd().split("\n");
      assert.equal(
        lines.at(-1),
        "e2e-node: error: cannot install github.com/ava-labs/avalanchego/main@v1.13.5: " +
          "module lookup disabled by GOPROXY=off; the Go module proxy refused it or cannot be " +
          "reached (GOPROXY=off)",
      );
      assert.match(lines.at(-2)!, /^ {2}go: .*module lookup disabled by GOPROXY=off$/);
      assert.deepEqual([...Deno.readDirSync(join(tmp, "n"))], []);
    } finally {
      await new Deno.Command("go", {
        args: ["clean", "-modcache"],
        env: { GOMODCACHE: modCache, GOTOOLCHAIN: "local" },
        stdout: "null",
        stderr: "null",
      }).output();
    }
  });
});

// ---------------------------------------------------------------------------
// The real node, from the user's cache (built there on first use)

const realNotes: string[] = [];
const realSys: ScriptSystem = {
  ...denoScriptSystem(),
  err: (text) => void realNotes.push(text),
};

Deno.test("the real e2e node from the user's cache (installed there on first use)", async (t) => {
  // Inside the test, never at module load: a first install takes minutes.
  const got = await ensureE2eNode({ sys: realSys }).then(
    (node) => ({ node }),
    (error: unknown) => {
      if (error instanceof E2eUnavailableError) return { skip: error.message };
      throw error;
    },
  );
  const step = (name: string, fn: (node: E2eNode) => Promise<void>) =>
    t.step({
      name: "skip" in got ? `${name} [skipped: ${got.skip}]` : name,
      ignore: "skip" in got,
      fn: () => fn((got as { node: E2eNode }).node),
    });

  await step(
    "ensureE2eNode: the real avalanchego and subnet-evm, pinned and agreeing",
    async (node) => {
      assert.equal(node.dir, e2eCacheDir(denoScriptSystem()));
      const run = async (path: string) =>
        new TextDecoder().decode(
          (await new Deno.Command(path, { args: ["--version"] }).output()).stdout,
        );
      assert.match(
        await run(node.avalanchego),
        /^avalanchego\/1\.13\.5 \[database=v1\.4\.5, rpcchainvm=43, go=/,
      );
      assert.equal(await run(node.subnetEvm), `${EVM_LINE}\n`);
      assert.equal(node.rpcchainvm, 43);
      const sums = await Deno.readTextFile(node.sums);
      assert.equal(
        sums,
        `${await sha256Of(node.avalanchego)}  main\n${await sha256Of(node.subnetEvm)}  plugin\n`,
      );

      const again = await ensureE2eNode({ sys: realSys });
      assert.equal(again.binaries.avalanchego.built, false);
      assert.equal(again.binaries.subnetEvm.built, false);
      assert.equal(again.binaries.avalanchego.sha256, node.binaries.avalanchego.sha256);
    },
  );

  await step(
    "build:e2e-node from the cache prints paths and hashes; --pin pins evm through parsd",
    async (node) => {
      await withTempDir(async (tmp) => {
        const dataDir = join(tmp, "data");
        const r = await runScript(["--pin", "--data-dir", dataDir], {
          HOME: Deno.env.get("HOME")!,
        });
        assert.equal(r.code, 0, r.stderr);
        const [a, p] = [node.binaries.avalanchego.sha256, node.binaries.subnetEvm.sha256];
        assert.ok(
          r.stdout.startsWith(
            `cached avalanchego v1.13.5 ${node.avalanchego} sha256 ${a}\n` +
              `cached subnet-evm v0.7.9 ${node.subnetEvm} sha256 ${p}\n` +
              `sums ${node.sums}\n`,
          ),
          r.stdout,
        );
        assert.ok(r.stdout.includes(`pinned evm sha256 ${p} (${node.subnetEvm})`), r.stdout);
        assert.match(
          r.stderr,
          /^e2e-node: both speak rpcchainvm 43; the plugin's VMID is srEXiWaH/m,
        );
        const config = JSON.parse(await Deno.readTextFile(join(dataDir, "config.json")));
        assert.deepEqual(config.plugins.evm, { sha256: p, path: node.subnetEvm });
      });
    },
  );

  await step(
    "build:e2e-node interrupted during go install: go is stopped, exit 130, no temp left",
    async () => {
      await withTempDir(async (tmp) => {
        const tempsBefore = new Set(parsdTemps());
        const child = new Deno.Command(Deno.execPath(), {
          args: ["run", "--allow-all", SCRIPT, "--force", "--out", join(tmp, "n")],
          env: { NO_COLOR: "1", INIT_CWD: "" },
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
        }).spawn();
        const stdout = new Response(child.stdout).text();
        let stderr = "";
        const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
        while (!stderr.includes("e2e-node: go install ")) {
          const { value, done } = await reader.read();
          if (done) break;
          stderr += value;
        }
        await new Promise((r) => setTimeout(r, 500)); // go is building now
        child.kill("SIGINT");
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          stderr += value;
        }
        const status = await child.status;
        await stdout;
        assert.equal(status.code, 130, stderr);
        assert.match(
          stderr,
          /\ne2e-node: interrupted \(SIGINT\); stopped its commands and removed temporary files\n$/,
        );
        assert.deepEqual([...Deno.readDirSync(join(tmp, "n"))], []);
        assert.deepEqual(parsdTemps().filter((t) => !tempsBefore.has(t)), []);
      });
    },
  );
});

/** The script's scratch dirs in the temp dir. */
function parsdTemps(): string[] {
  const tmp = Deno.env.get("TMPDIR") || "/tmp";
  return [...Deno.readDirSync(tmp)].map((e) => e.name).filter((n) =>
    n.startsWith("parsd-e2e-node-")
  );
}
