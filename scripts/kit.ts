/**
 * @module
 * The kit every script in `scripts/` is built on, so that they read as one
 * codebase: one argv parser, one error class carrying an exit code and the
 * {@linkcode runMain} wrapper that prints it, one process seam
 * ({@linkcode ScriptSystem.run}, injectable for tests), atomic file writes,
 * `tailLines`, `SHA256SUMS` text, and the paths scripts share with parsd
 * (data dir, cache dir, the user's cwd under `deno task`).
 *
 * Exit codes follow sysexits(3) and the shell ({@linkcode EXIT}): a script
 * documents in its header which of them it uses.
 */

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { tempSibling, writeFileAtomic } from "../lib/os/files.ts";
import { absolutePath } from "../lib/os/path.ts";
import { dataDirFromFlagOrEnv, defaultDataDir } from "../lib/data_dir/locate.ts";

/** The repository root (where `main.ts` and `deno.json` are), found from this file, never the cwd. */
export const REPO_ROOT: string = dirname(dirname(fileURLToPath(import.meta.url)));

/**
 * The deno flags of a `start` task (`deno run <flags> main.ts`).
 *
 * @throws {Error} when the task is not of that form.
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
 * permission set, no prompts, and V8's young generation at 2 MiB (a start
 * allocates a little over V8's default 1 MiB, which cost it a garbage
 * collection of 1–4 ms, and `doctor` about 1 MiB of memory). `deno task
 * compile`, `deno task install`'s launcher, the build scripts' `plugins pin`
 * and the bench all run parsd with exactly these flags.
 */
export function startFlags(): string[] {
  // Read once, when first asked for (a script run with narrow read access never asks).
  startFlagsRead ??= startTaskFlags(
    (JSON.parse(Deno.readTextFileSync(join(REPO_ROOT, "deno.json"))) as {
      tasks?: Record<string, string>;
    }).tasks?.["start"],
  );
  return [...startFlagsRead];
}

let startFlagsRead: readonly string[] | undefined;

/** Quotes text for /bin/sh: single quotes, with each `'` written as `'\''`. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** A word for /bin/sh: as it is when the shell reads it so, else quoted. */
export const shellWord = (text: string): string =>
  /^[\w@%+=:,./-]+$/.test(text) ? text : shellQuote(text);

/** The exit codes scripts use. Each script's header says which apply to it. */
export const EXIT = {
  ok: 0,
  /** A failure with no better code (and the scripts' own bugs). */
  failure: 1,
  /** A bad command line or environment value. */
  usage: 64,
  /** An input is missing: a source dir, a file named by a variable. */
  noInput: 66,
  /** Something needed is not available: a module refused by the proxy, a server unreachable. */
  unavailable: 69,
  /** A tool the script runs failed (a build, a version check). */
  software: 70,
  /** An output file or directory cannot be created. */
  cantCreate: 73,
  /** A program the script needs is not on PATH. */
  notFound: 127,
} as const;

// ---------------------------------------------------------------------------
// Errors

/** Options of a {@linkcode ScriptError}. */
export interface ScriptErrorOptions {
  /** Lines printed before the error line, such as the tail of a tool's output. */
  readonly details?: readonly string[];
  /** The underlying error. */
  readonly cause?: unknown;
}

/**
 * A failure the user can act on. {@linkcode runMain} prints its `details`
 * (indented by the thrower as it likes), then `<script>: error: <message>`
 * on one line, and returns `exitCode`.
 */
export class ScriptError extends Error {
  /** The process exit code, one of {@linkcode EXIT} or a passed-through code. */
  readonly exitCode: number;
  /** Lines shown before the one-line message. */
  readonly details: readonly string[];

  /** Makes an error with its exit code and one-line message. */
  constructor(exitCode: number, message: string, options: ScriptErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.details = options.details ?? [];
  }
}

/** A bad command line or environment value (exit 64); `run with --help` follows it. */
export class UsageError extends ScriptError {
  /** Makes a usage error with its one-line message. */
  constructor(message: string) {
    super(EXIT.usage, message);
  }
}

/** A program that is not on PATH (exit 127). Callers usually rethrow it with an install hint. */
export class CommandNotFoundError extends ScriptError {
  /** The program that was looked for. */
  readonly command: string;

  /** Makes the error for `command`. */
  constructor(command: string, options: ScriptErrorOptions = {}) {
    super(EXIT.notFound, `${command} not found on PATH`, options);
    this.command = command;
  }
}

