/**
 * @module
 * The command-line parser: a pure function from argv to the command, its
 * own flags (as raw strings), its positional words and the flags that pass
 * through to luxd. Each command takes only the options `options.ts` lists
 * for it. Values are checked later, together with env and config.json, so
 * that every problem is reported at once.
 */

import { UsageError } from "../errors.ts";
import { type Command, COMMANDS, commandSpec, isCommand } from "./commands.ts";
import { flagsOf, type OptionName, OPTIONS } from "./options.ts";

/**
 * luxd flags parsd sets itself, with what to use instead. Passing one of
 * these through is a usage error: luxd never gets a flag twice.
 */
export const MANAGED_LUXD_FLAGS: Readonly<Record<string, string>> = {
  "network-id": "use parsd's --network-id",
  "data-dir": "use parsd's --data-dir",
  "plugin-dir": "parsd sets it to <data-dir>/plugins; choose the data dir with --data-dir",
  "db-dir": "parsd sets it to <data-dir>/db; choose the data dir with --data-dir",
  "http-port": "use parsd's --http-port",
  "staking-port": "use parsd's --staking-port",
  "chain-config-content": "set chains.evm / chains.sessionvm in config.json",
  "chain-config-dir": "luxd ignores it beside --chain-config-content; set chains.* in config.json",
  "staking-tls-key-file": "parsd uses <data-dir>/staking/staker.key; put the key there",
  "staking-tls-cert-file": "parsd uses <data-dir>/staking/staker.crt; put the certificate there",
  "staking-signer-key-file": "parsd uses <data-dir>/staking/signer.key; put the key there",
  "track-all-chains": "set track-all-chains in config.json",
};

/** The result of {@linkcode parseArgs}. */
export interface ParsedArgs {
  /** The subcommand; `run` when none was given. */
  readonly command: Command;
  /** Words after the subcommand that are not flags (`plugins pin evm`, `vmid NAME`). */
  readonly positionals: readonly string[];
  /** parsd's own flags: the raw string value, or `true`/`false` for switches. */
  readonly flags: Readonly<Record<string, string | boolean>>;
  /** luxd flags, unchanged and in order, including everything after `--`. */
  readonly passthrough: readonly string[];
  /** The command line as given. */
  readonly argv: readonly string[];
}

/** The luxd flag name in a token such as `--log-level=info` or `-dev`, if it is a flag. */
export function luxdFlagName(token: string): string | undefined {
  const m = /^--?([^=]+)/.exec(token);
  return m && token !== "--" ? m[1] : undefined;
}

/**
 * Checks luxd flags for ones parsd manages.
 *
 * @returns one problem line per collision (empty when there is none).
 */
export function managedCollisions(tokens: readonly string[], origin: string): string[] {
  const problems: string[] = [];
  for (const token of tokens) {
    const name = luxdFlagName(token);
    const fix = name === undefined ? undefined : MANAGED_LUXD_FLAGS[name];
    if (fix !== undefined) {
      problems.push(`${origin} '${token}': parsd manages --${name} for luxd; ${fix}`);
    }
  }
  return problems;
}

const commandsTaking = (name: OptionName) =>
  OPTIONS[name].commands.filter((c) => c !== "help").map((c) => `'parsd ${c}'`).join(", ");

/**
 * Parses parsd's argv (without argv0).
 *
 * @throws {UsageError} for an unknown command, a flag the command does not
 *   take, a flag given twice or without its value, an unexpected word, or a
 *   managed luxd flag passed through; all problems at once.
 */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  let rest = [...argv];
  let command: Command = "run";
  const first = rest[0];
  if (first !== undefined && !first.startsWith("-")) {
    if (!isCommand(first)) {
      throw new UsageError(
        `unknown command '${first}'; expected one of ${COMMANDS.join(", ")} (see 'parsd help')`,
      );
    }
    command = first;
    rest = rest.slice(1);
  }

  const own = new Map(flagsOf(command));
  const problems: string[] = [];
  const flags: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  const passthrough: string[] = [];
  const acceptsPassthrough = commandSpec(command).passthrough === true;
  let afterPassthroughFlag = false;

  for (let i = 0; i < rest.length; i++) {
    const token = rest[i]!;
    if (token === "--") {
      const verbatim = rest.slice(i + 1);
      if (!acceptsPassthrough && verbatim.length > 0) {
        problems.push(
          `'parsd ${command}' takes no luxd flags, got '${verbatim.join(" ")}' after '--'`,
        );
      }
      passthrough.push(...verbatim);
      break;
    }
    const m = /^--([^=]+)(?:=(.*))?$/s.exec(token);
    const name = (m ? m[1]! : token === "-h" ? "help" : undefined) as OptionName | undefined;
    const spec = name === undefined ? undefined : own.get(name);
    if (name !== undefined && spec === undefined && name in OPTIONS && OPTIONS[name].flag) {
      problems.push(
        `--${name} is not an option of 'parsd ${command}'; it is for ${commandsTaking(name)}`,
      );
      if (OPTIONS[name].flag === "value" && m?.[2] === undefined) i++;
      continue;
    }
    if (name !== undefined && spec !== undefined) {
      afterPassthroughFlag = false;
      const inline = m?.[2];
      let value: string | boolean;
      if (spec.flag === "switch") {
        if (inline === undefined || inline === "true") value = true;
        else if (inline === "false") value = false;
        else {
          problems.push(`--${name} is a switch; got '${token}' (use --${name} or --${name}=false)`);
          continue;
        }
      } else if (inline !== undefined) {
        value = inline;
      } else {
        const next = rest[i + 1];
        if (next === undefined || next.startsWith("--")) {
          problems.push(`--${name} needs a value (--${name}=${spec.metavar ?? "VALUE"})`);
          continue;
        }
        value = next;
        i++;
      }
      if (spec.flag === "value" && value === "") {
        problems.push(`--${name} needs a non-empty value`);
        continue;
      }
      if (name in flags) {
        problems.push(`--${name} given twice; give it once`);
        continue;
      }
      flags[name] = value;
      continue;
    }
    if (token.startsWith("-") && token !== "-") {
      if (!acceptsPassthrough) {
        problems.push(
          `unknown flag '${
            token.split("=")[0]
          }' for 'parsd ${command}' (see 'parsd help ${command}')`,
        );
        continue;
      }
      passthrough.push(token);
      afterPassthroughFlag = !token.includes("=");
      continue;
    }
    if (afterPassthroughFlag) {
      passthrough.push(token);
      afterPassthroughFlag = false;
      continue;
    }
    if (acceptsPassthrough) {
      problems.push(
        `unexpected argument '${token}' for 'parsd ${command}' (luxd flags start with --)`,
      );
      continue;
    }
    positionals.push(token);
  }

  problems.push(...managedCollisions(passthrough, "luxd flag"));
  if (problems.length > 0) throw new UsageError(problems);
  if (flags["help"] === true) {
    return { command: "help", positionals: [command], flags: {}, passthrough: [], argv };
  }
  if (flags["version"] === true) {
    return { command: "version", positionals, flags, passthrough, argv };
  }
  return { command, positionals, flags, passthrough, argv };
}
