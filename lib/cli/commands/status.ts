/**
 * @module
 * `parsd status [--json]`: asks the running node, over loopback only, for
 * its health, NodeID, version and whether P, X, C and the configured Pars
 * chains are bootstrapped. Exit 0 healthy, 75 answering but not ready, 69
 * nothing answering: usable as a service health probe.
 */

import type { ParsedArgs } from "../args.ts";
import { PermissionError, UsageError } from "../../errors.ts";
import { PLUGIN_NAMES, PLUGINS } from "../../network/pars.ts";
import { formatStatusLines, queryStatus, statusExitCode, statusJson } from "../../node/status.ts";
import type { System } from "../../os/system.ts";
import { loadContext } from "../context.ts";

/**
 * Deno refusing parsd the network (it runs without the permission set that
 * grants loopback) as a parsd error (77) with the fix, not Deno's own words.
 */
export function deniedError(error: unknown, port: number): unknown {
  if (!(error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied)) {
    return error;
  }
  return new PermissionError(
    `status: Deno denied parsd network access to 127.0.0.1:${port}: parsd runs without its permission set (which grants loopback); run the installed 'parsd', a released binary, or 'deno task start status'`,
    { cause: error },
  );
}

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
  }).catch((error) => {
    throw deniedError(error, s.httpPort);
  });
  if (args.flags["json"] === true) sys.out(statusJson(report) + "\n");
  else sys.out(formatStatusLines(report).map((l) => l + "\n").join(""));
  return statusExitCode(report);
}
