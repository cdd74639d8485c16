/**
 * @module
 * What parsd learns about the luxd it launches, as pure functions over the
 * text luxd prints: its flags (`luxd --help`, Go pflag's format), its
 * version and plugin protocol (`--version`, `--version-json`), whether
 * pass-through flags exist in it and parse as their types, and whether its
 * default `--fd-limit` fits the hard open-files limit. {@linkcode probeLuxd}
 * runs luxd through a runner the caller hands in; nothing here touches the
 * OS itself.
 *
 * Facts this relies on (see `tests/fixtures/luxd/PROVENANCE.md`): luxd
 * prints `--help` on stderr and exits 0; pflag lists one flag a line as
 * `      --name type   description (default x)`, with no type word for a
 * bool, `uint` for both uint and uint64, `float` for float64, `strings` for
 * a string slice; string defaults are Go-quoted; a description that holds
 * newlines continues on lines indented to the description column.
 */

import { editDistance, typoDistance } from "../nearest.ts";

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

/** Undoes Go's `%q` on one double-quoted string; undefined if it is not one. */
function unquoteGo(quoted: string): string | undefined {
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

/** What `luxd --version` or `--version-json` says about the build. */
export interface LuxdVersion {
  /** The version after the slash, without a leading `v`: `1.13.4`. */
  readonly version: string;
  /** The plugin protocol version; a plugin must report the same. */
  readonly rpcchainvm: number;
  /** The whole application string: `node/1.13.4`, `avalanchego/1.13.5`. */
  readonly application?: string;
  /** The database version, e.g. `v1.4.5`. */
  readonly database?: string;
  /** The git commit luxd was built from. */
  readonly commit?: string;
  /** The Go version luxd was built with. */
  readonly go?: string;
}

/**
 * Parses `luxd --version`: `node/1.13.4 [database=v1.4.5, rpcchainvm=43,
 * commit=8de3a52b1, go=1.26.8]`. The name before the slash may differ
 * (`avalanchego/1.13.5 […]`); the first such line with an `rpcchainvm`
 * number counts.
 *
 * @returns undefined if no line has a `name/version [… rpcchainvm=N …]` shape.
 */
export function parseLuxdVersion(text: string): LuxdVersion | undefined {
  for (const m of text.matchAll(/([^\s/[\]]+)\/([^\s[\]]+)[ \t]*\[([^\]\n]*)\]/g)) {
    const fields = new Map<string, string>();
    for (const part of m[3]!.split(",")) {
      const eq = part.indexOf("=");
      if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
    const rpcchainvm = protocolNumber(fields.get("rpcchainvm"));
    if (rpcchainvm === undefined) continue;
    return versionResult(`${m[1]}/${m[2]}`, m[2]!, rpcchainvm, {
      database: fields.get("database"),
      commit: fields.get("commit"),
      go: fields.get("go"),
    });
  }
  return undefined;
}

/**
 * Parses `luxd --version-json`: `{"application": "node/1.13.4", "database":
 * "v1.4.5", "rpcchainvm": 43, "commit": "…", "go": "…"}`.
 *
 * @returns undefined if it is not JSON of that shape.
 */
export function parseLuxdVersionJson(text: string): LuxdVersion | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return undefined;
  const o = doc as Record<string, unknown>;
  const application = typeof o["application"] === "string" ? o["application"] : undefined;
  const slash = application?.lastIndexOf("/") ?? -1;
  const raw = application !== undefined && slash >= 0
    ? application.slice(slash + 1)
    : typeof o["version"] === "string"
    ? o["version"]
    : undefined;
  const rpc = o["rpcchainvm"];
  const rpcchainvm = protocolNumber(typeof rpc === "number" ? String(rpc) : rpc);
  if (raw === undefined || raw === "" || rpcchainvm === undefined) return undefined;
  const str = (k: string) => typeof o[k] === "string" ? o[k] : undefined;
  return versionResult(application, raw, rpcchainvm, {
    database: str("database"),
    commit: str("commit"),
    go: str("go"),
  });
}

function protocolNumber(value: unknown): number | undefined {
  return typeof value === "string" && /^\d{1,9}$/.test(value) ? Number(value) : undefined;
}

