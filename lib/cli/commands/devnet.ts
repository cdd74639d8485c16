/**
 * @module
 * `parsd devnet up | status | down`: a real local Pars network of N
 * validators, each node a `parsd run` of its own, in a directory of its own
 * (`~/.pars-devnet` unless `--dir`). `up` runs in the foreground; `status`
 * and `down` work from another terminal. See `docs/devnet.md`.
 */

import type { ParsedArgs } from "../args.ts";
import { UsageError } from "../../errors.ts";
import type { System } from "../../os/system.ts";
import { homeOf, userCwd } from "../../os/env.ts";
import { Invalid } from "../option_parsers.ts";
import { OPTIONS } from "../options.ts";
import { configFacts, loadContext } from "../context.ts";
import { resolveSettings } from "../config.ts";
import { defaultDevnetDir, devnetLayout } from "../../devnet/layout.ts";
import { prepareUp } from "../../devnet/up.ts";
import { runDevnet } from "../../devnet/foreground.ts";
import { selfCommand } from "../../devnet/self.ts";
import { printStatus, stopDevnet } from "../../devnet/control.ts";

/** The devnet actions, and the flags only `up` takes. */
const ACTIONS = ["up", "status", "down"] as const;
const UP_ONLY = ["nodes", "reset", "chain-id", "trust-unpinned"] as const;

/** How much longer than a node's shutdown grace `down` waits for the devnet to stop. */
const DOWN_MARGIN_MS = 15_000;

/** Parses one of the devnet's own flags with its row's parser; `undefined` when absent. */
function flagValue<T>(
  sys: System,
  args: ParsedArgs,
  name: "nodes" | "dir" | "chain-id",
  problems: string[],
): T | undefined {
  const raw = args.flags[name];
  if (raw === undefined) return undefined;
  const v = OPTIONS[name].parse(raw, { base: userCwd(sys), home: homeOf(sys) });
  if (v instanceof Invalid) {
    problems.push(`--${name} ${JSON.stringify(raw)}: ${v.reason}`);
    return undefined;
  }
  return v as T;
}

/** Runs one devnet action; returns its exit code. */
export async function command(sys: System, args: ParsedArgs): Promise<number> {
  const [action, ...rest] = args.positionals;
  if (!ACTIONS.includes(action as typeof ACTIONS[number])) {
    throw new UsageError(
      action === undefined
        ? "'parsd devnet' needs an action: up, status or down"
        : `unknown devnet action '${action}'; expected up, status or down`,
    );
  }
  const problems: string[] = rest.length > 0
    ? [`'parsd devnet ${action}' takes no arguments, got '${rest[0]}'`]
    : [];
  if (action !== "up") {
    for (const f of UP_ONLY) {
      if (f in args.flags) problems.push(`--${f} is an option of 'parsd devnet up' only`);
    }
  }
  if (action !== "status" && "json" in args.flags) {
    problems.push("--json is an option of 'parsd devnet status' only");
  }
  const nodes = flagValue<number>(sys, args, "nodes", problems);
  const chainId = flagValue<number>(sys, args, "chain-id", problems);
  const dir = flagValue<string>(sys, args, "dir", problems) ?? defaultDevnetDir(homeOf(sys));
  if (problems.length > 0) throw new UsageError(problems);
  const l = devnetLayout(dir);

  if (action === "status") return await printStatus(sys, l, args.flags["json"] === true);
  const { settings } = await loadContext(sys, args);
  if (action === "down") return await stopDevnet(sys, l, settings.shutdownGraceMs + DOWN_MARGIN_MS);

  const trustUnpinned = args.flags["trust-unpinned"] === true;
  const self = await selfCommand(sys, Deno.build.standalone);
  const prepared = await prepareUp(sys, {
    dir,
    ...(nodes !== undefined ? { nodes } : {}),
    ...(chainId !== undefined ? { chainId } : {}),
    reset: args.flags["reset"] === true,
    trustUnpinned,
    settings,
    resolve: (flags, text) => resolveSettings({ ...configFacts(sys, args), flags }, text),
  });
  return await runDevnet(sys, prepared, { self, trustUnpinned });
}
