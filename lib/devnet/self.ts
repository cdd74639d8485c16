/**
 * @module
 * How parsd starts parsd: each devnet node is a `parsd run` child. A
 * compiled parsd is its own executable; under `deno run` the child is
 * `deno run --config <repo>/deno.json <the start task's flags> <repo>/main.ts`,
 * the start task of deno.json being the one place the flags are written
 * (permission set, `--no-prompt`, V8 flags), so the child runs under exactly
 * the permissions parsd itself runs under.
 */

import { fileURLToPath } from "node:url";
import { join } from "../os/path.ts";
import { ConfigError } from "../errors.ts";
import type { System } from "../os/system.ts";

/** The program and leading arguments that run parsd. */
export interface SelfCommand {
  readonly path: string;
  readonly args: readonly string[];
}

/** The repository root, when parsd runs from source (this file is `lib/devnet/self.ts`). */
export const SOURCE_ROOT: string = fileURLToPath(new URL("../../", import.meta.url));

/**
 * The flags of a `deno run … main.ts` task: the words between `run` and
 * the script.
 *
 * @returns `undefined` when the task is not of that shape.
 */
export function taskFlags(task: string | undefined): string[] | undefined {
  const words = task?.trim().split(/\s+/) ?? [];
  if (words[0] !== "deno" || words[1] !== "run" || words.at(-1) !== "main.ts") return undefined;
  return words.slice(2, -1);
}

/**
 * The command that runs parsd from source, from deno.json's text.
 *
 * @returns the command, or why it cannot be made.
 */
export function sourceCommand(
  execPath: string,
  root: string,
  denoJson: string | undefined,
): SelfCommand | string {
  const config = join(root, "deno.json");
  if (denoJson === undefined) return `${config} is missing`;
  let task: unknown;
  try {
    task = (JSON.parse(denoJson) as { tasks?: Record<string, unknown> }).tasks?.["start"];
  } catch {
    return `${config} is not JSON`;
  }
  const flags = taskFlags(typeof task === "string" ? task : undefined);
  if (flags === undefined) return `${config} has no 'start' task of the form 'deno run … main.ts'`;
  return { path: execPath, args: ["run", "--config", config, ...flags, join(root, "main.ts")] };
}

/**
 * The command that runs this parsd again.
 *
 * @param standalone whether this is a compiled binary (`Deno.build.standalone`).
 * @throws {ConfigError} (78) when parsd runs from source and deno.json has
 *   no usable start task.
 */
export async function selfCommand(sys: System, standalone: boolean): Promise<SelfCommand> {
  if (standalone) return { path: sys.execPath(), args: [] };
  const text = await sys.readText(join(SOURCE_ROOT, "deno.json")).catch(() => undefined);
  const command = sourceCommand(sys.execPath(), SOURCE_ROOT, text);
  if (typeof command === "string") {
    throw new ConfigError(`cannot start parsd for the devnet's nodes: ${command}`);
  }
  return command;
}
