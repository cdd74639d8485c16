/**
 * @module
 * What the scripts in `scripts/` need on top of lib's parts, and nothing lib
 * already has. A script's seam is lib's {@linkcode System} (env, cwd,
 * output, signals, fetch, files) plus {@linkcode ScriptSystem.run}, the
 * process call of `run.ts` (a cwd, an environment, a timeout and the
 * script's interrupt, which `System.output` does not take). Errors are lib's
 * `ParsdError` subclasses with lib's `ExitCode`; {@linkcode runMain} prints
 * them as `<script>: error: …`. Flags are parsed in `flags.ts`. And: the
 * start task's deno flags, shell quoting, the paths scripts share with parsd
 * (by lib's rules in `lib/os/path.ts`, `lib/data_dir/locate.ts` and
 * `lib/os/env.ts`), atomic outputs.
 */

import { fileURLToPath } from "node:url";
import {
  CantCreateError,
  ConfigError,
  ExitCode,
  formatError,
  ParsdError,
  UsageError,
} from "../lib/errors.ts";
import { homeOf, userCwd } from "../lib/os/env.ts";
import { statFacts, tempSibling, writeFileAtomic } from "../lib/os/files.ts";
import { absolutePath, dirname, join } from "../lib/os/path.ts";
import { dataDirFromFlagOrEnv, defaultDataDir } from "../lib/data_dir/locate.ts";
import { exitCodeFor, forwardedSignals } from "../lib/os/signals.ts";
import { denoSystem, type System } from "../lib/os/system.ts";
import { type Runner, spawnCapture } from "./run.ts";

/** The repository root (where `main.ts` and `deno.json` are), found from this file, never the cwd. */
export const REPO_ROOT: string = dirname(dirname(fileURLToPath(import.meta.url)));

/**
 * The deno flags of a `start` task (`deno run <flags> main.ts`).
 *
 * @throws {Error} when the task is not of that form (deno.json is broken: a bug, exit 1).
 */
export function startTaskFlags(task: string | undefined): string[] {
  const words = (task ?? "").trim().split(/\s+/);
  if (words[0] !== "deno" || words[1] !== "run" || words.at(-1) !== "main.ts") {
    throw new Error(`deno.json's start task is not 'deno run … main.ts': ${task}`);
  }
  return words.slice(2, -1);
}

/**
 * How deno runs parsd, defined once by deno.json's `start` task: the `parsd`
 * permission set, no prompts, and V8's young generation at 2 MiB. `deno task
 * compile`, `deno task install`'s launcher, the build scripts' `plugins pin`,
 * the bench, the real-node harness and the tests all run parsd with exactly
 * these flags. Reads deno.json once, when first asked.
 */
export function startFlags(): string[] {
  startFlagsRead ??= startTaskFlags(
    (JSON.parse(Deno.readTextFileSync(join(REPO_ROOT, "deno.json"))) as {
      tasks?: Record<string, string>;
    }).tasks?.["start"],
  );
  return [...startFlagsRead];
}

let startFlagsRead: readonly string[] | undefined;

/** parsd's entry point. */
export const PARSD_MAIN: string = join(REPO_ROOT, "main.ts");

/** The deno argv (after the deno executable) that runs parsd with `args`, as the start task does. */
export function parsdArgv(args: readonly string[]): string[] {
  return ["run", ...startFlags(), "--config", join(REPO_ROOT, "deno.json"), PARSD_MAIN, ...args];
}

/** Quotes text for /bin/sh: single quotes, with each `'` written as `'\''`. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** A word for /bin/sh: as it is when the shell reads it so, else quoted. */
export const shellWord = (text: string): string =>
  /^[\w@%+=:,./-]+$/.test(text) ? text : shellQuote(text);

/** Joins a multi-line message (Go indents continuation lines with a tab) into one line. */
export function oneLine(message: string): string {
  return message.trim().split(/\s*\n\s*/).join("; ");
}

