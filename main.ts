/**
 * @module
 * parsd's entry point: wires the real system into {@linkcode main}.
 */

import { main } from "./lib/main.ts";
import { denoSystem } from "./lib/system.ts";

if (import.meta.main) Deno.exit(await main(Deno.args, denoSystem));
