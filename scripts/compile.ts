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
 * A relative `--out` or `DENORT_BIN` is relative to the directory the task
 * was started from (`INIT_CWD` under `deno task`), like every script's paths.
 *
 * Exit codes (lib's `ExitCode`): 0 built; 64 bad command line or environment
 * value; 66 `DENORT_BIN` missing; 69 dl.deno.land unreachable; 70 a `deno
 * compile` failed or timed out; 73 the output directory or `SHA256SUMS` could
 * not be written; 130/143 interrupted (the running `deno compile` is stopped).
 *
 * The logic is pure ({@linkcode parseCompileArgs}, {@linkcode compileArgs},
 * `formatSha256Sums` in `lib/plugins/sums.ts`, …); {@linkcode main} is the thin
 * shell around it with its side effects behind {@linkcode CompileDeps}.
 */

import {
  CantCreateError,
  ExitCode,
  NoInputError,
  SoftwareError,
  UnavailableError,
  UsageError,
} from "../lib/errors.ts";
import { sha256File } from "../lib/os/hash.ts";
import { basename, join, sep } from "../lib/os/path.ts";
import { userCwd } from "../lib/os/env.ts";
import type { System } from "../lib/os/system.ts";
import { formatSha256Sums } from "../lib/plugins/sums.ts";
import { parseFlags } from "./flags.ts";
import {
  denoScriptSystem,
  messageOf,
  REPO_ROOT,
  runMain,
  type ScriptSystem,
  startFlags,
  tailLines,
  userPath,
  writeTextAtomic,
} from "./kit.ts";

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

/** The default output directory, `dist/` under {@linkcode REPO_ROOT}. */
export const DEFAULT_OUT_DIR: string = join(REPO_ROOT, "dist");

/** The parsed command line. */
export interface CompileOptions {
  /** The targets to build, de-duplicated, in {@linkcode TARGETS} order. */
  readonly targets: readonly Target[];
  /** `--out DIR` as given (resolved against the user's cwd by {@linkcode main}), if given. */
  readonly out?: string;
  /** `-h` / `--help` was given. */
  readonly help: boolean;
}

/** The `--help` text. */
export const USAGE = `usage: deno task compile [--target TARGET]... [--out DIR]

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

Exit codes: 0 built, 64 usage, 66 DENORT_BIN missing, 69 dl.deno.land unreachable,
70 deno compile failed or timed out, 73 cannot write the output, 130/143 interrupted.
`;

/** Whether `value` is one of {@linkcode TARGETS}. */
export function isTarget(value: string): value is Target {
  return (TARGETS as readonly string[]).includes(value);
}

/**
 * Parses the script's arguments.
 *
 * @throws {UsageError} (exit 64) on an unknown target, unknown option, missing value
 * or a positional argument.
 */
export function parseCompileArgs(argv: readonly string[]): CompileOptions {
  const { values, lists, help, positional } = parseFlags(argv, {
    values: ["out"],
    lists: ["target"],
  });
  if (positional[0] !== undefined) throw new UsageError(`unexpected argument '${positional[0]}'`);
  const picked = new Set<Target>();
  for (const t of lists.target.flatMap((list) => list.split(",")).map((s) => s.trim())) {
    if (!isTarget(t)) {
      throw new UsageError(`unknown target '${t}'; expected one of ${TARGETS.join(", ")}`);
    }
    picked.add(t);
  }
  const targets = picked.size === 0 ? [...TARGETS] : TARGETS.filter((t) => picked.has(t));
  return values.out === undefined ? { targets, help } : { targets, out: values.out, help };
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
    ...startFlags(),
    "--target",
    target,
    "--output",
    join(outDir, outputName(target)),
    // The hashing worker is started by URL, not imported: name it so the binary embeds it.
    "--include",
    WORKER_MODULE,
    ENTRY_POINT,
  ];
}

/** The Web Worker module parsd starts to hash plugins (`lib/os/system.ts`). */
export const WORKER_MODULE = "lib/os/hash_worker.ts";

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
 * Sends a HEAD request to `url` (through `fetchFn`, lib's `System.fetch`) and
 * reports whether the server answered within `timeoutMs`. Any HTTP answer
 * counts as reachable (its status is returned); a network error or the
 * timeout does not.
 */
export async function probeUrl(
  url: string,
  timeoutMs: number,
  fetchFn: System["fetch"],
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

/**
 * The side effects of {@linkcode main}, injectable for tests: the kit's
 * {@linkcode ScriptSystem} (env, the user's cwd, `run`, `fetch` for the
 * download probe, output) plus what only this script needs. `execPath()` is
 * the deno that runs `deno compile`.
 */
export interface CompileDeps extends ScriptSystem {
  /** The version of the deno at `execPath()`. */
  readonly denoVersion: string;
  /** The deno dir (for the denort cache), if it can be found. */
  denoDir(): Promise<string | undefined>;
}

/** The real {@linkcode CompileDeps}: the deno running this script runs `deno compile`. */
export function denoDeps(): CompileDeps {
  const sys = denoScriptSystem();
  return {
    ...sys,
    denoVersion: Deno.version.deno,
    async denoDir() {
      const fromEnv = sys.env("DENO_DIR");
      if (fromEnv) return fromEnv;
      const r = await sys.run({ cmd: sys.execPath(), args: ["info", "--json"], timeoutMs: 30_000 });
      const info = r.code === 0 ? JSON.parse(r.stdout) as { denoDir?: unknown } : {};
      return typeof info.denoDir === "string" ? info.denoDir : undefined;
    },
  };
}

function envMs(deps: CompileDeps, name: string, fallback: number): number {
  const raw = deps.env(name);
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n <= 0) {
    throw new UsageError(`${name} must be a positive whole number of milliseconds, got '${raw}'`);
  }
  return n;
}

/** `path` relative to `cwd` when it is inside it, else as it is. */
function display(path: string, cwd: string): string {
  const base = cwd.endsWith(sep) ? cwd : cwd + sep;
  return path.startsWith(base) && path.length > base.length ? path.slice(base.length) : path;
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
    throw new UsageError(
      `DENORT_BIN is one denort binary but ${targets.length} targets are selected; ` +
        `pick the one it is for with --target`,
    );
  }
  const path = userPath(deps, raw);
  let isFile = false;
  try {
    isFile = (await Deno.stat(path)).isFile;
  } catch {
    isFile = false;
  }
  if (!isFile) {
    throw new NoInputError(`DENORT_BIN '${raw}' is not a file (${path}); name a denort binary`);
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
    throw new UsageError(`PARSD_DENORT_BASE_URL is not a URL: '${base}'`);
  }
  const probe = await probeUrl(url, timeoutMs, deps.fetch);
  if (!probe.reachable) {
    throw new UnavailableError(unreachableMessage(url, probe.reason));
  }
  if (probe.status >= 400) {
    deps.err(
      `compile: warning: ${url} answered HTTP ${probe.status}; trying deno compile anyway\n`,
    );
  }
}

