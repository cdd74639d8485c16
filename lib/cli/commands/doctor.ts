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
import { printable, shownProblems } from "../problem_lines.ts";

/** One check line; a detail holding a newline (a path, say) cannot break it. */
const line = (c: Pick<Check, "state" | "name" | "detail">) =>
  `${c.state.padEnd(5)}${c.name.padEnd(18)}${printable(c.detail)}\n`;

/** The checks to print: of one check's FAIL lines, at most a screenful, then a count. */
function shownChecks(checks: readonly Check[]): Pick<Check, "state" | "name" | "detail">[] {
  const out: Pick<Check, "state" | "name" | "detail">[] = [];
  for (let i = 0; i < checks.length;) {
    const c = checks[i]!;
    let j = i;
    while (j < checks.length && checks[j]!.name === c.name && checks[j]!.state === c.state) j++;
    const details = shownProblems(checks.slice(i, j).map((x) => x.detail));
    out.push(...details.map((detail) => ({ state: c.state, name: c.name, detail })));
    i = j;
  }
  return out;
}

/** Prints the checks and a final `ready` line. */
export async function command(sys: System, args: ParsedArgs): Promise<number> {
  let ctx: Context;
  try {
    ctx = await loadContext(sys, args);
  } catch (error) {
    if (!(error instanceof ParsdError)) throw error;
    for (const p of shownProblems(error.problems)) {
      sys.out(line({ state: "FAIL", name: "config", detail: p }));
    }
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
  for (const c of shownChecks(checks)) sys.out(line(c));
  for (const w of plan?.warnings ?? []) sys.out(line({ state: "warn", name: "run", detail: w }));
  const code = exitCodeOfChecks(checks);
  sys.out(line({
    state: code === 0 ? "ok" : "FAIL",
    name: "ready",
    detail: code === 0 ? "parsd run can start luxd" : "fix the lines above",
  }));
  return code;
}
