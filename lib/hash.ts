/**
 * @module
 * Streaming SHA-256 of a file: `node:crypto` fed 1 MiB reads into one reused
 * buffer, so memory stays flat whatever the file's size (a plugin is tens to
 * hundreds of MiB). `deno task bench` compares it with `openssl dgst -sha256`.
 */

import { createHash } from "node:crypto";

/** The read size. Larger reads give no measurable gain on this machine. */
export const HASH_CHUNK = 1 << 20;

/**
 * The lower-case hex SHA-256 of a file's bytes.
 *
 * @throws the OS error (NotFound, PermissionDenied, …) if it cannot be read.
 */
export async function sha256File(path: string): Promise<string> {
  const file = await Deno.open(path, { read: true });
  try {
    const hash = createHash("sha256");
    const buf = new Uint8Array(HASH_CHUNK);
    while (true) {
      const n = await file.read(buf);
      if (n === null) break;
      hash.update(n === buf.length ? buf : buf.subarray(0, n));
    }
    return hash.digest("hex");
  } finally {
    file.close();
  }
}
