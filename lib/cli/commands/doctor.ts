/**
 * @module
 * `parsd doctor`: every check `run` makes, one line each, starting nothing.
 * It shares `assess()` with `run`, so it says ready exactly when `run` would
 * start luxd, and exits with the code `run` would fail with.
 */

import type { ParsedArgs } from "../args.ts";
import { ParsdError } from "../../errors.ts";
import { gatherFacts } from "../../start/facts.ts";
import { assess, type Check, exitCodeOfChecks } from "../../start/plan.ts";
import type { System } from "../../os/system.ts";
import { type Context, loadContext } from "../context.ts";

const line = (c: Pick<Check, "state" | "name" | "detail">) =>
  `${c.state.padEnd(5)}${c.name.padEnd(18)}${c.detail}\n`;

/** Prints the checks and a final `ready` line. */
export async function command(sys: System, args: ParsedArgs): Promise<number> {
  let ctx: Context;
  try {
    ctx = await loadContext(sys, args);
  } catch (error) {
    if (!(error instanceof ParsdError)) throw error;
    for (const p of error.problems) sys.out(line({ state: "FAIL", name: "config", detail: p }));
    sys.out(line({ state: "FAIL", name: "ready", detail: "fix the lines above" }));
    return error.exitCode;
  }
  const s = ctx.settings;
  sys.out(line({
    state: "ok",
    name: "config",
    detail: s.configFound ? s.configPath : `${s.configPath} (absent; defaults apply)`,
  }));
  const { checks, plan } = assess(s, await gatherFacts(sys, s, false), args.passthrough);
  for (const c of checks) sys.out(line(c));
  for (const w of plan?.warnings ?? []) sys.out(line({ state: "warn", name: "run", detail: w }));
  const code = exitCodeOfChecks(checks);
  sys.out(line({
    state: code === 0 ? "ok" : "FAIL",
    name: "ready",
    detail: code === 0 ? "parsd run can start luxd" : "fix the lines above",
  }));
  return code;
}
