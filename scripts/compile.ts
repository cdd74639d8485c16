/**
 * @module
 * `deno task compile`: builds parsd as one self-contained binary per target
 * with `deno compile -P=parsd`, so every binary carries exactly the permission
 * set `deno task start` runs with (deno.json's `permissions.parsd` is the one
 * definition), then writes `SHA256SUMS` in `sha256sum` format next to them.
 *
 * ```sh
 * deno task compile                                      # all targets into dist/
 * deno task compile --target x86_64-unknown-linux-gnu    # a subset (repeatable, or a,b)
 * deno task compile --out /tmp/parsd-dist                # another output directory
 * ```
 *
 * `deno compile` downloads `denort` (the runtime the binary is built on) from
 * dl.deno.land unless it is cached or `DENORT_BIN` names one. Without
 * `DENORT_BIN`, the download URL is probed first so that an offline machine
 * fails in seconds with exit 69 instead of hanging.
 *
 * Exit codes: 0 built; 1 a `deno compile` failed or timed out; 64 bad command
 * line or environment value; 66 `DENORT_BIN` missing; 69 dl.deno.land
 * unreachable; 73 the output directory or `SHA256SUMS` could not be written.
 *
 * The logic is pure ({@linkcode parseCompileArgs}, {@linkcode compileArgs},
 * {@linkcode sha256sumsText}, …); {@linkcode main} is the thin shell around it
 * with its side effects behind {@linkcode CompileDeps}.
 */

import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256File } from "../lib/hash.ts";

/** The targets parsd ships, in build order. Windows builds get `.exe`. */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
] as const;

/** One of {@linkcode TARGETS}. */
export type Target = typeof TARGETS[number];

/** The permission set in deno.json's `permissions` that is baked into every binary. */
export const PERMISSION_SET = "parsd";

/** The entry point compiled, relative to {@linkcode REPO_ROOT}. */
export const ENTRY_POINT = "main.ts";

/** The checksum file written next to the binaries. */
export const SUMS_FILE = "SHA256SUMS";

/** Where `deno compile` downloads denort from; `PARSD_DENORT_BASE_URL` overrides it. */
export const DEFAULT_DENORT_BASE_URL = "https://dl.deno.land/";

/** How long the download probe waits; `PARSD_COMPILE_PROBE_TIMEOUT_MS` overrides it. */
export const DEFAULT_PROBE_TIMEOUT_MS = 5_000;

/** How long one `deno compile` may take; `PARSD_COMPILE_TIMEOUT_MS` overrides it. */
export const DEFAULT_COMPILE_TIMEOUT_MS = 600_000;

/** The repository root: the parent of this script's directory (never the cwd). */
export const REPO_ROOT: string = dirname(dirname(fileURLToPath(import.meta.url)));

/** The default output directory, `dist/` under {@linkcode REPO_ROOT}. */
export const DEFAULT_OUT_DIR: string = join(REPO_ROOT, "dist");

/** This script's exit codes (sysexits(3), like parsd's own). */
export const CompileExit = {
  ok: 0,
  /** A `deno compile` failed or timed out. */
  failed: 1,
  /** Bad command line, bad environment value, or several targets with DENORT_BIN. */
  usage: 64,
  /** DENORT_BIN names no file. */
  noInput: 66,
  /** dl.deno.land (or PARSD_DENORT_BASE_URL) cannot be reached. */
  unavailable: 69,
  /** The output directory or SHA256SUMS could not be written. */
  cantCreate: 73,
} as const;

/** A failure the user can act on: printed as `compile: error: <message>`, exits with `exitCode`. */
export class CompileError extends Error {
  /** The process exit code. */
  readonly exitCode: number;

  constructor(exitCode: number, message: string) {
    super(message);
    this.name = "CompileError";
    this.exitCode = exitCode;
  }
}

/** The parsed command line. */
export interface CompileOptions {
  /** The targets to build, de-duplicated, in {@linkcode TARGETS} order. */
  readonly targets: readonly Target[];
  /** `--out DIR` as given (resolved against the cwd by {@linkcode main}), if given. */
  readonly out?: string;
  /** `-h` / `--help` was given. */
  readonly help: boolean;
}

