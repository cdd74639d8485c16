/**
 * @module
 * `luxd --help` as data: Go pflag's usage format parsed into a flag set
 * (name → type, default, bare value, description), and that set as JSON for
 * the verification cache. Pure.
 *
 * Facts this relies on (see `tests/fixtures/luxd/PROVENANCE.md`): luxd
 * prints `--help` on stderr and exits 0; pflag lists one flag a line as
 * `      --name type   description (default x)`, with no type word for a
 * bool, `uint` for both uint and uint64, `float` for float64, `strings` for
 * a string slice; string defaults are Go-quoted; a description that holds
 * newlines continues on lines indented to the description column.
 */

import { unquoteGo } from "./go_value.ts";

/** A luxd flag's value type, normalised from the word pflag prints. */
export type LuxdFlagType =
  | "bool"
  | "int"
  | "uint"
  | "uint64"
  | "float64"
  | "duration"
  | "string"
  | "string-slice"
  | "string-array"
  | "int-slice"
  | "uint-slice"
  | "bool-slice"
  | "float64-slice"
  | "duration-slice"
  | "string-to-string"
  | "string-to-int"
  | "count"
  | "ip"
  | "ip-mask"
  | "ip-net"
  | "bytes-hex"
  | "bytes-base64"
  | "other";

/**
 * pflag's type words (as `--help` prints them, as `Value.Type()` names
 * them, and as luxd's flag spec spells them) mapped to {@linkcode LuxdFlagType}.
 */
const TYPE_WORDS: Readonly<Record<string, LuxdFlagType>> = {
  "": "bool",
  bool: "bool",
  int: "int",
  int8: "int",
  int16: "int",
  int32: "int",
  int64: "int",
  uint: "uint",
  uint8: "uint",
  uint16: "uint",
  uint32: "uint",
  uint64: "uint64",
  float: "float64",
  float32: "float64",
  float64: "float64",
  duration: "duration",
  string: "string",
  strings: "string-slice",
  stringSlice: "string-slice",
  "string-slice": "string-slice",
  stringArray: "string-array",
  "string-array": "string-array",
  ints: "int-slice",
  intSlice: "int-slice",
  int32Slice: "int-slice",
  int64Slice: "int-slice",
  "int-slice": "int-slice",
  uints: "uint-slice",
  uintSlice: "uint-slice",
  "uint-slice": "uint-slice",
  bools: "bool-slice",
  boolSlice: "bool-slice",
  "bool-slice": "bool-slice",
  float32Slice: "float64-slice",
  float64Slice: "float64-slice",
  "float64-slice": "float64-slice",
  durationSlice: "duration-slice",
  "duration-slice": "duration-slice",
  stringToString: "string-to-string",
  "string-to-string": "string-to-string",
  stringToInt: "string-to-int",
  stringToInt64: "string-to-int",
  "string-to-int": "string-to-int",
  count: "count",
  ip: "ip",
  ipMask: "ip-mask",
  ipNet: "ip-net",
  bytesHex: "bytes-hex",
  bytesBase64: "bytes-base64",
};

/** Every {@linkcode LuxdFlagType}, for validating a cached flag set. */
export const LUXD_FLAG_TYPES: readonly LuxdFlagType[] = [
  ...new Set([...Object.values(TYPE_WORDS), "other" as const]),
];

/** The {@linkcode LuxdFlagType} for a pflag or flag-spec type word; `other` if unknown. */
export function normaliseFlagType(word: string): LuxdFlagType {
  return Object.hasOwn(TYPE_WORDS, word) ? TYPE_WORDS[word]! : "other";
}

/** One flag of a luxd, as its `--help` describes it. */
export interface LuxdFlag {
  /** The value type. */
  readonly type: LuxdFlagType;
  /** The type word `--help` printed (`""` for a bool), e.g. `uint`, `strings`. */
  readonly word: string;
  /**
   * The default as pflag prints it (`32768`, `15m0s`, `[localhost]`), string
   * defaults unquoted (`$HOME/.lux`). Absent when pflag printed none, which
   * it does for the type's zero value (false, 0, "", 0s, []).
   */
  readonly default?: string;
  /**
   * The value luxd takes when the flag is given alone (`--dev`): `true`
   * for a bool. Absent when the flag needs a value, which luxd then takes
   * from the next argument.
   */
  readonly bareValue?: string;
  /** The description, without the `(default …)` and `(DEPRECATED: …)` suffixes. */
  readonly description: string;
  /** pflag's deprecation note, if the flag is deprecated. */
  readonly deprecated?: string;
}

/** A luxd's flags by name (without dashes), in the order `--help` lists them. */
export type LuxdFlagSet = ReadonlyMap<string, LuxdFlag>;

// `  -s, --name` or `      --name`, then an optional `[=bare]`, an optional
// ` word[=bare]`, then the gap (at least two spaces) and the description.
const FLAG_LINE =
  /^ {2}(?:-(\S), | {4})--([^\s[]+)(?:\[=([^\]]*)\])?(?: (\S+?)(?:\[=([^\]]*)\])?)?(?: {2,}(.*))?$/;

