/**
 * @module
 * parsd's entry point: wires the real system into {@linkcode main}.
 */

import { main } from "./lib/cli/main.ts";
import { denoSystem } from "./lib/os/system.ts";

if (import.meta.main) Deno.exit(await main(Deno.args, denoSystem));
