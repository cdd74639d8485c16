/**
 * @module
 * What `plugins pin`, `verify`, `list` and `rollback` share about the three
 * sealed binaries (the two plugins and luxd): each one's source found and
 * checked as a file parsd is to trust (type, exec bit, and ssh-StrictModes
 * owners and modes up to `/`) and hashed; sealing verified sources into
 * `<data-dir>/store`; pointing `plugins/<VMID>` and `bin/luxd` at the
 * sealed copies; and the pin history a replaced pin goes into.
 */

import { CantCreateError, LuxdNotFoundError, NoInputError } from "../../errors.ts";
import { FileAccessError } from "../../os/files.ts";
import type { Env } from "../../os/env.ts";
import { searchEnvs } from "../../os/env.ts";
import { join } from "../../os/path.ts";
import type { System } from "../../os/system.ts";
import { layout } from "../../data_dir/layout.ts";
import { PLUGINS } from "../../network/pars.ts";
import { findLuxd } from "../../luxd/find.ts";
import { discover } from "../../plugins/discover.ts";
import { hashOrFail, inspectTarget } from "../../plugins/trust.ts";
import { accessFailure, assertSafeSource } from "../../plugins/sealed.ts";
import { storeCopy } from "../../plugins/store.ts";
import { ensureLink } from "../../plugins/links.ts";
import { type BinaryName, isPlugin, labelOf, sourceRuleOf } from "../../plugins/binaries.ts";
import { readHistory, recordReplaced, writeHistory } from "../../plugins/history.ts";
import { luxdRunPath } from "../../start/sealed_facts.ts";
import type { Context } from "../context.ts";

/** A binary's source: found, checked as a file to trust, hashed. */
export interface LocalSource {
  readonly name: BinaryName;
  /** The path as found (a flag's or env's value, a search path). */
  readonly path: string;
  /** Whether a flag or env named it (then `plugins pin` records the path too). */
  readonly named: boolean;
  /** The real file behind `path`: what is hashed and copied. */
  readonly realPath: string;
  readonly size: bigint;
  readonly sha256: string;
}

/**
 * Finds a binary's source, checks it and hashes it.
 *
 * @param required whether a missing source is an error (else `undefined`).
 * @throws {ParsdError} missing (66, luxd 127), not executable (65, luxd 126),
 *   changeable by another user (77), unreadable (77/66).
 */
export async function localSource(
  ctx: Context,
  env: Env,
  name: BinaryName,
  required: boolean,
): Promise<LocalSource | undefined> {
  const { sys, settings } = ctx;
  const rule = sourceRuleOf(settings, name);
  const named = rule === "flag" || rule === "env";
  if (isPlugin(name)) {
    const d = await discover(name, settings, searchEnvs(env).plugins, sys);
    if (!d.found) {
      if (!required) return undefined;
      throw new NoInputError(
        `plugin ${name}: not found; looked in ${d.searched.join(", ")}; give its path with --${
          PLUGINS[name].flag
        }`,
      );
    }
    const t = await inspectTarget(PLUGINS[name], d.path, d.rule, env.uid, sys, env.os);
    const sha256 = await hashOrFail(sys, name, t.realPath);
    return { name, path: d.path, named, realPath: t.realPath, size: t.facts.size, sha256 };
  }
  let path: string;
  try {
    path = await findLuxd(settings.luxd, searchEnvs(env).luxd, sys);
  } catch (error) {
    if (!required && error instanceof LuxdNotFoundError && settings.luxd === undefined) {
      return undefined;
    }
    throw error;
  }
  await assertSafeSource(sys, "luxd", { path }, env.os === "windows" ? null : env.uid);
  const realPath = await sys.realPath(path);
  const facts = await sys.stat(realPath);
  const sha256 = await sys.sha256(realPath).catch((error) => {
    throw accessFailure(
      "luxd",
      realPath,
      error instanceof FileAccessError ? error : new FileAccessError(realPath, "io", String(error)),
    );
  });
  return { name, path, named, realPath, size: facts?.size ?? 0n, sha256 };
}

/**
 * Seals checked sources into the store (each copy hashed again as it is
 * made; an entry already there is checked, not copied).
 *
 * @returns one line per copy made.
 * @throws {ParsdError} 65 when a source changed since it was hashed, 73/77
 *   when the store cannot be written.
 */
export async function sealSources(
  sys: System,
  env: Env,
  dataDir: string,
  sources: readonly Pick<LocalSource, "name" | "realPath" | "sha256">[],
): Promise<string[]> {
  const lines: string[] = [];
  for (const s of sources) {
    const copy = await storeCopy(sys, dataDir, s.realPath, {
      uid: env.os === "windows" ? null : env.uid,
      expectedSha256: s.sha256,
    });
    if (copy.status !== "exists") lines.push(`sealed ${labelOf(s.name)} into ${copy.path}`);
  }
  return lines;
}

/**
 * Points a binary's link at its sealed copy: `plugins/<VMID>` for a plugin,
 * `bin/luxd` for luxd, each in one rename, where its directory exists (`run`
 * makes what is missing). Call it holding the data dir's lock.
 *
 * @returns a line when the link changed.
 * @throws {CantCreateError} (73) when a file parsd did not make is in the way.
 */
export async function linkSealed(
  sys: System,
  dataDir: string,
  name: BinaryName,
  target: string,
): Promise<string | undefined> {
  const link = linkPath(dataDir, name);
  if (!(await sys.stat(join(link, "..")).catch(() => undefined))?.isDirectory) return undefined;
  const done = await ensureLink(sys, link, target);
  return done === "unchanged" ? undefined : `${done} link ${link} -> ${target}`;
}

/** Where a binary's link is: `plugins/<VMID>`, or `bin/luxd`. */
const linkPath = (dataDir: string, name: BinaryName) => {
  const l = layout(dataDir);
  return isPlugin(name) ? join(l.pluginDir, PLUGINS[name].vmid) : luxdRunPath(l);
};

/**
 * Refuses, before anything is written, a link {@linkcode linkSealed} could not
 * make: a file or directory parsd did not create where the link goes.
 *
 * @throws {CantCreateError} (73) naming each one and what to do.
 */
export async function assertLinkable(
  sys: System,
  dataDir: string,
  names: readonly BinaryName[],
): Promise<void> {
  const problems: string[] = [];
  for (const name of names) {
    const link = linkPath(dataDir, name);
    const f = await sys.lstat(link).catch(() => undefined);
    if (f !== undefined && !f.isSymlink) {
      problems.push(
        `${link} is a ${
          f.isDirectory ? "directory" : "regular file"
        } parsd did not create, where the link to ${
          labelOf(name)
        }'s sealed copy goes; move it away (and name it with ${
          isPlugin(name) ? `--${PLUGINS[name].flag}` : "--luxd"
        } if it is yours)`,
      );
    }
  }
  if (problems.length > 0) throw new CantCreateError(problems);
}

/**
 * Records replaced pins in the pin history (`<data-dir>/pin-history.json`), so
 * that `plugins rollback` can go back to them. Call it holding the lock.
 */
export async function rememberReplaced(
  sys: System,
  dataDir: string,
  replaced: readonly { name: BinaryName; old: string; next: string }[],
): Promise<void> {
  if (replaced.length === 0) return;
  let h = await readHistory(sys, dataDir);
  for (const r of replaced) h = recordReplaced(h, r.name, r.old, r.next);
  await writeHistory(sys, dataDir, h);
}
