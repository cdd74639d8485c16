/**
 * @module
 * The devnet bench (`deno task bench` with `PARSD_BENCH_NODE=1`): time from
 * `parsd devnet up` to every node healthy, with the real node of
 * `scripts/real_node.ts` (avalanchego + subnet-evm), and each node's peak
 * RSS beside that of the `parsd run` that supervises it. One round: a new
 * network's start is what it measures.
 */

import { join } from "node:path";
import { EVM_PLUGIN_FD_LIMIT } from "../lib/network/pars.ts";
import { SoftwareError } from "../lib/errors.ts";
import {
  childPids,
  cmdline,
  descendants,
  hardNofile,
  makeSite,
  realNode,
  type Running,
  startParsd,
  vmHwm,
  waitUntil,
} from "./real_node.ts";

/** What one devnet start measured. */
export interface DevnetFigures {
  readonly nodes: number;
  /** From spawning `parsd devnet up` to its table (every node healthy). */
  readonly healthyMs: number;
  /** Each node's peak RSS (its luxd) and that of the `parsd run` above it, in bytes. */
  readonly perNode: readonly { readonly luxd?: number; readonly parsd?: number }[];
  /** `parsd devnet up`'s own peak RSS. */
  readonly up?: number;
}

/** The devnet's table as text, one row a node. */
export function devnetBenchTable(f: DevnetFigures): string {
  const mib = (b: number | undefined) => b === undefined ? "-" : `${(b / 2 ** 20).toFixed(0)} MiB`;
  const rows = f.perNode.map((n, i) => `| node-${i + 1} | ${mib(n.luxd)} | ${mib(n.parsd)} |`);
  return [
    `devnet bench: ${f.nodes} nodes healthy ${
      (f.healthyMs / 1000).toFixed(1)
    } s after 'parsd devnet up'` +
    ` (its own peak RSS ${mib(f.up)})`,
    "| node | luxd peak RSS (VmHWM) | its parsd run's peak RSS |",
    "|------|------------------------|--------------------------|",
    ...rows,
  ].join("\n");
}

/**
 * Starts a new devnet of `nodes` validators, waits for every node healthy,
 * reads the peak RSS of each node and each parsd, and stops it.
 *
 * @returns `undefined` (after saying why) where the real node cannot be had.
 * @throws {SoftwareError} (70) when the devnet does not become healthy.
 */
export async function benchDevnet(
  out: (text: string) => void,
  nodes = 3,
): Promise<DevnetFigures | undefined> {
  const available = await realNode();
  if ("skip" in available) {
    out(`devnet bench: skipped: ${available.skip}\n`);
    return undefined;
  }
  const node = available.node;
  const site = await makeSite(node);
  let run: Running | undefined;
  try {
    const hard = await hardNofile();
    const allow = typeof hard === "number" && hard < EVM_PLUGIN_FD_LIMIT
      ? ["--allow-vm-failure=evm"]
      : [];
    run = startParsd(site, [
      "devnet",
      "up",
      "--nodes",
      String(nodes),
      "--dir",
      join(site.root, "devnet"),
      "--luxd",
      node.avalanchego,
      "--evm-plugin",
      node.subnetEvm,
      "--sessionvm-plugin",
      site.standIn,
      ...allow,
    ], "devnet-up");
    const started = run;
    const healthyMs = await waitUntil(
      started,
      "the devnet's table (every node healthy)",
      async () =>
        (await Deno.readTextFile(started.stdoutFile).catch(() => "")).includes("C-CHAIN RPC"),
      180_000,
      250,
    ).catch((error: Error) => {
      throw new SoftwareError(`devnet bench: ${error.message}`);
    });
    const perNode: { luxd?: number; parsd?: number }[] = [];
    for (const pid of await childPids(run.pid)) {
      const luxdPid = (await Promise.all(
        (await descendants(pid)).map(async (p) => [p, await cmdline(p)] as const),
      )).find(([, argv]) => argv?.[0]?.endsWith("/bin/luxd"))?.[0];
      const [luxd, parsd] = [
        luxdPid === undefined ? undefined : await vmHwm(luxdPid),
        await vmHwm(pid),
      ];
      if (luxdPid === undefined) continue; // the group keeper or a probe, not a node's parsd
      perNode.push({
        ...(luxd === undefined ? {} : { luxd }),
        ...(parsd === undefined ? {} : { parsd }),
      });
    }
    const up = await vmHwm(run.pid);
    const figures: DevnetFigures = {
      nodes,
      healthyMs,
      perNode,
      ...(up === undefined ? {} : { up }),
    };
    out(devnetBenchTable(figures) + "\n");
    return figures;
  } finally {
    await run?.finish(30_000);
    await site.cleanup();
  }
}
