/**
 * @module
 * Go build helpers shared by `scripts/build_plugin.ts`, `scripts/build_luxd.ts`
 * and `scripts/build_e2e_node.ts`: find Go and its version, fetch a module
 * through the module proxy (`go mod download -json`), copy it out of the
 * read-only module cache, build one package reproducibly into a file that
 * appears atomically, or `go install` a package at a version into a GOBIN.
 *
 * The pure part (Go version comparison, the go argv and env, `go mod
 * download -json` parsing, telling an unavailable module from a failed build)
 * is exported for tests; the rest runs Go through {@linkcode ScriptSystem.run}.
 *
 * Exit codes (lib's `ExitCode`): 64 usage, 66 missing source, 69 unavailable
 * (module/version refused or not found, proxy unreachable, Go too old), 70 a
 * go command failed, 73 cannot create the output, 127 no `go` on PATH.
 */

import {
  CommandNotFoundError,
  ExitCode,
  NoInputError,
  ParsdError,
  SoftwareError,
  UnavailableError,
  UsageError,
} from "../lib/errors.ts";
import { sha256File } from "../lib/os/hash.ts";
import { dirname, join } from "../lib/os/path.ts";
import type { System } from "../lib/os/system.ts";
import {
  ensureDir,
  messageOf,
  oneLine,
  produceAtomically,
  type ScriptSystem,
  tailLines,
  withTempDir,
} from "./kit.ts";
import { type Runner } from "./run.ts";

/** The oldest Go the Lux modules ask for (luxfi/session's go.mod says `go 1.25.5`). */
export const MIN_GO_HINT = "1.25.5";

/** How many lines of Go's output a failed go command shows. */
export const TAIL_LINES = 15;

/** The message for "no go on PATH" (exit 127, {@linkcode ExitCode.commandNotFound}). */
export const NO_GO = "go not found on PATH; install Go " + MIN_GO_HINT +
  " or newer from https://go.dev/dl/ (or your package manager) and put its bin dir on PATH";

// ---------------------------------------------------------------------------
// Pure helpers

/** A parsed Go version: numbers (major, minor, patch) and a pre-release rank. */
interface GoVersionParts {
  readonly nums: [number, number, number];
  /** 0 for a release; otherwise negative, so `rc` and `beta` sort before the release. */
  readonly pre: number;
}

function goVersionParts(v: string): GoVersionParts | undefined {
  const m = /^(?:go)?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:(rc|beta)(\d+))?$/.exec(v.trim());
  if (!m) return undefined;
  const pre = m[4] === undefined ? 0 : (m[4] === "beta" ? -1000 : -500) + Number(m[5]);
  return { nums: [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)], pre };
}

/**
 * Compares two Go versions (`go1.26.8`, `1.25.5`, `1.22`, `1.21rc1`):
 * negative if `a` is older, 0 if equal, positive if newer. `undefined` if
 * either cannot be parsed (a devel toolchain, say).
 */
export function compareGoVersions(a: string, b: string): number | undefined {
  const pa = goVersionParts(a);
  const pb = goVersionParts(b);
  if (!pa || !pb) return undefined;
  for (let i = 0; i < 3; i++) {
    const d = pa.nums[i]! - pb.nums[i]!;
    if (d !== 0) return d;
  }
  return pa.pre - pb.pre;
}

/** The version in a go.mod's `go` directive (`go 1.25.5` → `1.25.5`), if any. */
export function parseGoDirective(goMod: string): string | undefined {
  return /^\s*go\s+([0-9][^\s/]*)\s*(?:\/\/.*)?$/m.exec(goMod)?.[1];
}

/**
 * Why the Go toolchain `have` (`go env GOVERSION`, e.g. `go1.26.8`) cannot
 * build a module whose go.mod says `go <need>`; `undefined` if it can or the
 * versions cannot be compared (a devel toolchain is given the benefit of the doubt).
 */
export function goTooOld(have: string, need: string, goModPath: string): string | undefined {
  const c = compareGoVersions(have, need);
  if (c === undefined || c >= 0) return undefined;
  return `${goModPath} needs Go ${need} or newer, but the go on PATH is ${have}; ` +
    `install Go ${need}+ from https://go.dev/dl/ and put it first on PATH`;
}

