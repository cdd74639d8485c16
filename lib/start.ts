//# allFunctionsCalledOnLoad
/**
 * @module
 * parsd's first step: a warm start when the last checked start's record
 * still holds (`warm_start.ts`), else the dispatcher (`main.ts`), loaded
 * only then. What this module imports is all a warm start loads.
 *
 * Every module of that graph begins with `//# allFunctionsCalledOnLoad`,
 * V8's explicit compile hint: its functions are compiled with the module,
 * so Deno's code cache holds them and a warm start compiles none of them
 * lazily (about 2 ms, 5% of the floor, measured with `deno task bench`).
 * `tests/import_graph_test.ts` checks every module of the graph has it.
 */

import { exitCodeOf, formatError } from "./errors.ts";
import type { System } from "./system.ts";
import { warmStart } from "./warm_start.ts";

/**
 * Runs parsd with argv (without argv0).
 *
 * @returns the exit code: 0, parsd's own failure code, or luxd's code.
 */
export async function start(argv: readonly string[], sys: System): Promise<number> {
  try {
    const warm = await warmStart(sys, argv);
    if (warm !== undefined) return warm;
  } catch (error) {
    // luxd could not be started from the record: said as the full start says it.
    sys.err(formatError(error) + "\n");
    return exitCodeOf(error);
  }
  // By computed URL, so that `deno run` does not read the dispatcher's graph at start.
  const { main } = await import(
    new URL("./main.ts", import.meta.url).href
  ) as typeof import("./main.ts");
  return main(argv, sys);
}
