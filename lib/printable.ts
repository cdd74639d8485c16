/**
 * @module
 * Text that came from another program (a node's HTTP answer, what a probed
 * binary printed) made safe to print on one line: control characters could
 * otherwise start a new line (a forged `ok` line), move the cursor, recolour
 * or retitle the terminal, or reorder what is shown (bidi overrides).
 */

// C0 controls, DEL, C1 controls, the Unicode line and paragraph separators, and bidi controls.
// deno-lint-ignore no-control-regex
const UNPRINTABLE = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const SHORT: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * `text` with every control character escaped: `\n`, `\r`, `\t`, `\xNN`
 * below U+0100, `\u{NNNN}` above. A backslash is left as it is.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const short = SHORT[c];
    if (short !== undefined) return short;
    const n = c.charCodeAt(0);
    return n < 0x100 ? `\\x${n.toString(16).padStart(2, "0")}` : `\\u{${n.toString(16)}}`;
  });
}