/** Builds one target; throws a {@linkcode SoftwareError} (70) with deno's last lines. */
async function compileOne(
  deps: CompileDeps,
  target: Target,
  outDir: string,
  denortBin: string | undefined,
  timeoutMs: number,
): Promise<string> {
  const path = join(outDir, outputName(target));
  deps.err(`compile: building ${display(path, userCwd(deps))}\n`);
  const result = await deps.run({
    cmd: deps.execPath(),
    args: compileArgs(target, outDir),
    cwd: REPO_ROOT,
    // An empty DENORT_BIN means unset here, but deno compile would try to read ''.
    ...(denortBin === undefined ? { unset: ["DENORT_BIN"] } : { env: { DENORT_BIN: denortBin } }),
    timeoutMs,
  });
  if (result.code === 0 && !result.timedOut) return path;
  await removeCompileTemps(outDir, outputName(target));
  throw new SoftwareError(
    result.timedOut
      ? `deno compile for ${target} did not finish within ${timeoutMs} ms (PARSD_COMPILE_TIMEOUT_MS)`
      : `deno compile for ${target} failed (exit ${result.code})`,
    { details: tailLines(result.stdout + "\n" + result.stderr, 15).map((l) => `  ${l}`) },
  );
}

/** Hashes the built binaries and writes SHA256SUMS atomically. */
async function writeSums(deps: CompileDeps, outDir: string, paths: readonly string[]) {
  const entries: { file: string; sha256: string }[] = [];
  const cwd = userCwd(deps);
  for (const path of paths) {
    const { size } = await Deno.stat(path);
    entries.push({ file: basename(path), sha256: await sha256File(path) });
    deps.out(`${display(path, cwd)}  ${formatSize(size)}\n`);
  }
  const sums = join(outDir, SUMS_FILE);
  await writeTextAtomic(sums, formatSha256Sums(entries), 0o644);
  deps.out(`${display(sums, cwd)}  ${entries.length} file(s)\n`);
}

/** Creates the output directory and removes a SHA256SUMS an earlier run left (73 on failure). */
async function prepareOutDir(outDir: string): Promise<void> {
  try {
    await Deno.mkdir(outDir, { recursive: true });
    // A SHA256SUMS from an earlier run must not outlive a failed one.
    await removeIfPresent(join(outDir, SUMS_FILE));
  } catch (e) {
    throw new CantCreateError(`cannot use ${outDir}: ${messageOf(e)}`, { cause: e });
  }
}

/** The script's body: checks, then every target, then SHA256SUMS. */
async function compile(deps: CompileDeps, argv: readonly string[]): Promise<number> {
  const opts = parseCompileArgs(argv);
  if (opts.help) {
    deps.out(USAGE);
    return ExitCode.ok;
  }
  const outDir = opts.out === undefined ? DEFAULT_OUT_DIR : userPath(deps, opts.out);
  const timeoutMs = envMs(deps, "PARSD_COMPILE_TIMEOUT_MS", DEFAULT_COMPILE_TIMEOUT_MS);
  const denortBin = await checkDenortBin(deps, opts.targets);
  if (denortBin === undefined) await probeDownload(deps, opts.targets);
  await prepareOutDir(outDir);
  const built: string[] = [];
  for (const target of opts.targets) {
    built.push(await compileOne(deps, target, outDir, denortBin, timeoutMs));
  }
  await writeSums(deps, outDir, built);
  return ExitCode.ok;
}

/**
 * Runs the compile script: parses `argv`, checks DENORT_BIN or probes the
 * denort download, builds every selected target, writes SHA256SUMS and prints
 * each binary's size. Errors are printed by the kit's `runMain`: a failed
 * compile's last lines, then one `compile: error: …` line.
 *
 * @returns the exit code (see the module's header).
 */
export function main(argv: readonly string[], deps: CompileDeps = denoDeps()): Promise<number> {
  return runMain("compile", deps, (d) => compile(d, argv));
}

if (import.meta.main) Deno.exit(await main(Deno.args));
