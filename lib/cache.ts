/**
 * @module
 * The verification cache: lets a warm start skip re-hashing a plugin whose
 * file provably has not changed since it was hashed. The key is device,
 * inode, size, mtime and ctime of the real file (at the finest resolution
 * Deno gives: ms for mtime, s for ctime) plus the pinned hash. Any write
 * changes ctime, which no user can set back (utimes sets it to now);
 * replacing the file changes the inode; a new pin changes the key. Files
 * changed within 2 s of hashing are not cached at all ("racily clean", see
 * `RACY_MARGIN_NS` in plugins.ts). See README, "Verification cache".
 */

import type { FileFacts } from "./files.ts";
import { readTextIfExists, writeFileAtomic } from "./files.ts";

/** One cache entry, keyed by the plugin's real path. */
export interface CacheEntry {
  readonly key: string;
  readonly sha256: string;
}

/** The cache's content: real path → entry. */
export type VerifyCache = Record<string, CacheEntry>;

/** The cache key for a file's facts and the hash it is pinned to. */
export function cacheKey(f: FileFacts, pinned: string): string {
  return [f.dev, f.ino, f.size, f.mtimeNs, f.ctimeNs, pinned].join(":");
}

/** Whether the cache proves `realPath` still hashes to `pinned`. */
export function cacheHit(
  cache: VerifyCache,
  realPath: string,
  f: FileFacts,
  pinned: string,
): boolean {
  const entry = cache[realPath];
  return entry !== undefined && entry.sha256 === pinned && entry.key === cacheKey(f, pinned);
}

/** Loads the cache; a missing or unreadable cache is an empty one (it only saves time). */
export async function loadCache(path: string): Promise<VerifyCache> {
  try {
    const text = await readTextIfExists(path);
    const parsed = text === undefined ? {} : JSON.parse(text);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

/** Saves the cache atomically, mode 0600. */
export async function saveCache(path: string, cache: VerifyCache): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(cache, null, 2) + "\n", 0o600);
}
