/**
 * @module
 * `deno task build:e2e-node`: a real node for end-to-end tests. luxd's own
 * modules are refused by the Go module proxy, but its upstream is served:
 * this script installs, at pinned versions, avalanchego (the node,
 * `github.com/ava-labs/avalanchego/main`, binary `main`) and subnet-evm (an
 * rpcchainvm plugin, `github.com/ava-labs/subnet-evm/plugin`, binary
 * `plugin`) with `go install` and `GOBIN=<cache dir>`, reproducibly
 * (`-trimpath -buildvcs=false -ldflags="-s -w -buildid="`, GOTOOLCHAIN=local).
 *
 * ```sh
 * deno task build:e2e-node [--out DIR] [--force] [--pin [--data-dir DIR] [--config PATH]]
 * ```
 *
 * The cache dir is `${XDG_CACHE_HOME:-~/.cache}/parsd/e2e-node/<versions>/`
 * (or `--out DIR`). Binaries already there that answer `--version` as
 * expected are kept, so a second run takes a second. Both `--version` lines
 * must show the same `rpcchainvm` protocol. `SHA256SUMS` is written beside
 * them, and the paths and hashes are printed. With `--pin` the subnet-evm
 * binary is pinned as parsd's `evm` plugin through `parsd plugins pin`,
 * exactly as `build_plugin.ts` pins.
 *
 * Tests call {@linkcode ensureE2eNode}; it throws {@linkcode E2eUnavailableError}
 * when Go is missing or the proxy refuses or cannot be reached, so that they
 * can skip with a plain reason.
 *
 * Exit codes (lib's `ExitCode`): 0 ok; 64 usage; 69 the proxy refused a
 * module or cannot be reached, or Go is too old (Go's last lines are shown);
 * 70 `go install` failed or a binary's `--version` is not what was pinned, or
 * the two rpcchainvm versions differ; 73 cannot create the cache dir or
 * `SHA256SUMS`; 78 HOME unset where the default dir needs it; 127 no `go` on
 * PATH; 130/143 interrupted; with `--pin`, otherwise parsd's pin exit code.
 */

import {
  ExitCode,
  ParsdError,
  type ParsdErrorOptions,
  SoftwareError,
  UsageError,
} from "../lib/errors.ts";
import { PLUGINS } from "../lib/network/pars.ts";
import { sha256File } from "../lib/os/hash.ts";
import { basename, join } from "../lib/os/path.ts";
import type { System } from "../lib/os/system.ts";
import { formatSha256Sums } from "../lib/plugins/sums.ts";
import { pinPlugin, pinTargetFrom } from "./build_plugin.ts";
import {
  goFailedError,
  goFailure,
  goInstallArgs,
  goInstallEnv,
  goVersion,
  NO_GO,
  runGo,
  TAIL_LINES,
} from "./go_build.ts";
import { noMorePositional, parseFlags } from "./flags.ts";
import {
  cacheRoot,
  denoScriptSystem,
  ensureDir,
  messageOf,
  runMain,
  safeName,
  type ScriptSystem,
  tailLines,
  userPath,
  withTempDir,
  writeTextAtomic,
} from "./kit.ts";

/** One of the two binaries of the end-to-end node. */
export interface E2eComponent {
  /** The name used in messages and the result. */
  readonly name: "avalanchego" | "subnet-evm";
  /** The package `go install` builds. */
  readonly pkg: string;
  /** The pinned module version. */
  readonly version: string;
  /** The file `go install` writes into GOBIN (the package's last path element). */
  readonly binary: string;
  /** The application name `--version` prints before the `/`. */
  readonly app: string;
  /** The version `--version` prints after the `/`. */
  readonly appVersion: string;
}

/** avalanchego, luxd's upstream: `avalanchego/1.13.5 [database=v1.4.5, rpcchainvm=43, go=…]`. */
export const AVALANCHEGO: E2eComponent = {
  name: "avalanchego",
  pkg: "github.com/ava-labs/avalanchego/main",
  version: "v1.13.5",
  binary: "main",
  app: "avalanchego",
  appVersion: "1.13.5",
};

/** subnet-evm, an rpcchainvm EVM plugin: `Subnet-EVM/v0.7.9 [AvalancheGo=v1.13.5, rpcchainvm=43]`. */
export const SUBNET_EVM: E2eComponent = {
  name: "subnet-evm",
  pkg: "github.com/ava-labs/subnet-evm/plugin",
  version: "v0.7.9",
  binary: "plugin",
  app: "Subnet-EVM",
  appVersion: "v0.7.9",
};