/** The `--help` text. */
export const USAGE = `Usage: deno task compile [--target TARGET]... [--out DIR]

Builds dist/parsd-<target> (.exe on Windows) with deno compile -P=${PERMISSION_SET},
then dist/${SUMS_FILE} (check with: cd dist && sha256sum -c ${SUMS_FILE}).

Options:
  --target TARGET  build only TARGET; repeatable or comma-separated (default: all)
  --out DIR        output directory (default: dist/ in the repository)
  -h, --help       show this help

Targets: ${TARGETS.join(", ")}

Environment:
  DENORT_BIN                      a denort binary to build on instead of downloading one
                                  (one binary, so select exactly one --target)
  PARSD_DENORT_BASE_URL           denort download base (default ${DEFAULT_DENORT_BASE_URL})
  PARSD_COMPILE_PROBE_TIMEOUT_MS  download probe timeout (default ${DEFAULT_PROBE_TIMEOUT_MS})
  PARSD_COMPILE_TIMEOUT_MS        timeout of each deno compile (default ${DEFAULT_COMPILE_TIMEOUT_MS})
`;

/** Whether `value` is one of {@linkcode TARGETS}. */
export function isTarget(value: string): value is Target {
  return (TARGETS as readonly string[]).includes(value);
}

/**
 * Parses the script's arguments.
 *
 * @throws {CompileError} (exit 64) on an unknown target, unknown option or missing value.
 */
