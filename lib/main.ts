/**
 * @module
 * parsd's dispatcher: parses argv, loads only the module of the command
 * that runs (so `version` never loads the plugin or hashing code), runs it
 * and returns the exit code. It never calls `Deno.exit` and never throws.
 */

import { parseArgs, type ParsedArgs } from "./args.ts";
import { exitCodeOf, formatError, UsageError } from "./errors.ts";
import type { Command } from "./options.ts";
import type { System } from "./system.ts";
import { USAGE } from "./usage.ts";

/** A command's entry point. */
export type CommandMain = (sys: System, args: ParsedArgs) => Promise<number>;

/** Each command's module: its file name under `lib/commands/`. */
export const COMMAND_FILES: Readonly<Record<Command, string>> = {
  run: "run",
  init: "init",
  doctor: "doctor",
  status: "status",
  plugins: "plugins",
  "node-id": "node_id",
  service: "service",
  vmid: "vmid",
  version: "version",
  help: "help",
};

/**
 * Loads a command's module when that command runs. The URL is computed on
 * purpose: for a literal `import("./commands/run.ts")`, `deno run` reads
 * and analyses every command's whole module graph before parsd's first line
 * runs (about 5 ms a start, on every command). `deno task compile` names
 * each command module with `--include`, so the binary embeds them.
 */
function loadCommand(c: Command): Promise<{ command: CommandMain }> {
  return import(new URL(`./commands/${COMMAND_FILES[c]}.ts`, import.meta.url).href);
}

/**
 * Runs parsd with argv (without argv0).
 *
 * @returns the exit code: 0, parsd's own failure code, or luxd's code.
 */
export async function main(argv: readonly string[], sys: System): Promise<number> {
  try {
    const args = parseArgs(argv);
    const { command } = await loadCommand(args.command);
    return await command(sys, args);
  } catch (error) {
    sys.err(formatError(error) + "\n");
    if (error instanceof UsageError) sys.err(USAGE + "\n");
    return exitCodeOf(error);
  }
}
