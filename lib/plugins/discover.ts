/**
 * @module
 * Plugin discovery: a path given by flag, env or config.json, else the
 * first of the search paths (PIP-7 and its reference implementation) where
 * something exists.
 */

import { delimiter, join } from "../os/path.ts";
import { type PluginName, PLUGINS, type PluginSpec } from "../network/pars.ts";
import type { Settings } from "../settings.ts";
import type { FileSystem } from "../os/system.ts";

/** How a plugin was found. */
export type Rule = "flag" | "env" | "config" | "search";

/** A plugin binary discovery located, or where it looked in vain. */
export type Discovery =
  | {
    readonly found: true;
    readonly path: string;
    readonly rule: Rule;
    readonly searched: readonly string[];
  }
  | { readonly found: false; readonly searched: readonly string[] };

/** The facts discovery needs besides settings. */
export interface SearchEnv {
  readonly home: string;
  /** `$GOPATH`, if set; otherwise `~/go` is used. */
  readonly gopath?: string;
}

/** The search paths (PIP-7 and its reference implementation), in order. */
export function searchPaths(spec: PluginSpec, env: SearchEnv): string[] {
  const gopath = env.gopath?.split(delimiter)[0] || join(env.home, "go");
  return [
    join(env.home, ".lux", "plugins", spec.vmid),
    join(env.home, ".lux", "plugins", "current", spec.vmid),
    join("/usr/local/lib/lux/plugins", spec.vmid),
    join("/usr/local/lib/pars/plugins", spec.vmid),
    join(gopath, "bin", spec.goBinary),
  ];
}

/** How the user named a plugin's path, for messages. */
export function flagName(spec: PluginSpec, rule: Rule): string {
  return rule === "flag"
    ? `--${spec.flag}`
    : rule === "env"
    ? spec.env
    : `plugins.${spec.name}.path in config.json`;
}

/**
 * Finds a plugin. A path given by flag, env or config.json is used as is
 * (even if missing: the target check then says so); otherwise the first
 * search path where something exists wins.
 */
export async function discover(
  name: PluginName,
  s: Settings,
  env: SearchEnv,
  fs: Pick<FileSystem, "lstat">,
): Promise<Discovery> {
  const given = s.plugins[name];
  if (given.path !== undefined && given.pathSource !== undefined) {
    return { found: true, path: given.path, rule: given.pathSource, searched: [] };
  }
  const searched = searchPaths(PLUGINS[name], env);
  for (const path of searched) {
    if (await fs.lstat(path).catch(() => true)) {
      return { found: true, path, rule: "search", searched };
    }
  }
  return { found: false, searched };
}
