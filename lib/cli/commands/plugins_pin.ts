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
import { MAX_TEXT_BYTES } from "../../os/files.ts";
import type { System } from "../../os/system.ts";
import { checkDataDir } from "../../data_dir/checks.ts";
import { type Env, searchEnvs } from "../../os/env.ts";
import { type PluginName, PLUGINS } from "../../network/pars.ts";
import { discover } from "../../plugins/discover.ts";
import { forEachPlugin, hashOrFail, inspectTarget } from "../../plugins/trust.ts";
import { parseSha256Sums, pickSum, type Pin, withPins } from "../../plugins/sums.ts";
import { join } from "../../os/path.ts";
import { cantCreate } from "../../data_dir/create.ts";
import { type Context, readConfig, readInput } from "../context.ts";
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
  const give = "give a SHA256SUMS file with --from";
  const text = await readInput(sys, from, {
    what: "checksum file",
    fixes: { directory: give, special: give, "too-large": give, "not-utf8": give, io: give },
    otherwise: NoInputError,
  });
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
  const written = await recordPins(ctx, env, pins);
  for (const p of pins) {
    const old = settings.plugins[p.name].sha256;
    const was = old !== undefined && old !== p.sha256 ? ` (was ${old})` : "";
    sys.out(`pinned ${p.name} sha256 ${p.sha256}${was}${p.path ? ` (${p.path})` : ""}\n`);
  }
  if (!written) sys.out(`unchanged ${settings.configPath}: every pin was already recorded\n`);
  return 0;
}

/**
 * config.json's text with the pins, from the text on disk now; `undefined`
 * when it already records them.
 *
 * @throws {ConfigError} when the file is no JSON object, holds a key twice,
 *   or would grow past what parsd reads.
 */
async function pinnedText(sys: System, path: string, pins: readonly Pin[]) {
  const before = await readConfig(sys, path);
  if (before !== undefined) {
    const doc = parseJsonText(before, path);
    if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
      throw new ConfigError(`${path}: must hold a JSON object`);
    }
  }
  const after = withPins(before, pins);
  if (after === before) return undefined;
  const size = new TextEncoder().encode(after).length;
  if (size > MAX_TEXT_BYTES) {
    throw new ConfigError(
      `${path}: with the pins it would be ${size} bytes, more than the ${MAX_TEXT_BYTES} parsd reads; shrink it`,
    );
  }
  return after;
}

/**
 * Records pins in config.json, only if that changes it, holding the data
 * dir's lock: the file is rewritten in place of the old one (through a
 * symlink, with its mode and owner; see `rewrite.ts`), every other byte kept.
 *
 * @returns whether the file was written.
 * @throws {CantCreateError} when it cannot be written (naming it and the fix).
 */
async function recordPins(ctx: Context, env: Env, pins: readonly Pin[]): Promise<boolean> {
  const { sys, settings } = ctx;
  const path = settings.configPath;
  if (await pinnedText(sys, path, pins) === undefined) return false;
  const configDir = join(path, "..");
  if (!(await sys.stat(configDir).catch(() => undefined))) {
    // A first pin may create the data dir (only the data dir, as `init` would).
    if (configDir !== settings.dataDir) {
      throw new CantCreateError(`cannot write ${path}: ${configDir} does not exist`);
    }
    await checkDataDir(sys, settings.dataDir, env);
    await sys.mkdir(settings.dataDir, 0o700).catch((error) => {
      throw cantCreate(settings.dataDir, error);
    });
  }
  const lockDir = (await sys.stat(settings.dataDir).catch(() => undefined))?.isDirectory
    ? settings.dataDir
    : undefined;
  const write = async () => {
    // Re-read under the lock: what another writer left is kept.
    const text = await pinnedText(sys, path, pins);
    if (text === undefined) return false;
    try {
      await sys.rewrite(path, text, 0o600);
    } catch (error) {
      throw cantCreate(path, error, "write");
    }
    return true;
  };
  return lockDir !== undefined ? await withLock(sys, lockDir, write) : await write();
}
