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
 */

import { join } from "node:path";
import {
  absolute,
  BUILD_EXIT,
  BuildError,
  buildGoBinary,
  builtLine,
  eprint,
  homeDir,
  parseFlags,
  reportError,
  safeName,
  userCwd,
  withInterruptCleanup,
} from "./go_build.ts";
import { sha256File } from "../lib/hash.ts";

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
(or Go too old), 70 go build failed, 73 cannot create the output, 127 no go on PATH.`;

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
 * Parses the command line; relative paths resolve against `cwd`.
 * Returns `"help"` for `--help`.
 *
 * @throws {BuildError} (64) on a bad command line.
 */
export function parseLuxdArgs(argv: readonly string[], cwd: string): LuxdBuildOptions | "help" {
  const { flags, positional } = parseFlags(argv, ["version", "out", "src"], ["force", "help"]);
  if (flags["help"] === true) return "help";
  if (positional.length > 0) {
    throw new BuildError(BUILD_EXIT.usage, `unexpected argument '${positional[0]}'`);
  }
  const str = (k: string) => typeof flags[k] === "string" ? flags[k] as string : undefined;
  const version = str("version");
  const src = str("src");
  const out = str("out");
  if (version !== undefined && src !== undefined) {
    throw new BuildError(BUILD_EXIT.usage, "give --version or --src, not both");
  }
  return {
    versions: src !== undefined ? [] : version !== undefined ? [version] : LUXD_VERSIONS,
    ...(src !== undefined ? { srcDir: absolute(src, cwd) } : {}),
    ...(out !== undefined ? { out: absolute(out, cwd) } : {}),
    force: flags["force"] === true,
  };
}

/** The cache directory: `$XDG_CACHE_HOME/parsd`, else `~/.cache/parsd`. */
export function cacheRoot(env: Readonly<Record<string, string>>): string {
  const xdg = env["XDG_CACHE_HOME"];
  return join(xdg !== undefined && xdg !== "" ? xdg : join(homeDir(env), ".cache"), "parsd");
}

/** The cached binary for a version (`local` for a `--src` build). */
export function cachedLuxdPath(env: Readonly<Record<string, string>>, version: string): string {
  return join(cacheRoot(env), `luxd-${safeName(version)}`, "luxd");
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

/** The final error line and exit code when every version failed. */
export function summarizeFailures(failures: readonly LuxdFailure[]): BuildError {
  const tried = failures.map((f) => f.version).join(", ");
  const reasons = [...new Set(failures.map((f) => shortReason(f.message)))];
  const why = reasons.length === 1
    ? `every attempt failed with: ${reasons[0]}`
    : "see the reason for each version above";
  const code = failures.some((f) => f.exitCode === BUILD_EXIT.software)
    ? BUILD_EXIT.software
    : failures.every((f) => f.exitCode === failures[0]?.exitCode)
    ? failures[0]?.exitCode ?? BUILD_EXIT.unavailable
    : BUILD_EXIT.unavailable;
  return new BuildError(
    code,
    `no luxd version could be built (tried ${tried} of ${LUXD_MODULE}); ${why}`,
  );
}

async function isExecutableFile(path: string): Promise<boolean> {
  const st = await Deno.stat(path).catch(() => undefined);
  return st !== undefined && st.isFile && ((st.mode ?? 0o755) & 0o111) !== 0;
}

/** Runs the script; returns the exit code. */
export async function buildLuxd(argv: readonly string[]): Promise<number> {
  const env = Deno.env.toObject();
  try {
    const o = parseLuxdArgs(argv, userCwd(env, Deno.cwd()));
    if (o === "help") {
      console.log(USAGE);
      return 0;
    }
    const base = { what: "luxd", pkg: LUXD_PACKAGE, cgo: true, env, note: eprint } as const;
    const done = (out: string) => {
      eprint(`build: run parsd with --luxd ${out} (or PARS_LUXD=${out})`);
      return 0;
    };

    if (o.srcDir !== undefined) {
      const out = o.out ?? cachedLuxdPath(env, "local");
      const r = await withInterruptCleanup(() =>
        buildGoBinary({ ...base, out, srcDir: o.srcDir! })
      );
      console.log(builtLine("luxd", r));
      return done(out);
    }

    const failures: LuxdFailure[] = [];
    for (const version of o.versions) {
      const out = o.out ?? cachedLuxdPath(env, version);
      if (o.out === undefined && !o.force && await isExecutableFile(out)) {
        console.log(`cached luxd ${version} ${out} sha256 ${await sha256File(out)}`);
        return done(out);
      }
      try {
        const r = await withInterruptCleanup(() =>
          buildGoBinary({ ...base, what: `luxd ${version}`, out, module: LUXD_MODULE, version })
        );
        console.log(builtLine(`luxd ${r.version ?? version}`, r));
        return done(out);
      } catch (error) {
        if (
          !(error instanceof BuildError) ||
          error.exitCode === BUILD_EXIT.noGo || error.exitCode === BUILD_EXIT.usage
        ) throw error;
        for (const d of error.details) eprint(d);
        eprint(`build: luxd ${version}: ${error.message}`);
        failures.push({ version, exitCode: error.exitCode, message: error.message });
      }
    }
    throw summarizeFailures(failures);
  } catch (error) {
    const code = reportError(error, eprint);
    if (error instanceof BuildError && error.exitCode === BUILD_EXIT.usage) {
      eprint("build: run with --help for usage");
    }
    return code;
  }
}

if (import.meta.main) Deno.exit(await buildLuxd(Deno.args));