/** Joins a multi-line message (Go indents continuation lines with a tab) into one line. */
export function oneLine(message: string): string {
  return message.trim().split(/\s*\n\s*/).join("; ");
}

/** The message of any thrown value. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// ---------------------------------------------------------------------------
// Command line

/** Which flags a script takes. `-h`/`--help` are always known. */
export interface FlagSpec<V extends string, L extends string, B extends string> {
  /** Flags with one value: `--name value` or `--name=value`, at most once. */
  readonly values?: readonly V[];
  /** Flags with a value that may be repeated; values are kept in order. */
  readonly lists?: readonly L[];
  /** Flags without a value, at most once. */
  readonly booleans?: readonly B[];
}

/** The result of {@linkcode parseArgs}. */
export interface ParsedArgs<V extends string, L extends string, B extends string> {
  /** The value flags given. */
  readonly values: Partial<Record<V, string>>;
  /** Every repeatable flag, with its values in order (empty if not given). */
  readonly lists: Record<L, string[]>;
  /** Every boolean flag: whether it was given. */
  readonly booleans: Record<B, boolean>;
  /** `-h` or `--help` was given. */
  readonly help: boolean;
  /** The arguments that are not flags, in order (everything after `--` included). */
  readonly positional: string[];
}

/**
 * Parses a script's command line. Pure.
 *
 * `--name value` and `--name=value` for value flags (a separate value may not
 * start with `--`, so `--out --force` is caught); booleans take no value;
 * `-h` is `--help`; `--` ends the flags.
 *
 * @throws {UsageError} on an unknown flag, a missing or empty value, a value
 * given to a boolean, or a non-repeatable flag given twice.
 */
export function parseArgs<
  V extends string = never,
  L extends string = never,
  B extends string = never,
>(
  argv: readonly string[],
  spec: FlagSpec<V, L, B>,
): ParsedArgs<V, L, B> {
  const valueNames: readonly string[] = spec.values ?? [];
  const listNames: readonly string[] = spec.lists ?? [];
  const boolNames: readonly string[] = spec.booleans ?? [];
  const values: Record<string, string> = {};
  const lists: Record<string, string[]> = Object.fromEntries(listNames.map((n) => [n, []]));
  const booleans: Record<string, boolean> = Object.fromEntries(boolNames.map((n) => [n, false]));
  const seen = new Set<string>();
  const positional: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (arg === "-h" || arg === "--help") {
      help = true;
      continue;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positional.push(arg);
      continue;
    }
    if (!arg.startsWith("--")) throw new UsageError(`unknown flag '${arg}'`);
    const eq = arg.indexOf("=");
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    const repeatable = listNames.includes(name);
    const known = repeatable || valueNames.includes(name) || boolNames.includes(name);
    if (!known) throw new UsageError(`unknown flag '--${name}'`);
    if (!repeatable && seen.has(name)) throw new UsageError(`flag --${name} given twice`);
    seen.add(name);
    if (boolNames.includes(name)) {
      if (inline !== undefined) throw new UsageError(`flag --${name} takes no value`);
      booleans[name] = true;
    } else {
      let value = inline;
      if (value === undefined) {
        const next = argv[i + 1];
        if (next !== undefined && !next.startsWith("--")) {
          value = next;
          i++;
        }
      }
      if (value === undefined || value === "") throw new UsageError(`flag --${name} needs a value`);
      if (repeatable) lists[name]!.push(value);
      else values[name] = value;
    }
  }
  return {
    values: values as Partial<Record<V, string>>,
    lists: lists as Record<L, string[]>,
    booleans: booleans as Record<B, boolean>,
    help,
    positional,
  };
}

/**
 * A flag's value as a positive whole number.
 *
 * @throws {UsageError} `--<flag> needs a positive integer, got '<raw>'`.
 */
export function positiveInt(flag: string, raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`--${flag} needs a positive integer, got '${raw}'`);
  }
  return n;
}