/** The message of any thrown value. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The last `n` non-empty lines of a tool's output, without trailing blanks or ANSI colours. */
export function tailLines(text: string, n: number): string[] {
  // deno-lint-ignore no-control-regex
  const plain = text.replace(/\x1b\[[0-9;]*m/g, "");
  return plain.split(/\r?\n/).map((l) => l.trimEnd()).filter((l) => l.trim() !== "").slice(-n);
}

// ---------------------------------------------------------------------------
// Paths, by parsd's rules

/**
 * The home dir (lib's {@linkcode homeOf}), or the script's reason and fix when it is unset.
 *
 * @throws {ConfigError} (78) `HOME is not set, so <why>; set HOME or <fix>`.
 */
export function requireHome(sys: System, why: string, fix = "give the path explicitly"): string {
  try {
    return homeOf(sys);
  } catch (error) {
    throw new ConfigError(`HOME is not set, so ${why}; set HOME or ${fix}`, { cause: error });
  }
}

/** The home dir to expand `path` with: needed only when `path` starts with `~`. */
function homeFor(sys: System, path: string): string {
  const tilde = path === "~" || path.startsWith("~/");
  return tilde ? requireHome(sys, `'${path}' cannot be expanded`) : "";
}

/**
 * A path the user gave (flag or environment), made absolute against the
 * user's cwd (lib's {@linkcode userCwd}: `INIT_CWD` under `deno task`) with
 * `~` expanded, exactly as parsd does ({@linkcode absolutePath}).
 *
 * @throws {ConfigError} (78) for a `~` path when HOME is not set.
 */
export function userPath(sys: System, path: string): string {
  return absolutePath(path, homeFor(sys, path), userCwd(sys));
}

/**
 * parsd's data dir as the scripts see it, by parsd's own rules
 * ({@linkcode dataDirFromFlagOrEnv}): `--data-dir`, else `PARS_DATA_DIR`
 * (relative to the user's cwd, `~` expanded), else `~/.pars`.
 *
 * @throws {ConfigError} (78) when HOME is needed but not set.
 */
export function scriptDataDir(sys: System, flag: string | undefined): string {
  const env = sys.env("PARS_DATA_DIR");
  const given = flag || env;
  if (!given) return defaultDataDir(requireHome(sys, "the default data dir ~/.pars is unknown"));
  return dataDirFromFlagOrEnv(flag, env, homeFor(sys, given), userCwd(sys))!;
}

/**
 * The scripts' cache dir: `$XDG_CACHE_HOME/parsd` (if absolute), else `~/.cache/parsd`.
 *
 * @throws {ConfigError} (78) when that needs HOME and it is not set.
 */
export function cacheRoot(sys: System): string {
  const xdg = sys.env("XDG_CACHE_HOME");
  if (xdg !== undefined && xdg.startsWith("/")) return join(xdg, "parsd");
  return join(requireHome(sys, "the cache dir ~/.cache is unknown"), ".cache", "parsd");
}

/** A file name safe for a version string (`v1.22.18` stays, `/` and such become `_`). */
export function safeName(s: string): string {
  const safe = s.replace(/[^A-Za-z0-9._+-]/g, "_").replace(/^\.+/, "_");
  return safe === "" ? "_" : safe;
}

/** A script's seam: lib's {@linkcode System} and {@linkcode Runner}. Tests replace either part. */
export interface ScriptSystem extends System {
  /** Runs a program to completion (with cwd, env, timeout and the script's interrupt). */
  readonly run: Runner;
}

/** The real {@linkcode ScriptSystem}: lib's `denoSystem` and {@linkcode spawnCapture}. */
export function denoScriptSystem(): ScriptSystem {
  return { ...denoSystem, run: spawnCapture };
}

// ---------------------------------------------------------------------------
// The shell around a script

/** The signals that interrupt a script. */
export type InterruptSignal = "SIGINT" | "SIGTERM";

/** The interrupting signals this OS delivers (lib's {@linkcode forwardedSignals}, narrowed). */
export const interruptSignals = (os: string): InterruptSignal[] =>
  forwardedSignals(os).filter((s): s is InterruptSignal => s === "SIGINT" || s === "SIGTERM");

/**
 * Prints an error the way every script does: lib's {@linkcode formatError}
 * as `<script>: error: …` (a ParsdError's details first), plus `<script>:
 * run with --help for usage` for a {@linkcode UsageError}; anything else is a
 * bug in the script, printed with its stack.
 *
 * @returns the exit code: the error's own, or 1.
 */
export function reportError(script: string, error: unknown, err: (text: string) => void): number {
  err(formatError(error, script) + "\n");
  if (error instanceof UsageError) err(`${script}: run with --help for usage\n`);
  if (error instanceof ParsdError) return error.exitCode;
  if (error instanceof Error && error.stack !== undefined) err(error.stack + "\n");
  return ExitCode.failure;
}

/**
 * Runs a script's body and turns its outcome into an exit code; never calls
 * `Deno.exit`. Errors are printed with {@linkcode reportError}. On SIGINT or
 * SIGTERM (through `sys.signals`) every program the body runs through
 * `sys.run` is stopped, the body is left to unwind (its `finally` blocks
 * remove temporary files), and the result is 128+n: 130 or 143.
 */
export async function runMain<S extends ScriptSystem>(
  script: string,
  sys: S,
  body: (sys: S) => Promise<number>,
): Promise<number> {
  const interrupt = new AbortController();
  let interrupted: InterruptSignal | undefined;
  const handlers = interruptSignals(sys.os).map((signal) => {
    const handler = () => {
      if (interrupted !== undefined) return;
      interrupted = signal;
      interrupt.abort(signal);
    };
    sys.signals.add(signal, handler);
    return [signal, handler] as const;
  });
  const run: Runner = (req) =>
    sys.run({
      ...req,
      signal: req.signal === undefined
        ? interrupt.signal
        : AbortSignal.any([req.signal, interrupt.signal]),
    });
  let code: number;
  try {
    code = await body({ ...sys, run });
  } catch (error) {
    code = interrupted === undefined ? reportError(script, error, sys.err) : 0;
  } finally {
    for (const [signal, handler] of handlers) sys.signals.remove(signal, handler);
  }
  if (interrupted === undefined) return code;
  sys.err(
    `${script}: interrupted (${interrupted}); stopped its commands and removed temporary files\n`,
  );
  return exitCodeFor({ code, signal: interrupted });
}

// ---------------------------------------------------------------------------
// Files

/**
 * Creates `dir` and missing parents (new ones get `mode`).
 *
 * @throws {CantCreateError} (73) when it cannot be created.
 */
export async function ensureDir(dir: string, mode = 0o700): Promise<void> {
  try {
    await Deno.mkdir(dir, { recursive: true, mode });
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) return;
    throw new CantCreateError(`cannot create ${dir}: ${messageOf(error)}`, { cause: error });
  }
}

