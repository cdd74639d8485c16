/**
 * @module
 * Finding the luxd binary: `--luxd` / `PARS_LUXD` / config.json, else `luxd`
 * on PATH, then the places luxd is usually installed. Relative PATH entries
 * (`.`, an empty entry, `bin`) are skipped: they would find luxd in whatever
 * directory parsd was started from.
 */

import { delimiter, isAbsolute, join } from "../os/path.ts";
import { LuxdNotExecutableError, LuxdNotFoundError } from "../errors.ts";
import { FileAccessError, octal } from "../os/files.ts";
import type { FileSystem } from "../os/system.ts";

/** The facts the luxd search needs. */
export interface LuxdSearchEnv {
  readonly path?: string;
  readonly home: string;
  readonly gopath?: string;
  readonly os: string;
}

/** The fixed places parsd looks for luxd after PATH. */
export function knownLuxdPlaces(env: LuxdSearchEnv): string[] {
  const exe = env.os === "windows" ? "luxd.exe" : "luxd";
  const gopath = env.gopath?.split(delimiter)[0];
  return [
    "/usr/local/bin/luxd",
    ...(gopath ? [join(gopath, "bin", exe)] : []),
    join(env.home, "go", "bin", exe),
    join(env.home, ".lux", "bin", exe),
  ];
}

const pathEntries = (env: LuxdSearchEnv) => (env.path ?? "").split(delimiter);
const pathDirs = (env: LuxdSearchEnv) => pathEntries(env).filter((d) => isAbsolute(d));

/** The PATH entries parsd skips because they are not absolute (`""` for an empty one). */
export function relativePathEntries(env: LuxdSearchEnv): string[] {
  return [...new Set(pathEntries(env).filter((d) => !isAbsolute(d)))];
}

/**
 * Where parsd looks for luxd when no path is given, in order: PATH's absolute
 * entries, then the known places.
 */
export function luxdCandidates(env: LuxdSearchEnv): string[] {
  const exe = env.os === "windows" ? "luxd.exe" : "luxd";
  return [...new Set([...pathDirs(env).map((d) => join(d, exe)), ...knownLuxdPlaces(env)])];
}

const isExecutable = (mode: number, os: string) => os === "windows" || (mode & 0o111) !== 0;

/**
 * Resolves luxd's absolute path.
 *
 * @throws {LuxdNotFoundError} (127) listing where it looked, or
 *   {@linkcode LuxdNotExecutableError} (126) for a file that is not executable.
 */
export async function findLuxd(
  given: string | undefined,
  env: LuxdSearchEnv,
  fs: Pick<FileSystem, "stat">,
): Promise<string> {
  const stat = async (path: string) => {
    try {
      return await fs.stat(path);
    } catch (error) {
      if (!(error instanceof FileAccessError)) throw error;
      if (given === undefined) return undefined;
      throw new LuxdNotFoundError(
        `luxd at ${given} (from --luxd / PARS_LUXD / config.json): ${
          error.problem === "loop" ? "a symlink loop" : error.reason
        }; fix the path`,
      );
    }
  };
  if (given !== undefined) {
    const f = await stat(given);
    if (!f) {
      throw new LuxdNotFoundError(
        `luxd not found at ${given} (from --luxd / PARS_LUXD / config.json); fix the path`,
      );
    }
    if (f.isDirectory) {
      throw new LuxdNotExecutableError(
        `luxd at ${given} is a directory; give the luxd binary's path with --luxd`,
      );
    }
    if (!f.isFile || !isExecutable(f.mode, env.os)) {
      throw new LuxdNotExecutableError(
        `luxd at ${given} is not an executable file (mode ${
          octal(f.mode)
        }); run 'chmod 755 ${given}' or fix the path`,
      );
    }
    return given;
  }
  const candidates = luxdCandidates(env);
  let notExecutable: string | undefined;
  for (const path of candidates) {
    const f = await stat(path);
    if (!f || !f.isFile) continue;
    if (isExecutable(f.mode, env.os)) return path;
    notExecutable ??= path;
  }
  if (notExecutable !== undefined) {
    throw new LuxdNotExecutableError(
      `luxd at ${notExecutable} is not executable; run 'chmod 755 ${notExecutable}'`,
    );
  }
  const relative = relativePathEntries(env);
  const skipped = relative.length === 0
    ? ""
    : `; skipped PATH's relative entries ${
      relative.map((d) => JSON.stringify(d)).join(", ")
    } (parsd never looks for luxd in the current directory)`;
  throw new LuxdNotFoundError(
    `luxd not found; looked on PATH (${pathDirs(env).length} dirs) and in ${
      knownLuxdPlaces(env).join(", ")
    }${skipped}; ` +
      `install luxd (or try 'deno task build:luxd') or give its path with --luxd or PARS_LUXD`,
  );
}
