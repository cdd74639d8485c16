/**
 * @module
 * The user's environment as parsd's searches need it: home, PATH, GOPATH,
 * OS and ids, read through {@linkcode System}; and how to ask for the hard
 * open-files limit.
 */

import { ConfigError } from "../errors.ts";
import { isAbsolute } from "./path.ts";
import type { LuxdSearchEnv } from "../luxd/find.ts";
import type { SearchEnv } from "../plugins/discover.ts";
import type { System } from "./system.ts";

/** The user's environment as the searches need it. */
export interface Env {
  readonly home: string;
  readonly path?: string;
  readonly gopath?: string;
  readonly os: string;
  readonly uid: number | null;
  readonly gid: number | null;
}

/** Whether a path is absolute on `os`: `/…`; on Windows also `C:\…` or `\…`. */
const absoluteOn = (os: string, path: string) =>
  os === "windows" ? /^([A-Za-z]:)?[\\/]/.test(path) : path.startsWith("/");

/**
 * The user's home dir.
 *
 * @throws {ConfigError} when HOME (USERPROFILE on Windows) is unset, or is
 *   not an absolute path: every default path (`~/.pars`, the plugin search)
 *   would then depend on the directory parsd happens to start in.
 */
export function homeOf(sys: System): string {
  const home = sys.env("HOME");
  const [name, h] = home || sys.os !== "windows"
    ? ["HOME", home]
    : ["USERPROFILE", sys.env("USERPROFILE")];
  if (!h) {
    throw new ConfigError(
      "HOME is not set; set HOME, or give --data-dir and the plugin and luxd paths",
    );
  }
  if (!absoluteOn(sys.os, h)) {
    throw new ConfigError(
      `${name} is '${h}', not an absolute path; set it to your home directory's full path, such as /home/you`,
    );
  }
  return h;
}

/**
 * The user's directory. Under `deno task`, the process runs in the repo
 * root and the directory the user typed the command in is `INIT_CWD`.
 */
export function userCwd(sys: System): string {
  const init = sys.env("INIT_CWD");
  return init !== undefined && isAbsolute(init) ? init : sys.cwd();
}

/**
 * How parsd asks for the hard open-files limit luxd inherits: Deno lets no
 * program read `/proc/self/limits` without `--allow-all`, so a shell's
 * `ulimit -Hn` says it.
 */
export const HARD_NOFILE_QUERY = { path: "/bin/sh", args: ["-c", "ulimit -Hn"] } as const;

/** The environment facts parsd reads. */
export function envOf(sys: System): Env {
  const path = sys.env("PATH");
  const gopath = sys.env("GOPATH");
  return {
    home: homeOf(sys),
    os: sys.os,
    uid: sys.uid(),
    gid: sys.gid(),
    ...(path === undefined ? {} : { path }),
    ...(gopath ? { gopath } : {}),
  };
}

/** The search environments derived from {@linkcode Env}. */
export function searchEnvs(env: Env): { plugins: SearchEnv; luxd: LuxdSearchEnv } {
  const gopath = env.gopath === undefined ? {} : { gopath: env.gopath };
  const path = env.path === undefined ? {} : { path: env.path };
  return {
    plugins: { home: env.home, ...gopath },
    luxd: { home: env.home, os: env.os, ...gopath, ...path },
  };
}