/** One module as `go mod download -json` reports it. */
export interface ModDownload {
  /** The module path. */
  readonly path: string;
  /** The resolved version (a query such as a commit hash resolves to a pseudo-version). */
  readonly version: string;
  /** The module's read-only directory in the module cache, when downloaded. */
  readonly dir?: string;
  /** Go's error, when it failed, on one line. */
  readonly error?: string;
}

/**
 * Parses the output of `go mod download -json MODULE@VERSION`: one JSON
 * object (or several, concatenated; the first is used). `undefined` if there
 * is none, e.g. when Go failed before downloading anything.
 */
export function parseModDownload(stdout: string): ModDownload | undefined {
  const start = stdout.indexOf("{");
  if (start < 0) return undefined;
  let depth = 0;
  let inString = false;
  let end = -1;
  for (let i = start; i < stdout.length; i++) {
    const ch = stdout[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "{") depth++;
    else if (ch === "}" && --depth === 0) {
      end = i;
      break;
    }
  }
  if (end < 0) return undefined;
  let obj: Record<string, unknown>;
  try {
    obj = JSON.parse(stdout.slice(start, end + 1)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const str = (k: string) => typeof obj[k] === "string" ? obj[k] as string : undefined;
  const dir = str("Dir");
  const error = str("Error");
  return {
    path: str("Path") ?? "",
    version: str("Version") ?? "",
    ...(dir !== undefined && dir !== "" ? { dir } : {}),
    ...(error !== undefined && error !== "" ? { error: oneLine(error) } : {}),
  };
}

/** The flags that make a Go build reproducible: no paths, no VCS stamp, no build ID, stripped. */
export const REPRODUCIBLE_FLAGS: readonly string[] = [
  "-trimpath",
  "-buildvcs=false",
  "-ldflags=-s -w -buildid=",
];

/** The reproducible `go build` argv (without `go`) that writes package `pkg` to `out`. */
export function goBuildArgs(out: string, pkg: string, modMod: boolean): string[] {
  return ["build", ...(modMod ? ["-mod=mod"] : []), ...REPRODUCIBLE_FLAGS, "-o", out, pkg];
}

/** The reproducible `go install` argv (without `go`) of package `pkg` at `version`. */
export function goInstallArgs(pkg: string, version: string): string[] {
  return ["install", ...REPRODUCIBLE_FLAGS, `${pkg}@${version}`];
}

/** Options for {@linkcode goEnv}. */
export interface GoEnvOptions {
  /** CGO_ENABLED unless the user's environment sets it. */
  readonly cgo: boolean;
  /** Module mode: `-mod=mod` in GOFLAGS (replacing any `-mod=`) and GOWORK=off. */
  readonly modMod: boolean;
}

/**
 * The environment overrides for go commands, given the user's environment
 * (which is otherwise passed through: GOPATH, GOPROXY, GOCACHE, …).
 * GOTOOLCHAIN is always `local`, so Go never fetches another toolchain and
 * a too-old Go fails the same way everywhere.
 */
export function goEnv(userEnv: System["env"], opts: GoEnvOptions): Record<string, string> {
  const env: Record<string, string> = { GOTOOLCHAIN: "local" };
  const cgo = userEnv("CGO_ENABLED");
  env["CGO_ENABLED"] = cgo !== undefined && cgo !== "" ? cgo : opts.cgo ? "1" : "0";
  if (opts.modMod) {
    const kept = withoutModFlag(userEnv("GOFLAGS"));
    env["GOFLAGS"] = [...kept, "-mod=mod"].join(" ");
    env["GOWORK"] = "off";
  }
  return env;
}

function withoutModFlag(goflags: string | undefined): string[] {
  return (goflags ?? "").split(/\s+/).filter((f) => f !== "" && !/^--?mod=/.test(f));
}

/**
 * The environment overrides for `go install PKG@VERSION` into `gobin`:
 * {@linkcode goEnv}'s, plus GOBIN, GOWORK=off and the user's GOFLAGS without
 * a `-mod=` flag (which `go install …@version` does not take).
 */
export function goInstallEnv(
  userEnv: System["env"],
  gobin: string,
  cgo: boolean,
): Record<string, string> {
  return {
    ...goEnv(userEnv, { cgo, modMod: false }),
    GOFLAGS: withoutModFlag(userEnv("GOFLAGS")).join(" "),
    GOWORK: "off",
    GOBIN: gobin,
  };
}

/**
 * Lines of Go's output that say a module could not be fetched (refused,
 * unknown, unreachable, lookups disabled) rather than that the code failed
 * to build.
 */
const UNAVAILABLE_PATTERNS: readonly RegExp[] = [
  /reading (?:https?|file):\/\//,
  /\b(?:403 Forbidden|404 Not Found|410 Gone)\b/,
  /dial tcp|no such host|i\/o timeout|connection refused|network is unreachable/,
  /TLS handshake timeout|Could not resolve host|unable to access/,
  /module lookup disabled by GOPROXY=off/,
  /unknown revision|invalid version|no matching versions/,
  /cannot find module providing package/,
  /requires go >= /,
];

/**
 * Why a failed go command failed, judged from its output: `unavailable`
 * with the line that says so (without Go's `go: ` prefix) when a module
 * could not be fetched, else `failed`. Pure.
 */
export function goFailure(output: string): { kind: "unavailable"; reason: string } | {
  kind: "failed";
} {
  const lines = tailLines(output, 200);
  const hit = lines.findLast((l) => UNAVAILABLE_PATTERNS.some((p) => p.test(l)));
  return hit === undefined
    ? { kind: "failed" }
    : { kind: "unavailable", reason: hit.trim().replace(/^go: /, "") };
}

// ---------------------------------------------------------------------------
// Running Go

/** What a finished go command printed and how it exited. */
export interface GoResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@linkcode runGo}. */
export interface RunGoOptions {
  readonly cwd: string;
  /** Overrides added to the inherited environment. */
  readonly env: Record<string, string>;
  readonly timeoutMs?: number;
}

/**
 * Runs `go <args>` with output captured.
 *
 * @throws {ParsdError} (127) {@linkcode NO_GO} when there is no `go` on PATH.
 */
export async function runGo(
  run: Runner,
  args: readonly string[],
  opts: RunGoOptions,
): Promise<GoResult> {
  try {
    const r = await run({
      cmd: "go",
      args,
      cwd: opts.cwd,
      env: opts.env,
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    });
    return { code: r.code, stdout: r.stdout, stderr: r.stderr };
  } catch (error) {
    if (error instanceof CommandNotFoundError) {
      throw new ParsdError(ExitCode.commandNotFound, NO_GO, { cause: error });
    }
    throw error;
  }
}

/**
 * The go on PATH's version, e.g. `go1.26.8` (from `go env GOVERSION`, run in `cwd`).
 *
 * @throws {SoftwareError} (70) when go cannot say; (127) when there is no go.
 */
export async function goVersion(
  run: Runner,
  cwd: string,
  env: Record<string, string>,
): Promise<string> {
  const r = await runGo(run, ["env", "GOVERSION"], { cwd, env });
  const v = r.stdout.trim();
  if (r.code !== 0 || v === "") {
    throw new SoftwareError(
      `'go env GOVERSION' failed (exit ${r.code}): ${oneLine(r.stderr) || "no output"}`,
    );
  }
  return v;
}

/**
 * Downloads `module@version` into the module cache with `go mod download
 * -json` (run in `cwd`, an empty directory).
 *
 * @throws {UnavailableError} (69) on a refusal or unknown version, carrying Go's reason.
 */
export async function downloadModule(
  run: Runner,
  module: string,
  version: string,
  cwd: string,
  env: Record<string, string>,
): Promise<ModDownload & { dir: string }> {
  const r = await runGo(run, ["mod", "download", "-json", `${module}@${version}`], { cwd, env });
  const m = parseModDownload(r.stdout);
  if (m?.error !== undefined || r.code !== 0 || m?.dir === undefined) {
    const raw = m?.error ?? (oneLine(r.stderr) || `go mod download exited with ${r.code}`);
    const why = stripPrefix(stripPrefix(raw, `${module}@${version}: `), `module ${module}: `);
    throw new UnavailableError(`cannot download ${module}@${version}: ${why}`);
  }
  return { ...m, dir: m.dir };
}

function stripPrefix(s: string, prefix: string): string {
  return s.startsWith(prefix) ? s.slice(prefix.length) : s;
}

/** What {@linkcode probeModule} found out about a module version. */
export type ModuleProbe =
  | { readonly state: "served"; readonly version: string }
  | { readonly state: "unavailable"; readonly reason: string }
  | { readonly state: "no-go"; readonly reason: string };

/**
 * Asks the Go module proxy (cheaply: `go list -m -json`, no download of the
 * module's zip) whether `module@version` is served. Tests use it to know
 * which world they are in before they decide what to assert.
 */
export async function probeModule(
  run: Runner,
  module: string,
  version: string,
  timeoutMs = 60_000,
): Promise<ModuleProbe> {
  return await withTempDir("parsd-probe-", async (cwd) => {
    const env = { GOTOOLCHAIN: "local", GOFLAGS: "-mod=mod", GOWORK: "off" };
    let r: GoResult;
    try {
      r = await runGo(run, ["list", "-m", "-json", `${module}@${version}`], {
        cwd,
        env,
        timeoutMs,
      });
    } catch (error) {
      if (error instanceof ParsdError && error.exitCode === ExitCode.commandNotFound) {
        return { state: "no-go", reason: error.message };
      }
      throw error;
    }
    if (r.code === 0) {
      const m = parseModDownload(r.stdout);
      return { state: "served", version: m?.version ?? version };
    }
    const why = oneLine(r.stderr) || `go list exited with ${r.code}`;
    return { state: "unavailable", reason: `${module}@${version}: ${why}` };
  });
}

/** Copies a directory tree, making the copy writable by its owner (the module cache is read-only). */
export async function copyTree(src: string, dst: string): Promise<void> {
  await Deno.mkdir(dst, { recursive: true, mode: 0o755 });
  await Deno.chmod(dst, 0o755);
  for await (const e of Deno.readDir(src)) {
    const from = join(src, e.name);
    const to = join(dst, e.name);
    if (e.isDirectory) await copyTree(from, to);
    else if (e.isSymlink) await Deno.symlink(await Deno.readLink(from), to);
    else {
      await Deno.copyFile(from, to);
      const mode = (await Deno.stat(from)).mode ?? 0o644;
      await Deno.chmod(to, (mode & 0o111) !== 0 ? 0o755 : 0o644);
    }
  }
}

/**
 * Reads the `go` directive of `<dir>/go.mod`.
 *
 * @throws {NoInputError} (66) when there is no go.mod.
 */
export async function readGoDirective(dir: string): Promise<string | undefined> {
  const goMod = join(dir, "go.mod");
  try {
    return parseGoDirective(await Deno.readTextFile(goMod));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new NoInputError(`${dir} has no go.mod; is it a Go module checkout?`, { cause: error });
    }
    throw error;
  }
}

