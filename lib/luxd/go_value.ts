/**
 * @module
 * Go's value syntax, as luxd's flag parser (pflag over strconv and time)
 * reads it: quoted strings, integers with prefixes, floats, durations, and
 * the slice and map types. Pure.
 */

import type { LuxdFlagType } from "./help_text.ts";

/** Undoes Go's `%q` on one double-quoted string; undefined if it is not one. */
export function unquoteGo(quoted: string): string | undefined {
  if (quoted.length < 2 || !quoted.startsWith('"') || !quoted.endsWith('"')) return undefined;
  // Go's escapes that JSON lacks: \xNN, \a, \v, \UNNNNNNNN. One pass, so that
  // an escaped backslash is never read as the start of another escape.
  const json = quoted.replace(
    /\\(x[0-9a-fA-F]{2}|U[0-9a-fA-F]{8}|[^])/g,
    (escape: string, what: string) => {
      if (what === "a") return "\\u0007";
      if (what === "v") return "\\u000b";
      if (what.length === 1) return escape;
      return JSON.stringify(String.fromCodePoint(parseInt(what.slice(1), 16))).slice(1, -1);
    },
  );
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Go's strconv.ParseBool words. */
export const BOOL_WORDS: ReadonlySet<string> = new Set(
  ["1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"],
);

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** Parses an integer as Go's strconv.ParseInt/ParseUint with base 0 (prefixes, `_`). */
function goInt(text: string, signed: boolean): bigint | undefined {
  const m =
    /^([+-]?)(0[xX](?:_?[0-9a-fA-F])+|0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|0(?:_?[0-7])*|[1-9](?:_?\d)*)$/
      .exec(text);
  if (m === null || (!signed && m[1] !== "")) return undefined;
  let digits = m[2]!.replaceAll("_", "");
  if (/^0[0-7]+$/.test(digits)) digits = `0o${digits.slice(1)}`;
  const value = m[1] === "-" ? -BigInt(digits) : BigInt(digits);
  const [lo, hi] = signed ? [INT64_MIN, INT64_MAX] : [0n, UINT64_MAX];
  return value < lo || value > hi ? undefined : value;
}

/** Whether `text` is a base-10 integer in range, as strconv.Atoi / ParseUint(s, 10, 64) take it. */
function decimalInRange(text: string, signed: boolean): boolean {
  const m = /^([+-]?)(\d+)$/.exec(text);
  if (m === null || (!signed && m[1] !== "")) return false;
  const value = m[1] === "-" ? -BigInt(m[2]!) : BigInt(m[2]!);
  return signed ? value >= INT64_MIN && value <= INT64_MAX : value <= UINT64_MAX;
}

/** Whether Go's strconv.ParseFloat(text, 64) accepts `text`. */
function goFloat(text: string): boolean {
  if (/^(?:[+-]?(?:inf|infinity)|nan)$/i.test(text)) return true;
  const decimal =
    /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/;
  if (decimal.test(text)) return Number.isFinite(Number(text.replaceAll("_", "")));
  const hex =
    /^[+-]?0[xX]((?:_?[0-9a-fA-F])*(?:\.(?:[0-9a-fA-F](?:_?[0-9a-fA-F])*)?)?)[pP][+-]?\d(?:_?\d)*$/
      .exec(text);
  return hex !== null && /[0-9a-fA-F]/.test(hex[1]!);
}

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  "µs": 1e3, // U+00B5 MICRO SIGN
  "μs": 1e3, // U+03BC GREEK SMALL LETTER MU
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/**
 * Whether Go's time.ParseDuration accepts `text`: `0`, or a signed
 * sequence of decimal numbers with units (`300ms`, `1.5h`, `2h45m`), in
 * range of an int64 of nanoseconds.
 */
export function isGoDuration(text: string): boolean {
  const body = text.replace(/^[+-]/, "");
  if (body === "0") return true;
  if (!/^(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.test(body)) return false;
  let ns = 0;
  for (const m of body.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    ns += Number(m[1]) * DURATION_UNITS[m[2]!]!;
  }
  return ns <= 9223372036854775807;
}

/** What a value of each checked type must look like, for messages. */
const EXPECTED: Partial<Record<LuxdFlagType, string>> = {
  bool: "true or false (bool)",
  int: "an integer (int)",
  count: "an integer (count)",
  uint: "a non-negative integer (uint)",
  uint64: "a non-negative integer (uint64)",
  float64: "a number (float)",
  duration: "a Go duration such as 30s, 1m30s or 2h (duration)",
  "int-slice": "comma-separated integers (ints)",
  "uint-slice": "comma-separated non-negative integers (uints)",
  "bool-slice": "comma-separated true/false values (bools)",
  "duration-slice": "comma-separated Go durations (durations)",
  "float64-slice": "comma-separated numbers (floats)",
  "string-to-string": "comma-separated key=value pairs (stringToString)",
  "string-to-int": "comma-separated key=integer pairs (stringToInt)",
};

/**
 * Checks one value the way luxd's flag parser (pflag, Go's strconv and
 * time) would. Types without a syntax of their own (strings, IPs, …) are
 * not checked.
 *
 * @returns what the value should look like (`a non-negative integer
 *   (uint)`), or undefined if luxd accepts it.
 */
export function luxdValueProblem(type: LuxdFlagType, value: string): string | undefined {
  const items = () => value.split(",");
  let ok: boolean;
  switch (type) {
    case "bool":
      ok = BOOL_WORDS.has(value);
      break;
    case "int":
    case "count":
      ok = goInt(value, true) !== undefined;
      break;
    case "uint":
    case "uint64":
      ok = goInt(value, false) !== undefined;
      break;
    case "float64":
      ok = goFloat(value);
      break;
    case "duration":
      ok = isGoDuration(value);
      break;
    case "int-slice":
      ok = items().every((s) => decimalInRange(s, true));
      break;
    case "uint-slice":
      ok = items().every((s) => decimalInRange(s, false));
      break;
    case "bool-slice":
      ok = items().every((s) => BOOL_WORDS.has(s.trim()));
      break;
    case "duration-slice":
      ok = items().every(isGoDuration);
      break;
    case "float64-slice":
      ok = items().every(goFloat);
      break;
    case "string-to-string":
      ok = value.includes("=");
      break;
    case "string-to-int":
      ok = items().every((s) => {
        const eq = s.indexOf("=");
        return eq >= 0 && /^[+-]?\d+$/.test(s.slice(eq + 1));
      });
      break;
    default:
      ok = true;
  }
  return ok ? undefined : EXPECTED[type];
}
