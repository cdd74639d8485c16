/**
 * @module
 * The node bench: what parsd costs a real node. In one run it starts the
 * end-to-end node (avalanchego 1.13.5 with subnet-evm v0.7.9 and a stand-in
 * SessionVM, see `scripts/real_node.ts`) alternately under parsd and by hand
 * with the very argv `parsd --dry-run` prints, on the same data dir (its
 * databases, keys and verification cache made by a first start), and
 * reports medians of `--reps` rounds (default 3) as ratios:
 *
 * - time to healthy: spawn until `GET /ext/health` says `"healthy": true`
 *   (polled every 50 ms); under parsd this includes Deno's start, every
 *   check, the cached verification and the lock;
 * - shutdown: SIGTERM (to parsd, or to the node by hand) until exit;
 * - peak memory: VmHWM of parsd's own process and of the node's, read from
 *   `/proc/<pid>/status` just before the SIGTERM.
 *
 * ```sh
 * deno run --allow-all scripts/bench_node.ts [--reps N]
 * ```
 *
 * It skips cleanly (prints `node bench: skipped: <reason>`, exit 0) where the
 * binaries cannot be had: no Go, the module proxy refuses or cannot be
 * reached, or not Linux. Exit codes (lib's `ExitCode`): 0 report printed or
 * skipped; 64 usage; 70 a run failed (its output tail is shown); 130/143
 * interrupted (the node is stopped and the temp dir removed).
 */

import { ExitCode, SoftwareError } from "../lib/errors.ts";
import { EVM_PLUGIN_FD_LIMIT } from "../lib/network/pars.ts";
import {
  hardNofile,
  healthy,
  makeSite,
  realNode,
  type Running,
  settleCtimes,
  type Site,
  startByHand,
  startParsd,
  vmHwm,
  waitUntil,
} from "./real_node.ts";
import { noMorePositional, parseFlags, positiveInt } from "./flags.ts";
import { denoScriptSystem, interruptSignals, runMain, type ScriptSystem } from "./kit.ts";
import { median } from "./bench_report.ts";

/** How long one start may take to become healthy. */
const HEALTHY_WITHIN_MS = 90_000;
/** The default number of rounds (odd, so the median is one run). */
export const DEFAULT_NODE_REPS = 3;

/** One measured start. */
export interface NodeRun {
  /** Spawn to healthy, in ms. */
  readonly healthyMs: number;
  /** SIGTERM to exit, in ms. */
  readonly stopMs: number;
  /** The exit code after SIGTERM. */
  readonly exitCode: number;
  /** The node's peak RSS in bytes. */
  readonly nodeHwm: number | undefined;
  /** parsd's own peak RSS in bytes (under parsd only). */
  readonly parsdHwm: number | undefined;
}

/** What {@linkcode benchNode} measured. */
export interface NodeBenchFigures {
  readonly reps: number;
  readonly versions: { readonly avalanchego: string; readonly subnetEvm: string };
  readonly parsd: readonly NodeRun[];
  readonly byHand: readonly NodeRun[];
}

/** Options of {@linkcode benchNode}. */
export interface NodeBenchOptions {
  /** Where the report goes (default: the real system). */
  readonly sys?: ScriptSystem;
  /** Rounds; each round starts the node once under parsd and once by hand. */
  readonly reps?: number;
}

const known = (xs: readonly (number | undefined)[]) =>
  xs.filter((x): x is number => x !== undefined);
const med = (xs: readonly (number | undefined)[]) => {
  const k = known(xs);
  return k.length === 0 ? undefined : median(k);
};
const ms = (x: number | undefined) =>
  x === undefined ? "n/a" : x < 1000 ? `${x.toFixed(0)} ms` : `${(x / 1000).toFixed(2)} s`;
const mib = (x: number | undefined) =>
  x === undefined ? "n/a" : `${(x / (1 << 20)).toFixed(1)} MiB`;
const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || b === 0 ? "n/a" : `${(a / b).toFixed(2)}x`;

