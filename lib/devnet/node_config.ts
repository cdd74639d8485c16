/**
 * @module
 * What each devnet node's `parsd run` is given. Its identity on the network
 * (data dir, config file, network ID, ports, genesis) goes on its command
 * line, so that no inherited `PARS_*` variable can move it; the rest goes
 * into `<node>/config.json`, rewritten on every `up`: the other nodes as
 * bootstrappers, the loopback-only luxd flags a local network needs, and
 * the settings `devnet up` itself resolved (luxd, plugins and their pins,
 * chains, precompiles…), so that every node runs what `devnet up` checked.
 * Pure.
 */

import { join } from "../os/path.ts";
import { PLUGIN_NAMES, PRECOMPILES } from "../network/pars.ts";
import type { Settings } from "../settings.ts";
import { bootstrapNodes, type DevnetState } from "./state.ts";

/**
 * luxd flags every devnet node gets (config.json's `luxd-args`, after the
 * user's own):
 * - `--public-ip=127.0.0.1`: peers reach it on loopback, no NAT probing;
 * - `--staking-host=127.0.0.1`: the P2P port listens on loopback only;
 * - `--sybil-protection-enabled=true`: real consensus among the validators;
 * - `--health-check-frequency=2s`: health is re-evaluated every 2 s (the
 *   default is 30 s), so `up` sees a node healthy when it is.
 */
export const DEVNET_LUXD_ARGS: readonly string[] = [
  "--public-ip=127.0.0.1",
  "--staking-host=127.0.0.1",
  "--sybil-protection-enabled=true",
  "--health-check-frequency=2s",
];

/** The node's config.json, as an object. */
export function nodeConfig(
  s: Settings,
  state: DevnetState,
  index: number,
): Record<string, unknown> {
  const plugins = Object.fromEntries(
    PLUGIN_NAMES.map((name) => {
      const p = s.plugins[name];
      return [name, {
        ...(p.path !== undefined ? { path: p.path } : {}),
        ...(p.sha256 !== undefined ? { sha256: p.sha256 } : {}),
      }];
    }),
  );
  const chains = Object.fromEntries(
    PLUGIN_NAMES.map((name) => {
      const c = s.chains[name];
      return [name, { id: c.id, config: c.config, ...(c.upgrade ? { upgrade: c.upgrade } : {}) }];
    }),
  );
  // A default entry the user dropped must stay dropped: name it with null.
  const precompiles: Record<string, string | null> = { ...s.precompiles };
  for (const name of Object.keys(PRECOMPILES)) precompiles[name] ??= null;
  return {
    ...(s.luxd !== undefined ? { luxd: s.luxd } : {}),
    ...(s.luxdSha256 !== undefined ? { "luxd-sha256": s.luxdSha256 } : {}),
    plugins,
    "bootstrap-nodes": bootstrapNodes(state, index),
    "luxd-args": [...s.luxdArgs, ...DEVNET_LUXD_ARGS],
    "shutdown-grace": `${s.shutdownGraceMs}ms`,
    verify: s.verify,
    "allow-vm-failure": [...s.allowVmFailure],
    "track-all-chains": s.trackAllChains,
    "warp-api": s.warpApi,
    chains,
    "evm-keys": { ...s.evmKeys },
    precompiles,
  };
}

/** The node's config.json text. */
export function nodeConfigText(s: Settings, state: DevnetState, index: number): string {
  return JSON.stringify(nodeConfig(s, state, index), null, 2) + "\n";
}

/** Where a node's parsd and luxd live, and what it starts from. */
export interface NodePlace {
  readonly dataDir: string;
  /** The genesis file; left out for the checks `up` makes before the genesis is written. */
  readonly genesis?: string;
}

/**
 * A node's `parsd run` flags, as `args.ts` would parse them.
 *
 * @param trustUnpinned whether `devnet up` was given `--trust-unpinned` (a
 *   flag only: it is never written to a file).
 */
export function nodeFlags(
  state: DevnetState,
  index: number,
  place: NodePlace,
  trustUnpinned: boolean,
): Record<string, string | boolean> {
  const node = state.nodes[index]!;
  return {
    "data-dir": place.dataDir,
    config: join(place.dataDir, "config.json"),
    "network-id": String(state.networkId),
    "http-port": String(node.httpPort),
    "staking-port": String(node.stakingPort),
    ...(place.genesis !== undefined ? { genesis: place.genesis } : {}),
    ...(trustUnpinned ? { "trust-unpinned": true } : {}),
  };
}

/** The command line of a node's `parsd run` (after parsd's own command) for its flags. */
export function nodeRunArgs(flags: Readonly<Record<string, string | boolean>>): string[] {
  return [
    "run",
    ...Object.entries(flags).flatMap(([name, value]) =>
      value === true ? [`--${name}`] : value === false ? [] : [`--${name}`, value]
    ),
  ];
}