export function parseCompileArgs(argv: readonly string[]): CompileOptions {
  const picked = new Set<Target>();
  let out: string | undefined;
  let help = false;
  const value = (name: string, i: number): string => {
    const v = argv[i];
    if (v === undefined || v === "") throw usage(`${name} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = name === arg ? undefined : arg.slice(eq + 1);
    if (name === "-h" || name === "--help") {
      help = true;
    } else if (name === "--target") {
      const list = inline ?? value(name, ++i);
      for (const t of list.split(",").map((s) => s.trim())) {
        if (!isTarget(t)) {
          throw usage(`unknown target '${t}'; expected one of ${TARGETS.join(", ")}`);
        }
        picked.add(t);
      }
    } else if (name === "--out") {
      out = inline ?? value(name, ++i);
      if (out === "") throw usage("--out needs a value");
    } else {
      throw usage(`unknown argument '${arg}'; see --help`);
    }
  }
  const targets = picked.size === 0 ? [...TARGETS] : TARGETS.filter((t) => picked.has(t));
  return out === undefined ? { targets, help } : { targets, out, help };
}

/** The binary's file name for `target`: `parsd-<target>`, plus `.exe` for Windows. */
export function outputName(target: Target): string {
  return `parsd-${target}${target.includes("windows") ? ".exe" : ""}`;
}

/**
 * The exact arguments given to `deno` (run with cwd = {@linkcode REPO_ROOT}) to
 * build `target` into `outDir`. Permissions come only from the permission set;
 * type checking stays on.
 */
export function compileArgs(target: Target, outDir: string): string[] {
  return [
    "compile",
    `-P=${PERMISSION_SET}`,
    "--no-prompt",
    "--target",
    target,
    "--output",
    join(outDir, outputName(target)),
    ENTRY_POINT,
  ];
}

/** The URL `deno compile` (deno `version`) downloads `target`'s denort from. */
export function denortUrl(
  version: string,
  target: Target,
  base: string = DEFAULT_DENORT_BASE_URL,
): string {
  const root = base.endsWith("/") ? base : `${base}/`;
  return new URL(`release/v${version}/denort-${target}.zip`, root).href;
}

/** Where `deno compile` caches a downloaded denort zip under the deno dir. */
export function denortCachePath(denoDir: string, version: string, target: Target): string {
  return join(denoDir, "dl", "release", `v${version}`, `denort-${target}.zip`);
}

/** One line of `SHA256SUMS`. */
export interface SumEntry {
  /** The file's base name. */
  readonly name: string;
  /** Its SHA-256 as 64 lower-case hex digits. */
  readonly sha256: string;
}

/**
 * `SHA256SUMS` in exactly `sha256sum`'s text format: `<hex>  <name>` per line,
 * sorted by name, with a trailing newline, so `sha256sum -c SHA256SUMS` accepts it.
 *
 * @throws {TypeError} on a hash that is not 64 lower-case hex digits or a name with a path.
 */
export function sha256sumsText(entries: readonly SumEntry[]): string {
  for (const e of entries) {
    if (!/^[0-9a-f]{64}$/.test(e.sha256)) throw new TypeError(`bad sha256 for ${e.name}`);
    if (e.name === "" || /[/\\\n]/.test(e.name)) throw new TypeError(`bad file name '${e.name}'`);
  }
  const sorted = [...entries].sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return sorted.map((e) => `${e.sha256}  ${e.name}\n`).join("");
}

/** A byte count for humans: `512 B`, `3.5 KiB`, `98.4 MiB`. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** The one-line message for an unreachable denort download (exit 69). */
export function unreachableMessage(url: string, reason: string): string {
  return `cannot reach ${url} (${reason}) to download denort, the runtime base deno compile ` +
    `needs; build where dl.deno.land is reachable (e.g. the release workflow on GitHub), ` +
    `or set DENORT_BIN to a denort binary for the target`;
}

/** The result of {@linkcode probeUrl}. */
export type ProbeResult =
  | { readonly reachable: true; readonly status: number }
  | { readonly reachable: false; readonly reason: string };

/**
 * Sends a HEAD request to `url` and reports whether the server answered within
 * `timeoutMs`. Any HTTP answer counts as reachable (its status is returned); a
 * network error or the timeout does not.
 */
export async function probeUrl(
  url: string,
  timeoutMs: number,
  fetchFn: typeof fetch = fetch,
): Promise<ProbeResult> {
  try {
    const res = await fetchFn(url, { method: "HEAD", signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return { reachable: true, status: res.status };
  } catch (e) {
    return { reachable: false, reason: probeFailureReason(e, timeoutMs) };
  }
}

function probeFailureReason(e: unknown, timeoutMs: number): string {
  if (e instanceof DOMException && (e.name === "TimeoutError" || e.name === "AbortError")) {
    return `no answer within ${timeoutMs} ms`;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  const detail = err.cause instanceof Error ? err.cause.message : err.message;
  return detail.replace(/^error sending request for url \([^)]*\): /, "").split("\n")[0] ??
    "unknown error";
}

/** What one `deno` run returned. */
export interface RunResult {
  /** The exit code (non-zero when killed). */
  readonly code: number;
  /** Whether it was killed because the timeout expired. */
  readonly timedOut: boolean;
  /** Its stdout and stderr, decoded. */
  readonly output: string;
}

/** The side effects of {@linkcode main}, injectable for tests. */
export interface CompileDeps {
  /** Reads an environment variable. */
  env(name: string): string | undefined;
  /** The current directory, against which `--out` and DENORT_BIN are resolved. */
  cwd(): string;
  /** The version of the deno that runs `deno compile`. */
  readonly denoVersion: string;
  /** The deno dir (for the denort cache), if it can be found. */
  denoDir(): Promise<string | undefined>;
  /** `fetch`, used only for the download probe. */
  readonly fetch: typeof fetch;
  /** Runs `deno` with `args` in `cwd`, with `env` added, killed after `timeoutMs`. */
  runDeno(
    args: readonly string[],
    opts: { cwd: string; env: Record<string, string>; timeoutMs: number },
  ): Promise<RunResult>;
  /** Writes a line to stdout. */
  out(line: string): void;
  /** Writes a line to stderr. */
  err(line: string): void;
}

/** The real {@linkcode CompileDeps}: `Deno.execPath()` runs `deno compile`. */
export const denoDeps: CompileDeps = {
  env: (name) => Deno.env.get(name),
  cwd: () => Deno.cwd(),
  denoVersion: Deno.version.deno,
  async denoDir() {
    const fromEnv = Deno.env.get("DENO_DIR");
    if (fromEnv) return fromEnv;
    try {
      const { success, stdout } = await new Deno.Command(Deno.execPath(), {
        args: ["info", "--json"],
        stdout: "piped",
        stderr: "null",
        signal: AbortSignal.timeout(30_000),
      }).output();
      if (!success) return undefined;
      const info = JSON.parse(new TextDecoder().decode(stdout)) as { denoDir?: unknown };
      return typeof info.denoDir === "string" ? info.denoDir : undefined;
    } catch {
      return undefined;
    }
  },
  fetch: (input, init) => fetch(input, init),
  async runDeno(args, { cwd, env, timeoutMs }) {
    const signal = AbortSignal.timeout(timeoutMs);
    // An empty DENORT_BIN means unset here, but deno compile would try to read ''.
    const fullEnv = { ...Deno.env.toObject(), ...env };
    if (fullEnv["DENORT_BIN"] === "") delete fullEnv["DENORT_BIN"];
    const result = await new Deno.Command(Deno.execPath(), {
      args: [...args],
      cwd,
      env: fullEnv,
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal,
    }).output();
    const dec = new TextDecoder();
    return {
      code: result.success ? 0 : result.code || 1,
      timedOut: signal.aborted,
      output: dec.decode(result.stdout) + dec.decode(result.stderr),
    };
  },
  out: (line) => console.log(line),
  err: (line) => console.error(line),
};

function usage(message: string): CompileError {
  return new CompileError(CompileExit.usage, message);
}

function envMs(deps: CompileDeps, name: string, fallback: number): number {
  const raw = deps.env(name);
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n <= 0) {
    throw usage(`${name} must be a positive whole number of milliseconds, got '${raw}'`);
  }
  return n;
}

/** The last `n` non-empty lines of `text`, without ANSI colour codes. */
export function tailLines(text: string, n: number): string[] {
  // deno-lint-ignore no-control-regex
  const plain = text.replace(/\x1b\[[0-9;]*m/g, "");
  return plain.split(/\r?\n/).filter((l) => l.trim() !== "").slice(-n);
}

function display(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel : path;
}

async function removeIfPresent(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}

/** Removes the `<name>.tmp-*` file a killed or failed `deno compile` may leave. */
async function removeCompileTemps(outDir: string, name: string): Promise<void> {
  try {
    for await (const entry of Deno.readDir(outDir)) {
      if (entry.isFile && entry.name.startsWith(`${name}.tmp-`)) {
        await removeIfPresent(join(outDir, entry.name));
      }
    }
  } catch {
    // best effort
  }
}

/** Checks DENORT_BIN (if set) and returns its absolute path. */
async function checkDenortBin(
  deps: CompileDeps,
  targets: readonly Target[],
): Promise<string | undefined> {
  const raw = deps.env("DENORT_BIN");
  if (raw === undefined || raw === "") return undefined;
  if (targets.length !== 1) {
    throw usage(
      `DENORT_BIN is one denort binary but ${targets.length} targets are selected; ` +
        `pick the one it is for with --target`,
    );
  }
  const path = resolve(deps.cwd(), raw);
  let isFile = false;
  try {
    isFile = (await Deno.stat(path)).isFile;
  } catch {
    isFile = false;
  }
  if (!isFile) {
    throw new CompileError(CompileExit.noInput, `DENORT_BIN '${raw}' is not a file (${path})`);
  }
  return path;
}

/** Fails fast (exit 69) when a denort that must be downloaded cannot be. */
async function probeDownload(deps: CompileDeps, targets: readonly Target[]): Promise<void> {
  const timeoutMs = envMs(deps, "PARSD_COMPILE_PROBE_TIMEOUT_MS", DEFAULT_PROBE_TIMEOUT_MS);
  const base = deps.env("PARSD_DENORT_BASE_URL") || DEFAULT_DENORT_BASE_URL;
  const denoDir = await deps.denoDir();
  let first: Target | undefined;
  for (const t of targets) {
    if (denoDir === undefined) {
      first = t;
      break;
    }
    try {
      await Deno.stat(denortCachePath(denoDir, deps.denoVersion, t));
    } catch {
      first = t;
      break;
    }
  }
  if (first === undefined) return; // every denort is cached: nothing to download
  let url: string;
  try {
    url = denortUrl(deps.denoVersion, first, base);
  } catch {
    throw usage(`PARSD_DENORT_BASE_URL is not a URL: '${base}'`);
  }
  const probe = await probeUrl(url, timeoutMs, deps.fetch);
  if (!probe.reachable) {
    throw new CompileError(CompileExit.unavailable, unreachableMessage(url, probe.reason));
  }
  if (probe.status >= 400) {
    deps.err(`compile: warning: ${url} answered HTTP ${probe.status}; trying deno compile anyway`);
  }
}

/** Builds one target; throws {@linkcode CompileError} (exit 1) with deno's last lines. */
async function compileOne(
  deps: CompileDeps,
  target: Target,
  outDir: string,
  env: Record<string, string>,
  timeoutMs: number,
): Promise<string> {
  const path = join(outDir, outputName(target));
  deps.err(`compile: building ${display(path, deps.cwd())}`);
  const result = await deps.runDeno(compileArgs(target, outDir), {
    cwd: REPO_ROOT,
    env,
    timeoutMs,
  });
  if (result.code === 0 && !result.timedOut) return path;
  await removeCompileTemps(outDir, outputName(target));
  for (const line of tailLines(result.output, 15)) deps.err(`  ${line}`);
  throw new CompileError(
    CompileExit.failed,
    result.timedOut
      ? `deno compile for ${target} did not finish within ${timeoutMs} ms (PARSD_COMPILE_TIMEOUT_MS)`
      : `deno compile for ${target} failed (exit ${result.code})`,
  );
}

/** Hashes the built binaries and writes SHA256SUMS (via a temp file + rename). */
async function writeSums(deps: CompileDeps, outDir: string, paths: readonly string[]) {
  const entries: SumEntry[] = [];
  for (const path of paths) {
    const { size } = await Deno.stat(path);
    entries.push({ name: basename(path), sha256: await sha256File(path) });
    deps.out(`${display(path, deps.cwd())}  ${formatSize(size)}`);
  }
  const sums = join(outDir, SUMS_FILE);
  const tmp = `${sums}.tmp-${Deno.pid}`;
  try {
    await Deno.writeTextFile(tmp, sha256sumsText(entries));
    await Deno.rename(tmp, sums);
  } catch (e) {
    await removeIfPresent(tmp).catch(() => {});
    throw new CompileError(CompileExit.cantCreate, `cannot write ${sums}: ${(e as Error).message}`);
  }
  deps.out(`${display(sums, deps.cwd())}  ${entries.length} file(s)`);
}

/**
 * Runs the compile script: parses `argv`, checks DENORT_BIN or probes the
 * denort download, builds every selected target, writes SHA256SUMS and prints
 * each binary's size. Errors are printed as one `compile: error: …` line.
 *
 * @returns the exit code (see {@linkcode CompileExit}).
 */
export async function main(argv: readonly string[], deps: CompileDeps = denoDeps): Promise<number> {
  try {
    const opts = parseCompileArgs(argv);
    if (opts.help) {
      deps.out(USAGE.trimEnd());
      return CompileExit.ok;
    }
    const outDir = opts.out === undefined ? DEFAULT_OUT_DIR : resolve(deps.cwd(), opts.out);
    const timeoutMs = envMs(deps, "PARSD_COMPILE_TIMEOUT_MS", DEFAULT_COMPILE_TIMEOUT_MS);
    const denortBin = await checkDenortBin(deps, opts.targets);
    if (denortBin === undefined) await probeDownload(deps, opts.targets);
    const env: Record<string, string> = denortBin === undefined ? {} : { DENORT_BIN: denortBin };

    try {
      await Deno.mkdir(outDir, { recursive: true });
      // A SHA256SUMS from an earlier run must not outlive a failed one.
      await removeIfPresent(join(outDir, SUMS_FILE));
    } catch (e) {
      throw new CompileError(
        CompileExit.cantCreate,
        `cannot use ${outDir}: ${(e as Error).message}`,
      );
    }
    const built: string[] = [];
    for (const target of opts.targets) {
      built.push(await compileOne(deps, target, outDir, env, timeoutMs));
    }
    await writeSums(deps, outDir, built);
    return CompileExit.ok;
  } catch (e) {
    if (e instanceof CompileError) {
      deps.err(`compile: error: ${e.message}`);
      return e.exitCode;
    }
    throw e;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
