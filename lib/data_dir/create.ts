/**
 * @module
 * Creating what parsd owns — dirs (0700, parents first) — and the one-line
 * error for a write that failed. Shared by `apply.ts` and the commands that
 * write without a plan (`init`, `plugins pin`).
 */

import { CantCreateError } from "../errors.ts";
import { FileAccessError } from "../os/files.ts";
import type { System } from "../os/system.ts";

/** A failed write as a one-line error (exit 73): `cannot <verb> <what>: <reason>`. */
export const cantCreate = (what: string, error: unknown, verb = "create"): CantCreateError =>
  new CantCreateError(
    `cannot ${verb} ${what}: ${
      error instanceof FileAccessError ? error.reason : (error as Error).message
    }`,
    { cause: error },
  );

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
