/**
 * @module
 * How the bench measures one process: run to completion through the
 * script's `sys.run` under `/usr/bin/time -f %M` (wall time as the bench
 * sees it; peak RSS from the kernel), or with VmHWM polled where GNU time is
 * missing; a failed run is a SoftwareError (70) with its stderr's tail.
 */

import { SoftwareError } from "../lib/errors.ts";
import { delimiter, join } from "../lib/os/path.ts";
import type { Sample } from "./bench_report.ts";
import { type ScriptSystem, tailLines } from "./kit.ts";
import type { EnvVars } from "./run.ts";

/** One finished child: its sample and stdout. */
export interface Run extends Sample {
  readonly stdout: string;
}

/** Where peak RSS comes from when it can: the kernel's rusage, through GNU time. */
export const TIME = "/usr/bin/time";

/** Whether anything is at `path`. */
export const exists = (path: string): Promise<boolean> =>
  Deno.stat(path).then(() => true, () => false);

/** The first `name` on the PATH in `path`, or `undefined`. */
export async function which(path: string | undefined, name: string): Promise<string | undefined> {
  for (const dir of (path ?? "").split(delimiter)) {
    if (dir !== "" && await exists(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** The peak RSS of a running process, from `/proc/<pid>/status` (VmHWM), in bytes. */
async function vmHwm(pid: number): Promise<number | undefined> {
  const text = await Deno.readTextFile(`/proc/${pid}/status`).catch(() => "");
  const m = /VmHWM:\s+(\d+) kB/.exec(text);
  return m ? Number(m[1]) * 1024 : undefined;
}

/** How to measure: the script's seam, and where peak RSS comes from. */
export interface Meter {
  readonly sys: ScriptSystem;
  /** `/usr/bin/time -f %M` is there (exact: the kernel's rusage); else VmHWM is polled. */
  readonly useTime: boolean;
  /** Where `/usr/bin/time` writes. */
  readonly tmp: string;
}

/** Where and with what a measured child runs: parsd and the floor run in the repo, with `env` only. */
export interface RunIn {
  readonly cwd?: string;
  readonly env?: EnvVars;
}

/**
 * Runs a program to completion through `sys.run` and measures it. Peak RSS
 * comes from `/usr/bin/time -f %M` when present, else from polling VmHWM
 * every 5 ms (a close lower bound).
 *
 * @throws {SoftwareError} (70) with the tail of its stderr if the program fails.
 */
export async function measure(
  m: Meter,
  cmd: string,
  args: readonly string[],
  o: RunIn = {},
): Promise<Run> {
  const rssFile = join(m.tmp, "rss.txt");
  const [program, argv] = m.useTime
    ? [TIME, ["-f", "%M", "-o", rssFile, cmd, ...args]]
    : [cmd, [...args]];
  let polled: number | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  const start = performance.now();
  try {
    const r = await m.sys.run({
      cmd: program,
      args: argv,
      ...(o.cwd !== undefined ? { cwd: o.cwd } : {}),
      ...(o.env !== undefined ? { env: o.env, clearEnv: true } : {}),
      onSpawn: (pid) => {
        if (m.useTime) return;
        timer = setInterval(async () => {
          const v = await vmHwm(pid);
          if (v !== undefined) polled = Math.max(polled ?? 0, v);
        }, 5);
      },
    });
    const ms = performance.now() - start;
    if (r.code !== 0) {
      throw new SoftwareError(
        `${cmd} ${args.join(" ")} failed (exit ${r.code}); its last lines are above`,
        { details: tailLines(r.stderr, 15).map((l) => `  ${l}`) },
      );
    }
    let rss = polled;
    if (m.useTime) {
      const kb = Number((await Deno.readTextFile(rssFile)).trim().split("\n").pop());
      rss = Number.isFinite(kb) ? kb * 1024 : undefined;
    }
    return { ms, rss, stdout: r.stdout };
  } finally {
    clearInterval(timer);
  }
}
