/**
 * @module
 * Go build helpers shared by `scripts/build_plugin.ts` and
 * `scripts/build_luxd.ts`: find Go and its version, fetch a module through
 * the module proxy (`go mod download -json`), copy it out of the read-only
 * module cache, and build one package reproducibly into a file that appears
 * atomically (a dot-named temporary beside it, then chmod 0755 and rename).
 *
 * The pure part (flag parsing, Go version comparison, the go argv and env,
 * `go mod download -json` parsing) is exported for tests; the rest runs Go.
 *
 * Exit codes (see {@linkcode BUILD_EXIT}) follow sysexits(3) and the shell:
 * 64 usage, 66 missing source, 69 unavailable (module/version refused or not
 * found, Go too old), 70 `go build` failed, 73 cannot create the output,
 * 127 no `go` on PATH.
 */

import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { sha256File } from "../lib/hash.ts";
import { tempSibling } from "../lib/files.ts";

/** The exit codes of the build scripts. */
export const BUILD_EXIT = {
  ok: 0,
  /** Bad command line: unknown plugin, unknown flag, missing or conflicting values. */
  usage: 64,
  /** `--src` does not exist, is not a directory, or has no go.mod. */
  noInput: 66,
  /** The module or version is not available (proxy refusal, unknown version), or Go is too old. */
  unavailable: 69,
  /** `go build` (or another go command) failed. */
  software: 70,
  /** The output file or its directory could not be created. */
  cantCreate: 73,
  /** There is no `go` on PATH. */
  noGo: 127,
} as const;

/** The oldest Go the Lux modules ask for (luxfi/session's go.mod says `go 1.25.5`). */
export const MIN_GO_HINT = "1.25.5";

/** How many lines of Go's output a failed build shows. */
export const TAIL_LINES = 15;

/**
 * A failure the user can act on: printed as `build: error: <message>` after
 * any `details` lines (e.g. the tail of Go's output), then exit `exitCode`.
 */
export class BuildError extends Error {
  /** The process exit code, one of {@linkcode BUILD_EXIT}. */
  readonly exitCode: number;
  /** Lines to show before the one-line message, such as Go's last lines of output. */
  readonly details: readonly string[];

  /** Makes an error with its exit code, one-line message and optional detail lines. */
  constructor(exitCode: number, message: string, details: readonly string[] = []) {
    super(message);
    this.name = "BuildError";
    this.exitCode = exitCode;
    this.details = details;
  }
}

// ---------------------------------------------------------------------------
// Pure helpers

/** The result of {@linkcode parseFlags}: flag values and positional arguments. */
export interface ParsedFlags {
  /** Value flags and booleans (`true`), by name without the dashes. */
  readonly flags: Record<string, string | true>;
  /** Arguments that are not flags, in order. */
  readonly positional: string[];
}

/**
 * Parses `--name value`, `--name=value` and boolean `--name` flags. `valued`
 * names the flags that take a value, `booleans` those that do not; anything
 * else, a repeated flag or a missing value is a usage error (exit 64).
 * `-h` is `--help`; `--` ends the flags.
 */
export function parseFlags(
  argv: readonly string[],
  valued: readonly string[],
  booleans: readonly string[],
): ParsedFlags {
  const flags: Record<string, string | true> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (arg === "-h") {
      flags["help"] = true;
      continue;
    }
    if (!arg.startsWith("--") || arg === "--") {
      if (arg.startsWith("-") && arg !== "-") {
        throw new BuildError(BUILD_EXIT.usage, `unknown flag '${arg}'`);
      }
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    if (name in flags) throw new BuildError(BUILD_EXIT.usage, `flag --${name} given twice`);
    if (valued.includes(name)) {
      let value: string | undefined;
      if (eq >= 0) value = arg.slice(eq + 1);
      else {
        value = argv[i + 1];
        i++;
      }
      if (value === undefined || value === "") {
        throw new BuildError(BUILD_EXIT.usage, `flag --${name} needs a value`);
      }
      flags[name] = value;
    } else if (booleans.includes(name)) {
      if (eq >= 0) throw new BuildError(BUILD_EXIT.usage, `flag --${name} takes no value`);
      flags[name] = true;
    } else {
      throw new BuildError(BUILD_EXIT.usage, `unknown flag '--${name}'`);
    }
  }
  return { flags, positional };
}

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

