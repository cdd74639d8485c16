/**
 * @module
 * parsd's commands, listed once: each one's name, help line, whether it
 * hands unknown flags to luxd, and its module, loaded only when it runs (so
 * `version` never loads the plugin or hashing code). The parser, the help
 * text, the usage line and the dispatcher all derive from
 * {@linkcode COMMANDS}.
 */

import type { ParsedArgs } from "./args.ts";
import type { System } from "../os/system.ts";

/** A command's entry point: returns the exit code. */
export type CommandMain = (sys: System, args: ParsedArgs) => Promise<number>;

/** One command. */
export interface CommandSpec {
  /** What it does, one line of `parsd help`. */
  readonly help: string;
  /** Whether flags parsd does not own pass through to luxd (else they are refused). */
  readonly passthrough?: true;
  /**
   * The most words it takes after its name (`parsd node-id CERT`); the parser
   * refuses more, alike for every command. Absent: the command checks its own.
   */
  readonly maxWords?: number;
  /** Loads the command's module. */
  readonly load: () => Promise<{ command: CommandMain }>;
}

/** Every command, in help order. With none, `run` is meant. */
export const COMMAND_TABLE = {
  run: {
    help: "verify plugins, link them, start luxd (the default)",
    passthrough: true,
    load: () => import("./commands/run.ts"),
  },
  init: {
    help: "create the data dir layout (0700) and a default config.json",
    maxWords: 0,
    load: () => import("./commands/init.ts"),
  },
  doctor: {
    help: "check everything run checks, start nothing; exit 0 only if ready",
    passthrough: true,
    load: () => import("./commands/doctor.ts"),
  },
  status: {
    help: "ask the running node (loopback only): health, NodeID, version, bootstrapped",
    maxWords: 0,
    load: () => import("./commands/status.ts"),
  },
  plugins: {
    help:
      "list | verify | pin | rollback [NAME...] | store: the plugins and luxd, sealed in the store",
    load: () => import("./commands/plugins.ts"),
  },
  "node-id": {
    help: "print the NodeID of a staking certificate (default <data-dir>/staking/staker.crt)",
    load: () => import("./commands/node_id.ts"),
  },
  genesis: {
    help: "check FILE: check a network genesis as luxd would read it",
    load: () => import("./commands/genesis.ts"),
  },
  devnet: {
    help: "up | status | down: a local Pars network of N validators (docs/devnet.md)",
    load: () => import("./commands/devnet.ts"),
  },
  service: {
    help: "systemd | launchd: print a service definition for this install",
    load: () => import("./commands/service.ts"),
  },
  vmid: {
    help: "print the cb58 VMID of a VM name",
    load: () => import("./commands/vmid.ts"),
  },
  version: {
    help: "print parsd's, Deno's and luxd's versions",
    maxWords: 0,
    load: () => import("./commands/version.ts"),
  },
  help: {
    help: "show help; 'parsd help COMMAND' for one command's flags",
    load: () => import("./commands/help.ts"),
  },
} as const satisfies Record<string, CommandSpec>;

/** One of parsd's commands. */
export type Command = keyof typeof COMMAND_TABLE;

/** The command names, in help order. */
export const COMMANDS = Object.keys(COMMAND_TABLE) as Command[];

/** Whether a word names a command. */
export const isCommand = (word: string): word is Command => Object.hasOwn(COMMAND_TABLE, word);

/** The spec of a command. */
export const commandSpec = (c: Command): CommandSpec => COMMAND_TABLE[c];

/** One usage line, printed after a usage error. */
export const USAGE = `usage: parsd [${COMMANDS.join("|")}] [flags] [luxd flags] [-- luxd flags]`;
