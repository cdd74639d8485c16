/**
 * @module
 * Probing a luxd: run it with `--version-json` (or `--version`) and
 * `--help` through a runner the caller hands in, and learn its version,
 * plugin protocol and flags. Nothing here touches the OS itself.
 */

import { parseLuxdHelp, type SerialisedFlagSet, serialiseFlagSet } from "./help_text.ts";
import { parseLuxdVersion, parseLuxdVersionJson } from "./version.ts";

/** What {@linkcode probeLuxd} learned, in a shape that can be cached as JSON. */
export interface ProbeResult {
  /** luxd's version, e.g. `1.13.4`. */
  readonly version: string;
  /** luxd's plugin protocol version. */
  readonly rpcchainvm: number;
  /** The application string, e.g. `node/1.13.4`, when luxd printed one. */
  readonly application?: string;
  /** The flags, for {@linkcode deserialiseFlagSet}. */
  readonly flags: SerialisedFlagSet;
  /** Whether this came from running luxd now or from a cache. */
  readonly source: "probe" | "cache";
}

/** What a run of luxd gave back. */
export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `path` with `args` and collects its output; resolves undefined if
 * it did not finish within `timeoutMs` (the runner must then kill it). It
 * may reject if the file cannot be executed at all.
 */
export type ProbeRunner = (
  path: string,
  args: readonly string[],
  timeoutMs: number,
) => Promise<RunResult | undefined>;

/** How long one probe run may take. A real luxd answers in about 0.04 s. */
export const PROBE_TIMEOUT_MS = 10_000;

/**
 * Learns a luxd's version, plugin protocol and flags by running it with
 * `--version-json` (falling back to `--version`) and `--help` (read from
 * stderr, where luxd prints it, or else stdout).
 *
 * @throws {Error} saying which run failed and how (could not start, timed
 *   out, printed no version or no flags), with the runner's error as
 *   `cause`. Every failure of one probe is reported at once.
 */
export async function probeLuxd(
  path: string,
  run: ProbeRunner,
  timeoutMs: number = PROBE_TIMEOUT_MS,
): Promise<ProbeResult> {
  const attempt = async (arg: string): Promise<RunResult | undefined> => {
    try {
      return await run(path, [arg], timeoutMs);
    } catch (error) {
      throw new Error(
        `cannot probe luxd at ${path}: '${arg}' could not run: ${(error as Error).message}`,
        { cause: error },
      );
    }
  };
  const [json, help] = await Promise.all([attempt("--version-json"), attempt("--help")]);
  let version = json?.code === 0 ? parseLuxdVersionJson(json.stdout) : undefined;
  let plain: RunResult | undefined;
  if (version === undefined) {
    plain = await attempt("--version");
    version = plain === undefined
      ? undefined
      : parseLuxdVersion(plain.stdout) ?? parseLuxdVersion(plain.stderr);
  }
  let flags = help === undefined ? new Map() : parseLuxdHelp(help.stderr);
  if (flags.size === 0 && help !== undefined) flags = parseLuxdHelp(help.stdout);

  const problems: string[] = [];
  const seconds = `${timeoutMs / 1000} s`;
  const told = (arg: string, r: RunResult | undefined) => {
    if (r === undefined) return `'${arg}' did not finish within ${seconds}`;
    const first = (r.stderr.trim() || r.stdout.trim()).split("\n")[0]!.slice(0, 160);
    return `'${arg}' exited ${r.code}${first === "" ? " printing nothing" : `: ${first}`}`;
  };
  if (version === undefined) {
    problems.push(
      `printed no version such as 'node/1.13.4 [database=v1.4.5, rpcchainvm=43, …]' ` +
        `(${told("--version-json", json)}; ${told("--version", plain)})`,
    );
  }
  if (flags.size === 0) {
    problems.push(`listed no flags for '--help' (${told("--help", help)})`);
  }
  if (version === undefined || flags.size === 0) {
    throw new Error(
      `cannot probe luxd at ${path}: it ${problems.join(", and it ")}; is it a luxd binary?`,
    );
  }
  return {
    version: version.version,
    rpcchainvm: version.rpcchainvm,
    ...(version.application === undefined ? {} : { application: version.application }),
    flags: serialiseFlagSet(flags),
    source: "probe",
  };
}