/** Both components, in build order. */
export const E2E_COMPONENTS: readonly E2eComponent[] = [AVALANCHEGO, SUBNET_EVM];

/** How long a binary may take to answer `--version`. */
export const VERSION_TIMEOUT_MS = 30_000;

/** The usage text. */
export const USAGE =
  `usage: deno task build:e2e-node [--out DIR] [--force] [--pin [--data-dir DIR] [--config PATH]]

Installs a real node for end-to-end tests with go install (-trimpath -buildvcs=false
-ldflags="-s -w -buildid=", GOTOOLCHAIN=local) from the Go module proxy, at pinned versions:
  ${AVALANCHEGO.pkg}@${AVALANCHEGO.version}  (binary ${AVALANCHEGO.binary})
  ${SUBNET_EVM.pkg}@${SUBNET_EVM.version}  (binary ${SUBNET_EVM.binary})
checks that both --version lines show the same rpcchainvm, writes SHA256SUMS beside them
and prints their paths and sha256. Binaries already there with the right --version are kept.

  --out DIR        where to install (default \${XDG_CACHE_HOME:-~/.cache}/parsd/e2e-node/${cacheName()})
  --force          reinstall even if the binaries are there
  --pin            pin the subnet-evm binary as parsd's evm plugin ('parsd plugins pin evm')
  --data-dir DIR   with --pin: parsd's data dir (env PARS_DATA_DIR; default ~/.pars)
  --config PATH    with --pin: the config file to pin into (env PARS_CONFIG)
  -h, --help       this text

Exit codes: 0 ok, 64 usage, 69 module refused or proxy unreachable (or Go too old),
70 go install failed or a --version is wrong, 73 cannot write the cache dir, 78 HOME
unset, 127 no go on PATH, 130/143 interrupted; with --pin, otherwise parsd's pin exit code.`;

// ---------------------------------------------------------------------------
// Pure helpers

/** The cache dir's name: the pinned versions, e.g. `avalanchego-v1.13.5+subnet-evm-v0.7.9`. */
export function cacheName(components: readonly E2eComponent[] = E2E_COMPONENTS): string {
  return safeName(components.map((c) => `${c.name}-${c.version}`).join("+"));
}

/** The default install dir: `<cache root>/e2e-node/<versions>` (see the kit's `cacheRoot`). */
export function e2eCacheDir(sys: System): string {
  return join(cacheRoot(sys), "e2e-node", cacheName());
}

/** A parsed `--version` line such as `avalanchego/1.13.5 [database=v1.4.5, rpcchainvm=43]`. */
export interface VersionInfo {
  /** The line as printed. */
  readonly line: string;
  /** The application name before the `/`. */
  readonly app: string;
  /** The version after the `/`. */
  readonly version: string;
  /** The `key=value` pairs in brackets. */
  readonly fields: Readonly<Record<string, string>>;
  /** The rpcchainvm plugin protocol version, if printed as a number. */
  readonly rpcchainvm?: number;
}

/** Parses the first non-empty line of a `--version` output; `undefined` if it has not that shape. */
export function parseVersionLine(text: string): VersionInfo | undefined {
  const line = text.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== "");
  const m = line === undefined ? null : /^([^\s/]+)\/(\S+)\s+\[([^\]]*)\]$/.exec(line);
  if (line === undefined || m === null) return undefined;
  const fields: Record<string, string> = {};
  for (const part of m[3]!.split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) fields[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  const rpc = fields["rpcchainvm"];
  return {
    line,
    app: m[1]!,
    version: m[2]!,
    fields,
    ...(rpc !== undefined && /^\d+$/.test(rpc) ? { rpcchainvm: Number(rpc) } : {}),
  };
}

/** Why a `--version` output is not the pinned component's; `undefined` if it is. */
export function versionProblem(c: E2eComponent, output: string): string | undefined {
  const info = parseVersionLine(output);
  const seen = JSON.stringify(output.trim().split("\n")[0] ?? "");
  if (info === undefined) return `'--version' printed ${seen}, not '${c.app}/${c.appVersion} […]'`;
  if (info.app !== c.app || info.version !== c.appVersion) {
    return `'--version' says ${info.app}/${info.version}, expected ${c.app}/${c.appVersion}`;
  }
  if (info.rpcchainvm === undefined) return `'--version' shows no rpcchainvm number: ${seen}`;
  return undefined;
}

/**
 * The rpcchainvm protocol both binaries speak.
 *
 * @throws {SoftwareError} (70) when they differ: luxd/avalanchego would refuse the plugin.
 */