function versionResult(
  application: string | undefined,
  raw: string,
  rpcchainvm: number,
  extra: Readonly<Record<"database" | "commit" | "go", string | undefined>>,
): LuxdVersion {
  const out: { -readonly [K in keyof LuxdVersion]: LuxdVersion[K] } = {
    version: raw.replace(/^v(?=\d)/, ""),
    rpcchainvm,
  };
  if (application !== undefined) out.application = application;
  for (const k of ["database", "commit", "go"] as const) {
    const v = extra[k];
    if (v !== undefined && v !== "") out[k] = v;
  }
  return out;
}

/**
 * The rpcchainvm protocol number a plugin's `--version` reports:
 * `Subnet-EVM/v0.7.9 [AvalancheGo=v1.13.5, rpcchainvm=43]`,
 * `Subnet-EVM/<v> [Luxd=<v>, rpcchainvm=<N>]`, or JSON `"rpcchainvm": 43`.
 *
 * @returns undefined if the text names none.
 */
export function parsePluginVersion(text: string): number | undefined {
  const m = /"?\brpcchainvm"?\s*[=:]\s*"?(\d{1,9})\b/.exec(text);
  return m === null ? undefined : Number(m[1]);
}

// ---------------------------------------------------------------------------
// Checking pass-through flags

