/**
 * @module
 * The pin history: the versions each binary was pinned to before its pin was
 * replaced, most recent first, in `<data-dir>/pin-history.json` (0600):
 * `{"evm": ["<sha256>", …], "luxd": […]}`. It names what `plugins rollback`
 * goes back to and what `plugins store --gc --keep N` keeps; the current pins
 * stay in config.json. Only hashes are kept: a rollback goes to the store's
 * sealed copy of one, checked again before it is pinned. Pure but for
 * {@linkcode readHistory} and {@linkcode writeHistory}.
 */

import { CantCreateError, ConfigError } from "../errors.ts";
import { FileAccessError } from "../os/files.ts";
import { join } from "../os/path.ts";
import type { FileSystem } from "../os/system.ts";
import { BINARY_NAMES, type BinaryName } from "./binaries.ts";

/** Each binary's earlier pins, most recent first. */
export type History = Readonly<Partial<Record<BinaryName, readonly string[]>>>;

/** The most earlier pins kept per binary: older ones are forgotten (their copies become unpinned). */
export const HISTORY_DEPTH = 20;

/** `<data-dir>/pin-history.json`. */
export const historyPath = (dataDir: string): string => join(dataDir, "pin-history.json");

const HEX = /^[0-9a-f]{64}$/;

/**
 * Parses the history file's text (`undefined`: no file, no history).
 *
 * @throws {ConfigError} (78) for text that is not such an object, naming the file.
 */
export function parseHistory(text: string | undefined, path: string): History {
  if (text === undefined) return {};
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    doc = undefined;
  }
  const fix =
    `${path}: not a pin history ({"evm": ["<sha256>", …]}); move it away (only rollback targets are lost)`;
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw new ConfigError(fix);
  const out: Partial<Record<BinaryName, string[]>> = {};
  for (const [name, list] of Object.entries(doc)) {
    const known = (BINARY_NAMES as readonly string[]).includes(name);
    if (
      !known || !Array.isArray(list) || !list.every((h) => typeof h === "string" && HEX.test(h))
    ) {
      throw new ConfigError(fix);
    }
    out[name as BinaryName] = list as string[];
  }
  return out;
}

/** The history file's text. */
export const historyText = (h: History): string => JSON.stringify(h, null, 2) + "\n";

/** The history after `name`'s pin went from `old` to `next`: `old` first, `next` no longer listed. */
export function recordReplaced(h: History, name: BinaryName, old: string, next: string): History {
  const earlier = (h[name] ?? []).filter((x) => x !== old && x !== next);
  return { ...h, [name]: [old, ...earlier].slice(0, HISTORY_DEPTH) };
}

/** Every hash the history names, each binary's first `keep`, for the store's GC. */
export function recentPins(h: History, keep: number): string[] {
  return [...new Set(BINARY_NAMES.flatMap((n) => (h[n] ?? []).slice(0, keep)))];
}

/**
 * Reads the history.
 *
 * @throws {ConfigError} (78) when it is malformed or cannot be read.
 */
export async function readHistory(
  fs: Pick<FileSystem, "readText">,
  dataDir: string,
): Promise<History> {
  const path = historyPath(dataDir);
  try {
    return parseHistory(await fs.readText(path), path);
  } catch (error) {
    if (!(error instanceof FileAccessError)) throw error;
    throw new ConfigError(`pin history ${error.message}; fix it or move it away`, {
      cause: error,
    });
  }
}

/**
 * Writes the history atomically (0600).
 *
 * @throws {CantCreateError} (73) when it cannot be written.
 */
export async function writeHistory(
  fs: Pick<FileSystem, "writeAtomic">,
  dataDir: string,
  h: History,
): Promise<void> {
  const path = historyPath(dataDir);
  try {
    await fs.writeAtomic(path, historyText(h), 0o600);
  } catch (error) {
    throw new CantCreateError(
      `cannot write ${path}: ${error instanceof Error ? error.message : error}`,
      { cause: error },
    );
  }
}
