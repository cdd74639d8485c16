/**
 * @module
 * The settings parsd runs with, as types only: what `cli/config.ts`
 * resolves from flags, env and config.json, and what every wing below the
 * CLI reads. At the bottom of the house, so that no wing imports the CLI
 * for a type.
 */

import type { PluginName } from "./network/pars.ts";

/** Where a setting came from. */
export type Source = "flag" | "env" | "config" | "default";

/** Per-plugin settings. */
export interface PluginSettings {
  /** The binary path given by flag, env or config.json, if any. */
  readonly path?: string;
  /** Which of those gave it. */
  readonly pathSource?: "flag" | "env" | "config";
  /** The pinned SHA-256 (lower-case hex), if any. */
  readonly sha256?: string;
}

/** Per-chain settings for luxd's chain config. */
export interface ChainSettings {
  /** The chain alias or ID the entry is keyed by. */
  readonly id: string;
  /** Extra keys for the chain's Config JSON. */
  readonly config: Readonly<Record<string, unknown>>;
  /** The chain's Upgrade JSON, if any. */
  readonly upgrade?: Readonly<Record<string, unknown>>;
}

/** Every setting parsd runs with, resolved and checked. */
export interface Settings {
  readonly dataDir: string;
  readonly configPath: string;
  /** Whether the config file existed. */
  readonly configFound: boolean;
  readonly networkId: number;
  readonly httpPort: number;
  readonly stakingPort: number;
  readonly luxd?: string;
  readonly shutdownGraceMs: number;
  readonly verify: "cache" | "full";
  readonly trustUnpinned: boolean;
  /** Plugins the user accepts luxd running without (`--allow-vm-failure`). */
  readonly allowVmFailure: readonly PluginName[];
  readonly trackAllChains: boolean;
  readonly luxdArgs: readonly string[];
  readonly plugins: Readonly<Record<PluginName, PluginSettings>>;
  readonly chains: Readonly<Record<PluginName, ChainSettings>>;
  readonly evmKeys: { readonly warp: string; readonly precompiles: string };
  readonly warpApi: boolean;
  readonly precompiles: Readonly<Record<string, string>>;
}