// ---------------------------------------------------------------------------
// Building one package: buildGoBinary and its steps

/** What to build with {@linkcode buildGoBinary}. */
export interface BuildRequest {
  /** What is being built, for messages (`sessionvm`, `luxd v1.22.18`). */
  readonly what: string;
  /** The Go package to build, relative to the module root (`./plugin`). */
  readonly pkg: string;
  /** CGO_ENABLED for the build (unless the user's environment sets it). */
  readonly cgo: boolean;
  /** The output file (absolute). Its directory is created (0700) if missing. */
  readonly out: string;
  /** Build a local checkout: this directory holds go.mod. */
  readonly srcDir?: string;
  /** Or download this module … */
  readonly module?: string;
  /** … at this version (a tag, pseudo-version or commit). */
  readonly version?: string;
}

/** What {@linkcode buildGoBinary} produced. */
export interface BuildResult {
  readonly out: string;
  readonly sha256: string;
  readonly size: number;
  /** Wall-clock seconds, download included. */
  readonly seconds: number;
  /** The Go toolchain used, e.g. `go1.26.8`. */
  readonly goVersion: string;
  /** The module version built, in module mode (resolved by Go). */
  readonly version?: string;
}

/** The source tree a build runs in. */
interface BuildSource {
  /** The module root (holds go.mod). */
  readonly root: string;
  /** Where it came from, for messages: the checkout dir or `module@version`. */
  readonly from: string;
  /** The resolved module version (module mode only). */
  readonly version?: string;
}

