/**
 * @module
 * `parsd init`: the data dir layout (0700) and a default config.json (0600).
 * Idempotent; never overwrites. Holds the data dir's lock while it writes.
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
import { withLock } from "../../data_dir/lock.ts";

/** Creates what is missing and says what exists. */
export async function command(sys: System, args: ParsedArgs): Promise<number> {
  if (args.positionals.length > 0) {
    throw new UsageError(`'parsd init' takes no arguments, got '${args.positionals[0]}'`);
  }
  // `init --config FILE` creates FILE: the one command where a named config need not exist.
  const { settings } = await loadContext(sys, args, { mayCreateConfig: true });
  await checkDataDir(sys, settings.dataDir, envOf(sys));
  const dirs = layoutDirs(layout(settings.dataDir));
  for (const dir of dirs) {
    const f = await sys.stat(dir).catch(() => undefined);
    if (f && !f.isDirectory) {
      throw new CantCreateError(`${dir} exists but is not a directory; move it away`);
    }
  }
  const created = new Set(await makeDirs(sys, [settings.dataDir]));
  return await withLock(sys, settings.dataDir, async () => {
    for (const dir of await makeDirs(sys, dirs)) created.add(dir);
    for (const dir of dirs) sys.out(`${created.has(dir) ? "created" : "exists "} ${dir}\n`);
    if (settings.configFound) {
      sys.out(`exists  ${settings.configPath}\n`);
      return 0;
    }
    try {
      await sys.createNew(settings.configPath, defaultConfigText(), 0o600);
    } catch (error) {
      throw cantCreate(settings.configPath, error);
    }
    sys.out(`created ${settings.configPath}\n`);
    return 0;
  });
}
