/**
 * @module
 * parsd's error types, for parsd and its `scripts/` alike. Each carries a
 * stable exit code so that a caller can tell a usage mistake from a failed
 * verification from a missing luxd. The codes follow sysexits(3) and the
 * shell's 126/127 so that they never collide with luxd's own exit codes (0,
 * 1, or 128+n for a signal). {@linkcode ExitCode} is the one table of them.
 */

/**
 * Exit codes parsd and its scripts use. luxd's own code passes through
 * unchanged; a script's interrupt is 128+n (130, 143), as the shell's.
 */
export const ExitCode = {
  ok: 0,
  /** An unexpected internal error. */
  failure: 1,
  /** Bad command line: unknown subcommand, bad flag value, managed flag passed through. */
  usage: 64,
  /** A plugin failed verification: hash mismatch, unpinned, unsafe target. */
  verification: 65,
  /** A service parsd needs is not there: no node answering (`status`), Go or a module proxy missing. */
  unavailable: 69,
  /** Something parsd must read is missing: a plugin, a checksum file, a source dir. */
  noInput: 66,
  /** A tool a script runs failed: `go build`, `go install`, `deno compile`, a version check. */
  software: 70,
  /** parsd could not create something it needs: data dir, plugin link, output file. */
  cantCreate: 73,
  /** Try again later: another parsd runs on this data dir, a port is taken, the node is not healthy yet. */
  busy: 75,
  /** Unsafe permissions on a file parsd guards (staking keys), or an OS permission denial. */
  permission: 77,
  /** config.json or a PARS_* variable is malformed or invalid. */
  config: 78,
  /** luxd was found but is not executable. */
  luxdNotExecutable: 126,
  /** luxd was not found. */
  luxdNotFound: 127,
  /** A program a script runs (go, openssl) is not on PATH: the shell's 127, as for luxd. */
  commandNotFound: 127,
} as const;

/** The type of a value of {@linkcode ExitCode}. */
export type ExitCodeValue = typeof ExitCode[keyof typeof ExitCode];

/** Options of a {@linkcode ParsdError}: the cause, and lines to show before the message. */
export interface ParsdErrorOptions extends ErrorOptions {
  /** Lines printed before the error lines, such as the tail of a failed tool's output. */
  readonly details?: readonly string[];
}

/**
 * Base class of every error a user can act on. Its message is printed as
 * `parsd: error: <message>` (one line per problem, after its
 * {@linkcode ParsdError.details}) and parsd exits with
 * {@linkcode ParsdError.exitCode}.
 */
export class ParsdError extends Error {
  /** The process exit code for this failure. */
  readonly exitCode: number;
  /** One line per problem; usually just the message. */
  readonly problems: readonly string[];
  /** Lines shown before the problems (a tool's output); usually none. */
  readonly details: readonly string[];

  constructor(
    exitCode: number,
    problems: string | readonly string[],
    options?: ParsdErrorOptions,
  ) {
    const list = typeof problems === "string" ? [problems] : problems;
    super(list.join("\n"), options);
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.problems = list;
    this.details = options?.details ?? [];
  }
}

/** A bad command line (exit 64). Usage text is printed after it. */
export class UsageError extends ParsdError {
  constructor(problems: string | readonly string[], options?: ParsdErrorOptions) {
    super(ExitCode.usage, problems, options);
  }
}

/** A plugin that must not be run (exit 65). */
export class VerificationError extends ParsdError {
  constructor(problems: string | readonly string[], options?: ParsdErrorOptions) {
    super(ExitCode.verification, problems, options);
  }
}

/** A missing input such as a plugin binary or checksum file (exit 66). */
export class NoInputError extends ParsdError {
  constructor(problems: string | readonly string[], options?: ParsdErrorOptions) {
    super(ExitCode.noInput, problems, options);
  }
}

/** Something parsd could not create (exit 73). */
export class CantCreateError extends ParsdError {
  constructor(problems: string | readonly string[], options?: ParsdErrorOptions) {
    super(ExitCode.cantCreate, problems, options);
  }
}

/** Another parsd holds the data dir, or a port is taken (exit 75). */
export class BusyError extends ParsdError {
  constructor(problems: string | readonly string[], options?: ParsdErrorOptions) {
    super(ExitCode.busy, problems, options);
  }
}

/** Unsafe file permissions, or an OS permission denial (exit 77). */
export class PermissionError extends ParsdError {
  constructor(problems: string | readonly string[], options?: ParsdErrorOptions) {
    super(ExitCode.permission, problems, options);
  }
}

/** Invalid config.json or environment (exit 78). */
export class ConfigError extends ParsdError {
  constructor(problems: string | readonly string[], options?: ParsdErrorOptions) {
    super(ExitCode.config, problems, options);
  }
}

/** luxd could not be found (exit 127). */
export class LuxdNotFoundError extends ParsdError {
  constructor(problems: string | readonly string[], options?: ParsdErrorOptions) {
    super(ExitCode.luxdNotFound, problems, options);
  }
}

/** luxd exists but cannot be executed (exit 126). */
export class LuxdNotExecutableError extends ParsdError {
  constructor(problems: string | readonly string[], options?: ParsdErrorOptions) {
    super(ExitCode.luxdNotExecutable, problems, options);
  }
}

/** A service or module is not available (exit 69): the Go module proxy refuses or cannot be reached, Go is too old, a download host is unreachable. */
export class UnavailableError extends ParsdError {
  constructor(problems: string | readonly string[], options?: ParsdErrorOptions) {
    super(ExitCode.unavailable, problems, options);
  }
}

/** A tool a script runs failed (exit 70); its output's tail goes in `details`. */
export class SoftwareError extends ParsdError {
  constructor(problems: string | readonly string[], options?: ParsdErrorOptions) {
    super(ExitCode.software, problems, options);
  }
}

/** A program a script runs is not on PATH (exit 127). Callers usually rethrow it with an install hint. */
export class CommandNotFoundError extends ParsdError {
  /** The program that was looked for. */
  readonly command: string;

  /** Makes the error for `command`: `<command> not found on PATH`. */
  constructor(command: string, options?: ParsdErrorOptions) {
    super(ExitCode.commandNotFound, `${command} not found on PATH`, options);
    this.command = command;
  }
}

/**
 * Formats any thrown value as `<program>: error: …` lines (a ParsdError's
 * details first), never a stack trace. `program` is `parsd` but for a script.
 */
export function formatError(error: unknown, program = "parsd"): string {
  if (error instanceof ParsdError) {
    return [...error.details, ...error.problems.map((p) => `${program}: error: ${p}`)].join("\n");
  }
  const message = error instanceof Error ? error.message : String(error);
  return `${program}: error: unexpected: ${message.split("\n")[0]}`;
}

/** The exit code for any thrown value: its own for a ParsdError, else 1. */
export function exitCodeOf(error: unknown): number {
  return error instanceof ParsdError ? error.exitCode : ExitCode.failure;
}
