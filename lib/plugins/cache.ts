/**
 * @module
 * The verification cache: lets a warm start skip re-hashing a plugin whose
 * file provably has not changed since it was hashed. The key is device,
 * inode, size, mtime and ctime of the real file (at the finest resolution
 * Deno gives: ms for mtime, s for ctime) plus the pinned hash. Any write
 * changes ctime, which no user can set back (utimes sets it to now);
 * replacing the file changes the inode; a new pin changes the key. Files
 * changed within 2 s of hashing are not cached at all ("racily clean", see
 * `RACY_MARGIN_NS` in `sealed.ts`). luxd's probe is cached by luxd's hash
 * ({@linkcode probeName}). See README, "Verification cache".
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
    readonly application?: string;
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

/**
 * The hash the cache recorded for `path` with exactly these facts (and this
 * pin in the key), whatever it was: a source that changed since its pin is
 * hashed once, not on every start.
 */
export function cachedHash(
  cache: VerifyCache,
  path: string,
  f: FileFacts,
  pinned: string,
): string | undefined {
  const entry = cache[path];
  return entry?.key === cacheKey(f, pinned) && typeof entry.sha256 === "string"
    ? entry.sha256
    : undefined;
}

/**
 * The cache's name for what luxd's probe found of the binary with this hash:
 * the store copy of a pin is content-addressed, so its probe is keyed by the
 * hash alone (`luxd-probe:sha256-<hex>`), wherever the copy lives.
 */
export const probeName = (sha256: string): string => `luxd-probe:sha256-${sha256}`;

/** The key of a probe entry: a constant, since the name already holds the hash. */
export const PROBE_KEY = "luxd-probe";

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
