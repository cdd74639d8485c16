/**
 * @module
 * `parsd plugins pin [NAME...] [--from SHA256SUMS] [--replace]`: records
 * plugin hashes in config.json atomically, holding the data dir's lock. A
 * different existing pin is replaced only with `--replace` (old -> new is
 * printed); with `--from`, a binary named by flag or env must have the hash
 * the sums file gives.
 */

import { parseJsonText } from "../config.ts";
import { CantCreateError, ConfigError, NoInputError, VerificationError } from "../../errors.ts";
import { FileAccessError } from "../../os/files.ts";
import { checkDataDir } from "../../data_dir/checks.ts";
import { type Env, searchEnvs } from "../../os/env.ts";
import { type PluginName, PLUGINS } from "../../network/pars.ts";
import { discover } from "../../plugins/discover.ts";
import { forEachPlugin, hashOrFail, inspectTarget } from "../../plugins/trust.ts";
import { parseSha256Sums, pickSum, type Pin, withPins } from "../../plugins/sums.ts";
import { join } from "../../os/path.ts";
import { cantCreate } from "../../data_dir/create.ts";
import { type Context, readConfig } from "../context.ts";
import { withLock } from "../../data_dir/lock.ts";

/** The local file a plugin resolves to, hashed; `undefined` when none is found and none was named. */
async function localPin(
  ctx: Context,
  env: Env,
  name: PluginName,
  required: boolean,
): Promise<Pin | undefined> {
  const { sys, settings } = ctx;
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
  return d.rule === "flag" || d.rule === "env" ? { name, sha256, path: d.path } : { name, sha256 };
}

async function pinsFromSums(
  ctx: Context,
  env: Env,
  names: PluginName[],
  explicit: boolean,
  from: string,
): Promise<Pin[]> {
  const { sys, settings } = ctx;
  let text: string | undefined;
  try {
    text = await sys.readText(from);
  } catch (error) {
    if (!(error instanceof FileAccessError)) throw error;
    throw new NoInputError(`checksum file ${error.message}; give a SHA256SUMS file with --from`);
  }
  if (text === undefined) throw new NoInputError(`checksum file ${from} does not exist`);
  const { entries, problems } = parseSha256Sums(text, from);
  const picks = names.map((name) =>
    [name, pickSum(entries, PLUGINS[name], { os: sys.os, arch: sys.arch })] as const
  );
  const missing = picks.filter(([, p]) =>
    typeof p === "string" && (explicit || !p.startsWith("no entry"))
  );
  const all = [...problems, ...missing.map(([n, p]) => `${from}: plugin ${n}: ${p as string}`)];
  if (all.length > 0) throw new ConfigError(all);
  const mismatches: string[] = [];
  const pins: Pin[] = [];
  for (const [name, p] of picks) {
    if (typeof p === "string") continue;
    // A binary named by flag or env must be the one the sum describes.
    const named = settings.plugins[name].pathSource;
    if (named === "flag" || named === "env") {
      const local = (await localPin(ctx, env, name, true))!;
      if (local.sha256 !== p.sha256) {
        mismatches.push(
          `plugin ${name}: ${local.path} has sha256 ${local.sha256}, but ${from} line ${p.line} says ${p.sha256}; pin the file the sums describe`,
        );
        continue;
      }
      pins.push(local);
    } else pins.push({ name, sha256: p.sha256 });
  }
  if (mismatches.length > 0) throw new VerificationError(mismatches);
  if (pins.length === 0) throw new ConfigError(`${from}: no entry for ${names.join(" or ")}`);
  return pins;
}

/** `plugins pin`: records hashes in config.json under the data dir's lock. */
export async function pin(
  ctx: Context,
  env: Env,
  names: PluginName[],
  explicit: boolean,
): Promise<number> {
  const { sys, settings } = ctx;
  const from = ctx.args.flags["from"];
  const replace = ctx.args.flags["replace"] === true;
  const pins = typeof from === "string"
    ? await pinsFromSums(ctx, env, names, explicit, from)
    : await forEachPlugin(names, async (name) => (await localPin(ctx, env, name, true))!);
  const changed = pins.filter((p) => {
    const old = settings.plugins[p.name].sha256;
    return old !== undefined && old !== p.sha256;
  });
  if (changed.length > 0 && !replace) {
    throw new VerificationError(
      changed.map((p) =>
        `plugin ${p.name}: already pinned to ${
          settings.plugins[p.name].sha256
        }, the new hash is ${p.sha256}; check where the new binary came from, then re-run with --replace`
      ),
    );
  }
  const configDir = join(settings.configPath, "..");
  if (!(await sys.stat(configDir).catch(() => undefined))) {
    // A first pin may create the data dir (only the data dir, as `init` would).
    if (configDir !== settings.dataDir) {
      throw new CantCreateError(`cannot write ${settings.configPath}: ${configDir} does not exist`);
    }
    await checkDataDir(sys, settings.dataDir, env);
    await sys.mkdir(settings.dataDir, 0o700).catch((error) => {
      throw new CantCreateError(`cannot create ${settings.dataDir}: ${(error as Error).message}`);
    });
  }
  const lockDir = (await sys.stat(settings.dataDir).catch(() => undefined))?.isDirectory
    ? settings.dataDir
    : undefined;
  const write = async () => {
    // Re-read under the lock: what another writer left is kept.
    const text = await readConfig(sys, settings.configPath);
    const doc = text === undefined ? {} : parseJsonText(text, settings.configPath);
    if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
      throw new ConfigError(`${settings.configPath}: must hold a JSON object`);
    }
    try {
      await sys.writeAtomic(
        settings.configPath,
        withPins(doc as Record<string, unknown>, pins),
        0o600,
      );
    } catch (error) {
      throw cantCreate(settings.configPath, error, "write");
    }
  };
  if (lockDir !== undefined) await withLock(sys, lockDir, write);
  else await write();
  for (const p of pins) {
    const old = settings.plugins[p.name].sha256;
    const was = old !== undefined && old !== p.sha256 ? ` (was ${old})` : "";
    sys.out(`pinned ${p.name} sha256 ${p.sha256}${was}${p.path ? ` (${p.path})` : ""}\n`);
  }
  return 0;
}
