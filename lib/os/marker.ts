/**
 * @module
 * Finding a marker in a file's bytes: the static check of whether luxd can
 * register a plugin (`facts.ts`, `plan.ts`). luxd starts each
 * plugin with its runtime engine's address in `LUX_VM_RUNTIME_ENGINE_ADDR`
 * (avalanchego: `AVALANCHE_VM_RUNTIME_ENGINE_ADDR`) and expects the
 * rpcchainvm handshake within 5 s; a plugin built on rpcchainvm reads that
 * variable, so its name is in the binary. A binary that never mentions it
 * (luxfi/session's `plugin/main.go` today is a standalone HTTP server) will
 * fail to register: luxd logs `failed to register VM` and runs without it.
 *
 * The search runs over the chunks `hash.ts` reads anyway, so a cold
 * verification reads each plugin once (Boyer-Moore-Horspool, keeping only a
 * marker's length across chunk borders).
 */

/**
 * Finds a byte string in a file fed chunk by chunk (Boyer-Moore-Horspool:
 * it looks at about one byte in every marker length, so a scan costs a
 * fraction of the hash it rides along with).
 */
export class MarkerScanner {
  readonly #needle: Uint8Array;
  readonly #skip = new Uint32Array(256);
  #window = new Uint8Array(0);
  #tail = 0;
  /** Whether the marker has been seen. */
  found = false;

  /** Scans for `marker` (UTF-8). */
  constructor(marker: string) {
    this.#needle = new TextEncoder().encode(marker);
    const m = this.#needle.length;
    this.#skip.fill(m);
    for (let i = 0; i < m - 1; i++) this.#skip[this.#needle[i]!] = m - 1 - i;
  }

  /** Feeds the next chunk. */
  update(chunk: Uint8Array): void {
    if (this.found || chunk.length === 0) return;
    const m = this.#needle.length;
    const size = this.#tail + chunk.length;
    if (this.#window.length < size) {
      const grown = new Uint8Array(Math.max(size, 2 * this.#window.length));
      grown.set(this.#window.subarray(0, this.#tail));
      this.#window = grown;
    }
    const w = this.#window;
    w.set(chunk, this.#tail);
    const needle = this.#needle;
    const last = needle[m - 1]!;
    for (let at = 0; at + m <= size;) {
      const c = w[at + m - 1]!;
      if (c === last) {
        let i = m - 2;
        while (i >= 0 && w[at + i] === needle[i]) i--;
        if (i < 0) {
          this.found = true;
          return;
        }
      }
      at += this.#skip[c]!;
    }
    // Keep the last m - 1 bytes: a marker may straddle this chunk and the next.
    const keep = Math.min(m - 1, size);
    w.copyWithin(0, size - keep, size);
    this.#tail = keep;
  }
}

/** Whether a file's bytes contain `marker`, read in 1 MiB chunks (memory stays flat). */
export async function fileContains(path: string, marker: string): Promise<boolean> {
  const scanner = new MarkerScanner(marker);
  const file = await Deno.open(path, { read: true });
  try {
    const buf = new Uint8Array(1 << 20);
    while (!scanner.found) {
      const n = await file.read(buf);
      if (n === null) break;
      scanner.update(buf.subarray(0, n));
    }
    return scanner.found;
  } finally {
    file.close();
  }
}
