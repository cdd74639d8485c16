/**
 * @module
 * Checks flags meant for luxd (pass-through and config.json's
 * `luxd-args`) against the flags the luxd at hand has, as its parser would
 * read them. Pure.
 */

import { editDistance, typoDistance } from "../nearest.ts";
import { BOOL_WORDS, luxdValueProblem } from "./go_value.ts";
import type { LuxdFlagSet } from "./help_text.ts";

/**
 * Flags that one luxd dialect has under another name, with what to say
 * when the other dialect's name is given.
 */
const DIALECT_HINTS: Readonly<Record<string, { readonly has: string; readonly hint: string }>> = {
  "track-chains": {
    has: "track-subnets",
    hint: "this luxd calls it --track-subnets (a comma-separated list of subnet IDs)",
  },
  "track-all-chains": {
    has: "track-subnets",
    hint: "this luxd cannot track every chain; name the subnets to track with --track-subnets",
  },
  "track-subnets": { has: "track-chains", hint: "this luxd calls it --track-chains" },
  "net-config-dir": { has: "subnet-config-dir", hint: "this luxd calls it --subnet-config-dir" },
  "net-config-content": {
    has: "subnet-config-content",
    hint: "this luxd calls it --subnet-config-content",
  },
  "subnet-config-dir": { has: "net-config-dir", hint: "this luxd calls it --net-config-dir" },
  "subnet-config-content": {
    has: "net-config-content",
    hint: "this luxd calls it --net-config-content",
  },
};

/** How many unknown flags get a "did you mean" (parsd prints 25 problems: `cli/problem_lines.ts`). */
const SUGGESTIONS = 25;

function closest(word: string, candidates: Iterable<string>): [string, number] | undefined {
  let best: [string, number] | undefined;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (best === undefined || d < best[1]) best = [c, d];
  }
  return best !== undefined && best[1] <= typoDistance(word) ? best : undefined;
}

/**
 * Checks flags meant for luxd against the flags a luxd has, the way luxd's
 * parser (Go pflag) reads them: `--name=value`; `--name value` for a flag
 * that needs a value (the next word is taken, whatever it is); a bare
 * `--name` for a bool. Reported, one line each and all at once:
 * - a flag luxd does not have (luxd would exit 1 with `unknown flag`),
 *   naming the nearest luxd flag, a dialect rename (`--track-chains` vs
 *   `--track-subnets`), or the parsd flag it resembles;
 * - a value that does not parse as the flag's type (bool, int, uint,
 *   float, Go duration, and the slice types);
 * - a flag with no value at the end or before another `--flag`;
 * - `--dev false`: luxd takes a bool's next word as a stray argument, so
 *   this would switch dev mode on;
 * - single-dash flags: luxd has no short flags (pflag reads `-network-id`
 *   as shorthands `-n -e …` and fails; `-h…` prints help and exits);
 * - `--help`, `--version`, `--version-json`: luxd would print and exit
 *   instead of starting;
 * - words that are not flags, and anything after `--`: luxd ignores them.
 *
 * @param tokens the pass-through words, in order
 * @param flags the flags of the luxd that will run ({@linkcode parseLuxdHelp})
 * @param origin where the tokens come from, leading each problem, e.g.
 *   `luxd flag` or `config.json luxd-args`
 * @param parsdFlags parsd's own flag names (dashes optional), for hints
 * @param luxd how to name this luxd in messages, e.g. `luxd 1.13.4`
 * @returns the problems; empty when luxd would accept every token
 */
