/**
 * @module
 * How the property tests run: a fixed seed (override with
 * `PARSD_PROPERTY_SEED=<n>`), a bounded number of runs, and a failure that
 * says the seed and the path to replay it with.
 */

import fc from "fast-check";

/** The seed every property runs with, unless `PARSD_PROPERTY_SEED` says another. */
export const SEED: number = Number(Deno.env.get("PARSD_PROPERTY_SEED") ?? "20261206");

/**
 * Checks a property with {@linkcode SEED} and `numRuns` runs.
 *
 * @throws {Error} on a counterexample, naming the seed (fast-check's report
 *   has the path and the shrunk input).
 */
export async function check<T>(
  property: fc.IAsyncPropertyWithHooks<T> | fc.IPropertyWithHooks<T>,
  numRuns: number,
): Promise<void> {
  try {
    await fc.assert(property as fc.IAsyncPropertyWithHooks<T>, { seed: SEED, numRuns });
  } catch (error) {
    throw new Error(
      `property failed with seed ${SEED} (re-run: PARSD_PROPERTY_SEED=${SEED} deno test ...):\n${
        (error as Error).message
      }`,
      { cause: error },
    );
  }
}
