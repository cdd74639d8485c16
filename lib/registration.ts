/**
 * @module
 * A static check of whether luxd can register a plugin. luxd starts each
 * plugin with its runtime engine's address in `LUX_VM_RUNTIME_ENGINE_ADDR`
 * and expects the rpcchainvm handshake within 5 s; a plugin built on
 * rpcchainvm reads that variable, so its name is in the binary. A binary
 * that never mentions it (luxfi/session's `plugin/main.go` today is a
 * standalone HTTP server) will fail to register: luxd logs
 * `failed to register VM` and runs without it.
 */

import { Buffer } from "node:buffer";
import { HASH_CHUNK } from "./hash.ts";

/** The variable luxd's rpcchainvm runtime hands a plugin. */
export const ENGINE_ADDR_ENV = "LUX_VM_RUNTIME_ENGINE_ADDR";

/** Whether a file's bytes contain `marker`, read in chunks (memory stays flat). */
export async function fileContains(path: string, marker: string): Promise<boolean> {
  const needle = Buffer.from(marker, "utf8");
  const file = await Deno.open(path, { read: true });
  try {
    const buf = new Uint8Array(HASH_CHUNK);
    let tail = Buffer.alloc(0);
    while (true) {
      const n = await file.read(buf);
      if (n === null) return false;
      const window = Buffer.concat([tail, buf.subarray(0, n)]);
      if (window.indexOf(needle) >= 0) return true;
      tail = Buffer.from(window.subarray(Math.max(0, window.length - needle.length + 1)));
    }
  } finally {
    file.close();
  }
}

/** Whether luxd can likely register the plugin at `path` (see the module doc). */
export const looksLikeRpcChainVm = (path: string) => fileContains(path, ENGINE_ADDR_ENV);
