/**
 * @module
 * A script's command line: `node:util`'s `parseArgs` (lenient, its tokens
 * read one by one) with every mistake worded here and reported at
 * once as one `UsageError` (exit 64), and the few value checks scripts share.
 */

import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { UsageError } from "../lib/errors.ts";

/** Which flags a script takes. `-h`/`--help` are always known. */
export interface FlagSpec<V extends string, L extends string, B extends string> {
  /** Flags with one value: `--name value` or `--name=value`, at most once. */
  readonly values?: readonly V[];
  /** Flags with a value that may be repeated; values are kept in order. */
  readonly lists?: readonly L[];
  /** Flags without a value, at most once. */
  readonly booleans?: readonly B[];
}

/** The result of {@linkcode parseFlags}. */
export interface ParsedFlags<V extends string, L extends string, B extends string> {
  /** The value flags given. */
  readonly values: Partial<Record<V, string>>;
  /** Every repeatable flag, with its values in order (empty if not given). */
  readonly lists: Record<L, string[]>;
  /** Every boolean flag: whether it was given. */
  readonly booleans: Record<B, boolean>;
  /** `-h` or `--help` was given. */
  readonly help: boolean;
  /** The arguments that are not flags, in order (everything after `--` included). */
  readonly positional: string[];
}

/**
 * Parses a script's command line with `node:util`'s `parseArgs` (its tokens,
 * so that every mistake is found and worded here). Pure.
 *
 * `--name value` and `--name=value` for value flags (a separate value may not
 * start with `--`, so `--out --force` is caught); booleans take no value;
 * `-h` is `--help`; `--` ends the flags.
 *
 * @throws {UsageError} (64) with one line per mistake: an unknown flag, a
 *   missing or empty value, a value given to a boolean, a non-repeatable flag
 *   given twice.
 */
export function parseFlags<
  V extends string = never,
  L extends string = never,
  B extends string = never,
>(argv: readonly string[], spec: FlagSpec<V, L, B>): ParsedFlags<V, L, B> {
  const kinds = new Map<string, "value" | "list" | "boolean">([
    ...(spec.values ?? []).map((n) => [n, "value"] as const),
    ...(spec.lists ?? []).map((n) => [n, "list"] as const),
    ...(spec.booleans ?? []).map((n) => [n, "boolean"] as const),
    ["help", "boolean"],
  ]);
  const options: ParseArgsOptionsConfig = { help: { type: "boolean", short: "h" } };
  for (const [name, kind] of kinds) {
    if (name !== "help") options[name] = { type: kind === "boolean" ? "boolean" : "string" };
  }
  const { tokens } = parseArgs({
    args: [...argv],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values: Record<string, string> = {};
  const lists: Record<string, string[]> = Object.fromEntries(
    (spec.lists ?? []).map((n) => [n, []]),
  );
  const booleans: Record<string, boolean> = Object.fromEntries(
    [...(spec.booleans ?? []), "help"].map((n) => [n, false]),
  );
  const positional: string[] = [];
  const problems = new Set<string>();
  const seen = new Set<string>();
  for (const t of tokens) {
    if (t.kind === "positional") positional.push(t.value);
    if (t.kind !== "option") continue;
    const kind = kinds.get(t.name);
    if (kind === undefined) {
      problems.add(`unknown flag '${t.rawName}'`);
    } else if (kind !== "list" && seen.has(t.name)) {
      problems.add(`flag --${t.name} given twice`);
    } else if (kind === "boolean") {
      if (t.value !== undefined) problems.add(`flag --${t.name} takes no value`);
      else booleans[t.name] = true;
    } else if (
      t.value === undefined || t.value === "" || !t.inlineValue && t.value.startsWith("--")
    ) {
      problems.add(`flag --${t.name} needs a value`);
    } else if (kind === "list") lists[t.name]!.push(t.value);
    else values[t.name] = t.value;
    seen.add(t.name);
  }
  if (problems.size > 0) throw new UsageError([...problems]);
  const { help = false, ...flags } = booleans;
  return {
    values: values as Partial<Record<V, string>>,
    lists: lists as Record<L, string[]>,
    booleans: flags as Record<B, boolean>,
    help,
    positional,
  };
}

/**
 * A flag's value as a positive whole number.
 *
 * @throws {UsageError} `--<flag> needs a positive integer, got '<raw>'`.
 */
export function positiveInt(flag: string, raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`--${flag} needs a positive integer, got '${raw}'`);
  }
  return n;
}

/** Throws a {@linkcode UsageError} for the first positional argument beyond `max`. */
export function noMorePositional(positional: readonly string[], max: number): void {
  const extra = positional[max];
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`);
}
