/**
 * @module
 * Creating what parsd owns — dirs (0700, parents first) — and the one-line
 * error for a write that failed. Shared by `apply.ts` and the commands that
 * write without a plan (`init`, `plugins pin`).
 */

import { CantCreateError } from "../errors.ts";
import { accessError, type FileProblem } from "../os/files.ts";
import type { System } from "../os/system.ts";

/** What to do about a write that failed, by its problem. */
export const WRITE_FIXES: Readonly<Partial<Record<FileProblem, string>>> = {
  "no-space": "free some space on its file system, then try again",
  "read-only": "remount its file system read-write, or choose another location",
  denied: "fix its owner or mode, or run parsd as its owner",
  special: "move it away (parsd writes a regular file there)",
  directory: "move it away",
  loop: "point the link at a real file",
};

/**
 * A failed write as a one-line error (exit 73): `cannot <verb> <what>:
 * <reason>; <fix>`. An OS error is described as {@linkcode accessError} does.
 */
export const cantCreate = (what: string, error: unknown, verb = "create"): CantCreateError => {
  const e = accessError(what, error);
  const fix = WRITE_FIXES[e.problem];
  return new CantCreateError(`cannot ${verb} ${what}: ${e.reason}${fix ? `; ${fix}` : ""}`, {
    cause: error,
  });
};

/** Creates each missing dir (mode 0700), parents first. @returns the ones made. */
export async function makeDirs(sys: System, dirs: readonly string[]): Promise<string[]> {
  const made: string[] = [];
  for (const dir of dirs) {
    if (await sys.lstat(dir).catch(() => undefined)) continue;
    try {
      await sys.mkdir(dir, 0o700);
      made.push(dir);
    } catch (error) {
      throw cantCreate(dir, error);
    }
  }
  return made;
}
