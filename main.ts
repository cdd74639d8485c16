//# allFunctionsCalledOnLoad
/**
 * @module
 * parsd's entry point: wires the real system into {@linkcode start}.
 */

import { start } from "./lib/start.ts";
import { denoSystem } from "./lib/system.ts";

if (import.meta.main) Deno.exit(await start(Deno.args, denoSystem));