/**
 * Writes a text file atomically (lib's {@linkcode writeFileAtomic}: a
 * dot-named temporary sibling, fsync, rename).
 *
 * @throws {CantCreateError} (73) when it cannot be written.
 */
export async function writeTextAtomic(path: string, text: string, mode = 0o644): Promise<void> {
  try {
    await writeFileAtomic(path, text, mode);
  } catch (error) {
    throw new CantCreateError(`cannot write ${path}: ${messageOf(error)}`, { cause: error });
  }
}

/**
 * Produces `dest` through a dot-named temporary sibling ({@linkcode tempSibling}):
 * `fill(tmp)` writes the temporary (a tool's `-o` output, say), then it gets
 * `mode` and is renamed over `dest`. If `fill` throws, `dest` is untouched and
 * the temporary is removed.
 *
 * @throws {CantCreateError} (73) when the result cannot be put in place; whatever `fill` throws.
 */
export async function produceAtomically(
  dest: string,
  mode: number,
  fill: (tmp: string) => Promise<void>,
): Promise<void> {
  const tmp = tempSibling(dest);
  try {
    await fill(tmp);
    try {
      await Deno.chmod(tmp, mode);
      await Deno.rename(tmp, dest);
    } catch (error) {
      throw new CantCreateError(`cannot put ${dest} in place: ${messageOf(error)}`, {
        cause: error,
      });
    }
  } finally {
    await Deno.remove(tmp).catch(() => {});
  }
}

/** Runs `fn` with a fresh temporary directory, removed afterwards whatever happens. */
export async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** Whether `path` is a file with an execute bit (anything unreadable counts as not). */
export function isExecutableFile(path: string): boolean {
  try {
    const st = statFacts(path);
    return st !== undefined && st.isFile && (st.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}
