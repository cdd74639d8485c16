/**
 * @module
 * Path rules shared by parsd and its scripts: `~` expansion, making a path
 * absolute against a base, and where the data dir is when only flags and
 * environment decide it. Pure: no file-system access.
 */

import { isAbsolute, join, resolve } from "./path.ts";

/** Expands `~` and `~/…`, then makes a path absolute against `base`. */
export function absolutePath(path: string, home: string, base: string): string {
  if (path === "~") return home;
  if (path.startsWith("~/")) return join(home, path.slice(2));
  return isAbsolute(path) ? resolve(path) : resolve(base, path);
}

/** parsd's default data dir: `~/.pars`. */
export const defaultDataDir = (home: string): string => join(home, ".pars");

/**
 * The data dir as a flag or `PARS_DATA_DIR` decides it (flag first), made
 * absolute against `cwd` with `~` expanded; `undefined` when neither gives one
 * (config.json may then name it, else {@linkcode defaultDataDir}).
 */
export function dataDirFromFlagOrEnv(
  flag: string | undefined,
  env: string | undefined,
  home: string,
  cwd: string,
): string | undefined {
  const given = flag !== undefined && flag !== ""
    ? flag
    : env !== undefined && env !== ""
    ? env
    : undefined;
  return given === undefined ? undefined : absolutePath(given, home, cwd);
}
