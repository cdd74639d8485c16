/**
 * @module
 * parsd's dispatcher: parses argv, loads the module of the command that
 * runs, runs it and returns the exit code. It never calls `Deno.exit` and
 * never throws. Output goes through {@linkcode guardOutput}: a reader that
 * went away (`parsd doctor | head -1`) ends nothing and prints nothing, a
 * stdout that cannot be written (`>/dev/full`) is a one-line error (73).
 */

import { parseArgs } from "./args.ts";
import { commandSpec, USAGE } from "./commands.ts";
import { CantCreateError, exitCodeOf, formatError, ParsdError, UsageError } from "../errors.ts";
import { accessError } from "../os/files.ts";
import type { System } from "../os/system.ts";
import { shownProblems } from "./problem_lines.ts";

/** Whether a write failed because its reader is gone (EPIPE). */
function readerGone(error: unknown): boolean {
  return error instanceof Deno.errors.BrokenPipe ||
    (error as { code?: unknown })?.code === "EPIPE" ||
    /os error 32\b/.test(String((error as Error)?.message));
}

/**
 * `sys` with guarded output. Standard output whose reader is gone (EPIPE)
 * takes nothing more, silently: the command still finishes and its exit code
 * stands. Any other failure to write it (a full disk) is a
 * {@linkcode CantCreateError} (73). A failure to write stderr is dropped:
 * there is nowhere left to say it.
 */
export function guardOutput(sys: System): System {
  let closed = false;
  return {
    ...sys,
    out(text) {
      if (closed) return;
      try {
        sys.out(text);
      } catch (error) {
        if (readerGone(error)) {
          closed = true;
          return;
        }
        throw new CantCreateError(
          `cannot write standard output: ${
            accessError("stdout", error).reason
          }; free some space or send the output elsewhere`,
          { cause: error },
        );
      }
    },
    err(text) {
      try {
        sys.err(text);
      } catch {
        // stderr is gone or full: nothing can report it.
      }
    },
  };
}

/** The error's lines as parsd prints them: its details, then at most a screenful of problems. */
function errorText(error: unknown): string {
  if (!(error instanceof ParsdError)) return formatError(error);
  const shown = shownProblems(error.problems);
  return formatError(new ParsdError(error.exitCode, shown, { details: error.details }));
}

/**
 * Runs parsd with argv (without argv0).
 *
 * @returns the exit code: 0, parsd's own failure code, or luxd's code.
 */
export async function main(argv: readonly string[], system: System): Promise<number> {
  const sys = guardOutput(system);
  try {
    const args = parseArgs(argv);
    const { command } = await commandSpec(args.command).load();
    return await command(sys, args);
  } catch (error) {
    sys.err(errorText(error) + "\n");
    if (error instanceof UsageError) sys.err(USAGE + "\n");
    return exitCodeOf(error);
  }
}
