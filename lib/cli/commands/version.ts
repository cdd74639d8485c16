/**
 * @module
 * `parsd version`: parsd's, Deno's and luxd's versions. A config problem is
 * reported, not hidden behind "luxd not found".
 */

import type { ParsedArgs } from "../args.ts";
import { ParsdError } from "../../errors.ts";
import { envOf, searchEnvs } from "../../os/env.ts";
import { findLuxd } from "../../luxd/find.ts";
import type { System } from "../../os/system.ts";
import { VERSION } from "../version.ts";
import { loadContext } from "../context.ts";

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
  const out = await sys.output(luxd, ["--version"], 5000);
  const line = out?.stdout.split("\n")[0]?.trim();
  sys.out(`luxd: ${line ? line : "(no version output)"} (${luxd})\n`);
  return 0;
}
