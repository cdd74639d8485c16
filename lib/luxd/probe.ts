/**
 * @module
 * Probing a luxd: run it with `--version-json` (or `--version`) and
 * `--help` through a runner the caller hands in, and learn its version,
 * plugin protocol and flags. Nothing here touches the OS itself.
 */

import type { NoAnswer } from "../os/bounded_output.ts";
import { printable } from "../printable.ts";
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
 * Runs `path` with `args` and collects its output, or says why it gave no
 * answer (could not start, did not finish within `timeoutMs`: the runner
 * must then have ended it and its children). It may reject if the file
 * cannot be executed at all.
 */
export type ProbeRunner = (
  path: string,
  args: readonly string[],
  timeoutMs: number,
) => Promise<RunResult | NoAnswer>;

/**
 * How long one luxd probe run (`--version-json`, `--version`, `--help`) may
 * take: the one timeout for asking luxd about itself, in doctor, run and
 * version. A real luxd answers in about 0.04 s.
 */
export const LUXD_PROBE_TIMEOUT_MS = 5_000;

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
  timeoutMs: number = LUXD_PROBE_TIMEOUT_MS,
): Promise<ProbeResult> {
  const attempt = async (arg: string): Promise<RunResult | NoAnswer> => {
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
  let version = "code" in json && json.code === 0 ? parseLuxdVersionJson(json.stdout) : undefined;
  // A program that cannot be started once will not start for '--version' either.
  let plain: RunResult | NoAnswer | undefined;
  if (version === undefined && !("failure" in json && json.failure === "not-started")) {
    plain = await attempt("--version");
    version = "failure" in plain
      ? undefined
      : parseLuxdVersion(plain.stdout) ?? parseLuxdVersion(plain.stderr);
  }
  let flags = "failure" in help ? new Map() : parseLuxdHelp(help.stderr);
  if (flags.size === 0 && !("failure" in help)) flags = parseLuxdHelp(help.stdout);

  const problems: string[] = [];
  const told = (arg: string, r: RunResult | NoAnswer) => {
    if ("failure" in r) return `'${arg}' ${r.reason}`;
    const first = printable((r.stderr.trim() || r.stdout.trim()).split("\n")[0]!.slice(0, 160));
    return `'${arg}' exited ${r.code}${first === "" ? " printing nothing" : `: ${first}`}`;
  };
  if (version === undefined) {
    const asked = plain === undefined
      ? told("--version-json", json)
      : `${told("--version-json", json)}; ${told("--version", plain)}`;
    problems.push(
      `printed no version such as 'node/1.13.4 [database=v1.4.5, rpcchainvm=43, …]' (${asked})`,
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
