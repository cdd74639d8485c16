/**
 * @module
 * The help text, derived from the option table: each flag's line says its
 * env var, config.json key and default as `options.ts` has them.
 */

import {
  type Command,
  COMMANDS,
  defaultText,
  flagsOf,
  OPTION_ROWS,
  type OptionSpec,
} from "./options.ts";
import { USAGE } from "./usage.ts";

/** What each command does, one line. */
export const COMMAND_HELP: Readonly<Record<Command, string>> = {
  run: "verify plugins, link them, start luxd (the default)",
  init: "create the data dir layout (0700) and a default config.json",
  doctor: "check everything run checks, start nothing; exit 0 only if ready",
  status: "ask the running node (loopback only): health, NodeID, version, bootstrapped",
  plugins: "list | verify | pin [NAME...]: inspect, verify or pin the plugins",
  "node-id": "print the NodeID of a staking certificate (default <data-dir>/staking/staker.crt)",
  service: "systemd | launchd: print a service definition for this install",
  vmid: "print the cb58 VMID of a VM name",
  version: "print parsd's, Deno's and luxd's versions",
  help: "show help; 'parsd help COMMAND' for one command's flags",
};

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
    return `parsd ${command}: ${COMMAND_HELP[command]}

Flags:
${flags.length > 0 ? flags.map(([n, o]) => optionLine(n, o)).join("\n") : "  (none)"}
`;
  }
  const flagRows = OPTION_ROWS.filter(([, o]) => o.flag !== undefined);
  return `parsd — the Pars node launcher: verifies the EVM and SessionVM plugins and runs luxd for Pars.

${USAGE}

Commands:
${COMMANDS.map((c) => `  ${c.padEnd(10)}${COMMAND_HELP[c]}`).join("\n")}

Flags (each command takes only its own; 'parsd help COMMAND' lists them):
${flagRows.map(([n, o]) => optionLine(n, o)).join("\n")}

Flags parsd does not own pass through to luxd (run, doctor) after parsd checks them
against the luxd it found; everything after -- passes verbatim. Exit codes: 0 ok,
64 usage, 65 verification, 66 missing input, 69 unavailable, 73 cannot create,
75 busy or not ready, 77 permissions, 78 config, 126 luxd not executable,
127 luxd not found; otherwise luxd's own code (128+n if signal n killed it).
`;
}
