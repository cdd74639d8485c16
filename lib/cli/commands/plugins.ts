/**
 * @module
 * `parsd plugins list | verify | pin [NAME...]`. All three share discovery
 * and the trust checks with `run`; `pin` lives in `plugins_pin.ts`.
 */

import type { ParsedArgs } from "../args.ts";
import { ParsdError, UsageError } from "../../errors.ts";
import { type Env, envOf, searchEnvs } from "../../os/env.ts";
import { layout } from "../../data_dir/layout.ts";
import { linkState } from "../../plugins/links.ts";
import { PLUGIN_NAMES, type PluginName, PLUGINS } from "../../network/pars.ts";
import { discover } from "../../plugins/discover.ts";
import { forEachPlugin, hashOrFail, inspectTarget, verifyPlugin } from "../../plugins/trust.ts";
import { join } from "../../os/path.ts";
import type { System } from "../../os/system.ts";
import { type Context, loadContext } from "../context.ts";

/** Runs one plugins action. */
export async function command(sys: System, args: ParsedArgs): Promise<number> {
  const [action, ...names] = args.positionals;
  if (action !== "pin") {
    for (const flag of ["from", "replace"]) {
      if (flag in args.flags) {
        throw new UsageError(`--${flag} is an option of 'parsd plugins pin' only`);
      }
    }
  }
  if (action !== "list" && action !== "verify" && action !== "pin") {
    throw new UsageError(
      action === undefined
        ? "'parsd plugins' needs an action: list, verify or pin"
        : `unknown plugins action '${action}'; expected list, verify or pin`,
    );
  }
  const selected = selectPlugins(names);
  const ctx = await loadContext(sys, args);
  const env = envOf(sys);
  if (action === "list") return await list(ctx, env, selected);
  if (action === "verify") return await verify(ctx, env, selected);
  const { pin } = await import("./plugins_pin.ts");
  return await pin(ctx, env, selected, names.length > 0);
}

function selectPlugins(names: readonly string[]): PluginName[] {
  const unknown = names.filter((n) => !(PLUGIN_NAMES as readonly string[]).includes(n));
  if (unknown.length > 0) {
    throw new UsageError(`unknown plugin '${unknown[0]}'; expected ${PLUGIN_NAMES.join(" or ")}`);
  }
  return names.length === 0 ? [...PLUGIN_NAMES] : [...new Set(names as PluginName[])];
}

async function list(ctx: Context, env: Env, names: PluginName[]): Promise<number> {
  const { sys, settings } = ctx;
  const l = layout(settings.dataDir);
  for (const name of names) {
    const spec = PLUGINS[name];
    const d = await discover(name, settings, searchEnvs(env).plugins, sys);
    const pinned = settings.plugins[name].sha256;
    const rows: [string, string][] = [["vmid", spec.vmid]];
    if (!d.found) rows.push(["found", `no; looked in ${d.searched.join(", ")}`]);
    else {
      rows.push(["found", `${d.path} (by ${d.rule})`]);
      try {
        const t = await inspectTarget(spec, d.path, d.rule, env.uid, sys, env.os);
        const sha = await hashOrFail(sys, name, t.realPath);
        rows.push(["target", t.realPath], ["size", `${t.facts.size} bytes`], ["sha256", sha]);
        rows.push([
          "pinned",
          pinned === undefined
            ? "no"
            : pinned === sha
            ? "yes (matches)"
            : `MISMATCH: the file changed since it was pinned (pinned ${pinned})`,
        ]);
        const linkPath = join(l.pluginDir, spec.vmid);
        const link = await linkState(sys, linkPath, t.realPath).catch(() => undefined);
        rows.push([
          "link",
          `${linkPath}: ${link?.state ?? "unreadable"}${
            link && "current" in link ? ` (-> ${link.current})` : ""
          }`,
        ]);
      } catch (error) {
        if (!(error instanceof ParsdError)) throw error;
        rows.push(["problem", error.message]);
      }
    }
    if (!rows.some(([k]) => k === "pinned")) rows.push(["pinned", pinned ?? "no"]);
    sys.out(`${name}\n${rows.map(([k, v]) => `  ${k.padEnd(7)} ${v}\n`).join("")}`);
  }
  return 0;
}

async function verify(ctx: Context, env: Env, names: PluginName[]): Promise<number> {
  const { sys, settings } = ctx;
  const verified = await forEachPlugin(names, (name) =>
    verifyPlugin(name, settings, {
      mode: "full",
      cache: {},
      trustUnpinned: false,
      uid: env.uid,
      os: env.os,
      searchEnv: searchEnvs(env).plugins,
      fs: sys,
      nowNs: BigInt(sys.now()) * 1_000_000n,
    }));
  for (const v of verified) sys.out(`ok ${v.name} sha256 ${v.sha256} ${v.realPath}\n`);
  return 0;
}
