/**
 * @module
 * `parsd run` (the default): check everything, then — holding the data
 * dir's lock — make dirs and links and start luxd, forwarding signals and
 * returning luxd's exit code. `--dry-run` prints the plan and changes nothing.
 */

import type { ParsedArgs } from "../args.ts";
import { gatherFacts } from "../../start/facts.ts";
import { assess, failureOf } from "../../start/plan.ts";
import { apply } from "../../start/apply.ts";
import { makeDirs } from "../../data_dir/create.ts";
import { launch } from "../../luxd/launch.ts";
import type { System } from "../../os/system.ts";
import { loadContext } from "../context.ts";
import { takeLock } from "../../data_dir/lock.ts";

/** Runs luxd for Pars; returns luxd's exit code (128+n for signal n), or parsd's own. */
export async function command(sys: System, args: ParsedArgs): Promise<number> {
  const dryRun = args.flags["dry-run"] === true;
  const { settings: s } = await loadContext(sys, args);
  let lock: { announce(): Promise<void>; release(): void } | undefined;
  try {
    // A second parsd on this data dir is refused before it touches anything.
    const existing = await sys.stat(s.dataDir).catch(() => undefined);
    if (!dryRun && existing?.isDirectory) lock = await takeLock(sys, s.dataDir);
    const facts = await gatherFacts(sys, s, lock !== undefined);
    const { checks, plan } = assess(s, facts, args.passthrough);
    const failure = failureOf(checks);
    if (failure !== undefined || plan === undefined) throw failure;
    sys.err(plan.warnings.map((w) => `parsd: warning: ${w}\n`).join(""));
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
    return await launch(sys, { luxd: plan.luxd.path, args: plan.args, graceMs: s.shutdownGraceMs });
  } finally {
    lock?.release();
  }
}
