/**
 * Property: the argv parser (lib/cli/args.ts) and the option table
 * (lib/cli/options.ts) agree. A flag is taken exactly by the commands its
 * row lists, in every form the parser reads (`--x=v`, `--x v`, a bare
 * switch), and a flag no row lists is refused or, for a command that passes
 * flags through, handed to luxd unchanged.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseArgs } from "../../lib/cli/args.ts";
import { type Command, COMMANDS, commandSpec } from "../../lib/cli/commands.ts";
import { OPTION_ROWS, type OptionName, OPTIONS } from "../../lib/cli/options.ts";
import { UsageError } from "../../lib/errors.ts";
import { managedCollisions } from "../../lib/luxd/flags.ts";
import { check } from "./seed.ts";

const FLAGS = OPTION_ROWS.filter(([, o]) => o.flag !== undefined).map(([n]) => n);
/** Flags that turn the command into another (help, version): checked apart. */
const REDIRECTS: readonly OptionName[] = FLAGS.filter((n) => n === "help" || n === "version");
const ORDINARY = FLAGS.filter((n) => !REDIRECTS.includes(n));

const command = fc.constantFrom(...COMMANDS);
/** A flag value: never empty, never one that reads as a flag itself. */
const value = fc.string({ minLength: 1, maxLength: 12 }).filter((v) => !v.startsWith("-"));

/** One own flag in one of the forms the parser reads, and what it must parse to. */
function written(name: OptionName, v: string, form: number): [string[], string | boolean] {
  if (OPTIONS[name].flag === "switch") {
    return form === 0 ? [[`--${name}`], true] : [[`--${name}=${form === 1}`], form === 1];
  }
  return form === 0 ? [[`--${name}=${v}`], v] : [[`--${name}`, v], v];
}

Deno.test("property: a flag parses exactly for the commands its option row lists", async () => {
  await check(
    fc.property(command, fc.constantFrom(...ORDINARY), value, fc.nat(2), (c, name, v, form) => {
      const [tokens, want] = written(name, v, form);
      const takes = OPTIONS[name].commands.includes(c);
      if (takes) {
        const a = parseArgs([c, ...tokens]);
        assert.equal(a.command, c);
        assert.deepEqual(a.flags, { [name]: want });
        assert.deepEqual(a.passthrough, []);
      } else {
        assert.throws(
          () => parseArgs([c, ...tokens]),
          (e: unknown) =>
            e instanceof UsageError &&
            e.problems.some((p) => p.startsWith(`--${name} is not an option of 'parsd ${c}'`)),
        );
      }
    }),
    400,
  );
});

Deno.test("property: any set of a command's own flags parses to exactly that set", async () => {
  const ownFlags = (c: Command) => ORDINARY.filter((n) => OPTIONS[n].commands.includes(c));
  const withFlags = command.chain((c) =>
    fc.tuple(
      fc.constant(c),
      fc.shuffledSubarray(ownFlags(c)).chain((names) =>
        fc.tuple(
          fc.constant(names),
          fc.array(fc.tuple(value, fc.nat(2)), {
            minLength: names.length,
            maxLength: names.length,
          }),
        )
      ),
    )
  );
  await check(
    fc.property(withFlags, ([c, [names, values]]) => {
      const want: Record<string, string | boolean> = {};
      const argv: string[] = [c];
      names.forEach((name, i) => {
        const [tokens, parsed] = written(name, values[i]![0], values[i]![1]);
        argv.push(...tokens);
        want[name] = parsed;
      });
      assert.deepEqual(parseArgs(argv).flags, want);
    }),
    300,
  );
});

Deno.test("property: --help and --version answer for every command that lists them", async () => {
  await check(
    fc.property(command, fc.constantFrom(...REDIRECTS), (c, name) => {
      if (!OPTIONS[name].commands.includes(c)) return;
      const a = parseArgs([c, `--${name}`]);
      assert.equal(a.command, name);
    }),
    100,
  );
});

Deno.test("property: a flag no row lists is refused, or passed to luxd as given", async () => {
  const unknownName = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/).filter((n) => !(n in OPTIONS));
  await check(
    fc.property(command, unknownName, fc.option(value), (c, name, v) => {
      const token = v === null ? `--${name}` : `--${name}=${v}`;
      const passes = commandSpec(c).passthrough === true;
      const collides = managedCollisions([token], "luxd flag").length > 0;
      if (passes && !collides) {
        assert.deepEqual(parseArgs([c, token]).passthrough, [token]);
      } else {
        assert.throws(() => parseArgs([c, token]), UsageError);
      }
    }),
    400,
  );
});
