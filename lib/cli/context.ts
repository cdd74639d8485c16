/**
 * @module
 * What every command that reads the data dir shares: settings resolved from
 * flags, env and config.json (read through {@linkcode System}, with every
 * way the file can be wrong mapped to a clear error), and the environment.
 */

import type { ParsedArgs } from "./args.ts";
import { type ConfigFacts, locateConfig, resolveSettings } from "./config.ts";
import type { Settings } from "../settings.ts";
import { ConfigError, PermissionError } from "../errors.ts";
import { FileAccessError, MAX_TEXT_BYTES } from "../os/files.ts";
import { homeOf, userCwd } from "../os/env.ts";
import type { System } from "../os/system.ts";

/** Everything a command needs once settings are resolved. */
export interface Context {
  readonly sys: System;
  readonly args: ParsedArgs;
  readonly settings: Settings;
}

/** The facts settings resolution needs. */
export function configFacts(sys: System, args: ParsedArgs): ConfigFacts {
  return { flags: args.flags, env: (n) => sys.env(n), home: homeOf(sys), cwd: userCwd(sys) };
}

/**
 * Reads config.json's text; `undefined` when it does not exist.
 *
 * @throws {ConfigError} for a directory, a link loop, a huge or non-UTF-8
 *   file; {@linkcode PermissionError} when it cannot be read.
 */
export async function readConfig(sys: System, path: string): Promise<string | undefined> {
  try {
    return await sys.readText(path, MAX_TEXT_BYTES);
  } catch (error) {
    if (!(error instanceof FileAccessError)) throw error;
    const fix = {
      denied: "fix its owner or mode",
      loop: "point the link at the real file",
      directory: "give the config file's path with --config",
      "too-large": "a parsd config is a few KiB; check you named the right file",
      "not-utf8": "save it as UTF-8 JSON",
      io: "check the file",
    }[error.problem];
    const message = `config ${error.message}; ${fix}`;
    throw error.problem === "denied"
      ? new PermissionError(message, { cause: error })
      : new ConfigError(message, { cause: error });
  }
}

/** Resolves settings for a command. @throws {ParsdError} listing every problem. */
export async function loadContext(
  sys: System,
  args: ParsedArgs,
  o: { mayCreateConfig?: boolean } = {},
): Promise<Context> {
  const facts = configFacts(sys, args);
  const text = await readConfig(sys, locateConfig(facts).configPath);
  return { sys, args, settings: resolveSettings(facts, text, o) };
}