/**
 * Parses `luxd --help` (Go pflag's usage format) into a flag set. Lines
 * that are not flags (`Usage of node:`) are skipped; a description that
 * runs over several lines is joined with `\n`. Never throws: text with no
 * flag lines gives an empty set.
 */
export function parseLuxdHelp(text: string): LuxdFlagSet {
  const flags = new Map<string, LuxdFlag>();
  let current: { name: string; word: string; bare?: string; lines: string[] } | undefined;
  let column = 0;
  const finish = () => {
    if (current === undefined) return;
    flags.set(current.name, buildFlag(current.word, current.bare, current.lines.join("\n")));
    current = undefined;
  };
  for (const line of text.split(/\r?\n/)) {
    const m = FLAG_LINE.exec(line);
    if (m !== null) {
      finish();
      const usage = m[6] ?? "";
      column = line.length - usage.length;
      const bare = m[5] ?? m[3];
      current = { name: m[2]!, word: m[4] ?? "", lines: [usage] };
      if (bare !== undefined) current.bare = bare;
      continue;
    }
    if (current !== undefined && /^\s/.test(line)) {
      // A continuation line, indented to the description column.
      current.lines.push(line.startsWith(" ".repeat(column)) ? line.slice(column) : line.trim());
      continue;
    }
    finish();
  }
  finish();
  return flags;
}

function buildFlag(word: string, bareGiven: string | undefined, usage: string): LuxdFlag {
  const type = normaliseFlagType(word);
  let text = usage.trimEnd();
  let deprecated: string | undefined;
  const dep = /^([^]*) \(DEPRECATED: ([^]*)\)$/.exec(text);
  if (dep !== null) [text, deprecated] = [dep[1]!, dep[2]!];
  let defaultValue: string | undefined;
  const quoted = quotedDefault(text);
  if (quoted !== undefined) {
    [text, defaultValue] = quoted;
  } else if (text.endsWith(")")) {
    const at = text.lastIndexOf(" (default ");
    if (at >= 0) [text, defaultValue] = [text.slice(0, at), text.slice(at + 10, -1)];
  }
  let bareValue = bareGiven === undefined ? undefined : unquoteGo(bareGiven) ?? bareGiven;
  if (bareValue === undefined && type === "bool") bareValue = "true";
  if (bareValue === undefined && type === "count") bareValue = "+1";
  return {
    type,
    word,
    ...(defaultValue === undefined ? {} : { default: defaultValue }),
    ...(bareValue === undefined ? {} : { bareValue }),
    description: text,
    ...(deprecated === undefined ? {} : { deprecated }),
  };
}

/** Splits `… (default "x")` into the text before it and the unquoted default. */
function quotedDefault(text: string): [string, string] | undefined {
  if (!text.endsWith('")')) return undefined;
  for (
    let at = text.lastIndexOf(' (default "');
    at >= 0;
    at = text.lastIndexOf(' (default "', at - 1)
  ) {
    const value = unquoteGo(text.slice(at + 10, -1));
    if (value !== undefined) return [text.slice(0, at), value];
    if (at === 0) break;
  }
  return undefined;
}

/** A flag set as plain JSON: flag name → flag. */
export type SerialisedFlagSet = Record<string, LuxdFlag>;

/** A flag set as plain JSON (for a probe cache). */
export function serialiseFlagSet(flags: LuxdFlagSet): SerialisedFlagSet {
  return Object.fromEntries([...flags].map(([name, flag]) => [name, { ...flag }]));
}

/**
 * Rebuilds a flag set from {@linkcode serialiseFlagSet}'s output, e.g.
 * read back from a cache file.
 *
 * @throws {TypeError} naming the first malformed entry, so that a caller
 *   can discard the cache and probe again.
 */
export function deserialiseFlagSet(value: unknown): LuxdFlagSet {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError("flag set: expected an object of flags");
  }
  const flags = new Map<string, LuxdFlag>();
  for (const [name, raw] of Object.entries(value)) {
    const bad = (why: string) => new TypeError(`flag set: flag '${name}': ${why}`);
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw bad("not an object");
    const f = raw as Record<string, unknown>;
    if (!(LUXD_FLAG_TYPES as readonly unknown[]).includes(f["type"])) throw bad("unknown type");
    for (const key of ["word", "description"]) {
      if (typeof f[key] !== "string") throw bad(`${key} is not a string`);
    }
    for (const key of ["default", "bareValue", "deprecated"]) {
      if (f[key] !== undefined && typeof f[key] !== "string") throw bad(`${key} is not a string`);
    }
    // Optional keys are assigned, not spread from computed-key objects: over luxd's ~220 flags
    // that pattern cost warm `doctor` about 2 MiB of peak memory.
    const flag: { -readonly [K in keyof LuxdFlag]: LuxdFlag[K] } = {
      type: f["type"] as LuxdFlagType,
      word: f["word"] as string,
      description: f["description"] as string,
    };
    if (typeof f["default"] === "string") flag.default = f["default"];
    if (typeof f["bareValue"] === "string") flag.bareValue = f["bareValue"];
    if (typeof f["deprecated"] === "string") flag.deprecated = f["deprecated"];
    flags.set(name, flag);
  }
  return flags;
}
