/**
 * @module
 * What the OS lets luxd be started with. execve(2) refuses an argument or
 * environment string holding a NUL byte (Deno: `nul byte found in provided
 * data`), any one string of {@linkcode MAX_ARG_STRLEN} bytes or more, and an
 * argv plus environment over `ARG_MAX` (`Argument list too long`, E2BIG).
 * Linux counts the program's path, every argument and every environment
 * string with its NUL, plus one pointer per argument and environment string,
 * against ARG_MAX (a quarter of the stack limit, at least 128 KiB and at
 * most 6 MiB). parsd checks all of it before it makes a link, so that doctor
 * and run refuse what the spawn would, with the input to fix.
 *
 * {@linkcode SPAWN_LIMITS_QUERY} asks the system (`getconf ARG_MAX`) and
 * measures the environment luxd inherits (`env | wc -lc`: Deno grants parsd
 * only the variables it reads by name, so it cannot list them itself).
 */

import { MAX_ARG_STRLEN } from "../node/chain_config_files.ts";

export { MAX_ARG_STRLEN };

/** How parsd asks for ARG_MAX and the size of the environment a program it starts inherits. */
export const SPAWN_LIMITS_QUERY = {
  path: "/bin/sh",
  args: ["-c", "getconf ARG_MAX; env | wc -lc"],
} as const;

/**
 * Below this many bytes of luxd arguments parsd does not ask the system
 * (three programs a start): the environment parsd itself was started with
 * fits ARG_MAX together with parsd's own command line, so luxd's fits too
 * unless that environment alone is within this much of ARG_MAX.
 */
export const SMALL_ARGV_BYTES = 32 << 10;

/** The least ARG_MAX Linux has (32 pages): the bound parsd assumes when getconf does not say. */
export const SAFE_ARG_MAX = 131072;

/** The most Linux allows whatever the stack limit: 3/4 of its 8 MiB stack default. */
export const LINUX_ARG_MAX_CAP = 6 << 20;

/** Room left for what the count cannot see (the shell's own variables, alignment). */
export const SPAWN_MARGIN_BYTES = 4096;

/** What the system said. */
export interface SpawnLimits {
  /** ARG_MAX in bytes, from getconf (capped as Linux caps it), or the safe bound. */
  readonly argMax: number;
  /** Whether `argMax` came from getconf. */
  readonly measured: boolean;
  /** Not asked: luxd's command line is small (see {@linkcode SMALL_ARGV_BYTES}). */
  readonly small?: true;
  /** The environment's size (each `NAME=value` with its end), when it could be measured. */
  readonly env?: { readonly bytes: number; readonly count: number };
}

/** Reads {@linkcode SPAWN_LIMITS_QUERY}'s output; `undefined` output gives the safe bound. */
export function parseSpawnLimits(stdout: string | undefined, os: string): SpawnLimits {
  const lines = (stdout ?? "").trim().split("\n");
  const argMax = /^\d+$/.test(lines[0]?.trim() ?? "") ? Number(lines[0]) : undefined;
  const counts = /^\s*(\d+)\s+(\d+)\s*$/.exec(lines[1] ?? "");
  const env = counts ? { count: Number(counts[1]), bytes: Number(counts[2]) } : undefined;
  const capped = argMax === undefined
    ? SAFE_ARG_MAX
    : os === "linux"
    ? Math.min(argMax, LINUX_ARG_MAX_CAP)
    : argMax;
  return { argMax: capped, measured: argMax !== undefined, ...(env ? { env } : {}) };
}

/** One argument of luxd's argv and where it came from, for the message. */
export interface ArgOrigin {
  /** `config` (config.json's luxd-args), `command line` (luxd flags given to parsd), or `parsd`. */
  readonly from: "config" | "command line" | "parsd";
  /** How to name it: `'luxd-args' entry 3`, `luxd flag 2`, `--chain-config-content`. */
  readonly name: string;
}

/** A problem with luxd's argv, and whose input it is. */
export interface SpawnProblem {
  readonly from: ArgOrigin["from"];
  readonly text: string;
}

const utf8 = new TextEncoder();
const bytes = (s: string) => utf8.encode(s).length;
const POINTER = 8;

/**
 * The total execve(2) counts against ARG_MAX: the path (copied once as the
 * file name, once as argv[0]), each argument and environment string with
 * its NUL, and a pointer for each of argv and the environment.
 */
export function argvBytes(path: string, args: readonly string[], limits: SpawnLimits): number {
  const argv = [path, ...args];
  const strings = bytes(path) + 1 + argv.reduce((n, a) => n + bytes(a) + 1, 0);
  const env = limits.env ?? { bytes: 0, count: 0 };
  return strings + env.bytes + POINTER * (argv.length + env.count);
}

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

/**
 * Every reason the OS would refuse to start `path` with `args` (pure).
 *
 * @param origin names argument `i` (its input) for the messages.
 */
export function spawnProblems(
  path: string,
  args: readonly string[],
  limits: SpawnLimits,
  origin: (i: number) => ArgOrigin,
): SpawnProblem[] {
  const problems: SpawnProblem[] = [];
  args.forEach((arg, i) => {
    const o = origin(i);
    const shown = JSON.stringify(arg.length > 40 ? arg.slice(0, 40) + "…" : arg);
    if (arg.includes("\0")) {
      problems.push({
        from: o.from,
        text: `${o.name} ${shown} holds a NUL byte, which no program argument can carry; remove it`,
      });
    }
    const n = bytes(arg);
    if (n >= MAX_ARG_STRLEN) {
      problems.push({
        from: o.from,
        text:
          `${o.name} ${shown} is ${n} bytes; the OS refuses any one argument of ${MAX_ARG_STRLEN} bytes or more (MAX_ARG_STRLEN); shorten it`,
      });
    }
  });
  const total = argvBytes(path, args, limits);
  if (total + SPAWN_MARGIN_BYTES > limits.argMax) {
    const env = limits.env ? `, the environment ${kib(limits.env.bytes)}` : "";
    const where = limits.measured
      ? "this system's ARG_MAX (getconf ARG_MAX)"
      : "the least ARG_MAX Linux has (getconf did not say)";
    problems.push({
      from: args.some((_, i) => origin(i).from === "config") ? "config" : "command line",
      text: `luxd's command line would be ${
        kib(total)
      } (its ${args.length} arguments${env}), more than ${where}, ${
        kib(limits.argMax)
      }, allows with a ${
        kib(SPAWN_MARGIN_BYTES)
      } margin; shorten 'luxd-args' in config.json, the luxd flags given, or the environment`,
    });
  }
  return problems;
}

/** The limits assumed, unasked, for a small command line (see {@linkcode SMALL_ARGV_BYTES}). */
export const SMALL_ARGV_LIMITS: SpawnLimits = {
  argMax: SAFE_ARG_MAX,
  measured: false,
  small: true,
};

/** Whether arguments this long (bytes, with their NULs) need the system asked. */
export const needsSpawnQuery = (argBytes: number): boolean => argBytes >= SMALL_ARGV_BYTES;
