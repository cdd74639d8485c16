/**
 * @module
 * The devnet directory on disk: what is there (nothing, an empty dir,
 * parsd's devnet, an unfinished one, or someone else's files), its lock
 * (one `devnet up` per directory: the data dir lock of `os/lock.ts` on the
 * devnet dir itself), and `--reset`, which deletes only the entries parsd
 * writes, and only in a directory that holds parsd's marker.
 */

import { join } from "../os/path.ts";
import { BusyError, CantCreateError, ConfigError, NoInputError } from "../errors.ts";
import { FileAccessError } from "../os/files.ts";
import type { System } from "../os/system.ts";
import { DEVNET_FILES, type DevnetLayout, isNodeName } from "./layout.ts";
import { type DevnetState, parseState } from "./state.ts";

/** What the devnet directory holds. */
export type DirState =
  | { readonly kind: "missing" }
  | { readonly kind: "empty" }
  /** parsd's marker, and a complete `devnet.json`. */
  | { readonly kind: "devnet"; readonly state: DevnetState }
  /** parsd's marker without `devnet.json`: a creation that was interrupted. */
  | { readonly kind: "unfinished" }
  /** Files, but no marker: not parsd's to use or delete. */
  | { readonly kind: "foreign"; readonly entries: readonly string[] };

/** Up to three names, for a message. */
export const listed = (names: readonly string[]): string =>
  names.slice(0, 3).join(", ") + (names.length > 3 ? `, … (${names.length} entries)` : "");

const reason = (error: unknown) =>
  error instanceof FileAccessError ? error.reason : (error as Error).message;

/**
 * Looks at the devnet directory; changes nothing.
 *
 * @throws {CantCreateError} (73) when the path is a file or cannot be read;
 *   {@linkcode ConfigError} (78) when `devnet.json` is malformed.
 */
export async function inspectDir(sys: System, l: DevnetLayout): Promise<DirState> {
  let facts;
  try {
    facts = await sys.stat(l.dir);
  } catch (error) {
    throw new CantCreateError(`devnet dir ${l.dir}: ${reason(error)}; give another --dir`, {
      cause: error,
    });
  }
  if (facts === undefined) return { kind: "missing" };
  if (!facts.isDirectory) {
    throw new CantCreateError(
      `devnet dir ${l.dir} is a file, not a directory; give a directory with --dir (or move the file away)`,
    );
  }
  let entries;
  try {
    entries = (await sys.readDir(l.dir)).map((e) => e.name);
  } catch (error) {
    throw new CantCreateError(`devnet dir ${l.dir}: ${reason(error)}; fix its owner or mode`, {
      cause: error,
    });
  }
  // A pid file alone is what a refused or finished `up` may leave in an empty dir.
  const own = entries.filter((e) => e !== DEVNET_FILES.pidFile);
  if (own.length === 0) return { kind: "empty" };
  if (!entries.includes(DEVNET_FILES.marker)) {
    return { kind: "foreign", entries: own };
  }
  if (!entries.includes(DEVNET_FILES.state)) return { kind: "unfinished" };
  return { kind: "devnet", state: await readState(sys, l) };
}

/** Reads and checks `devnet.json`. @throws {ConfigError} listing every problem. */
export async function readState(sys: System, l: DevnetLayout): Promise<DevnetState> {
  let text;
  try {
    text = await sys.readText(l.state);
  } catch (error) {
    throw new ConfigError(`${l.state}: ${reason(error)}; fix its owner or mode`, { cause: error });
  }
  if (text === undefined) {
    throw new NoInputError(`no devnet in ${l.dir}; start one with 'parsd devnet up'`);
  }
  const state = parseState(text);
  if (Array.isArray(state)) {
    throw new ConfigError(
      state.map((p) =>
        `${l.state}: ${p}; restore the file, or start a new devnet with 'parsd devnet up --reset'`
      ),
    );
  }
  return state;
}

/**
 * The devnet for `status` and `down`.
 *
 * @throws {NoInputError} (66) when the directory holds no devnet.
 */
export async function existingDevnet(sys: System, l: DevnetLayout): Promise<DevnetState> {
  const found = await inspectDir(sys, l);
  if (found.kind === "devnet") return found.state;
  throw new NoInputError(
    found.kind === "foreign"
      ? `${l.dir} is not a parsd devnet (it holds ${
        listed(found.entries)
      }); give the devnet's --dir`
      : `no devnet in ${l.dir}; start one with 'parsd devnet up'`,
  );
}

/** A refusal naming the `devnet up` that holds the directory. */
export const devnetBusy = (dir: string, pid: number | undefined): BusyError =>
  new BusyError(
    `a devnet is already running in ${dir} (${
      pid === undefined ? "pid unknown" : `pid ${pid}`
    }); stop it with 'parsd devnet down --dir ${dir}', or give another --dir`,
  );

/**
 * Takes the devnet directory's lock (the directory must exist).
 *
 * @returns the held lock, or the holder's pid (`undefined` if it has not
 *   said) when another process holds it.
 * @throws {CantCreateError} when the directory cannot be locked.
 */
export async function lockDir(
  sys: System,
  l: DevnetLayout,
): Promise<{ announce(): Promise<void>; release(): void } | { heldBy: number | undefined }> {
  try {
    return await sys.lock(l.dir, l.pidFile);
  } catch (error) {
    throw new CantCreateError(`cannot lock devnet dir ${l.dir}: ${reason(error)}`, {
      cause: error,
    });
  }
}

/**
 * `--reset`: deletes what parsd wrote in a devnet directory (its top-level
 * files and `node-N` dirs), leaving the marker, the pid file and anything
 * else. The caller holds the lock and has checked the marker.
 *
 * @returns the entries deleted.
 * @throws {CantCreateError} naming the entry that could not be deleted.
 */
export async function resetDir(sys: System, l: DevnetLayout): Promise<string[]> {
  const ours = new Set<string>([
    DEVNET_FILES.state,
    DEVNET_FILES.genesis,
    DEVNET_FILES.devKey,
    DEVNET_FILES.stakeKey,
  ]);
  const deleted: string[] = [];
  // devnet.json first: a reset cut short leaves an unfinished devnet, never a half-deleted one.
  const entries = (await sys.readDir(l.dir)).map((e) => e.name).sort((a, b) =>
    a === DEVNET_FILES.state ? -1 : b === DEVNET_FILES.state ? 1 : a.localeCompare(b)
  );
  for (const name of entries) {
    if (!ours.has(name) && !isNodeName(name)) continue;
    const path = join(l.dir, name);
    try {
      await sys.removeTree(path);
    } catch (error) {
      throw new CantCreateError(`cannot delete ${path} for --reset: ${reason(error)}`, {
        cause: error,
      });
    }
    deleted.push(name);
  }
  return deleted;
}
