/**
 * @module
 * parsd's dispatcher: parses argv, loads the module of the command that
 * runs, runs it and returns the exit code. It never calls `Deno.exit` and
 * never throws.
 */

import { parseArgs } from "./args.ts";
import { commandSpec, USAGE } from "./commands.ts";
import { exitCodeOf, formatError, UsageError } from "../errors.ts";
import type { System } from "../os/system.ts";

/**
 * Runs parsd with argv (without argv0).
 *
 * @returns the exit code: 0, parsd's own failure code, or luxd's code.
 */
export async function main(argv: readonly string[], sys: System): Promise<number> {
  try {
    const args = parseArgs(argv);
    const { command } = await commandSpec(args.command).load();
    return await command(sys, args);
  } catch (error) {
    sys.err(formatError(error) + "\n");
    if (error instanceof UsageError) sys.err(USAGE + "\n");
    return exitCodeOf(error);
  }
}
