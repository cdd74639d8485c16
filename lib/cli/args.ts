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
import { flagsOf, type OptionName, OPTIONS, type OptionSpec } from "./options.ts";
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
  const { command, rest } = splitCommand(argv);
  const problems: string[] = [];
  const { flags, positionals, passthrough } = readTokens(command, rest, problems);
  problems.push(...wordCountProblems(command, positionals));
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

/** The command (the first word, `run` when there is none) and the tokens after it. */
function splitCommand(argv: readonly string[]): { command: Command; rest: string[] } {
  const first = argv[0];
  if (first === undefined || first.startsWith("-")) return { command: "run", rest: [...argv] };
  if (!isCommand(first)) {
    throw new UsageError(
      `unknown command '${first}'; expected one of ${COMMANDS.join(", ")} (see 'parsd help')`,
    );
  }
  return { command: first, rest: argv.slice(1) };
}

/** Too many words for a command that takes a bounded number. */
function wordCountProblems(command: Command, positionals: readonly string[]): string[] {
  const max = commandSpec(command).maxWords;
  if (max === undefined || positionals.length <= max) return [];
  const extra = positionals.slice(max);
  const more = extra.length > 1 ? ` and ${extra.length - 1} more` : "";
  return [
    `'parsd ${command}' takes ${
      max === 0 ? "no arguments" : `at most ${max} argument${max === 1 ? "" : "s"}`
    }, got '${extra[0]}'${more}`,
  ];
}

/** One of parsd's own flags read from `rest[i]` (and its value from the next token). */
function ownFlag(
  name: OptionName,
  spec: OptionSpec<unknown>,
  token: string,
  inline: string | undefined,
  next: string | undefined,
): { value: string | boolean; consumed: number } | { problem: string; consumed: number } {
  if (spec.flag === "switch") {
    if (inline === undefined || inline === "true") return { value: true, consumed: 0 };
    if (inline === "false") return { value: false, consumed: 0 };
    return {
      problem: `--${name} is a switch; got '${token}' (use --${name} or --${name}=false)`,
      consumed: 0,
    };
  }
  if (inline === undefined && (next === undefined || next.startsWith("--"))) {
    return {
      problem: `--${name} needs a value (--${name}=${spec.metavar ?? "VALUE"})`,
      consumed: 0,
    };
  }
  const value = inline ?? next!;
  const consumed = inline === undefined ? 1 : 0;
  return value === ""
    ? { problem: `--${name} needs a non-empty value`, consumed }
    : { value, consumed };
}

/** Reads the tokens after the command: parsd's flags, its words, and luxd's flags. */
function readTokens(command: Command, rest: readonly string[], problems: string[]) {
  const own = new Map(flagsOf(command));
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
      const read = ownFlag(name, spec, token, m?.[2], rest[i + 1]);
      i += read.consumed;
      if ("problem" in read) problems.push(read.problem);
      else if (name in flags) problems.push(`--${name} given twice; give it once`);
      else flags[name] = read.value;
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
    } else if (afterPassthroughFlag) {
      passthrough.push(token);
      afterPassthroughFlag = false;
    } else if (acceptsPassthrough) {
      problems.push(
        `unexpected argument '${token}' for 'parsd ${command}' (luxd flags start with --)`,
      );
    } else positionals.push(token);
  }
  return { flags, positionals, passthrough };
}
