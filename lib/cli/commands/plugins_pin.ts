/**
 * @module
 * `parsd plugins pin [NAME...] [--from SHA256SUMS [--signature FILE]] [--replace]`:
 * pins the plugins and luxd. Each verified file is sealed into
 * `<data-dir>/store` (copied, hashed again, 0500), its hash recorded in
 * config.json, and its link pointed at the sealed copy, all holding the data
 * dir's lock; what luxd runs never changes when the source does. A different
 * existing pin is replaced only with `--replace` (old -> new is printed, the
 * old one kept for `plugins rollback`); with `--from`, a binary named by flag
 * or env must have the hash the sums file gives, and once `trusted-keys` is
 * set the sums must carry a valid minisign signature by one of them.
 */

import { parseJsonText } from "../config.ts";
import { CantCreateError, ConfigError, PermissionError, VerificationError } from "../../errors.ts";
import { MAX_TEXT_BYTES } from "../../os/files.ts";
import type { System } from "../../os/system.ts";
import { checkDataDir } from "../../data_dir/checks.ts";
import type { Env } from "../../os/env.ts";
import { PLUGINS } from "../../network/pars.ts";
import { forEachPlugin } from "../../plugins/trust.ts";
import { parseSha256Sums, pickSum, type Pin, withPins } from "../../plugins/sums.ts";
import { join } from "../../os/path.ts";
import { cantCreate } from "../../data_dir/create.ts";
import { layout } from "../../data_dir/layout.ts";
import { type Context, readConfig } from "../context.ts";
import { withLock } from "../../data_dir/lock.ts";
import { type BinaryName, isPlugin, labelOf, pinOf, sourceRuleOf } from "../../plugins/binaries.ts";
import { storePath } from "../../plugins/store.ts";
import { dataDirTrust } from "../../start/sealed_facts.ts";
import { checkSignaturePolicy, readSums } from "./plugins_signed.ts";
import {
  assertLinkable,
  linkSealed,
  type LocalSource,
  localSource,
  rememberReplaced,
  sealSources,
} from "./plugins_seal.ts";

/** A pin to record, and the checked source to seal for it (absent: a hash from the sums alone). */
interface Chosen {
  readonly pin: Pin;
  readonly source?: LocalSource;
}

const chosenOf = (s: LocalSource): Chosen => ({
  pin: s.named
    ? { name: s.name, sha256: s.sha256, path: s.path }
    : { name: s.name, sha256: s.sha256 },
  source: s,
});

/** How a SHA256SUMS file names a binary: a plugin's name or VMID, or `luxd`. */
const sumSpec = (name: BinaryName) =>
  isPlugin(name) ? PLUGINS[name] : { name, vmid: "luxd", goBinary: "luxd" };

async function pinsFromSums(
  ctx: Context,
  env: Env,
  names: BinaryName[],
  explicit: boolean,
  from: string,
  text: string,
): Promise<Chosen[]> {
  const { sys, settings } = ctx;
  const { entries, problems } = parseSha256Sums(text, from);
  const picks = names.map((name) =>
    [name, pickSum(entries, sumSpec(name), { os: sys.os, arch: sys.arch })] as const
  );
  const missing = picks.filter(([, p]) =>
    typeof p === "string" && (explicit || !p.startsWith("no entry"))
  );
  const all = [...problems, ...missing.map(([n, p]) => `${from}: ${labelOf(n)}: ${p as string}`)];
  if (all.length > 0) throw new ConfigError(all);
  const mismatches: string[] = [];
  const chosen: Chosen[] = [];
  for (const [name, p] of picks) {
    if (typeof p === "string") continue;
    // A binary named by flag or env must be the one the sum describes; one found
    // otherwise is sealed only when it is.
    const rule = sourceRuleOf(settings, name);
    const named = rule === "flag" || rule === "env";
    const local = await localSource(ctx, env, name, named);
    if (local !== undefined && local.sha256 !== p.sha256 && named) {
      mismatches.push(
        `${
          labelOf(name)
        }: ${local.path} has sha256 ${local.sha256}, but ${from} line ${p.line} says ${p.sha256}; pin the file the sums describe`,
      );
      continue;
    }
    chosen.push(
      local?.sha256 === p.sha256 ? chosenOf(local) : { pin: { name, sha256: p.sha256 } },
    );
  }
  if (mismatches.length > 0) throw new VerificationError(mismatches);
  if (chosen.length === 0) throw new ConfigError(`${from}: no entry for ${names.join(" or ")}`);
  return chosen;
}

