/**
 * @module
 * The plugin directory: VMID-named symlinks to verified plugins, made
 * atomically (a dot-named temporary link renamed into place, so a crash
 * never leaves the directory without a valid link), and stray entries that
 * would make luxd abort start-up.
 */

import { join } from "../os/path.ts";
import { CantCreateError, PermissionError } from "../errors.ts";
import { type DirEntry, FileAccessError } from "../os/files.ts";
import type { FileSystem } from "../os/system.ts";
import type { Layout } from "../data_dir/layout.ts";
import { PLUGIN_NAMES, PLUGINS } from "../network/pars.ts";

/** The state of a plugin link. */
export type LinkState =
  | { readonly state: "ok" }
  | { readonly state: "missing" }
  | { readonly state: "stale"; readonly current: string }
  | { readonly state: "blocked"; readonly kind: string };

/** What is at `linkPath` compared with the link parsd wants there. */
export async function linkState(
  fs: Pick<FileSystem, "lstat" | "readLink">,
  linkPath: string,
  target: string,
): Promise<LinkState> {
  const f = await fs.lstat(linkPath);
  if (!f) return { state: "missing" };
  if (!f.isSymlink) return { state: "blocked", kind: f.isDirectory ? "directory" : "regular file" };
  const current = await fs.readLink(linkPath);
  return current === target ? { state: "ok" } : { state: "stale", current };
}

/**
 * Makes `linkPath` a symlink to `target`: unchanged if already right, else a
 * new link renamed over the old one (stale or dangling) in one step.
 *
 * @returns what was done.
 * @throws {CantCreateError} if a regular file or directory is in the way
 *   (parsd never deletes what it did not create) or the link cannot be made.
 */
export async function ensureLink(
  fs: Pick<FileSystem, "lstat" | "readLink" | "symlink">,
  linkPath: string,
  target: string,
): Promise<"unchanged" | "created" | "replaced"> {
  const before = await linkState(fs, linkPath, target);
  if (before.state === "ok") return "unchanged";
  if (before.state === "blocked") {
    throw new CantCreateError(
      `${linkPath} is a ${before.kind} parsd did not create; move it away (for example to ~/.lux/plugins/) ` +
        `and point the plugin flag at it`,
    );
  }
  try {
    await fs.symlink(target, linkPath);
  } catch (error) {
    throw new CantCreateError(`cannot link ${linkPath} -> ${target}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return before.state === "missing" ? "created" : "replaced";
}

/**
 * The name luxd registers a plugin-dir entry under: the file name without
 * its extension; empty (skipped by luxd) for dot-names such as `.DS_Store`.
 */
export function registeredName(fileName: string): string {
  // Go's filepath.Ext: from the last dot on, so ".DS_Store" has no name left.
  const dot = fileName.lastIndexOf(".");
  return dot < 0 ? fileName : fileName.slice(0, dot);
}

/** A plugin-dir entry luxd would trip over, and why. */
export interface Stray {
  readonly path: string;
  /** `invalid`: not a VMID once its extension is stripped (luxd aborts start-up); `shadows`: a managed VMID plus an extension (luxd would register that VM from it). */
  readonly kind: "invalid" | "shadows";
}

/** The names luxd registers from a listing (files and links; dirs and dot-names skipped). */
export function registeredEntries(entries: readonly DirEntry[]): [DirEntry, string][] {
  return entries.flatMap((e) => {
    const name = registeredName(e.name);
    return e.isDirectory || name === "" ? [] : [[e, name] as [DirEntry, string]];
  });
}

/**
 * Entries of the plugin dir that would stop luxd (a name that is not a VMID
 * after its extension is stripped) or shadow a managed plugin (a managed
 * VMID with an extension, such as `<VMID>.bak`). Directories and dot-names
 * are skipped, as luxd skips them. `isVmid` is asked only of names that are
 * not managed VMIDs (it costs a SHA-256).
 */
export function findStrays(
  pluginDir: string,
  entries: readonly DirEntry[],
  managed: readonly string[],
  isVmid: (name: string) => boolean,
): Stray[] {
  const strays: Stray[] = [];
  for (const [entry, name] of registeredEntries(entries)) {
    const path = join(pluginDir, entry.name);
    if (managed.includes(name)) {
      if (name !== entry.name) strays.push({ path, kind: "shadows" });
    } else if (!isVmid(name)) strays.push({ path, kind: "invalid" });
  }
  return strays.sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}

/** Entries of the plugin dir that luxd would trip over. */
export async function strayEntries(sys: Pick<FileSystem, "readDir">, l: Layout): Promise<Stray[]> {
  try {
    const entries = await sys.readDir(l.pluginDir);
    const managed = PLUGIN_NAMES.map((n) => PLUGINS[n].vmid);
    // Checking a name's cb58 checksum needs SHA-256: load it only for a name that is not ours.
    const others = registeredEntries(entries).some(([, name]) => !managed.includes(name));
    const isVmid = others ? (await import("../node/vmid.ts")).isVmid : () => true;
    return findStrays(l.pluginDir, entries, managed, isVmid);
  } catch (error) {
    if (!(error instanceof FileAccessError)) throw error;
    throw new PermissionError(`plugin dir ${error.message}; fix its owner or mode`);
  }
}