export function commonRpcchainvm(node: VersionInfo, plugin: VersionInfo): number {
  if (node.rpcchainvm === undefined || node.rpcchainvm !== plugin.rpcchainvm) {
    throw new SoftwareError(
      `rpcchainvm differs: ${node.app} speaks ${node.rpcchainvm ?? "?"}, ` +
        `${plugin.app} speaks ${plugin.rpcchainvm ?? "?"}; the node would refuse the plugin ` +
        `(pin versions that agree)`,
    );
  }
  return node.rpcchainvm;
}

/** The parsed command line. */
export interface E2eCliOptions {
  /** The install dir (absolute), if `--out` was given. */
  readonly out?: string;
  readonly force: boolean;
  readonly pin: boolean;
  /** `--data-dir` as given (used with `--pin`). */
  readonly dataDir?: string;
  /** `--config` as given (used with `--pin`). */
  readonly config?: string;
}

/**
 * Parses the command line; `"help"` for `--help`. `--data-dir` and `--config`
 * only make sense with `--pin`.
 *
 * @throws {UsageError} (64) on a bad command line.
 */
export function parseE2eArgs(argv: readonly string[], sys: System): E2eCliOptions | "help" {
  const { values, booleans, help, positional } = parseFlags(argv, {
    values: ["out", "data-dir", "config"],
    booleans: ["force", "pin"],
  });
  if (help) return "help";
  noMorePositional(positional, 0);
  if (!booleans.pin && (values["data-dir"] !== undefined || values.config !== undefined)) {
    throw new UsageError("--data-dir and --config say where to pin; give them with --pin");
  }
  return {
    ...(values.out !== undefined ? { out: userPath(sys, values.out) } : {}),
    force: booleans.force,
    pin: booleans.pin,
    ...(values["data-dir"] !== undefined ? { dataDir: values["data-dir"] } : {}),
    ...(values.config !== undefined ? { config: values.config } : {}),
  };
}

// ---------------------------------------------------------------------------
// ensureE2eNode and its steps

/**
 * The node cannot be had here: no Go (exit 127), or the proxy refuses a
 * module or cannot be reached, or Go is too old (exit 69). Tests skip on it.
 */
export class E2eUnavailableError extends ParsdError {
  /** Makes the error with its exit code (127 or 69), message and Go's output in `details`. */
  constructor(exitCode: 69 | 127, message: string, options?: ParsdErrorOptions) {
    super(exitCode, message, options);
  }
}

/** Options of {@linkcode ensureE2eNode}. */
export interface E2eOptions {
  /** The install dir (default {@linkcode e2eCacheDir}). */
  readonly dir?: string;
  /** Reinstall even if the binaries answer `--version` as expected. */
  readonly force?: boolean;
  /** The OS seam (default: the real one; progress goes to its `err`). */
  readonly sys?: ScriptSystem;
}

/** One installed binary. */
export interface E2eBinary {
  readonly path: string;
  readonly sha256: string;
  readonly version: VersionInfo;
  /** Installed by this call (`false`: it was already there). */
  readonly built: boolean;
}

/** What {@linkcode ensureE2eNode} returns. */
export interface E2eNode {
  /** The install dir. */
  readonly dir: string;
  /** The avalanchego binary (`<dir>/main`): the node. */
  readonly avalanchego: string;
  /** The subnet-evm binary (`<dir>/plugin`): an rpcchainvm plugin. */
  readonly subnetEvm: string;
  /** The pinned module versions. */
  readonly versions: { readonly avalanchego: string; readonly subnetEvm: string };
  /** The rpcchainvm protocol both speak. */
  readonly rpcchainvm: number;
  /** Path, sha256, `--version` and whether it was built, per binary. */
  readonly binaries: { readonly avalanchego: E2eBinary; readonly subnetEvm: E2eBinary };
  /** The `SHA256SUMS` file beside them. */
  readonly sums: string;
}

/**
 * Makes sure the end-to-end node is installed and right, in named steps:
 * look at what is there, install what is missing or wrong (`go install`),
 * check each `--version` and that both rpcchainvm numbers agree, then hash
 * both and write `SHA256SUMS`. Needs `--allow-run`, `--allow-read`,
 * `--allow-write` and `--allow-env`.
 *
 * @throws {E2eUnavailableError} (127 no Go; 69 module refused, proxy unreachable or Go too old).
 * @throws {ParsdError} (70 go install failed or a version is wrong; 73 cannot write; 78 no HOME).
 */
