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
import { managedCollisions } from "../luxd/flags.ts";

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

const commandsTaking = (name: OptionName) =>
  OPTIONS[name].commands.filter((c) => c !== "help").map((c) => `'parsd ${c}'`).join(", ");

/**
 * Parses parsd's argv (without argv0).
 *
 * @throws {UsageError} for an unknown command, a flag the command does not
 *   take, a flag given twice or without its value, an unexpected word (more
 *   than the command's `maxWords`), or a managed luxd flag passed through;
 *   all problems at once.
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

  const max = commandSpec(command).maxWords;
  if (max !== undefined && positionals.length > max) {
    const extra = positionals.slice(max);
    const more = extra.length > 1 ? ` and ${extra.length - 1} more` : "";
    problems.push(
      `'parsd ${command}' takes ${
        max === 0 ? "no arguments" : `at most ${max} argument${max === 1 ? "" : "s"}`
      }, got '${extra[0]}'${more}`,
    );
  }
  problems.push(...managedCollisions(passthrough, "luxd flag"));
  if (problems.length > 0) throw new UsageError(problems);
  if (flags["help"] === true) {
    return { command: "help", positionals: [command], flags: {}, passthrough: [], argv };
  }
  if (flags["version"] === true) {
    return { command: "version", positionals: [], flags, passthrough, argv };
  }
  return { command, positionals, flags, passthrough, argv };
}
