/**
 * @module
 * The help text, derived from the option table: each flag's line says its
 * env var, config.json key and default as `options.ts` has them.
 */

import { defaultText, flagsOf, OPTION_ROWS, type OptionSpec } from "./options.ts";
import { type Command, COMMAND_TABLE, COMMANDS, USAGE } from "./commands.ts";

/** One help line for an option. */
export function optionLine(name: string, o: OptionSpec<unknown>): string {
  const flag = `  --${name}${o.flag === "value" ? `=${o.metavar ?? "VALUE"}` : ""}`;
  const where = [
    o.env === undefined ? undefined : `env ${o.env}`,
    o.config === undefined ? undefined : `config ${o.config}`,
    `default ${defaultText(o)}`,
  ].filter((x) => x !== undefined).join("; ");
  return `${flag.padEnd(30)}${o.help} (${where})`;
}

/** The full help text, or one command's. */
export function helpText(command?: Command): string {
  if (command !== undefined && command !== "help" && command !== "run") {
    const flags = flagsOf(command).filter(([n]) => n !== "help" && n !== "version");
    return `parsd ${command}: ${COMMAND_TABLE[command].help}

Flags:
${flags.length > 0 ? flags.map(([n, o]) => optionLine(n, o)).join("\n") : "  (none)"}
`;
  }
  const flagRows = OPTION_ROWS.filter(([, o]) => o.flag !== undefined);
  return `parsd — the Pars node launcher: verifies the EVM and SessionVM plugins and runs luxd for Pars.

${USAGE}

Commands:
${COMMANDS.map((c) => `  ${c.padEnd(10)}${COMMAND_TABLE[c].help}`).join("\n")}

Flags (each command takes only its own; 'parsd help COMMAND' lists them):
${flagRows.map(([n, o]) => optionLine(n, o)).join("\n")}

Flags parsd does not own pass through to luxd (run, doctor) after parsd checks them
against the luxd it found; everything after -- passes verbatim. Exit codes: 0 ok,
64 usage, 65 verification, 66 missing input, 69 unavailable, 70 software (a build
script's tool failed), 73 cannot create,
75 busy or not ready, 77 permissions, 78 config, 126 luxd not executable,
127 luxd not found; otherwise luxd's own code (128+n if signal n killed it).
`;
}