/** Go's strconv.ParseBool words. */
const BOOL_WORDS: ReadonlySet<string> = new Set(
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

// ---------------------------------------------------------------------------
// File descriptors

/** luxd's default `--fd-limit`, from its flags; undefined if it has no such flag or default. */
export function fdLimitDefault(flags: LuxdFlagSet): number | undefined {
  const d = flags.get("fd-limit")?.default;
  return d !== undefined && /^\d+$/.test(d) && Number.isSafeInteger(Number(d))
    ? Number(d)
    : undefined;
}

/** What to do about `--fd-limit`. */
export interface FdLimitDecision {
  /** Pass `--fd-limit=<pass>` to luxd. */
  readonly pass?: number;
  /** Tell the user why, and how to give luxd its default. */
  readonly warning?: string;
}

/**
 * Decides whether parsd must pass `--fd-limit`. luxd exits 1 at once with
 * `error fd-limit: (32768) greater than max: (20000)` when its limit
 * exceeds the hard RLIMIT_NOFILE, which it cannot raise. So when the user
 * did not choose a limit and luxd's default is above the hard limit, pass
 * the hard limit and warn; otherwise do nothing.
 *
 * @param luxdDefault luxd's default ({@linkcode fdLimitDefault})
 * @param hard the hard limit (`ulimit -Hn`, read in `facts.ts`)
 * @param userGave whether the user passed `--fd-limit` to luxd already
 */
export function fdLimitDecision(
  luxdDefault: number | undefined,
  hard: number | "unlimited" | undefined,
  userGave: boolean,
): FdLimitDecision {
  if (userGave || luxdDefault === undefined || hard === undefined || hard === "unlimited") {
    return {};
  }
  if (luxdDefault <= hard) return {};
  return {
    pass: hard,
    warning: `luxd's default --fd-limit is ${luxdDefault} but the hard open-files limit ` +
      `(RLIMIT_NOFILE) is ${hard}, so luxd would refuse to start; passing --fd-limit=${hard}. ` +
      `To give luxd ${luxdDefault}, raise the hard limit: 'ulimit -Hn ${luxdDefault}' as root ` +
      `before starting parsd, LimitNOFILE=${luxdDefault} in its systemd unit, or 'nofile' in ` +
      `/etc/security/limits.conf`,
  };
}

// ---------------------------------------------------------------------------
// Flags parsd cannot do without

/** The luxd flags parsd always sets; a luxd without one of them cannot be run by parsd. */
export const REQUIRED_LUXD_FLAGS: readonly string[] = [
  "network-id",
  "data-dir",
  "plugin-dir",
  "db-dir",
  "http-port",
  "staking-port",
  "chain-config-content",
];

/** The {@linkcode REQUIRED_LUXD_FLAGS} that `flags` lacks, in that order. */
export function missingRequired(flags: LuxdFlagSet): string[] {
  return REQUIRED_LUXD_FLAGS.filter((name) => !flags.has(name));
}

// ---------------------------------------------------------------------------
// Probing and its cache

/** A flag set as plain JSON: flag name → flag. */
export type SerialisedFlagSet = Record<string, LuxdFlag>;

/** What {@linkcode probeLuxd} learned, in a shape that can be cached as JSON. */
export interface ProbeResult {
  /** luxd's version, e.g. `1.13.4`. */
  readonly version: string;
  /** luxd's plugin protocol version. */
  readonly rpcchainvm: number;
  /** The application string, e.g. `node/1.13.4`, when luxd printed one. */
  readonly application?: string;
  /** The flags, for {@linkcode deserialiseFlagSet}. */
  readonly flags: SerialisedFlagSet;
  /** Whether this came from running luxd now or from a cache. */
  readonly source: "probe" | "cache";
}

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

/** What a run of luxd gave back. */
export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `path` with `args` and collects its output; resolves undefined if
 * it did not finish within `timeoutMs` (the runner must then kill it). It
 * may reject if the file cannot be executed at all.
 */
export type ProbeRunner = (
  path: string,
  args: readonly string[],
  timeoutMs: number,
) => Promise<RunResult | undefined>;

/** How long one probe run may take. A real luxd answers in about 0.04 s. */
export const PROBE_TIMEOUT_MS = 10_000;

/**
 * Learns a luxd's version, plugin protocol and flags by running it with
 * `--version-json` (falling back to `--version`) and `--help` (read from
 * stderr, where luxd prints it, or else stdout).
 *
 * @throws {Error} saying which run failed and how (could not start, timed
 *   out, printed no version or no flags), with the runner's error as
 *   `cause`. Every failure of one probe is reported at once.
 */
export async function probeLuxd(
  path: string,
  run: ProbeRunner,
  timeoutMs: number = PROBE_TIMEOUT_MS,
): Promise<ProbeResult> {
  const attempt = async (arg: string): Promise<RunResult | undefined> => {
    try {
      return await run(path, [arg], timeoutMs);
    } catch (error) {
      throw new Error(
        `cannot probe luxd at ${path}: '${arg}' could not run: ${(error as Error).message}`,
        { cause: error },
      );
    }
  };
  const [json, help] = await Promise.all([attempt("--version-json"), attempt("--help")]);
  let version = json?.code === 0 ? parseLuxdVersionJson(json.stdout) : undefined;
  let plain: RunResult | undefined;
  if (version === undefined) {
    plain = await attempt("--version");
    version = plain === undefined
      ? undefined
      : parseLuxdVersion(plain.stdout) ?? parseLuxdVersion(plain.stderr);
  }
  let flags = help === undefined ? new Map() : parseLuxdHelp(help.stderr);
  if (flags.size === 0 && help !== undefined) flags = parseLuxdHelp(help.stdout);

  const problems: string[] = [];
  const seconds = `${timeoutMs / 1000} s`;
  const told = (arg: string, r: RunResult | undefined) => {
    if (r === undefined) return `'${arg}' did not finish within ${seconds}`;
    const first = (r.stderr.trim() || r.stdout.trim()).split("\n")[0]!.slice(0, 160);
    return `'${arg}' exited ${r.code}${first === "" ? " printing nothing" : `: ${first}`}`;
  };
  if (version === undefined) {
    problems.push(
      `printed no version such as 'node/1.13.4 [database=v1.4.5, rpcchainvm=43, …]' ` +
        `(${told("--version-json", json)}; ${told("--version", plain)})`,
    );
  }
  if (flags.size === 0) {
    problems.push(`listed no flags for '--help' (${told("--help", help)})`);
  }
  if (version === undefined || flags.size === 0) {
    throw new Error(
      `cannot probe luxd at ${path}: it ${problems.join(", and it ")}; is it a luxd binary?`,
    );
  }
  return {
    version: version.version,
    rpcchainvm: version.rpcchainvm,
    ...(version.application === undefined ? {} : { application: version.application }),
    flags: serialiseFlagSet(flags),
    source: "probe",
  };
}