/** Throws a {@linkcode UsageError} for the first positional argument beyond `max`. */
export function noMorePositional(positional: readonly string[], max: number): void {
  const extra = positional[max];
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`);
}

// ---------------------------------------------------------------------------
// Paths

/** An environment as a record (the scripts read it once). */
export type Env = Readonly<Record<string, string>>;

/**
 * The directory the user ran the command from: `deno task` runs scripts in
 * the project root and says where it was started in `INIT_CWD`.
 */
export function userCwd(env: Env, cwd: string): string {
  const init = env["INIT_CWD"];
  return init !== undefined && init !== "" ? init : cwd;
}

/** The home directory from HOME (or USERPROFILE on Windows); `undefined` if neither is set. */
export function homeOf(env: Env): string | undefined {
  const home = env["HOME"] || env["USERPROFILE"];
  return home === undefined || home === "" ? undefined : home;
}

function requireHome(env: Env, why: string): string {
  const home = homeOf(env);
  if (home === undefined) {
    throw new UsageError(`HOME is not set, so ${why}; give the path explicitly`);
  }
  return home;
}

/**
 * A path the user gave (flag or environment), made absolute against `cwd`
 * with `~` expanded, exactly as parsd does ({@linkcode absolutePath}).
 *
 * @throws {UsageError} for a `~` path when HOME is not set.
 */
export function userPath(path: string, env: Env, cwd: string): string {
  return absolutePath(path, homeFor(path, env), cwd);
}

/** The home dir to expand `path` with: required only when `path` starts with `~`. */
function homeFor(path: string, env: Env): string {
  const tilde = path === "~" || path.startsWith("~/");
  return tilde ? requireHome(env, `'${path}' cannot be expanded`) : homeOf(env) ?? "/";
}

/**
 * parsd's data dir as the scripts see it, by parsd's own rules
 * ({@linkcode dataDirFromFlagOrEnv}): `--data-dir`, else `PARS_DATA_DIR`
 * (relative to `cwd`, `~` expanded), else `~/.pars`.
 *
 * @throws {UsageError} when HOME is needed but not set.
 */
export function scriptDataDir(flag: string | undefined, env: Env, cwd: string): string {
  const given = flag !== undefined && flag !== "" ? flag : env["PARS_DATA_DIR"] || undefined;
  if (given === undefined) {
    return defaultDataDir(requireHome(env, "the default data dir ~/.pars is unknown"));
  }
  return dataDirFromFlagOrEnv(flag, env["PARS_DATA_DIR"], homeFor(given, env), cwd)!;
}

/** The scripts' cache dir: `$XDG_CACHE_HOME/parsd` (if absolute), else `~/.cache/parsd`. */
export function cacheRoot(env: Env): string {
  const xdg = env["XDG_CACHE_HOME"];
  if (xdg !== undefined && xdg.startsWith("/")) return join(xdg, "parsd");
  return join(requireHome(env, "the cache dir ~/.cache is unknown"), ".cache", "parsd");
}

/** A file name safe for a version string (`v1.22.18` stays, `/` and such become `_`). */
export function safeName(s: string): string {
  const safe = s.replace(/[^A-Za-z0-9._+-]/g, "_").replace(/^\.+/, "_");
  return safe === "" ? "_" : safe;
}

// ---------------------------------------------------------------------------
// Processes

/** One program run to completion by {@linkcode ScriptSystem.run}. */
export interface RunRequest {
  /** The program: a name looked up on PATH, or a path. */
  readonly cmd: string;
  readonly args?: readonly string[];
  /** The working directory (default: the script's). */
  readonly cwd?: string;
  /** Variables added to the inherited environment (or the whole environment with `clearEnv`). */
  readonly env?: Env;
  /** Start from an empty environment. */
  readonly clearEnv?: boolean;
  /** Stop the program (SIGTERM) after this many milliseconds; the result says `timedOut`. */
  readonly timeoutMs?: number;
  /**
   * Stop the program when this aborts: with the abort reason if it is a
   * signal name (`runMain` aborts with `"SIGINT"` or `"SIGTERM"`), else SIGTERM.
   */
  readonly signal?: AbortSignal;
  /** After stopping it, wait this long (default {@linkcode KILL_GRACE_MS}) before SIGKILL. */
  readonly graceMs?: number;
  /** Called with the pid once it runs (to watch it, e.g. its memory). */
  readonly onSpawn?: (pid: number) => void;
}

/** How a program ended and what it printed. */
export interface RunResult {
  /** Its exit code; 128+n when a signal ended it. */
  readonly code: number;
  /** The signal that ended it, if any. */
  readonly signal: Deno.Signal | null;
  readonly stdout: string;
  readonly stderr: string;
  /** It was stopped because `timeoutMs` passed. */
  readonly timedOut: boolean;
}

/**
 * Runs one program to completion, output captured.
 *
 * @throws {CommandNotFoundError} (127) when the program does not exist.
 */
export type Runner = (req: RunRequest) => Promise<RunResult>;

const SIGNAL_NUMBERS: Readonly<Record<string, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGKILL: 9,
  SIGTERM: 15,
};

/** How long a stopped program may take to exit before it gets SIGKILL. */
export const KILL_GRACE_MS = 10_000;

function stopSignal(reason: unknown): Deno.Signal {
  return reason === "SIGINT" || reason === "SIGTERM" ? reason : "SIGTERM";
}

/**
 * The real {@linkcode Runner}: `Deno.Command` with piped output. A program
 * stopped by the timeout or the abort signal gets SIGTERM (SIGINT for an
 * interrupt, so that Go cleans up), then SIGKILL after the grace period.
 * Needs `--allow-run`.
 */
export const spawnCapture: Runner = async (req) => {
  if (req.signal?.aborted) {
    return {
      code: 128 + 2,
      signal: null,
      stdout: "",
      stderr: "not started: interrupted",
      timedOut: false,
    };
  }
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(req.cmd, {
      args: [...(req.args ?? [])],
      ...(req.cwd !== undefined ? { cwd: req.cwd } : {}),
      ...(req.env !== undefined ? { env: { ...req.env } } : {}),
      clearEnv: req.clearEnv ?? false,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new CommandNotFoundError(req.cmd, { cause: error });
    }
    throw error;
  }
  req.onSpawn?.(child.pid);
  let timedOut = false;
  let stopping = false;
  let grace: ReturnType<typeof setTimeout> | undefined;
  const kill = (sig: Deno.Signal) => {
    try {
      child.kill(sig);
    } catch {
      // already exited
    }
  };
  const stop = (sig: Deno.Signal) => {
    if (stopping) return;
    stopping = true;
    kill(sig);
    grace = setTimeout(() => kill("SIGKILL"), req.graceMs ?? KILL_GRACE_MS);
  };
  const timer = req.timeoutMs === undefined ? undefined : setTimeout(() => {
    timedOut = true;
    stop("SIGTERM");
  }, req.timeoutMs);
  const onAbort = () => stop(stopSignal(req.signal?.reason));
  req.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const out = await child.output();
    const dec = new TextDecoder();
    const bySignal = out.signal === null ? 0 : 128 + (SIGNAL_NUMBERS[out.signal] ?? 0);
    return {
      code: out.code !== 0 ? out.code : bySignal,
      signal: out.signal,
      stdout: dec.decode(out.stdout),
      stderr: dec.decode(out.stderr),
      timedOut,
    };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    if (grace !== undefined) clearTimeout(grace);
    req.signal?.removeEventListener("abort", onAbort);
  }
};

/** The last `n` non-empty lines of a tool's output, without trailing blanks or ANSI colours. */
export function tailLines(text: string, n: number): string[] {
  // deno-lint-ignore no-control-regex
  const plain = text.replace(/\x1b\[[0-9;]*m/g, "");
  return plain.split(/\r?\n/).map((l) => l.trimEnd()).filter((l) => l.trim() !== "").slice(-n);
}

// ---------------------------------------------------------------------------
// The shell around a script

/** The signals that interrupt a script. */
export type InterruptSignal = "SIGINT" | "SIGTERM";

/** Everything a script asks of the OS besides files: the seam tests replace. */
export interface ScriptSystem {
  /** The environment, read once. */
  readonly env: Env;
  /** The directory user paths are relative to ({@linkcode userCwd}). */
  readonly cwd: string;
  /** Runs a program to completion. */
  readonly run: Runner;
  /** Writes a line to stdout. */
  out(line: string): void;
  /** Writes a line to stderr. */
  err(line: string): void;
  /** Subscribes to SIGINT/SIGTERM; returns the unsubscribe function. */
  onInterrupt(listener: (signal: InterruptSignal) => void): () => void;
}

/** The real {@linkcode ScriptSystem}. Needs `--allow-env` and `--allow-run`. */
export function denoScriptSystem(): ScriptSystem {
  const env = Deno.env.toObject();
  const enc = new TextEncoder();
  return {
    env,
    cwd: userCwd(env, Deno.cwd()),
    run: spawnCapture,
    out: (line) => void Deno.stdout.writeSync(enc.encode(line + "\n")),
    err: (line) => void Deno.stderr.writeSync(enc.encode(line + "\n")),
    onInterrupt(listener) {
      const signals: InterruptSignal[] = Deno.build.os === "windows"
        ? ["SIGINT"]
        : ["SIGINT", "SIGTERM"];
      const handlers = signals.map((sig) => [sig, () => listener(sig)] as const);
      for (const [sig, h] of handlers) Deno.addSignalListener(sig, h);
      return () => {
        for (const [sig, h] of handlers) Deno.removeSignalListener(sig, h);
      };
    },
  };
}

/**
 * Prints an error the way every script does: a {@linkcode ScriptError}'s
 * detail lines, then `<script>: error: <message>` (plus
 * `<script>: run with --help for usage` for a {@linkcode UsageError}); anything
 * else is a bug in the script: `<script>: error: unexpected: …` and its stack.
 *
 * @returns the exit code: the error's own, or 1.
 */
export function reportError(script: string, error: unknown, err: (line: string) => void): number {
  if (error instanceof ScriptError) {
    for (const d of error.details) err(d);
    err(`${script}: error: ${error.message}`);
    if (error instanceof UsageError) err(`${script}: run with --help for usage`);
    return error.exitCode;
  }
  err(`${script}: error: unexpected: ${messageOf(error).split("\n")[0]}`);
  if (error instanceof Error && error.stack !== undefined) err(error.stack);
  return EXIT.failure;
}

/**
 * Runs a script's body and turns its outcome into an exit code; never calls
 * `Deno.exit`. Errors are printed with {@linkcode reportError}. On SIGINT or
 * SIGTERM every program the body runs through `sys.run` is stopped, the body
 * is left to unwind (its `finally` blocks remove temporary files), and the
 * result is 130 or 143.
 */
export async function runMain<S extends ScriptSystem>(
  script: string,
  sys: S,
  body: (sys: S) => Promise<number>,
): Promise<number> {
  const interrupt = new AbortController();
  let interrupted: InterruptSignal | undefined;
  const unsubscribe = sys.onInterrupt((signal) => {
    if (interrupted !== undefined) return;
    interrupted = signal;
    interrupt.abort(signal);
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
    unsubscribe();
  }
  if (interrupted !== undefined) {
    sys.err(
      `${script}: interrupted (${interrupted}); stopped its commands and removed temporary files`,
    );
    return interrupted === "SIGINT" ? 130 : 143;
  }
  return code;
}

// ---------------------------------------------------------------------------
// Files

/**
 * Creates `dir` and missing parents (new ones get `mode`).
 *
 * @throws {ScriptError} (73) when it cannot be created.
 */
export async function ensureDir(dir: string, mode = 0o700): Promise<void> {
  try {
    await Deno.mkdir(dir, { recursive: true, mode });
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) return;
    throw new ScriptError(EXIT.cantCreate, `cannot create ${dir}: ${messageOf(error)}`, {
      cause: error,
    });
  }
}

/**
 * Writes a text file atomically ({@linkcode writeFileAtomic}: a dot-named
 * temporary sibling, fsync, rename).
 *
 * @throws {ScriptError} (73) when it cannot be written.
 */
export async function writeTextAtomic(path: string, text: string, mode = 0o644): Promise<void> {
  try {
    await writeFileAtomic(path, text, mode);
  } catch (error) {
    throw new ScriptError(EXIT.cantCreate, `cannot write ${path}: ${messageOf(error)}`, {
      cause: error,
    });
  }
}

/**
 * Produces `dest` through a dot-named temporary sibling ({@linkcode tempSibling}):
 * `fill(tmp)` writes the temporary (a tool's `-o` output, say), then it gets
 * `mode` and is renamed over `dest`. If `fill` throws, `dest` is untouched and
 * the temporary is removed.
 *
 * @throws {ScriptError} (73) when the result cannot be put in place; whatever `fill` throws.
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
      throw new ScriptError(EXIT.cantCreate, `cannot put ${dest} in place: ${messageOf(error)}`, {
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

/** Whether `path` is a file with an execute bit. */
export async function isExecutableFile(path: string): Promise<boolean> {
  const st = await Deno.stat(path).catch(() => undefined);
  return st !== undefined && st.isFile && ((st.mode ?? 0o755) & 0o111) !== 0;
}

/** One line of a `SHA256SUMS` file. */
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
