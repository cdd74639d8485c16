/**
 * @module
 * JSON read the way a Go node reads it into unsigned integers: every number
 * keeps its source text, so that amounts above 2^53 stay exact and `1e17`
 * or `1.0` can be told from `100000000000000000`. Pure.
 */

/** A JSON number, as written in the text. */
export class JsonNumber {
  /** Keeps the number's source text, e.g. `100000000000000000`. */
  constructor(readonly source: string) {}
}

/** A JSON object. */
export type JsonObject = Record<string, unknown>;

/** Whether a parsed value is a JSON object (not a list, not null, not a number). */
export const isJsonObject = (v: unknown): v is JsonObject =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber);

/**
 * Parses JSON text with every number as a {@linkcode JsonNumber}, from
 * `JSON.parse`'s source-text access (the reviver's third argument).
 *
 * @returns the value, or the parser's reason the text is not JSON.
 */
export function parseJsonExact(text: string): { value: unknown } | { error: string } {
  try {
    return {
      value: JSON.parse(
        text,
        (_key, value: unknown, context?: { source?: string }) =>
          typeof value === "number" ? new JsonNumber(context?.source ?? String(value)) : value,
      ),
    };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** How a JSON value reads in a problem line: a short quoted string, a number, or its kind. */
export function describeValue(value: unknown): string {
  if (value instanceof JsonNumber) return value.source;
  if (typeof value === "string") {
    return JSON.stringify(value.length > 60 ? value.slice(0, 57) + "..." : value);
  }
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return String(value);
}

/** The largest value of a Go `uint32` / `uint64`. */
export const UINT_MAX = { 32: 0xffff_ffffn, 64: 0xffff_ffff_ffff_ffffn } as const;

/**
 * Reads a Go `uint32`/`uint64` field: a JSON number of whole digits (Go's
 * decoder refuses a sign, a fraction, an exponent or a quoted number) in
 * range. Missing and `null` read as 0, as in Go.
 *
 * @returns the value, or one problem (without a path).
 */
export function readUint(value: unknown, bits: 32 | 64): bigint | string {
  if (value === undefined || value === null) return 0n;
  const max = UINT_MAX[bits];
  const want = `must be a whole number from 0 to ${max}`;
  if (!(value instanceof JsonNumber)) return `${want}, got ${describeValue(value)}`;
  if (!/^(0|[1-9][0-9]*)$/.test(value.source)) {
    return `${want} written in plain digits (no sign, fraction or exponent), got ${value.source}`;
  }
  const n = BigInt(value.source);
  return n <= max ? n : `${want}, got ${value.source}`;
}
