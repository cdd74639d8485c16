/**
 * @module
 * What every command that reads the data dir shares: settings resolved from
 * flags, env and config.json (read through {@linkcode System}, with every
 * way the file can be wrong mapped to a clear error), and the environment.
 */

import type { ParsedArgs } from "./args.ts";
import { type ConfigFacts, locateConfig, resolveSettings } from "./config.ts";
import type { Settings } from "../settings.ts";
import { ConfigError, type ParsdError, PermissionError } from "../errors.ts";
import { FileAccessError, type FileProblem, MAX_TEXT_BYTES } from "../os/files.ts";
import { homeOf, userCwd } from "../os/env.ts";
import type { System } from "../os/system.ts";
import { checkTrustedPath } from "../os/ownership.ts";

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

/** The fix parsd suggests for each way a file it reads can be wrong, unless the caller has its own. */
const READ_FIXES: Readonly<Record<FileProblem, string>> = {
  denied: "fix its owner or mode, or run parsd as its owner",
  loop: "point the link at the real file",
  directory: "give a file's path",
  special: "give a regular file's path",
  "too-large": "check you named the right file",
  "not-utf8": "save it as UTF-8 text",
  "no-space": "free some space on its file system",
  "read-only": "check the file",
  "hard-linked": "check the file",
  io: "check the file",
};

/** How {@linkcode readInput} describes a file and its failures. */
export interface InputSpec {
  /** Leads every message, e.g. `config` → `config /x/config.json: is a FIFO, …`. */
  readonly what: string;
  readonly maxBytes?: number;
  /** Fixes that replace {@linkcode READ_FIXES}' for this file. */
  readonly fixes?: Partial<Record<FileProblem, string>>;
  /** The error for every problem but `denied` (which is a {@linkcode PermissionError}, 77). */
  readonly otherwise: new (message: string, options?: ErrorOptions) => ParsdError;
}

/**
 * Reads a text file parsd needs (config, checksums, a certificate); only a
 * regular file is opened, so a FIFO never blocks.
 *
 * @returns its text; `undefined` when it does not exist.
 * @throws {PermissionError} when it cannot be read; `spec.otherwise` for a
 *   directory, a special file, a link loop, a huge or non-UTF-8 file: one
 *   line naming the path and the fix.
 */
export async function readInput(
  sys: System,
  path: string,
  spec: InputSpec,
): Promise<string | undefined> {
  try {
    return await sys.readText(path, spec.maxBytes ?? MAX_TEXT_BYTES);
  } catch (error) {
    if (!(error instanceof FileAccessError)) throw error;
    const fix = spec.fixes?.[error.problem] ?? READ_FIXES[error.problem];
    const message = `${spec.what} ${error.message}; ${fix}`;
    throw error.problem === "denied"
      ? new PermissionError(message, { cause: error })
      : new spec.otherwise(message, { cause: error });
  }
}

/**
 * Reads config.json's text; `undefined` when it does not exist.
 *
 * @throws {ConfigError} for a directory, a special file (FIFO, device, a
 *   `/proc` file), a link loop, a huge or non-UTF-8 file;
 *   {@linkcode PermissionError} when it cannot be read.
 */
export function readConfig(sys: System, path: string): Promise<string | undefined> {
  return readInput(sys, path, {
    what: "config",
    fixes: {
      directory: "give the config file's path with --config",
      special: "give the config file's path with --config",
      "too-large": "a parsd config is a few KiB; check you named the right file",
      "not-utf8": "save it as UTF-8 JSON",
    },
    otherwise: ConfigError,
  });
}

/** Resolves settings for a command. @throws {ParsdError} listing every problem. */
export async function loadContext(
  sys: System,
  args: ParsedArgs,
  o: { mayCreateConfig?: boolean } = {},
): Promise<Context> {
  const facts = configFacts(sys, args);
  const { configPath } = locateConfig(facts);
  const text = await readConfig(sys, configPath);
  // Before anything trusts what it names (luxd, the plugins, their pins).
  if (text !== undefined) await assertTrustedConfig(sys, configPath);
  return { sys, args, settings: resolveSettings(facts, text, o) };
}

/**
 * Refuses a config file that someone other than parsd's user or root could
 * change: it names the luxd parsd runs and the pins it trusts, so it is
 * checked as ssh checks its config (StrictModes), the file and every
 * directory above it.
 *
 * @throws {PermissionError} (77) with one line per problem and its fix.
 */
export async function assertTrustedConfig(sys: System, path: string): Promise<void> {
  const problems = await checkTrustedPath(sys, path, { uid: sys.uid(), kind: "file" });
  if (problems.length > 0) {
    throw new PermissionError(
      problems.map((p) =>
        `config ${path} is not safe to trust (it names the luxd and plugins parsd runs): ${p}`
      ),
    );
  }
}
