/**
 * @module
 * `parsd status [--json]`: asks the running node, over loopback only, for
 * its health, NodeID, version and whether P, X, C and the configured Pars
 * chains are bootstrapped. Exit 0 healthy, 75 answering but not ready, 69
 * nothing answering: usable as a service health probe.
 */

import type { ParsedArgs } from "../args.ts";
import { UsageError } from "../../errors.ts";
import { PLUGIN_NAMES, PLUGINS } from "../../network/pars.ts";
import { formatStatusLines, queryStatus, statusExitCode, statusJson } from "../../node/status.ts";
import type { System } from "../../os/system.ts";
import { loadContext } from "../context.ts";

/** How long the whole status query may take. */
export const STATUS_TIMEOUT_MS = 5_000;

/** Prints the node's status; returns 0, 75 or 69. */
export async function command(sys: System, args: ParsedArgs): Promise<number> {
  if (args.positionals.length > 0) {
    throw new UsageError(`'parsd status' takes no arguments, got '${args.positionals[0]}'`);
  }
  const { settings: s } = await loadContext(sys, args);
  // Pars chains named in config.json (a default alias such as S may not exist on the node).
  const chains = PLUGIN_NAMES.map((n) => s.chains[n].id).filter((id, i) =>
    id !== PLUGINS[PLUGIN_NAMES[i]!].defaultChain
  );
  const report = await queryStatus({
    host: "127.0.0.1",
    port: s.httpPort,
    timeoutMs: STATUS_TIMEOUT_MS,
    chains,
    fetch: (input, init) => sys.fetch(String(input), init),
  });
  if (args.flags["json"] === true) sys.out(statusJson(report) + "\n");
  else sys.out(formatStatusLines(report).map((l) => l + "\n").join(""));
  return statusExitCode(report);
}
