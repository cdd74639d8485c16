/**
 * @module
 * Where the data dir is when only flags and environment decide it, and the
 * default. Pure: no file-system access; shared by parsd and its scripts.
 */

import { absolutePath, join } from "../os/path.ts";

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
