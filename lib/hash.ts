/**
 * @module
 * Streaming SHA-256 of a file: `node:crypto` fed 1 MiB reads into two reused
 * buffers, reading ahead while hashing, so memory stays flat whatever the
 * file's size (a plugin is tens to hundreds of MiB). `deno task bench`
 * compares it with `openssl dgst -sha256`.
 */

import { createHash } from "node:crypto";

/** The read size: 1 MiB, two buffers (one being read while the other is hashed). */
export const HASH_CHUNK = 1 << 20;

/**
 * The lower-case hex SHA-256 of a file's bytes. The next chunk is read while
 * the current one is hashed, so reading and hashing overlap; memory stays at
 * two chunks whatever the file's size.
 *
 * @throws the OS error (NotFound, PermissionDenied, …) if it cannot be read.
 */
export async function sha256File(path: string): Promise<string> {
  const file = await Deno.open(path, { read: true });
  const buffers = [new Uint8Array(HASH_CHUNK), new Uint8Array(HASH_CHUNK)] as const;
  let pending: Promise<number | null> = file.read(buffers[0]);
  try {
    const hash = createHash("sha256");
    for (let i = 0;; i ^= 1) {
      const n = await pending;
      if (n === null) break;
      const current = buffers[i as 0 | 1];
      pending = file.read(buffers[(i ^ 1) as 0 | 1]);
      hash.update(n === current.length ? current : current.subarray(0, n));
    }
    return hash.digest("hex");
  } finally {
    await pending.catch(() => null);
    file.close();
  }
}