export function checkLuxdFlags(
  tokens: readonly string[],
  flags: LuxdFlagSet,
  origin: string,
  parsdFlags: readonly string[],
  luxd = "luxd",
): string[] {
  const problems: string[] = [];
  const parsd = parsdFlags.map((f) => f.replace(/^-+/, ""));
  const say = (shown: string, what: string) => problems.push(`${origin} '${shown}': ${what}`);

  const unknown = (shown: string, name: string) => {
    const head = `${luxd} has no --${name}`;
    // Past the first few, nobody reads the suggestions (parsd prints 25 problems and a
    // count): skip the nearest-flag search, which costs ~1 ms a flag.
    if (problems.length >= SUGGESTIONS) {
      return say(shown, `${head}; 'luxd --help' lists the flags it has`);
    }
    const dialect = Object.hasOwn(DIALECT_HINTS, name) ? DIALECT_HINTS[name]! : undefined;
    if (parsd.includes(name)) {
      return say(shown, `${head}; --${name} is parsd's own flag: give it to parsd, not to luxd`);
    }
    if (dialect !== undefined && flags.has(dialect.has)) {
      return say(shown, `${head}; ${dialect.hint}`);
    }
    const nearLuxd = closest(name, flags.keys());
    const nearParsd = closest(name, parsd);
    if (nearLuxd !== undefined && (nearParsd === undefined || nearLuxd[1] <= nearParsd[1])) {
      return say(shown, `${head}; did you mean --${nearLuxd[0]}?`);
    }
    if (nearParsd !== undefined) {
      return say(shown, `${head}; did you mean parsd's --${nearParsd[0]}?`);
    }
    say(shown, `${head}; 'luxd --help' lists the flags it has`);
  };

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const next = tokens[i + 1];
    if (token === "--") {
      const rest = tokens.slice(i + 1);
      if (rest.length > 0) {
        say(token, `${luxd} stops reading flags at '--' and ignores '${rest.join(" ")}'`);
      }
      break;
    }
    if (!token.startsWith("-") || token === "-") {
      say(token, `${luxd} ignores words that are not flags; give values as --name=value`);
      continue;
    }
    if (!token.startsWith("--")) {
      const body = token.slice(1);
      if (body.startsWith("h")) {
        say(token, `${luxd} would print its help and exit instead of starting`);
        continue;
      }
      const name = body.split("=")[0]!;
      if (flags.has(name)) say(token, `${luxd} has no short flags; did you mean -${token}?`);
      else unknown(token, name);
      continue;
    }
    const body = token.slice(2);
    if (body.startsWith("-") || body.startsWith("=")) {
      say(token, `${luxd} rejects it as bad flag syntax; write --name=value`);
      continue;
    }
    const eq = body.indexOf("=");
    const name = eq < 0 ? body : body.slice(0, eq);
    let value = eq < 0 ? undefined : body.slice(eq + 1);
    if (name === "help") {
      say(token, `${luxd} would print its help and exit instead of starting`);
      continue;
    }
    const flag = flags.get(name);
    if (flag === undefined) {
      // A following word is most likely this flag's value: report them together.
      if (value === undefined && next !== undefined && !next.startsWith("-")) {
        unknown(`${token} ${next}`, name);
        i++;
      } else {
        unknown(token, name);
      }
      continue;
    }
    let shown = token;
    if (value === undefined) {
      if (flag.bareValue !== undefined) {
        value = flag.bareValue;
        if (flag.type === "bool" && next !== undefined && BOOL_WORDS.has(next)) {
          say(
            `${token} ${next}`,
            `${luxd} takes --${name} alone as true and ignores '${next}'; write --${name}=${next}`,
          );
          i++;
          continue;
        }
      } else if (next === undefined || next.startsWith("--")) {
        say(token, `--${name} needs a value; write --${name}=VALUE`);
        continue;
      } else {
        value = next;
        shown = `${token} ${next}`;
        i++;
      }
    }
    const expected = luxdValueProblem(flag.type, value);
    if (expected !== undefined) {
      say(shown, `--${name} takes ${expected}, got '${value}'`);
    } else if (
      (name === "version" || name === "version-json") && /^(1|t|T|TRUE|true|True)$/.test(value)
    ) {
      say(shown, `${luxd} would print its version and exit instead of starting`);
    }
  }
  return problems;
}
