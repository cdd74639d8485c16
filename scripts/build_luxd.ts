/**
 * @module
 * `deno task build:luxd`: builds the Lux node `luxd` (`github.com/luxfi/node`,
 * package `./main`) with Go through the module proxy, trying the pinned
 * versions newest first, and caches the binary outside the repository
 * (`~/.cache/parsd/luxd-<version>/luxd`, or under `$XDG_CACHE_HOME`).
 *
 * ```sh
 * deno task build:luxd [--version V | --src DIR] [--out PATH] [--force]
 * ```
 *
 * A cached build is reused (its path printed) unless `--force` or `--out`.
 * When no version can be built, each attempt's exact reason is printed,
 * then a final line, and it exits 69 (70 if a download worked but a build failed).
 * Other exit codes (lib's `ExitCode`): 64 usage, 66 `--src` missing or without
 * go.mod, 73 cannot create the output, 78 HOME unset where the default path
 * needs it, 127 no go on PATH, 130/143 interrupted.
 */

import { ExitCode, ParsdError, UsageError } from "../lib/errors.ts";
import { sha256File } from "../lib/os/hash.ts";
import { join } from "../lib/os/path.ts";
import type { System } from "../lib/os/system.ts";
import { buildGoBinary, builtLine } from "./go_build.ts";
import { noMorePositional, parseFlags } from "./flags.ts";
import {
  cacheRoot,
  denoScriptSystem,
  isExecutableFile,
  runMain,
  safeName,
  type ScriptSystem,
  userPath,
} from "./kit.ts";

/** The luxd module. */
export const LUXD_MODULE = "github.com/luxfi/node";

/** luxd's main package within {@linkcode LUXD_MODULE}. */
export const LUXD_PACKAGE = "./main";

/** The luxd versions tried by default, newest first. */
export const LUXD_VERSIONS: readonly string[] = ["v1.22.18", "v1.13.5"];

/** The usage text. */
export const USAGE = `usage: deno task build:luxd [--version V | --src DIR] [--out PATH] [--force]

Builds luxd (${LUXD_MODULE} ${LUXD_PACKAGE}) with Go (-trimpath -buildvcs=false
-ldflags="-s -w -buildid=", CGO_ENABLED=1), trying ${LUXD_VERSIONS.join(", ")} in turn.

  --version V   build only this version (a tag, pseudo-version or commit)
  --src DIR     build a local checkout of ${LUXD_MODULE} instead of downloading
  --out PATH    output file (default ~/.cache/parsd/luxd-<version>/luxd, reused if present;
                $XDG_CACHE_HOME replaces ~/.cache)
  --force       rebuild even if the cached binary exists
  -h, --help    this text

Then run parsd with --luxd PATH (or PARS_LUXD=PATH).
Exit codes: 0 ok, 64 usage, 66 --src missing or without go.mod, 69 no version available
(or Go too old), 70 go build failed, 73 cannot create the output, 78 HOME unset,
127 no go on PATH, 130/143 interrupted.`;

/** A parsed build_luxd command line. */
export interface LuxdBuildOptions {
  /** The versions to try, in order (empty with `--src`). */
  readonly versions: readonly string[];
  /** A local checkout (absolute), instead of the module proxy. */
  readonly srcDir?: string;
  /** The `--out` given (absolute). */
  readonly out?: string;
  readonly force: boolean;
}

/**
 * Parses the command line; relative paths resolve against the user's cwd.
 * Returns `"help"` for `--help`.
 *
 * @throws {UsageError} (64) on a bad command line.
 */
export function parseLuxdArgs(argv: readonly string[], sys: System): LuxdBuildOptions | "help" {
  const { values, booleans, help, positional } = parseFlags(argv, {
    values: ["version", "out", "src"],
    booleans: ["force"],
  });
  if (help) return "help";
  noMorePositional(positional, 0);
  const { version, src, out } = values;
  if (version !== undefined && src !== undefined) {
    throw new UsageError("give --version or --src, not both");
  }
  return {
    versions: src !== undefined ? [] : version !== undefined ? [version] : LUXD_VERSIONS,
    ...(src !== undefined ? { srcDir: userPath(sys, src) } : {}),
    ...(out !== undefined ? { out: userPath(sys, out) } : {}),
    force: booleans.force,
  };
}

