/**
 * @module
 * A Web Worker that hashes one file (and scans it for a marker) off the main
 * thread, so parsd verifies both plugins in parallel on two cores. It gets
 * `{ path, marker }` and answers `{ sha256, contains }` or `{ error }`.
 */

/// <reference lib="deno.worker" />

import { hashFile } from "./hash.ts";

self.onmessage = async (e: MessageEvent<{ path: string; marker?: string }>) => {
  try {
    self.postMessage(await hashFile(e.data.path, e.data.marker));
  } catch (error) {
    self.postMessage({ error: String((error as Error)?.message ?? error) });
  }
  self.close();
};