/** The report table for some figures (pure). */
export function nodeBenchTable(f: NodeBenchFigures): string {
  const p = {
    healthy: med(f.parsd.map((r) => r.healthyMs)),
    stop: med(f.parsd.map((r) => r.stopMs)),
    node: med(f.parsd.map((r) => r.nodeHwm)),
    self: med(f.parsd.map((r) => r.parsdHwm)),
  };
  const h = {
    healthy: med(f.byHand.map((r) => r.healthyMs)),
    stop: med(f.byHand.map((r) => r.stopMs)),
    node: med(f.byHand.map((r) => r.nodeHwm)),
  };
  const diff = p.healthy !== undefined && h.healthy !== undefined
    ? ` (${p.healthy >= h.healthy ? "+" : "-"}${ms(Math.abs(p.healthy - h.healthy))})`
    : "";
  const rows = [
    ["what", "under parsd", "by hand", "parsd / by hand"],
    ["time to healthy", ms(p.healthy), ms(h.healthy), ratio(p.healthy, h.healthy) + diff],
    ["shutdown (SIGTERM to exit)", ms(p.stop), ms(h.stop), ratio(p.stop, h.stop)],
    ["node peak RSS (VmHWM)", mib(p.node), mib(h.node), ratio(p.node, h.node)],
    ["parsd's own peak RSS (VmHWM)", mib(p.self), "-", `${ratio(p.self, p.node)} of the node's`],
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [
    line(rows[0]!),
    `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`,
    ...rows.slice(1).map(line),
  ].join("\n");
}

/**
 * Measures a real node under parsd against the same node by hand and prints
 * the table; `undefined` (after printing why) when the binaries cannot be
 * had. Needs `--allow-all`.
 *
 * @throws {SoftwareError} (70) when a start fails or a node does not become
 *   healthy within 90 s, with its output's tail.
 */
export async function benchNode(o: NodeBenchOptions = {}): Promise<NodeBenchFigures | undefined> {
  const sys = o.sys ?? denoScriptSystem();
  const reps = o.reps ?? DEFAULT_NODE_REPS;
  const available = await realNode();
  if ("skip" in available) {
    sys.out(`node bench: skipped: ${available.skip}\n`);
    return undefined;
  }
  const node = available.node;
  const site = await makeSite(node);
  const active = new Set<Running>();
  const stopAll = () => {
    for (const run of active) void run.finish(5_000);
  };
  const signals = interruptSignals(sys.os);
  for (const signal of signals) sys.signals.add(signal, stopAll);
  try {
    const hard = await hardNofile();
    const blocked = typeof hard === "number" && hard < EVM_PLUGIN_FD_LIMIT;
    // Where subnet-evm cannot raise its fd limit, parsd refuses without this (exit 78).
    const extra = blocked ? ["--allow-vm-failure=evm"] : [];
    sys.out(
      `node bench: avalanchego ${node.versions.avalanchego} + subnet-evm ${node.versions.subnetEvm} ` +
        `(rpcchainvm ${node.rpcchainvm}), stand-in SessionVM; median of ${reps} rounds; hard fd limit ${hard}` +
        (blocked ? " (subnet-evm cannot register: both plugins fail their handshake)" : "") +
        "\n",
    );
    // A first start makes the links, the staking keys, the databases and the
    // verification cache, so that every measured start finds them made.
    await settleCtimes([node.avalanchego, node.subnetEvm, site.standIn]);
    await measure(site, active, () => startParsd(site, ["run", ...site.args(extra)], "warm-up"));
    const dry = await site.parsd(["run", "--dry-run", ...site.args(extra)]);
    if (dry.code !== 0) {
      throw new SoftwareError(`parsd --dry-run exited ${dry.code}: ${dry.stderr}`);
    }
    const argv = (JSON.parse(dry.stdout) as { args: string[] }).args;
    const parsd: NodeRun[] = [];
    const byHand: NodeRun[] = [];
    for (let i = 0; i < reps; i++) {
      // Alternate who goes first, so that drift does not favour one side.
      const underParsd = () =>
        measure(site, active, () => startParsd(site, ["run", ...site.args(extra)], `parsd-${i}`));
      const manual = () => measure(site, active, () => startByHand(site, argv, `by-hand-${i}`));
      if (i % 2 === 0) {
        parsd.push(await underParsd());
        byHand.push(await manual());
      } else {
        byHand.push(await manual());
        parsd.push(await underParsd());
      }
      sys.err(
        `node bench: round ${i + 1}/${reps}: healthy ${ms(parsd[i]!.healthyMs)} under parsd, ` +
          `${ms(byHand[i]!.healthyMs)} by hand\n`,
      );
    }
    const codes = new Set([...parsd, ...byHand].map((r) => r.exitCode));
    const figures: NodeBenchFigures = { reps, versions: node.versions, parsd, byHand };
    sys.out(nodeBenchTable(figures) + "\n");
    sys.out(
      `Exit code after SIGTERM: ${[...codes].join(", ")} (parsd passes the node's through). ` +
        `Time to healthy includes the node's wait for the plugins' handshakes.\n`,
    );
    return figures;
  } finally {
    for (const signal of signals) sys.signals.remove(signal, stopAll);
    for (const run of active) await run.finish();
    await site.cleanup();
  }
}

/** One start: until healthy, then peak memory, then SIGTERM until exit. */
async function measure(site: Site, active: Set<Running>, start: () => Running): Promise<NodeRun> {
  const run = start();
  active.add(run);
  try {
    let healthyMs: number;
    try {
      healthyMs = await waitUntil(
        run,
        "health",
        () => healthy(site.httpPort),
        HEALTHY_WITHIN_MS,
        50,
      );
    } catch (error) {
      throw new SoftwareError(`${run.label}: ${(error as Error).message}`, { cause: error });
    }
    const nodePid = await run.nodePid();
    const nodeHwm = nodePid === undefined ? undefined : await vmHwm(nodePid);
    const parsdHwm = nodePid === run.pid ? undefined : await vmHwm(run.pid);
    const { status, ms: stopMs } = await run.stop("SIGTERM");
    return { healthyMs, stopMs, exitCode: status.code, nodeHwm, parsdHwm };
  } finally {
    await run.finish();
    active.delete(run);
  }
}

/** The `--help` text. */
export const NODE_BENCH_USAGE = `usage: deno run --allow-all scripts/bench_node.ts [--reps N]

Starts the end-to-end node (avalanchego + subnet-evm, built by
'deno task build:e2e-node' on first use) under parsd and by hand with the same
argv, alternately, and prints medians as ratios: time to healthy, shutdown
time, and parsd's peak memory beside the node's.

  --reps N    rounds; each starts the node once each way (default ${DEFAULT_NODE_REPS})
  -h, --help  this text

Exit codes: 0 report printed, or skipped where the node cannot be had;
64 usage; 70 a run failed.`;

/** Runs the script with `argv`; returns the exit code. */
export function main(argv: readonly string[], sys = denoScriptSystem()): Promise<number> {
  return runMain("node bench", sys, async (s) => {
    const { values, help, positional } = parseFlags(argv, { values: ["reps"] });
    if (help) {
      s.out(NODE_BENCH_USAGE + "\n");
      return ExitCode.ok;
    }
    noMorePositional(positional, 0);
    const reps = values.reps === undefined ? DEFAULT_NODE_REPS : positiveInt("reps", values.reps);
    await benchNode({ sys: s, reps });
    return ExitCode.ok;
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
