/**
 * @module
 * `parsd plugins store [--gc [--keep N]]`: what `<data-dir>/store` holds —
 * each sealed version with its size, the binaries pinned to it, and the
 * earlier pins it is a rollback target of — and, with `--gc`, removes every
 * version that is neither pinned nor among the `N` (default 1) most recent
 * earlier pins of a binary. Holds the data dir's lock throughout (refused with
 * 75 while the node runs), so no pin changes under it.
 */

import { PermissionError, UsageError } from "../../errors.ts";
import type { Env } from "../../os/env.ts";
import { Invalid, parseCount } from "../option_parsers.ts";
import { OPTIONS } from "../options.ts";
import { withLock } from "../../data_dir/lock.ts";
import { BINARY_NAMES, pinOf } from "../../plugins/binaries.ts";
import { type History, readHistory, recentPins } from "../../plugins/history.ts";
import { gcStore, listStore, storeDir, type StoreEntry } from "../../plugins/store.ts";
import type { Context } from "../context.ts";

/** A size for people: bytes, KiB, MiB or GiB with one decimal. */
export function sizeText(bytes: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let n = bytes;
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return u === 0 ? `${bytes} bytes` : `${n.toFixed(1)} ${units[u]}`;
}

/** What one entry is to the pins: pinned by, and an earlier pin of (with its rollback rank). */
export function entryRoles(
  sha256: string,
  pins: Readonly<Record<string, string | undefined>>,
  history: History,
): string {
  const pinned = Object.entries(pins).filter(([, h]) => h === sha256).map(([n]) => n);
  const earlier = BINARY_NAMES.flatMap((n) => {
    const i = (history[n] ?? []).indexOf(sha256);
    return i < 0 ? [] : [`${n} (rollback ${i + 1})`];
  });
  const roles = [
    ...(pinned.length > 0 ? [`pinned: ${pinned.join(", ")}`] : []),
    ...(earlier.length > 0 ? [`earlier pin of ${earlier.join(", ")}`] : []),
  ];
  return roles.length > 0 ? roles.join("; ") : "unpinned";
}

/** Lists the store and, with `--gc`, cleans it; exit 0, or 77 when an entry cannot be removed. */
export async function store(ctx: Context, _env: Env): Promise<number> {
  const { sys, settings, args } = ctx;
  const gc = args.flags["gc"] === true;
  const keep = gc ? parseCount(args.flags["keep"] ?? OPTIONS.keep.default) : 0;
  if (keep instanceof Invalid) {
    throw new UsageError(`--keep ${JSON.stringify(args.flags["keep"])}: ${keep.reason}`);
  }
  const dir = storeDir(settings.dataDir);
  if (!(await sys.stat(settings.dataDir).catch(() => undefined))?.isDirectory) {
    sys.out(`store ${dir}: empty (no data dir yet)\n`);
    return 0;
  }
  const pins = Object.fromEntries(BINARY_NAMES.map((n) => [n, pinOf(settings, n)]));
  return await withLock(sys, settings.dataDir, async () => {
    const history = await readHistory(sys, settings.dataDir);
    if (gc) {
      const pinned = Object.values(pins).flatMap((h) => h === undefined ? [] : [h]);
      const done = await gcStore(sys, settings.dataDir, {
        pinned,
        previous: recentPins(history, keep),
      }, Number.MAX_SAFE_INTEGER);
      for (const e of done.removed) sys.out(`removed sha256-${e.sha256} (${sizeText(e.size)})\n`);
      sys.out(`gc: removed ${done.removed.length}, freed ${sizeText(done.freedBytes)}\n`);
      if (done.problems.length > 0) {
        printListing(ctx, await listStore(sys, settings.dataDir), pins, history);
        throw new PermissionError(done.problems);
      }
    }
    printListing(ctx, await listStore(sys, settings.dataDir), pins, history);
    return 0;
  });
}

function printListing(
  ctx: Context,
  listing: { entries: StoreEntry[]; strays: string[] },
  pins: Readonly<Record<string, string | undefined>>,
  history: History,
): void {
  const { entries, strays } = listing;
  const total = entries.reduce((n, e) => n + e.size, 0);
  const dir = storeDir(ctx.settings.dataDir);
  ctx.sys.out(
    `store ${dir}: ${entries.length} version${entries.length === 1 ? "" : "s"}, ${
      sizeText(total)
    }\n`,
  );
  for (const e of entries) {
    ctx.sys.out(
      `sha256-${e.sha256}  ${sizeText(e.size).padStart(10)}  ${
        entryRoles(e.sha256, pins, history)
      }\n`,
    );
  }
  for (const s of strays) {
    ctx.sys.out(
      `stray ${s}: not a store entry (a crashed copy's temporary file?); parsd leaves it\n`,
    );
  }
}