/** The Go setup shared by the steps of one build. */
interface GoSetup {
  /** The toolchain, e.g. `go1.26.8`. */
  readonly go: string;
  /** The go commands' environment overrides. */
  readonly env: Record<string, string>;
  /** A scratch directory removed after the build. */
  readonly work: string;
}

/**
 * Builds one Go package into `req.out`, in named steps: check the checkout
 * (if any), find Go, fetch the source, check the module's `go` directive,
 * compile into a dot-named temporary beside `out` and rename it into place
 * (0755), then hash it. On any failure `out` is left as it was and
 * temporaries are removed.
 *
 * @throws {ParsdError} with the exit code and message to report.
 */
export async function buildGoBinary(sys: ScriptSystem, req: BuildRequest): Promise<BuildResult> {
  const started = performance.now();
  const env = goEnv(sys.env, { cgo: req.cgo, modMod: req.srcDir === undefined });
  return await withTempDir("parsd-build-", async (work) => {
    if (req.srcDir !== undefined) await checkSourceDir(req.srcDir);
    const setup: GoSetup = { go: await goVersion(sys.run, work, env), env, work };
    const source = await fetchSource(sys, req, setup);
    await checkGoDirective(source, setup.go);
    await compileInto(sys, req, source, setup);
    return await describeBuild(req.out, started, setup.go, source.version);
  });
}

