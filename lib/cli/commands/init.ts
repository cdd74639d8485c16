/**
 * @module
 * `parsd init`: the data dir layout (0700) and a default config.json (0600).
 * Idempotent; never overwrites. Holds the data dir's lock while it writes.
 * All or nothing: when a write fails (a full disk, say), what this run made
 * — dirs, the config, the pid file — is removed again.
 */

import type { ParsedArgs } from "../args.ts";
import { defaultConfigText } from "../config.ts";
import { CantCreateError, UsageError } from "../../errors.ts";
import { checkDataDir } from "../../data_dir/checks.ts";
import { envOf } from "../../os/env.ts";
import { layout, layoutDirs } from "../../data_dir/layout.ts";
import { cantCreate, makeDirs } from "../../data_dir/create.ts";
import type { System } from "../../os/system.ts";
import { loadContext } from "../context.ts";
import { takeLock } from "../../data_dir/lock.ts";

/** Creates what is missing and says what exists. */
export async function command(sys: System, args: ParsedArgs): Promise<number> {
  if (args.positionals.length > 0) {
    throw new UsageError(`'parsd init' takes no arguments, got '${args.positionals[0]}'`);
  }
  // `init --config FILE` creates FILE: the one command where a named config need not exist.
  const { settings } = await loadContext(sys, args, { mayCreateConfig: true });
  await checkDataDir(sys, settings.dataDir, envOf(sys));
  const l = layout(settings.dataDir);
  const dirs = layoutDirs(l);
  for (const dir of dirs) {
    const f = await sys.stat(dir).catch(() => undefined);
    if (f && !f.isDirectory) {
      throw new CantCreateError(`${dir} exists but is not a directory; move it away`);
    }
  }
  const hadPidFile = (await sys.lstat(l.pidFile).catch(() => undefined)) !== undefined;
  const made: string[] = [];
  let madeConfig = false;
  let locked = false;
  try {
    made.push(...await makeDirs(sys, [settings.dataDir]));
    const lock = await takeLock(sys, settings.dataDir);
    locked = true;
    try {
      await lock.announce();
      made.push(...await makeDirs(sys, dirs));
      if (!settings.configFound) {
        await sys.createNew(settings.configPath, defaultConfigText(), 0o600).catch((error) => {
          throw cantCreate(settings.configPath, error);
        });
        madeConfig = true;
      }
    } finally {
      lock.release();
    }
  } catch (error) {
    // Undo, newest first; the lock is released by now, so its pid file can go too.
    const undo = [
      ...(madeConfig ? [settings.configPath] : []),
      ...(locked && !hadPidFile ? [l.pidFile] : []),
    ];
    for (const path of [...undo, ...made.toReversed()]) await sys.remove(path).catch(() => {});
    throw error;
  }
  const created = new Set(made);
  for (const dir of dirs) sys.out(`${created.has(dir) ? "created" : "exists "} ${dir}\n`);
  sys.out(`${settings.configFound ? "exists " : "created"} ${settings.configPath}\n`);
  return 0;
}
