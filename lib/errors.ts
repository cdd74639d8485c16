/**
 * @module
 * parsd's error types. Each carries a stable exit code so that scripts can
 * tell a usage mistake from a failed verification from a missing luxd. The
 * codes follow sysexits(3) and the shell's 126/127 so that they never collide
 * with luxd's own exit codes (0, 1, or 128+n for a signal).
 */

/** Exit codes parsd itself uses. luxd's own code passes through unchanged. */
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
} as const;

/** The type of a value of {@linkcode ExitCode}. */
export type ExitCodeValue = typeof ExitCode[keyof typeof ExitCode];

/**
 * Base class of every error a user can act on. Its message is printed as
 * `parsd: error: <message>` (one line per problem) and parsd exits with
 * {@linkcode ParsdError.exitCode}.
 */
export class ParsdError extends Error {
  /** The process exit code for this failure. */
  readonly exitCode: number;
  /** One line per problem; usually just the message. */
  readonly problems: readonly string[];

  constructor(exitCode: number, problems: string | readonly string[], options?: ErrorOptions) {
    const list = typeof problems === "string" ? [problems] : problems;
    super(list.join("\n"), options);
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.problems = list;
  }
}

/** A bad command line (exit 64). Usage text is printed after it. */
export class UsageError extends ParsdError {
  constructor(problems: string | readonly string[], options?: ErrorOptions) {
    super(ExitCode.usage, problems, options);
  }
}

/** A plugin that must not be run (exit 65). */
export class VerificationError extends ParsdError {
  constructor(problems: string | readonly string[], options?: ErrorOptions) {
    super(ExitCode.verification, problems, options);
  }
}

/** A missing input such as a plugin binary or checksum file (exit 66). */
export class NoInputError extends ParsdError {
  constructor(problems: string | readonly string[], options?: ErrorOptions) {
    super(ExitCode.noInput, problems, options);
  }
}

/** Something parsd could not create (exit 73). */
export class CantCreateError extends ParsdError {
  constructor(problems: string | readonly string[], options?: ErrorOptions) {
    super(ExitCode.cantCreate, problems, options);
  }
}

/** Another parsd holds the data dir, or a port is taken (exit 75). */
export class BusyError extends ParsdError {
  constructor(problems: string | readonly string[], options?: ErrorOptions) {
    super(ExitCode.busy, problems, options);
  }
}

/** Unsafe file permissions, or an OS permission denial (exit 77). */
export class PermissionError extends ParsdError {
  constructor(problems: string | readonly string[], options?: ErrorOptions) {
    super(ExitCode.permission, problems, options);
  }
}

/** Invalid config.json or environment (exit 78). */
export class ConfigError extends ParsdError {
  constructor(problems: string | readonly string[], options?: ErrorOptions) {
    super(ExitCode.config, problems, options);
  }
}

/** luxd could not be found (exit 127). */
export class LuxdNotFoundError extends ParsdError {
  constructor(problems: string | readonly string[], options?: ErrorOptions) {
    super(ExitCode.luxdNotFound, problems, options);
  }
}

/** luxd exists but cannot be executed (exit 126). */
export class LuxdNotExecutableError extends ParsdError {
  constructor(problems: string | readonly string[], options?: ErrorOptions) {
    super(ExitCode.luxdNotExecutable, problems, options);
  }
}

/** Formats any thrown value as `parsd: error: …` lines, never a stack trace. */
export function formatError(error: unknown): string {
  if (error instanceof ParsdError) {
    return error.problems.map((p) => `parsd: error: ${p}`).join("\n");
  }
  const message = error instanceof Error ? error.message : String(error);
  return `parsd: error: unexpected: ${message.split("\n")[0]}`;
}

/** The exit code for any thrown value: its own for a ParsdError, else 1. */
export function exitCodeOf(error: unknown): number {
  return error instanceof ParsdError ? error.exitCode : ExitCode.failure;
}