export async function ensureE2eNode(opts: E2eOptions = {}): Promise<E2eNode> {
  const sys = opts.sys ?? denoScriptSystem();
  const dir = opts.dir ?? e2eCacheDir(sys);
  const [node, plugin] = [AVALANCHEGO, SUBNET_EVM].map((c) => join(dir, c.binary)) as [
    string,
    string,
  ];
  const have = await Promise.all(E2E_COMPONENTS.map((c) => inspectBinary(sys, c, dir)));
  const missing = E2E_COMPONENTS.filter((_, i) => opts.force || have[i]!.problem !== undefined);
  for (const [i, c] of E2E_COMPONENTS.entries()) {
    const why = have[i]!.problem;
    if (why !== undefined && have[i]!.present) {
      sys.err(`e2e-node: reinstalling ${c.name}: ${why}\n`);
    }
  }
  if (missing.length > 0) await installAll(sys, missing, dir);
  const infos = await Promise.all(E2E_COMPONENTS.map((c) => checkInstalled(sys, c, dir)));
  const rpcchainvm = commonRpcchainvm(infos[0]!, infos[1]!);
  const [nodeBin, pluginBin] = await describeBinaries([node, plugin], infos, missing);
  const sums = await writeSums(dir, [nodeBin, pluginBin]);
  return {
    dir,
    avalanchego: node,
    subnetEvm: plugin,
    versions: { avalanchego: AVALANCHEGO.version, subnetEvm: SUBNET_EVM.version },
    rpcchainvm,
    binaries: { avalanchego: nodeBin, subnetEvm: pluginBin },
    sums,
  };
}

/** What {@linkcode inspectBinary} found. */
interface Inspection {
  /** A file is at the path. */
  readonly present: boolean;
  /** Why it cannot be used as is; `undefined` when it answers `--version` as pinned. */
  readonly problem?: string;
}

/** Runs `<binary> --version` (30 s at most); its output, or why it could not run. */
async function askVersion(
  sys: ScriptSystem,
  path: string,
): Promise<{ output: string } | { failed: string }> {
  try {
    const r = await sys.run({ cmd: path, args: ["--version"], timeoutMs: VERSION_TIMEOUT_MS });
    if (r.timedOut) return { failed: `'--version' did not answer within ${VERSION_TIMEOUT_MS} ms` };
    if (r.code !== 0) {
      return { failed: `'--version' exited with ${r.code}: ${tailLines(r.stderr, 1)[0] ?? ""}` };
    }
    return { output: r.stdout };
  } catch (error) {
    return { failed: `cannot run it: ${messageOf(error)}` };
  }
}

/** Step: is the component's binary there, and does it answer `--version` as pinned? */
async function inspectBinary(sys: ScriptSystem, c: E2eComponent, dir: string): Promise<Inspection> {
  const path = join(dir, c.binary);
  const st = await Deno.stat(path).catch(() => undefined);
  if (st === undefined || !st.isFile) return { present: false, problem: "not installed" };
  const v = await askVersion(sys, path);
  const problem = "failed" in v ? v.failed : versionProblem(c, v.output);
  return problem === undefined ? { present: true } : { present: true, problem };
}

/** Step: finds Go, creates the dir, then `go install`s each component in turn. */
async function installAll(
  sys: ScriptSystem,
  components: readonly E2eComponent[],
  dir: string,
): Promise<void> {
  await withTempDir("parsd-e2e-node-", async (work) => {
    const env = goInstallEnv(sys.env, dir, true);
    let go: string;
    try {
      go = await goVersion(sys.run, work, env);
    } catch (error) {
      if (error instanceof ParsdError && error.exitCode === ExitCode.commandNotFound) {
        throw new E2eUnavailableError(ExitCode.commandNotFound, NO_GO, { cause: error });
      }
      throw error;
    }
    await ensureDir(dir);
    for (const c of components) await goInstall(sys, c, { go, env, work, dir });
  });
}

/**
 * Step: `go install PKG@VERSION` with GOBIN=dir. A module Go could not fetch
 * is an {@linkcode E2eUnavailableError} (69); any other failure 70. Both
 * carry Go's last lines.
 */
