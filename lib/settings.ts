/**
 * @module
 * The settings parsd runs with, as types only: what `cli/config.ts`
 * resolves from flags, env and config.json, and what every wing below the
 * CLI reads. At the bottom of the house, so that no wing imports the CLI
 * for a type.
 */

import type { PluginName } from "./network/pars.ts";
import type { BootstrapNode } from "./network/bootstrap.ts";

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
  /** The network's genesis file (`--genesis`); absent: luxd's own for the network ID. */
  readonly genesis?: string;
  /** The network's bootstrappers (config.json `bootstrap-nodes`). */
  readonly bootstrapNodes: readonly BootstrapNode[];
  readonly httpPort: number;
  readonly stakingPort: number;
  readonly luxd?: string;
  /** Which of flag, env or config.json named luxd's path, when one did. */
  readonly luxdSource?: "flag" | "env" | "config";
  /** luxd's pinned SHA-256 (config.json `luxd-sha256`, lower-case hex), if any. */
  readonly luxdSha256?: string;
  /**
   * The minisign public keys (each the base64 key line of a `.pub` file, `RW…`)
   * a pin's SHA256SUMS must be signed by (config.json `trusted-keys`); once
   * there is one, every pin needs a valid signature.
   */
  readonly trustedKeys: readonly string[];
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
