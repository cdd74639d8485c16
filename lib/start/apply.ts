/**
 * @module
 * The writer: applies a plan — missing dirs (0700), the sealed copies the
 * store lacks (a source checked against its pin, copied and hashed again),
 * the plugin links and luxd's name into the store, chain config files when
 * the config is too large for the command line — and records fresh
 * verifications and luxd's probe in the cache. Runs only after every check
 * passed, so a refused start leaves no trace.
 */

import { cacheText, type VerifyCache } from "../plugins/cache.ts";
import { cantCreate, makeDirs } from "../data_dir/create.ts";
import { ensureLink } from "../plugins/links.ts";
import type { NodeFacts } from "./facts.ts";
import type { Plan } from "./plan.ts";
import { PLUGIN_NAMES } from "../network/pars.ts";
import { join } from "../os/path.ts";
import { cacheUpdates } from "../plugins/trust.ts";
import { storeCopy } from "../plugins/store.ts";
import type { System } from "../os/system.ts";

/** The cache after this start: fresh plugin verifications and luxd's probe added. */
export function updatedCache(f: NodeFacts): VerifyCache | undefined {
  const plugins = PLUGIN_NAMES.flatMap((n) => {
    const p = f.plugins[n];
    return "ok" in p ? [p.ok] : [];
  });
  const sealedLuxd = "ok" in f.luxd ? [f.luxd.ok.sealed] : [];
  const fresh = cacheUpdates([...plugins, ...sealedLuxd]);
  const luxd = "ok" in f.luxd ? f.luxd.ok.cacheEntry : undefined;
  if (Object.keys(fresh).length === 0 && luxd === undefined) return undefined;
  return { ...f.cache, ...fresh, ...(luxd ? { [luxd.path]: luxd.entry } : {}) };
}

/**
 * Applies a plan.
 *
 * @returns one log line per change.
 * @throws {CantCreateError} if a dir, link or file cannot be made.
 */
export async function apply(sys: System, plan: Plan, f: NodeFacts): Promise<string[]> {
  const log = (await makeDirs(sys, plan.dirs)).map((d) => `created ${d}`);
  // Seal first: a source that changed since its check fails its copy's hash, before any link.
  for (const b of [plan.luxd, ...plan.plugins]) {
    if (b.copyFrom === undefined) continue;
    const copy = await storeCopy(sys, f.layout.dataDir, b.copyFrom, {
      uid: f.env.os === "windows" ? null : f.env.uid,
      expectedSha256: b.sha256,
    });
    if (copy.status !== "exists") log.push(`sealed ${b.copyFrom} into ${copy.path}`);
  }
  for (const plugin of plan.plugins) {
    const done = await ensureLink(sys, plugin.link, plugin.target);
    if (done !== "unchanged") log.push(`${done} link ${plugin.link} -> ${plugin.target}`);
  }
  log.push(...(await makeDirs(sys, [join(plan.luxd.path, "..")])).map((d) => `created ${d}`));
  const named = await ensureLink(sys, plan.luxd.path, plan.luxd.target);
  if (named !== "unchanged") log.push(`${named} link ${plan.luxd.path} -> ${plan.luxd.target}`);
  // In parsd's own chain config dirs, a config.* or upgrade.* the plan no longer has would still
  // be read by luxd (an upgrade config.json dropped, say): remove it.
  const planned = new Set(Object.keys(plan.chainConfigFiles));
  for (const dir of new Set([...planned].map((p) => join(p, "..")))) {
    for (const e of await sys.readDir(dir).catch(() => [])) {
      const path = join(dir, e.name);
      if (e.isDirectory || planned.has(path)) continue;
      if (!/^(config|upgrade)(\.[^.]*)?$/.test(e.name)) continue;
      try {
        await sys.remove(path);
      } catch (error) {
        throw cantCreate(`${dir} (removing the stale ${e.name})`, error, "update");
      }
      log.push(`removed stale ${path}`);
    }
  }
  const files = Object.entries(plan.chainConfigFiles);
  if (plan.genesisFile !== undefined) files.push([plan.genesisFile.path, plan.genesisFile.text]);
  for (const [path, text] of files) {
    const before = await sys.readText(path).catch(() => undefined);
    if (before === text) continue;
    try {
      await sys.writeAtomic(path, text, 0o600);
    } catch (error) {
      throw cantCreate(path, error);
    }
    log.push(`wrote ${path}`);
  }
  const cache = updatedCache(f);
  if (cache !== undefined) {
    await sys.writeAtomic(f.layout.verifyCache, cacheText(cache), 0o600).catch(() => {
      log.push(`could not write ${f.layout.verifyCache}; the next start re-hashes the plugins`);
    });
  }
  return log;
}
