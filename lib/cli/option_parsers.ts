/**
 * @module
 * The value parsers of parsd's options: each takes a raw value (a flag's or
 * environment variable's string, or a config.json value) and returns the
 * parsed value or an {@linkcode Invalid} with the reason. Pure.
 */

import { NETWORKS } from "../network/pars.ts";
import { MAX_NODES } from "../devnet/layout.ts";
import { MAX_SHUTDOWN_GRACE_MS } from "../os/signals.ts";
import { absolutePath } from "../os/path.ts";

/** A value that failed to parse, with the reason (e.g. "must be an integer from 1 to 65535"). */
export class Invalid {
  /** Wraps the reason. */
  constructor(readonly reason: string) {}
}

/** What a parser may need besides the raw value. */
export interface ParseContext {
  /** The directory a relative path resolves against: cwd for flag/env, the config's dir for config.json. */
  readonly base: string;
  readonly home: string;
}

/** Parses a network ID: a number from 1 to 2^32-1 or a network name. */
export function parseNetworkId(value: unknown): number | Invalid {
  const names = Object.keys(NETWORKS).join(", ");
  if (typeof value === "number") {
    return Number.isInteger(value) && value >= 1 && value <= 0xffffffff
      ? value
      : new Invalid(`must be an integer from 1 to 4294967295 or one of ${names}`);
  }
  if (typeof value !== "string") return new Invalid("must be a number or a network name");
  const named = NETWORKS[value.toLowerCase()];
  if (named !== undefined) return named;
  if (!/^\d+$/.test(value.trim())) {
    return new Invalid(`must be a positive integer or one of ${names}`);
  }
  return parseNetworkId(Number(value.trim()));
}

/** Parses a TCP port from 1 to 65535. */
export function parsePort(value: unknown): number | Invalid {
  const n = typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  return typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= 65535
    ? n
    : new Invalid("must be an integer from 1 to 65535");
}

/** Go's duration units, in ms (both micro signs, U+00B5 and U+03BC, as Go takes). */
const DURATION_UNITS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  "\u00b5s": 1e-3,
  "\u03bcs": 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Go's `time.ParseDuration` syntax: signed, one or more `<decimal><unit>`, or a bare `0`. */
const GO_DURATION = /^[+-]?(?:0|(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h))+)$/;
const DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/g;

/** The longest duration a timer holds: 2^31−1 ms (about 24.8 days); a longer one fires at once. */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/** A duration in ms as Go prints one, e.g. `1h`, `1m30s`, `500ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  return `${h > 0 ? `${h}h` : ""}${m > 0 ? `${m}m` : ""}${s > 0 ? `${s}s` : ""}`;
}

/**
 * Parses a duration as Go's `time.ParseDuration` reads one (`30s`, `1m30s`,
 * `.5s`, `1h2m3.5s`, `500ms`), or a number of seconds (`30`, or a JSON
 * number), into whole ms (rounded up). It must be more than 0 and at most
 * `maxMs`, which the refusal names.
 */
export function parseDuration(value: unknown, maxMs: number = MAX_DURATION_MS): number | Invalid {
  const syntax = new Invalid("must be a duration such as 30s, 1m30s, .5s or 500ms");
  let ms: number;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return syntax;
    ms = value * 1000;
  } else if (typeof value !== "string") {
    return syntax;
  } else if (/^\d+(\.\d+)?$/.test(value)) {
    ms = Number(value) * 1000;
  } else if (GO_DURATION.test(value)) {
    ms = 0;
    for (const m of value.matchAll(DURATION_PART)) ms += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    if (value.startsWith("-")) ms = -ms;
  } else {
    return syntax;
  }
  // Round away float noise (0.1 * 1000) before rounding up to a whole ms.
  ms = Math.ceil(Math.round(ms * 1e6) / 1e6);
  if (!(ms > 0)) return new Invalid("must be more than 0");
  if (ms > maxMs) return new Invalid(`must be at most ${formatDuration(maxMs)}`);
  return ms;
}

