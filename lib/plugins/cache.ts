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

import type { FileFacts } from "../os/files.ts";

/** One cache entry, keyed by the file's real path. */
export interface CacheEntry {
  readonly key: string;
  /** A plugin's verified hash. */
  readonly sha256?: string;
  /** What a verified plugin said of itself (asked only after its hash matched). */
  readonly plugin?: {
    readonly rpcchainvm: number | null;
    readonly registrable: boolean;
    readonly versionLine: string | null;
  };
  /** What luxd's probe found (its version, protocol and flag set). */
  readonly probe?: {
    readonly version: string;
    readonly rpcchainvm: number | undefined;
    readonly flags: unknown;
  };
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

/** Parses the cache file's text; anything malformed is an empty cache (it only saves time). */
export function parseCache(text: string | undefined): VerifyCache {
  try {
    const parsed = text === undefined ? {} : JSON.parse(text);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

/** The cache file's text. */
export const cacheText = (cache: VerifyCache): string => JSON.stringify(cache, null, 2) + "\n";