/** Step: a `--src` checkout must be a directory with a go.mod (else 66). */
async function checkSourceDir(srcDir: string): Promise<void> {
  const st = await Deno.stat(srcDir).catch(() => undefined);
  if (!st?.isDirectory) {
    throw new NoInputError(`source dir ${srcDir} does not exist or is not a directory`);
  }
  await readGoDirective(srcDir);
}

/** Step: the checkout as it is, or the module downloaded and copied to a writable dir. */
async function fetchSource(
  sys: ScriptSystem,
  req: BuildRequest,
  setup: GoSetup,
): Promise<BuildSource> {
  if (req.srcDir !== undefined) return { root: req.srcDir, from: req.srcDir };
  if (req.module === undefined || req.version === undefined) {
    throw new UsageError("give a source dir or a module and version");
  }
  sys.err(`downloading ${req.module}@${req.version} with ${setup.go} …\n`);
  const m = await downloadModule(sys.run, req.module, req.version, setup.work, setup.env);
  const root = join(setup.work, "src");
  await copyTree(m.dir, root);
  return { root, from: `${req.module}@${m.version}`, version: m.version };
}

/** Step: the module's `go` line must not ask for a newer Go than the one on PATH (else 69). */
async function checkGoDirective(source: BuildSource, go: string): Promise<void> {
  const need = await readGoDirective(source.root);
  if (need === undefined) return;
  const why = goTooOld(go, need, join(source.from, "go.mod"));
  if (why !== undefined) throw new UnavailableError(why);
}

/** Step: the reproducible `go build`, into a temporary renamed over `req.out` (70 with Go's tail). */
async function compileInto(
  sys: ScriptSystem,
  req: BuildRequest,
  source: BuildSource,
  setup: GoSetup,
): Promise<void> {
  await ensureDir(dirname(req.out));
  const modMod = req.srcDir === undefined;
  sys.err(
    `building ${req.what} (${req.pkg} in ${source.from}) with ${setup.go}, ` +
      `CGO_ENABLED=${setup.env["CGO_ENABLED"]} …\n`,
  );
  await produceAtomically(req.out, 0o755, async (tmp) => {
    const r = await runGo(sys.run, goBuildArgs(tmp, req.pkg, modMod), {
      cwd: source.root,
      env: setup.env,
    });
    if (r.code !== 0) throw goFailedError(`building ${req.what} failed: go build`, r);
  });
}

/** A go command that failed (70), with Go's last lines as details. */
export function goFailedError(what: string, r: GoResult): SoftwareError {
  const tail = tailLines(r.stderr + "\n" + r.stdout, TAIL_LINES);
  return new SoftwareError(
    `${what} exited with ${r.code}` +
      (tail.length > 0 ? ` (last ${tail.length} lines of Go's output above)` : ""),
    { details: tail.map((l) => `  ${l}`) },
  );
}

/** Step: hash and measure the result. */
async function describeBuild(
  out: string,
  started: number,
  go: string,
  version: string | undefined,
): Promise<BuildResult> {
  try {
    const sha256 = await sha256File(out);
    const size = (await Deno.stat(out)).size;
    return {
      out,
      sha256,
      size,
      seconds: (performance.now() - started) / 1000,
      goVersion: go,
      ...(version !== undefined ? { version } : {}),
    };
  } catch (error) {
    throw new SoftwareError(`cannot read the build ${out}: ${messageOf(error)}`, { cause: error });
  }
}

/** The `built …` line: `built <what> <out> sha256 <hex> (<size> bytes, <secs> s)`. */
export function builtLine(what: string, r: BuildResult): string {
  return `built ${what} ${r.out} sha256 ${r.sha256} (${r.size} bytes, ${r.seconds.toFixed(1)} s)`;
}
