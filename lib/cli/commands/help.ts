/**
 * @module
 * `parsd help [COMMAND]`.
 */

import type { ParsedArgs } from "../args.ts";
import { UsageError } from "../../errors.ts";
import { helpText } from "../help.ts";
import { COMMANDS, isCommand } from "../commands.ts";
import type { System } from "../../os/system.ts";

/** Prints the help text, or one command's. */
export function command(sys: System, args: ParsedArgs): Promise<number> {
  const [topic, ...extra] = args.positionals;
  if (
    extra.length > 0 || (topic !== undefined && !isCommand(topic))
  ) {
    throw new UsageError(`'parsd help' takes one command name, one of ${COMMANDS.join(", ")}`);
  }
  sys.out(helpText(topic !== undefined && isCommand(topic) ? topic : undefined));
  return Promise.resolve(0);
}
