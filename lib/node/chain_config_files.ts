/**
 * @module
 * Chain configs as files, for when they are too large for luxd's command
 * line. luxd reads `--chain-config-dir` (default
 * `$LUXD_DATA_DIR/configs/chains`) as one directory per chain, named by the
 * chain's ID or alias, holding `config.*` and `upgrade.*` (any one
 * extension each; more than one `config.*` in a directory makes luxd fail
 * with `too many files matched "config.*"`). The bytes are handed to the
 * chain's VM as they are. luxd ignores the directory whenever
 * `--chain-config-content` is given. Sources: avalanchego
 * `config/config.go` (`readChainConfigPath`) and `utils/storage`
 * (`ReadFileWithName`), which luxd forks.
 *
 * The other way, `--chain-config-content=<base64>`, is one argv string, and
 * Linux limits one argv string to MAX_ARG_STRLEN = 32 pages = 131072 bytes
 * including its NUL. Measured here (Linux 6.18, Deno 2.9.6, spawning
 * `/bin/true`): an argument of 131071 characters spawns, one of 131072
 * fails with E2BIG ("Argument list too long (os error 7)", `error.code`
 * `"E2BIG"`). `--chain-config-content=` takes 23 of those bytes, so the
 * value could be 131048 characters at most; {@linkcode CHAIN_CONFIG_CONTENT_LIMIT}
 * keeps half of that, leaving room for page sizes and kernels that differ.
 *
 * Pure: computes paths and contents; the caller writes them.
 */

import { join } from "../os/path.ts";

/** Linux's limit on one argv or environment string, in bytes, including its NUL. */
export const MAX_ARG_STRLEN = 131072;

/**
 * The longest `--chain-config-content` value (base64 characters) parsd puts
 * on luxd's command line: 64 KiB. Above it, write the chain configs with
 * {@linkcode chainConfigFiles} and pass `--chain-config-dir` instead.
 */
export const CHAIN_CONFIG_CONTENT_LIMIT = 65536;

/** Whether a `--chain-config-content` value is short enough for the command line. */
export function chainConfigContentFits(value: string): boolean {
  return value.length <= CHAIN_CONFIG_CONTENT_LIMIT;
}

/** One chain's config and optional upgrade, as JSON objects. */
export interface ChainConfigEntry {
  readonly config: Readonly<Record<string, unknown>>;
  readonly upgrade?: Readonly<Record<string, unknown>>;
}

/** A file to write under the chain config directory. */
export interface ChainConfigFile {
  /** `<dir>/<chain>/config.json` or `<dir>/<chain>/upgrade.json`. */
  readonly path: string;
  /** The JSON text, two-space indented, ending in a newline. */
  readonly content: string;
}

/**
 * Why `chain` cannot name a directory under the chain config dir, or
 * undefined if it can: it must be one non-empty path segment (no `/`, not
 * `.` or `..`, no NUL).
 */
export function chainDirProblem(chain: string): string | undefined {
  if (chain === "") return "a chain ID or alias must not be empty";
  if (chain === "." || chain === "..") return `chain '${chain}' is not a directory name`;
  if (/[/\0]/.test(chain)) return `chain '${chain}' must not contain '/' or NUL`;
  return undefined;
}

/**
 * The files luxd's `--chain-config-dir=<dir>` layout needs for `entries`
 * (chain ID or alias → config and optional upgrade): `<dir>/<chain>/config.json`
 * for every chain and `<dir>/<chain>/upgrade.json` where an upgrade is given,
 * in the order of `entries`. The caller should also remove any other
 * `config.*` or `upgrade.*` in those directories (luxd refuses two), and a
 * stale `upgrade.*` where no upgrade is given.
 *
 * @throws {RangeError} if a chain name is not a single path segment
 *   ({@linkcode chainDirProblem}); all such names at once.
 */
export function chainConfigFiles(
  dir: string,
  entries: Readonly<Record<string, ChainConfigEntry>>,
): ChainConfigFile[] {
  const problems = Object.keys(entries).map(chainDirProblem).filter((p) => p !== undefined);
  if (problems.length > 0) throw new RangeError(problems.join("; "));
  const text = (doc: unknown) => `${JSON.stringify(doc, null, 2)}\n`;
  return Object.entries(entries).flatMap(([chain, { config, upgrade }]) => [
    { path: join(dir, chain, "config.json"), content: text(config) },
    ...(upgrade === undefined
      ? []
      : [{ path: join(dir, chain, "upgrade.json"), content: text(upgrade) }]),
  ]);
}