async function goInstall(
  sys: ScriptSystem,
  c: E2eComponent,
  at: { go: string; env: Record<string, string>; work: string; dir: string },
): Promise<void> {
  const spec = `${c.pkg}@${c.version}`;
  sys.err(`e2e-node: go install ${spec} with ${at.go} into ${at.dir} …\n`);
  const started = performance.now();
  const r = await runGo(sys.run, goInstallArgs(c.pkg, c.version), { cwd: at.work, env: at.env });
  if (r.code === 0) {
    sys.err(
      `e2e-node: installed ${c.name} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
    );
    return;
  }
  const failure = goFailure(r.stderr + "\n" + r.stdout);
  if (failure.kind === "failed") throw goFailedError(`go install ${spec}`, r);
  let reason = failure.reason;
  while (reason.startsWith(`${spec}: `)) reason = reason.slice(spec.length + 2);
  const proxy = sys.env("GOPROXY") || "https://proxy.golang.org,direct (Go's default)";
  const hint = /requires go >= /.test(reason)
    ? "install a newer Go from https://go.dev/dl/"
    : `the Go module proxy refused it or cannot be reached (GOPROXY=${proxy})`;
  const tail = tailLines(r.stderr + "\n" + r.stdout, TAIL_LINES);
  throw new E2eUnavailableError(
    ExitCode.unavailable,
    `cannot install ${spec}: ${reason}; ${hint}`,
    { details: tail.map((l) => `  ${l}`) },
  );
}

/** Step: after installing, each binary must answer `--version` as pinned (else 70). */
async function checkInstalled(
  sys: ScriptSystem,
  c: E2eComponent,
  dir: string,
): Promise<VersionInfo> {
  const path = join(dir, c.binary);
  const v = await askVersion(sys, path);
  const problem = "failed" in v ? v.failed : versionProblem(c, v.output);
  if (problem !== undefined || !("output" in v)) {
    throw new SoftwareError(`${c.name} at ${path}: ${problem}`);
  }
  return parseVersionLine(v.output)!;
}

/** Step: hash both binaries. */
async function describeBinaries(
  paths: readonly [string, string],
  infos: readonly VersionInfo[],
  built: readonly E2eComponent[],
): Promise<[E2eBinary, E2eBinary]> {
  const describe = async (i: 0 | 1): Promise<E2eBinary> => ({
    path: paths[i],
    sha256: await sha256File(paths[i]),
    version: infos[i]!,
    built: built.includes(E2E_COMPONENTS[i]!),
  });
  return [await describe(0), await describe(1)];
}

/** Step: `SHA256SUMS` beside the binaries, written atomically (73 on failure). */
async function writeSums(dir: string, binaries: readonly E2eBinary[]): Promise<string> {
  const sums = join(dir, "SHA256SUMS");
  const text = formatSha256Sums(
    binaries.map((b) => ({ file: basename(b.path), sha256: b.sha256 })),
  );
  await writeTextAtomic(sums, text, 0o644);
  return sums;
}

// ---------------------------------------------------------------------------
// The script

/** The stdout lines for a node: one per binary, then SHA256SUMS. */
export function reportLines(node: E2eNode): string[] {
  const line = (c: E2eComponent, b: E2eBinary) =>
    `${b.built ? "built" : "cached"} ${c.name} ${c.version} ${b.path} sha256 ${b.sha256}`;
  return [
    line(AVALANCHEGO, node.binaries.avalanchego),
    line(SUBNET_EVM, node.binaries.subnetEvm),
    `sums ${node.sums}`,
  ];
}

/** The script's body; returns the exit code. */
export async function buildE2eNode(sys: ScriptSystem, argv: readonly string[]): Promise<number> {
  const o = parseE2eArgs(argv, sys);
  if (o === "help") {
    sys.out(USAGE + "\n");
    return ExitCode.ok;
  }
  const node = await ensureE2eNode({
    sys,
    force: o.force,
    ...(o.out !== undefined ? { dir: o.out } : {}),
  });
  for (const line of reportLines(node)) sys.out(line + "\n");
  sys.err(`e2e-node: ${node.binaries.avalanchego.version.line}\n`);
  sys.err(`e2e-node: ${node.binaries.subnetEvm.version.line}\n`);
  sys.err(
    `e2e-node: both speak rpcchainvm ${node.rpcchainvm}; the plugin's VMID is ` +
      `${PLUGINS.evm.vmid} (cb58 of "${PLUGINS.evm.vmName}")\n`,
  );
  if (!o.pin) return ExitCode.ok;
  const target = pinTargetFrom({ dataDir: o.dataDir, config: o.config }, sys);
  return await pinPlugin(sys, "evm", node.subnetEvm, target);
}

/** Runs the script with `argv`; returns the exit code. */
export function main(argv: readonly string[], sys = denoScriptSystem()): Promise<number> {
  return runMain("e2e-node", sys, (s) => buildE2eNode(s, argv));
}

if (import.meta.main) Deno.exit(await main(Deno.args));
