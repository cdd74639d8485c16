/**
 * @module
 * `parsd plugins list | verify | pin | rollback | store`: inspect, verify,
 * pin and roll back the three binaries parsd seals (`evm`, `sessionvm`,
 * `luxd`; with no names, all three), and list or clean the store. Each
 * action lives in its own module; `verify` is here: it shares the checks of
 * `run` (the sealed copy, else the source about to be sealed), always hashing.
 */

import type { ParsedArgs } from "../args.ts";
import { UsageError } from "../../errors.ts";
import { type Env, envOf, searchEnvs } from "../../os/env.ts";
import { forEachPlugin, verifyPlugin } from "../../plugins/trust.ts";
import { BINARY_NAMES, type BinaryName, isBinaryName, isPlugin } from "../../plugins/binaries.ts";
import { type Sealed, sourceNote } from "../../plugins/sealed.ts";
import { verifyLuxd } from "../../start/sealed_facts.ts";
import type { System } from "../../os/system.ts";
import { type Context, loadContext } from "../context.ts";

const ACTIONS = ["list", "verify", "pin", "rollback", "store"] as const;
type Action = typeof ACTIONS[number];

/** The flags only some actions take. */
const ACTION_FLAGS: Readonly<Record<string, Action>> = {
  from: "pin",
  replace: "pin",
  signature: "pin",
  gc: "store",
  keep: "store",
};

/** Runs one plugins action. */
export async function command(sys: System, args: ParsedArgs): Promise<number> {
  const [word, ...names] = args.positionals;
  const action = checkUsage(word, names, args.flags);
  const selected = selectBinaries(names);
  const ctx = await loadContext(sys, args);
  const env = envOf(sys);
  switch (action) {
    case "list":
      return await (await import("./plugins_list.ts")).list(ctx, env, selected);
    case "verify":
      return await verify(ctx, env, selected);
    case "pin":
      return await (await import("./plugins_pin.ts")).pin(ctx, env, selected, names.length > 0);
    case "rollback":
      return await (await import("./plugins_rollback.ts")).rollback(ctx, env, selected);
    case "store":
      return await (await import("./plugins_store.ts")).store(ctx, env);
  }
}

/** The action, once its words and flags are known to go together. @throws {UsageError} (64). */
function checkUsage(
  word: string | undefined,
  names: readonly string[],
  flags: Readonly<Record<string, string | boolean>>,
): Action {
  if (!(ACTIONS as readonly string[]).includes(word ?? "")) {
    throw new UsageError(
      word === undefined
        ? `'parsd plugins' needs an action: ${ACTIONS.join(", ")}`
        : `unknown plugins action '${word}'; expected ${ACTIONS.join(", ")}`,
    );
  }
  const action = word as Action;
  const problems = Object.entries(ACTION_FLAGS)
    .filter(([flag, owner]) => flag in flags && owner !== action)
    .map(([flag, owner]) => `--${flag} is an option of 'parsd plugins ${owner}' only`);
  if (action === "pin" && "signature" in flags && !("from" in flags)) {
    problems.push("--signature signs a checksum file: give it with --from SHA256SUMS");
  }
  if (action === "store" && "keep" in flags && flags["gc"] !== true) {
    problems.push("--keep says what --gc keeps: give --gc too");
  }
  if (action === "store" && names.length > 0) {
    problems.push(`'parsd plugins store' takes no names (got '${names.join(" ")}')`);
  }
  if (action === "rollback" && names.length === 0) {
    problems.push(`'parsd plugins rollback' needs a name: ${BINARY_NAMES.join(", ")}`);
  }
  if (problems.length > 0) throw new UsageError(problems);
  return action;
}

function selectBinaries(names: readonly string[]): BinaryName[] {
  const unknown = names.filter((n) => !isBinaryName(n));
  if (unknown.length > 0) {
    throw new UsageError(
      `unknown binary '${unknown[0]}'; expected ${BINARY_NAMES.join(", ")}`,
    );
  }
  return names.length === 0 ? [...BINARY_NAMES] : [...new Set(names as BinaryName[])];
}

/** Checks one binary as `run` would, hashing everything (the cache is neither read nor written). */
function verifyOne(ctx: Context, env: Env, name: BinaryName): Promise<Sealed> {
  const { sys } = ctx;
  const settings = { ...ctx.settings, verify: "full" as const, trustUnpinned: false };
  const nowNs = BigInt(sys.now()) * 1_000_000n;
  const search = searchEnvs(env);
  if (!isPlugin(name)) {
    return verifyLuxd(sys, settings, { env, search: search.luxd, cache: {}, nowNs });
  }
  return verifyPlugin(name, settings, {
    mode: "full",
    cache: {},
    trustUnpinned: false,
    uid: env.uid,
    os: env.os,
    searchEnv: search.plugins,
    fs: sys,
    nowNs,
  });
}

async function verify(ctx: Context, env: Env, names: BinaryName[]): Promise<number> {
  const { sys } = ctx;
  const verified = await forEachPlugin(names, (name) => verifyOne(ctx, env, name));
  for (const v of verified) {
    const where = v.copyFrom === undefined
      ? v.storePath
      : `${v.copyFrom} (not sealed yet: 'parsd run' or 'parsd plugins pin ${v.name}' seals it)`;
    const note = sourceNote(v);
    const source = v.copyFrom !== undefined
      ? ""
      : note !== undefined
      ? `; ${note}`
      : v.source.state === "matches"
      ? `; source ${v.source.located.path} matches`
      : "";
    sys.out(`ok ${v.name} sha256 ${v.sha256} ${where}${source}\n`);
  }
  return 0;
}