/** `plugins pin`: seals the binaries and records their hashes, under the data dir's lock. */
export async function pin(
  ctx: Context,
  env: Env,
  names: BinaryName[],
  explicit: boolean,
): Promise<number> {
  const { sys, settings } = ctx;
  const flag = (n: string) => typeof ctx.args.flags[n] === "string" ? ctx.args.flags[n] : undefined;
  const from = flag("from");
  const signature = flag("signature");
  const replace = ctx.args.flags["replace"] === true;
  checkSignaturePolicy(settings, from, signature);
  const sums = from === undefined ? undefined : await readSums(ctx, from, signature);
  if (sums?.signed !== undefined) {
    sys.out(
      `signature ok: ${signature} by trusted key ${sums.signed.keyId}\ntrusted comment: ${sums.signed.trustedComment}\n`,
    );
  }
  const chosen = from !== undefined && sums !== undefined
    ? await pinsFromSums(ctx, env, names, explicit, from, sums.text)
    : (await forEachPlugin(names, (name) => localSource(ctx, env, name, true))).map((s) =>
      chosenOf(s!)
    );
  const pins = chosen.map((c) => c.pin);
  const replaced = pins.flatMap((p) => {
    const old = pinOf(settings, p.name);
    return old !== undefined && old !== p.sha256 ? [{ name: p.name, old, next: p.sha256 }] : [];
  });
  if (replaced.length > 0 && !replace) {
    throw new VerificationError(
      replaced.map((r) =>
        `${
          labelOf(r.name)
        }: already pinned to ${r.old}, the new hash is ${r.next}; check where the new binary came from, then re-run with --replace`
      ),
    );
  }
  const unsafe = await dataDirTrust(
    sys,
    layout(settings.dataDir),
    env.os === "windows" ? null : env.uid,
  );
  if (unsafe.length > 0) throw new PermissionError(unsafe);
  const sources = chosen.flatMap((c) => c.source === undefined ? [] : [c.source]);
  const log: string[] = [];
  const written = await recordPins(ctx, env, pins, {
    before: async () => {
      await assertLinkable(sys, settings.dataDir, pins.map((p) => p.name));
      log.push(...await sealSources(sys, env, settings.dataDir, sources));
      await rememberReplaced(sys, settings.dataDir, replaced);
    },
    after: async () => {
      for (const p of pins) {
        const linked = await sealedLink(sys, settings.dataDir, p);
        if (linked !== undefined) log.push(linked);
      }
    },
  });
  for (const p of pins) {
    const old = pinOf(settings, p.name);
    const was = old !== undefined && old !== p.sha256 ? ` (was ${old})` : "";
    sys.out(`pinned ${p.name} sha256 ${p.sha256}${was}${p.path ? ` (${p.path})` : ""}\n`);
  }
  for (const line of log) sys.out(`${line}\n`);
  for (const c of chosen.filter((c) => c.source === undefined)) {
    sys.out(
      `not sealed: no local ${labelOf(c.pin.name)} has sha256 ${c.pin.sha256}; give its file (${
        isPlugin(c.pin.name) ? `--${PLUGINS[c.pin.name].flag}` : "--luxd"
      }) and pin again, or 'parsd run' seals it once it finds it\n`,
    );
  }
  if (!written) sys.out(`unchanged ${settings.configPath}: every pin was already recorded\n`);
  return 0;
}

/** Points a pinned binary's link at its sealed copy, when the store holds it (hold the lock). */
async function sealedLink(sys: System, dataDir: string, p: Pin): Promise<string | undefined> {
  const target = storePath(dataDir, p.sha256);
  if (!(await sys.lstat(target).catch(() => undefined))) return undefined;
  return await linkSealed(sys, dataDir, p.name, target);
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
 * dir's lock (made first when missing), between `locked.before` (the sealing;
 * a function `pins` is asked after it) and `locked.after` (the links): the
 * file is rewritten in place of the old one (through a symlink, with its mode
 * and owner; see `rewrite.ts`), every other byte kept.
 *
 * @returns whether the file was written.
 * @throws {CantCreateError} when it cannot be written (naming it and the fix).
 */
export async function recordPins(
  ctx: Context,
  env: Env,
  pins: readonly Pin[] | (() => readonly Pin[]),
  locked: { before(): Promise<void>; after(): Promise<void> },
): Promise<boolean> {
  const { sys, settings } = ctx;
  const path = settings.configPath;
  const configDir = join(path, "..");
  if (!(await sys.stat(configDir).catch(() => undefined)) && configDir !== settings.dataDir) {
    throw new CantCreateError(`cannot write ${path}: ${configDir} does not exist`);
  }
  if (!(await sys.stat(settings.dataDir).catch(() => undefined))) {
    // A first pin may create the data dir (only the data dir, as `init` would): the store is in it.
    await checkDataDir(sys, settings.dataDir, env);
    await sys.mkdir(settings.dataDir, 0o700).catch((error) => {
      throw cantCreate(settings.dataDir, error);
    });
  }
  const write = async () => {
    // Seal first: config.json never pins what the store does not hold when the copy could be made.
    await locked.before();
    // Re-read under the lock: what another writer left is kept.
    const text = await pinnedText(sys, path, typeof pins === "function" ? pins() : pins);
    if (text !== undefined) {
      try {
        await sys.rewrite(path, text, 0o600);
      } catch (error) {
        throw cantCreate(path, error, "write");
      }
    }
    await locked.after();
    return text !== undefined;
  };
  return await withLock(sys, settings.dataDir, write);
}
