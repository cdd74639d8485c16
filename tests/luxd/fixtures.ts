/**
 * @module
 * The luxd fixtures the tests of `lib/luxd/` share: real luxd 1.13.4's help
 * text, luxd 1.22.18's (generated from its flag spec), and their flag sets.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type LuxdFlagSet, parseLuxdHelp } from "../../lib/luxd/help_text.ts";

/** The tests directory. */
export const TESTS = join(dirname(fileURLToPath(import.meta.url)), "..");
/** `tests/fixtures/luxd/`. */
export const FIXTURES = join(TESTS, "fixtures", "luxd");
/** A luxd fixture's text. */
export const read = (name: string): string => Deno.readTextFileSync(join(FIXTURES, name));
/** luxd 1.13.4's `--help`, as the real binary printed it. */
export const HELP_13 = read("luxd-1.13.4-help.txt");
/** luxd 1.22.18's `--help`, generated from its flag spec. */
export const HELP_22 = read("luxd-1.22.18-help.txt");
/** The two dialects' flag sets. */
export const FLAGS_13: LuxdFlagSet = parseLuxdHelp(HELP_13);
export const FLAGS_22: LuxdFlagSet = parseLuxdHelp(HELP_22);
/** Both dialects, by version. */
export const DIALECTS: ReadonlyArray<readonly [string, LuxdFlagSet]> = [
  ["1.13.4", FLAGS_13],
  ["1.22.18", FLAGS_22],
];