/** Joins a multi-line message (Go indents continuation lines with a tab) into one line. */
export function oneLine(message: string): string {
  return message.trim().split(/\s*\n\s*/).join("; ");
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

/** The reproducible `go build` argv (without `go`) that writes package `pkg` to `out`. */
export function goBuildArgs(out: string, pkg: string, modMod: boolean): string[] {
  return [
    "build",
    ...(modMod ? ["-mod=mod"] : []),
    "-trimpath",
    "-buildvcs=false",
    "-ldflags=-s -w -buildid=",
    "-o",
    out,
    pkg,
  ];
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
 * (which is otherwise passed through: GOPATH, GOBIN, GOPROXY, GOCACHE, …).
 * GOTOOLCHAIN is always `local`, so Go never fetches another toolchain and
 * a too-old Go fails the same way everywhere.
 */
export function goEnv(
  userEnv: Readonly<Record<string, string>>,
  opts: GoEnvOptions,
): Record<string, string> {
  const env: Record<string, string> = { GOTOOLCHAIN: "local" };
  const cgo = userEnv["CGO_ENABLED"];
  env["CGO_ENABLED"] = cgo !== undefined && cgo !== "" ? cgo : opts.cgo ? "1" : "0";
  if (opts.modMod) {
    const kept = (userEnv["GOFLAGS"] ?? "").split(/\s+/).filter((f) =>
      f !== "" && !/^--?mod=/.test(f)
    );
    env["GOFLAGS"] = [...kept, "-mod=mod"].join(" ");
    env["GOWORK"] = "off";
  }
  return env;
}

/** The last `n` non-empty lines of text. */
export function tailLines(text: string, n: number): string[] {
  return text.split("\n").map((l) => l.trimEnd()).filter((l) => l !== "").slice(-n);
}

/** Resolves a user-given path against `base` (the directory the user ran the task from). */
export function absolute(path: string, base: string): string {
  return isAbsolute(path) ? path : resolve(base, path);
}

/**
 * The directory the user ran the command from: `deno task` runs scripts in
 * the project root and says where it was started in INIT_CWD.
 */
export function userCwd(env: Readonly<Record<string, string>>, cwd: string): string {
  const init = env["INIT_CWD"];
  return init !== undefined && init !== "" ? init : cwd;
}

/** parsd's data dir as the build scripts see it: `--data-dir`, else PARS_DATA_DIR, else ~/.pars. */
export function dataDirFor(
  flag: string | undefined,
  env: Readonly<Record<string, string>>,
  base: string,
): string {
  const fromEnv = env["PARS_DATA_DIR"];
  if (flag !== undefined) return absolute(flag, base);
  if (fromEnv !== undefined && fromEnv !== "") return absolute(fromEnv, base);
  return join(homeDir(env), ".pars");
}

/** The home directory from HOME (or USERPROFILE on Windows). */
export function homeDir(env: Readonly<Record<string, string>>): string {
  const home = env["HOME"] || env["USERPROFILE"];
  if (!home) throw new BuildError(BUILD_EXIT.usage, "HOME is not set; give paths explicitly");
  return home;
}

// ---------------------------------------------------------------------------
// Running Go

/** What a finished go command printed and how it exited. */
export interface GoResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const NO_GO = "go not found on PATH; install Go " + MIN_GO_HINT +
  " or newer from https://go.dev/dl/ (or your package manager) and put its bin dir on PATH";

/** Runs `go <args>` with output captured; no `go` on PATH is a {@linkcode BuildError} (127). */
export async function runGo(
  args: readonly string[],
  opts: { cwd: string; env: Record<string, string> },
): Promise<GoResult> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("go", {
      args: [...args],
      cwd: opts.cwd,
      env: opts.env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new BuildError(BUILD_EXIT.noGo, NO_GO);
    throw error;
  }
  runningGo.add(child);
  try {
    const out = await child.output();
    const dec = new TextDecoder();
    return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  } finally {
    runningGo.delete(child);
  }
}

/** The go on PATH's version, e.g. `go1.26.8` (from `go env GOVERSION`, run in `cwd`). */
export async function goVersion(cwd: string, env: Record<string, string>): Promise<string> {
  const r = await runGo(["env", "GOVERSION"], { cwd, env });
  const v = r.stdout.trim();
  if (r.code !== 0 || v === "") {
    throw new BuildError(
      BUILD_EXIT.software,
      `'go env GOVERSION' failed (exit ${r.code}): ${oneLine(r.stderr) || "no output"}`,
    );
  }
  return v;
}

/**
 * Downloads `module@version` into the module cache with `go mod download
 * -json` (run in `cwd`, an empty directory). A refusal or unknown version is
 * a {@linkcode BuildError} (69) carrying Go's reason.
 */
export async function downloadModule(
  module: string,
  version: string,
  cwd: string,
  env: Record<string, string>,
): Promise<ModDownload & { dir: string }> {
  const r = await runGo(["mod", "download", "-json", `${module}@${version}`], { cwd, env });
  const m = parseModDownload(r.stdout);
  if (m?.error !== undefined || r.code !== 0 || m?.dir === undefined) {
    const raw = m?.error ?? (oneLine(r.stderr) || `go mod download exited with ${r.code}`);
    const why = stripPrefix(stripPrefix(raw, `${module}@${version}: `), `module ${module}: `);
    throw new BuildError(
      BUILD_EXIT.unavailable,
      `cannot download ${module}@${version}: ${why}`,
    );
  }
  return { ...m, dir: m.dir };
}

function stripPrefix(s: string, prefix: string): string {
  return s.startsWith(prefix) ? s.slice(prefix.length) : s;
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

/** Reads the `go` directive of `<dir>/go.mod`; a missing go.mod is a {@linkcode BuildError} (66). */
export async function readGoDirective(dir: string): Promise<string | undefined> {
  const goMod = join(dir, "go.mod");
  try {
    return parseGoDirective(await Deno.readTextFile(goMod));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new BuildError(BUILD_EXIT.noInput, `${dir} has no go.mod; is it a Go module checkout?`);
    }
    throw error;
  }
}

/** Creates `dir` (and missing parents) with mode 0700; failure is a {@linkcode BuildError} (73). */
export async function ensureDir(dir: string): Promise<void> {
  try {
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) return;
    throw new BuildError(
      BUILD_EXIT.cantCreate,
      `cannot create ${dir}: ${(error as Error).message}`,
    );
  }
}

/** Paths to delete if the user interrupts a build (SIGINT/SIGTERM). */
const pendingCleanup = new Set<string>();
/** go commands running now, stopped (and waited for) on an interrupt. */
const runningGo = new Set<Deno.ChildProcess>();

function removeSyncQuiet(path: string): void {
  try {
    Deno.removeSync(path, { recursive: true });
  } catch {
    // already gone
  }
}

/**
 * Runs `fn` with SIGINT/SIGTERM handlers that stop the running go command,
 * delete every temporary path registered while it runs, then exit 130/143. Without it an interrupted
 * build would leave a dot-named temporary beside the output.
 */
export async function withInterruptCleanup<T>(fn: () => Promise<T>): Promise<T> {
  if (Deno.build.os === "windows") return await fn();
  const handlers = (["SIGINT", "SIGTERM"] as const).map((sig) => {
    const h = async () => {
      // Stop go first, so that it cannot write the temporary output after it is removed.
      await Promise.all([...runningGo].map(async (c) => {
        try {
          c.kill(sig);
        } catch {
          // already exited
        }
        await c.status;
      }));
      for (const p of pendingCleanup) removeSyncQuiet(p);
      Deno.exit(sig === "SIGINT" ? 130 : 143);
    };
    Deno.addSignalListener(sig, h);
    return [sig, h] as const;
  });
  try {
    return await fn();
  } finally {
    for (const [sig, h] of handlers) Deno.removeSignalListener(sig, h);
  }
}

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
  /** The user's environment, passed through to Go. */
  readonly env: Readonly<Record<string, string>>;
  /** Progress notes (to stderr). */
  readonly note: (line: string) => void;
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

/**
 * Builds one Go package into `out`: checks Go, downloads the module (module
 * mode) and copies it to a writable temporary dir, checks the module's `go`
 * directive against the toolchain, runs the reproducible `go build` into a
 * dot-named temporary beside `out`, then chmod 0755 and renames it into
 * place. On any failure `out` is left as it was and temporaries are removed.
 *
 * @throws {BuildError} with the exit code and message to report.
 */
export async function buildGoBinary(req: BuildRequest): Promise<BuildResult> {
  const started = performance.now();
  const work = await Deno.makeTempDir({ prefix: "parsd-build-" });
  pendingCleanup.add(work);
  try {
    const modMod = req.srcDir === undefined;
    const env = goEnv(req.env, { cgo: req.cgo, modMod });
    if (req.srcDir !== undefined) {
      const st = await Deno.stat(req.srcDir).catch(() => undefined);
      if (!st?.isDirectory) {
        throw new BuildError(
          BUILD_EXIT.noInput,
          `source dir ${req.srcDir} does not exist or is not a directory`,
        );
      }
      await readGoDirective(req.srcDir);
    }
    const have = await goVersion(work, env);

    let root: string;
    let version: string | undefined;
    if (req.srcDir !== undefined) {
      root = req.srcDir;
    } else {
      if (req.module === undefined || req.version === undefined) {
        throw new BuildError(BUILD_EXIT.usage, "give a source dir or a module and version");
      }
      req.note(`downloading ${req.module}@${req.version} with ${have} …`);
      const m = await downloadModule(req.module, req.version, work, env);
      version = m.version;
      root = join(work, "src");
      await copyTree(m.dir, root);
    }

    const from = req.srcDir ?? `${req.module}@${version}`;
    const need = await readGoDirective(root);
    if (need !== undefined) {
      const why = goTooOld(have, need, join(from, "go.mod"));
      if (why !== undefined) throw new BuildError(BUILD_EXIT.unavailable, why);
    }

    await ensureDir(dirname(req.out));
    const tmp = tempSibling(req.out);
    pendingCleanup.add(tmp);
    try {
      const cgo = env["CGO_ENABLED"];
      req.note(`building ${req.what} (${req.pkg} in ${from}) with ${have}, CGO_ENABLED=${cgo} …`);
      const r = await runGo(goBuildArgs(tmp, req.pkg, modMod), { cwd: root, env });
      if (r.code !== 0) {
        const tail = tailLines(r.stderr + "\n" + r.stdout, TAIL_LINES);
        throw new BuildError(
          BUILD_EXIT.software,
          `building ${req.what} failed: go build exited with ${r.code}` +
            (tail.length > 0 ? ` (last ${tail.length} lines of Go's output above)` : ""),
          tail.map((l) => `  ${l}`),
        );
      }
      try {
        await Deno.chmod(tmp, 0o755);
        await Deno.rename(tmp, req.out);
      } catch (error) {
        throw new BuildError(
          BUILD_EXIT.cantCreate,
          `cannot put the build at ${req.out}: ${(error as Error).message}`,
        );
      }
    } finally {
      await Deno.remove(tmp).catch(() => {});
      pendingCleanup.delete(tmp);
    }
    const sha256 = await sha256File(req.out);
    const size = (await Deno.stat(req.out)).size;
    return {
      out: req.out,
      sha256,
      size,
      seconds: (performance.now() - started) / 1000,
      goVersion: have,
      ...(version !== undefined ? { version } : {}),
    };
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
    pendingCleanup.delete(work);
  }
}

/** The `built …` line: `built <what> <out> sha256 <hex> (<size> bytes, <secs> s)`. */
export function builtLine(what: string, r: BuildResult): string {
  return `built ${what} ${r.out} sha256 ${r.sha256} (${r.size} bytes, ${r.seconds.toFixed(1)} s)`;
}

/** Prints a {@linkcode BuildError} (details, then `build: error: …`) and returns its exit code. */
export function reportError(error: unknown, err: (line: string) => void): number {
  if (error instanceof BuildError) {
    for (const d of error.details) err(d);
    err(`build: error: ${error.message}`);
    return error.exitCode;
  }
  err(`build: error: ${(error as Error)?.stack ?? String(error)}`);
  return 1;
}

/** Writes a line to stderr. */
export function eprint(line: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(line + "\n"));
}

/** A file name safe for a version string (`v1.22.18` stays, `/` and such become `_`). */
export function safeName(s: string): string {
  return basename(s.replace(/[^A-Za-z0-9._+-]/g, "_")) || "_";
}
