/**
 * @module
 * The argv parsd gives luxd, in the formats the luxd at hand accepts:
 * every managed flag rendered from the table in `flags.ts`, then
 * config.json's `luxd-args`, then the pass-through flags in order
 * (`tests/luxd/argv_contract_test.ts` checks it against luxd 1.22.18's flag
 * spec and luxd 1.13.4's real help text).
 */

import { type ArgvFacts, MANAGED_LUXD_FLAGS } from "./flags.ts";

/**
 * Builds luxd's argv (without argv0): `--name=value` for each managed flag
 * with a value, then `luxd-args`, then the pass-through flags.
 */
export function buildLuxdArgs(f: ArgvFacts, passthrough: readonly string[]): string[] {
  const managed = Object.entries(MANAGED_LUXD_FLAGS).flatMap(([name, row]) => {
    const value = row.value(f);
    return value === undefined ? [] : [`--${name}=${value}`];
  });
  return [...managed, ...f.settings.luxdArgs, ...passthrough];
}
