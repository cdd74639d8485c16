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

/** Each command's module, loaded when that command runs. */
const COMMAND_MODULES: Record<Command, () => Promise<{ command: CommandMain }>> = {
  run: () => import("./commands/run.ts"),
  init: () => import("./commands/init.ts"),
  doctor: () => import("./commands/doctor.ts"),
  status: () => import("./commands/status.ts"),
  plugins: () => import("./commands/plugins.ts"),
  "node-id": () => import("./commands/node_id.ts"),
  service: () => import("./commands/service.ts"),
  vmid: () => import("./commands/vmid.ts"),
  version: () => import("./commands/version.ts"),
  help: () => import("./commands/help.ts"),
};

/**
 * Runs parsd with argv (without argv0).
 *
 * @returns the exit code: 0, parsd's own failure code, or luxd's code.
 */
export async function main(argv: readonly string[], sys: System): Promise<number> {
  try {
    const args = parseArgs(argv);
    const { command } = await COMMAND_MODULES[args.command]();
    return await command(sys, args);
  } catch (error) {
    sys.err(formatError(error) + "\n");
    if (error instanceof UsageError) sys.err(USAGE + "\n");
    return exitCodeOf(error);
  }
}