/** Parses `--shutdown-grace`: a duration of at most {@linkcode MAX_SHUTDOWN_GRACE_MS} (1h). */
export function parseShutdownGrace(value: unknown): number | Invalid {
  return parseDuration(value, MAX_SHUTDOWN_GRACE_MS);
}

/** Parses a boolean: JSON `true`/`false`, or the strings `true`/`false` (from a flag or env). */
export function parseBool(value: unknown): boolean | Invalid {
  if (typeof value === "boolean") return value;
  if (value === "true") return true;
  if (value === "false") return false;
  return new Invalid("must be true or false");
}

/** Parses a non-empty path, made absolute against the context's base (`~` expanded). */
export function parsePath(value: unknown, ctx: ParseContext): string | Invalid {
  return typeof value === "string" && value !== ""
    ? absolutePath(value, ctx.home, ctx.base)
    : new Invalid("must be a non-empty path");
}

export const oneOf = <T extends string>(...values: T[]) => (v: unknown): T | Invalid =>
  values.includes(v as T)
    ? v as T
    : new Invalid(`must be ${values.map((x) => `'${x}'`).join(" or ")}`);

/** Parses a list of plugin names (comma-separated on the command line). */
export function parsePluginList(value: unknown): string[] | Invalid {
  const list = typeof value === "string"
    ? value.split(",").map((s) => s.trim()).filter((s) => s !== "")
    : value;
  if (!Array.isArray(list) || !list.every((x) => x === "evm" || x === "sessionvm")) {
    return new Invalid("must name plugins: evm, sessionvm, or evm,sessionvm");
  }
  return [...new Set(list as string[])];
}

/** Parses a SHA-256 pin: 64 hex digits, any case, into lower case. */
export function parseSha256(value: unknown): string | Invalid {
  return typeof value === "string" && /^[0-9a-fA-F]{64}$/.test(value)
    ? value.toLowerCase()
    : new Invalid("must be 64 hex digits; pin luxd with 'parsd plugins pin luxd'");
}

/**
 * Parses `trusted-keys`: a list of minisign public keys, each the key line of a
 * `.pub` file (`RW` and 54 more base64 characters: 42 bytes, algorithm `Ed`).
 * The shape only: `plugins pin` parses each key fully before it verifies.
 */
export function parseKeyList(value: unknown): string[] | Invalid {
  const bad = new Invalid(
    "must be a list of minisign public keys, each the second line of the signer's .pub file " +
      '(e.g. ["RWQz+1VG…"])',
  );
  if (!Array.isArray(value) || !value.every((k) => typeof k === "string")) return bad;
  const keys = value.map((k: string) => k.trim());
  const wrong = keys.find((k) => !/^RW[A-Za-z0-9+/]{54}$/.test(k));
  if (wrong !== undefined) {
    return new Invalid(
      `${JSON.stringify(wrong.slice(0, 60))} is not a minisign public key: ${bad.reason}`,
    );
  }
  return [...new Set(keys)];
}

/** Parses a count: an integer from 0 up. */
export function parseCount(value: unknown): number | Invalid {
  const n = typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  return typeof n === "number" && Number.isSafeInteger(n) && n >= 0
    ? n
    : new Invalid("must be a whole number (0, 1, 2, …)");
}

/** Parses `devnet up --nodes`: an integer from 1 to {@linkcode MAX_NODES}. */
export function parseNodeCount(value: unknown): number | Invalid {
  const n = typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  return typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= MAX_NODES
    ? n
    : new Invalid(`must be an integer from 1 to ${MAX_NODES} (each node is a full luxd)`);
}

/** Parses an EVM chain ID: an integer from 1 to 2^32-1. */
export function parseChainId(value: unknown): number | Invalid {
  const n = typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  return typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= 0xffffffff
    ? n
    : new Invalid("must be an integer from 1 to 4294967295");
}