/** The cached binary for a version (`local` for a `--src` build). */
export function cachedLuxdPath(sys: System, version: string): string {
  return join(cacheRoot(sys), `luxd-${safeName(version)}`, "luxd");
}

/** One version that could not be built. */
export interface LuxdFailure {
  readonly version: string;
  readonly exitCode: number;
  readonly message: string;
}

/** The gist of a failure: an HTTP status and the proxy's words if present, else the message. */
export function shortReason(message: string): string {
  const m = /: (\d{3} [A-Za-z ]+?)(?:; server response: (.+))?$/.exec(message);
  if (!m) return message;
  return m[2] !== undefined ? `${m[1]} "${m[2]}"` : m[1]!;
}

/** The final error and exit code when every version failed. */
export function summarizeFailures(failures: readonly LuxdFailure[]): ParsdError {
  const tried = failures.map((f) => f.version).join(", ");
  const reasons = [...new Set(failures.map((f) => shortReason(f.message)))];
  const why = reasons.length === 1
    ? `every attempt failed with: ${reasons[0]}`
    : "see the reason for each version above";
  const code = failures.some((f) => f.exitCode === ExitCode.software)
    ? ExitCode.software
    : failures.every((f) => f.exitCode === failures[0]?.exitCode)
    ? failures[0]?.exitCode ?? ExitCode.unavailable
    : ExitCode.unavailable;
  return new ParsdError(
    code,
    `no luxd version could be built (tried ${tried} of ${LUXD_MODULE}); ${why}`,
  );
}

function runParsdHint(sys: ScriptSystem, out: string): number {
  sys.err(`build: run parsd with --luxd ${out} (or PARS_LUXD=${out})\n`);
  return ExitCode.ok;
}

/** Builds a local checkout into `--out` or the `local` cache slot. */
async function buildFromCheckout(
  sys: ScriptSystem,
  o: LuxdBuildOptions & { srcDir: string },
): Promise<number> {
  const out = o.out ?? cachedLuxdPath(sys, "local");
  const r = await buildGoBinary(sys, {
    what: "luxd",
    pkg: LUXD_PACKAGE,
    cgo: true,
    out,
    srcDir: o.srcDir,
  });
  sys.out(builtLine("luxd", r) + "\n");
  return runParsdHint(sys, out);
}

/**
 * Tries each version in turn: a cached build wins, else a module-mode build.
 * An unavailable version or a failed build is printed and the next is tried;
 * no Go or a usage error stops at once.
 */
async function buildFirstAvailable(sys: ScriptSystem, o: LuxdBuildOptions): Promise<number> {
  const failures: LuxdFailure[] = [];
  for (const version of o.versions) {
    const out = o.out ?? cachedLuxdPath(sys, version);
    if (o.out === undefined && !o.force && isExecutableFile(out)) {
      sys.out(`cached luxd ${version} ${out} sha256 ${await sha256File(out)}\n`);
      return runParsdHint(sys, out);
    }
    try {
      const r = await buildGoBinary(sys, {
        what: `luxd ${version}`,
        pkg: LUXD_PACKAGE,
        cgo: true,
        out,
        module: LUXD_MODULE,
        version,
      });
      sys.out(builtLine(`luxd ${r.version ?? version}`, r) + "\n");
      return runParsdHint(sys, out);
    } catch (error) {
      if (
        !(error instanceof ParsdError) ||
        error.exitCode === ExitCode.commandNotFound || error.exitCode === ExitCode.usage
      ) throw error;
      for (const d of error.details) sys.err(d + "\n");
      sys.err(`build: luxd ${version}: ${error.message}\n`);
      failures.push({ version, exitCode: error.exitCode, message: error.message });
    }
  }
  throw summarizeFailures(failures);
}

/** The script's body; returns the exit code. */
export async function buildLuxd(sys: ScriptSystem, argv: readonly string[]): Promise<number> {
  const o = parseLuxdArgs(argv, sys);
  if (o === "help") {
    sys.out(USAGE + "\n");
    return ExitCode.ok;
  }
  return o.srcDir !== undefined
    ? await buildFromCheckout(sys, { ...o, srcDir: o.srcDir })
    : await buildFirstAvailable(sys, o);
}

/** Runs the script with `argv`; returns the exit code. */
export function main(argv: readonly string[], sys = denoScriptSystem()): Promise<number> {
  return runMain("build", sys, (s) => buildLuxd(s, argv));
}

if (import.meta.main) Deno.exit(await main(Deno.args));
