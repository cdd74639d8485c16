/**
 * @module
 * `parsd version`: parsd's, Deno's and luxd's versions. A config problem is
 * reported, not hidden behind "luxd not found"; a luxd another user could
 * change is named, not run.
 */

import type { ParsedArgs } from "../args.ts";
import { ParsdError } from "../../errors.ts";
import { envOf, searchEnvs } from "../../os/env.ts";
import { findLuxd } from "../../luxd/find.ts";
import { LUXD_PROBE_TIMEOUT_MS } from "../../luxd/probe.ts";
import { answered } from "../../os/bounded_output.ts";
import { printable } from "../../printable.ts";
import type { System } from "../../os/system.ts";
import { VERSION } from "../version.ts";
import { loadContext } from "../context.ts";
import { trustProblems } from "../../plugins/sealed.ts";

/** Prints the versions; exits 0 even when luxd is missing, and the config's code when it is broken. */
export async function command(sys: System, args: ParsedArgs): Promise<number> {
  sys.out(`parsd ${VERSION} (deno ${Deno.version.deno}, ${Deno.build.target})\n`);
  const ctx = await loadContext(sys, args);
  let luxd: string;
  try {
    luxd = await findLuxd(ctx.settings.luxd, searchEnvs(envOf(sys)).luxd, sys);
  } catch (error) {
    if (!(error instanceof ParsdError)) throw error;
    sys.out(`luxd: not found (${error.problems[0]})\n`);
    return 0;
  }
  // Never run a luxd another user could have put there (as run and doctor refuse it).
  const unsafe = await trustProblems(sys, luxd, sys.os === "windows" ? null : sys.uid());
  if (unsafe.length > 0) {
    sys.out(`luxd: not run: ${printable(unsafe[0]!)}\n`);
    return 0;
  }
  const out = await sys.output(luxd, ["--version"], LUXD_PROBE_TIMEOUT_MS);
  const line = answered(out) ? out.stdout.split("\n")[0]?.trim() : undefined;
  const said = line
    ? printable(line)
    : answered(out)
    ? "(no version output)"
    : `(it ${out.reason})`;
  sys.out(`luxd: ${said} (${luxd})\n`);
  return 0;
}
