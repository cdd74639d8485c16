/**
 * @module
 * How parsd prints what it found: one line per problem, whatever the
 * problem holds (a path with a newline or an escape sequence cannot break
 * a line or drive the terminal), and no more than a screenful of them.
 */

/**
 * The most problems printed one by one; the rest are counted. A screenful:
 * a validation's whole list (a genesis has a couple of dozen) is kept, a
 * flood (10,000 bad flags) is cut.
 */
export const MAX_PROBLEMS_SHOWN = 25;

// deno-lint-ignore no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * Text fit for one line of output: control characters (C0, DEL, C1, and
 * the Unicode line and paragraph separators) written as escapes — `\n`,
 * `\r`, `\t`, else `\xHH` or `\u{HHHH}`. Printable text is unchanged.
 */
export function printable(text: string): string {
  return text.replace(CONTROL, (c) => {
    const named = NAMED[c];
    if (named !== undefined) return named;
    const code = c.codePointAt(0)!;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
  });
}

/**
 * The problems to print: each made {@linkcode printable}, the first
 * {@linkcode MAX_PROBLEMS_SHOWN}, then `… and N more` for the rest (never
 * "and 1 more": one more line is shown instead).
 */
export function shownProblems(problems: readonly string[]): string[] {
  const lines = problems.length <= MAX_PROBLEMS_SHOWN + 1
    ? problems
    : problems.slice(0, MAX_PROBLEMS_SHOWN);
  const out = lines.map(printable);
  if (lines.length < problems.length) out.push(`… and ${problems.length - lines.length} more`);
  return out;
}
