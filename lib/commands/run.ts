/**
 * @module
 * `parsd run` (the default): check everything, then — holding the data
 * dir's lock — make dirs and links and start luxd, forwarding signals and
 * returning luxd's exit code. `--dry-run` prints the plan and changes nothing.
 */

import type { ParsedArgs } from "../args.ts";
import { LuxdNotExecutableError, LuxdNotFoundError } from "../errors.ts";
import { gatherFacts } from "../facts.ts";
import { assess, failureOf } from "../plan.ts";
import { apply } from "../apply.ts";
import { makeDirs } from "../create.ts";
import { exitCodeFor, forwardedSignals, forwardSignals } from "../signals.ts";
import type { ChildProcess, System } from "../system.ts";
import { loadContext } from "./context.ts";
import { takeLock } from "./lock.ts";

/** Runs luxd for Pars; returns luxd's exit code (128+n for signal n), or parsd's own. */
export async function command(sys: System, args: ParsedArgs): Promise<number> {
  const { settings: s } = await loadContext(sys, args);
  const dryRun = args.flags["dry-run"] === true;
  const debugPermissions = sys.env("PARSD_DEBUG_PERMISSIONS") === "1";
  let lock: { announce(): Promise<void>; release(): void } | undefined;
  try {
    // A second parsd on this data dir is refused before it touches anything.
    const existing = await sys.stat(s.dataDir).catch(() => undefined);
    if (!dryRun && existing?.isDirectory) lock = await takeLock(sys, s.dataDir);
    const facts = await gatherFacts(sys, s, lock !== undefined);
    const { checks, plan } = assess(s, facts, args.passthrough);
    const failure = failureOf(checks);
    if (failure !== undefined || plan === undefined) throw failure;
    for (const w of plan.warnings) sys.err(`parsd: warning: ${w}\n`);
    if (dryRun) {
      sys.out(JSON.stringify(plan, null, 2) + "\n");
      return 0;
    }
    if (lock === undefined) {
      await makeDirs(sys, [s.dataDir]);
      lock = await takeLock(sys, s.dataDir);
    }
    await lock.announce();
    for (const line of await apply(sys, plan, facts)) sys.err(`parsd: ${line}\n`);
    sys.err(
      `parsd: starting ${plan.luxd.path} (luxd ${plan.luxd.version}, network ${s.networkId}, data dir ${s.dataDir})\n`,
    );
    const child = start(sys, plan.luxd.path, plan.args);
    const stop = forwardSignals(child, sys.signals, {
      signals: forwardedSignals(sys.os),
      graceMs: s.shutdownGraceMs,
      log: (m) => sys.err(`parsd: ${m}\n`),
    });
    try {
      const states = await sys.dropPermissions();
      if (debugPermissions) {
        sys.err(
          `parsd: debug: permissions after spawn: ${
            Object.entries(states).map(([k, v]) => `${k}=${v}`).join(" ")
          }\n`,
        );
      }
      return exitCodeFor(await child.status);
    } finally {
      stop();
    }
  } finally {
    lock?.release();
  }
}

function start(sys: System, luxd: string, args: readonly string[]): ChildProcess {
  try {
    return sys.spawn(luxd, args);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new LuxdNotFoundError(`luxd ${luxd} vanished before it could start`);
    }
    if (error instanceof Deno.errors.PermissionDenied) {
      throw new LuxdNotExecutableError(`luxd ${luxd} cannot be executed: permission denied`);
    }
    throw error;
  }
}
