/**
 * @module
 * The Pars network's model: network IDs, the two VM plugins (their VMIDs,
 * binaries, flags and chains) and the post-quantum precompile table of
 * PIP-7. parsd's option defaults live in `options.ts`.
 */

/** Network names parsd accepts for `--network-id`, with their IDs. */
export const NETWORKS: Readonly<Record<string, number>> = {
  mainnet: 7070,
  testnet: 7071,
  devnet: 7072,
};

/** The names of the plugins parsd manages. */
export const PLUGIN_NAMES = ["evm", "sessionvm"] as const;

/** One of {@linkcode PLUGIN_NAMES}. */
export type PluginName = typeof PLUGIN_NAMES[number];

/** What parsd knows about one VM plugin. */
export interface PluginSpec {
  /** parsd's name for it: the key under `plugins` and `chains` in config.json. */
  readonly name: PluginName;
  /** The VM name its VMID is derived from. */
  readonly vmName: string;
  /**
   * The cb58 VMID: the plugin's file name in the plugin dir. Written out so
   * that start-up needs no hashing; `tests/vmid_test.ts` checks each against
   * `vmid(vmName)`.
   */
  readonly vmid: string;
  /** The binary name `go install` gives it under `$GOPATH/bin`. */
  readonly goBinary: string;
  /** The parsd flag that names its binary. */
  readonly flag: string;
  /** The environment variable that names its binary. */
  readonly env: string;
  /** The chain alias or ID its chain config is keyed by, unless config.json says otherwise. */
  readonly defaultChain: string;
}

/** The EVM and SessionVM plugins, keyed by parsd's name for them. */
export const PLUGINS: Readonly<Record<PluginName, PluginSpec>> = {
  evm: {
    name: "evm",
    vmName: "subnetevm",
    vmid: "srEXiWaHuhNyGwPUi444Tu47ZEDwxTWrbQiuD7FmgSAQ6X7Dy",
    goBinary: "evm",
    flag: "evm-plugin",
    env: "PARS_EVM_PLUGIN",
    defaultChain: "C",
  },
  sessionvm: {
    name: "sessionvm",
    vmName: "sessionvm",
    vmid: "speKUgLBX6WRD5cfGeEfLa43LxTXUBckvtv4td6F3eTXvRP48",
    goBinary: "sessionvm",
    flag: "sessionvm-plugin",
    env: "PARS_SESSIONVM_PLUGIN",
    defaultChain: "S",
  },
};

/**
 * The Pars post-quantum precompile table (PIP-7), name → address. It is
 * written into the EVM chain's Config under {@linkcode EVM_KEYS.precompiles};
 * config.json's `precompiles` can change or drop entries.
 */
export const PRECOMPILES: Readonly<Record<string, string>> = {
  "ml-dsa-65": "0x0601",
  "ml-kem-768": "0x0603",
  "bls12-381": "0x0B00",
  "ringtail": "0x0700",
  "fhe": "0x0800",
};

/** Default key names inside the EVM chain Config (EVM builds differ; config.json can rename them). */
export const EVM_KEYS = {
  warp: "warp-api-enabled",
  precompiles: "pqPrecompiles",
} as const;

/**
 * The variables luxd (and its upstream, avalanchego) hand a plugin with its
 * runtime engine's address; an rpcchainvm plugin reads one, so its name is
 * in the binary. One that mentions neither cannot register.
 */
export const ENGINE_ADDR_ENVS = [
  "LUX_VM_RUNTIME_ENGINE_ADDR",
  "AVALANCHE_VM_RUNTIME_ENGINE_ADDR",
] as const;

/** What both of {@linkcode ENGINE_ADDR_ENVS} end with: the one marker a plugin binary is searched for. */
export const ENGINE_ADDR_SUFFIX = "_VM_RUNTIME_ENGINE_ADDR";

/** The open-file limit the EVM plugin's runner sets itself, exiting when the hard limit is lower. */
export const EVM_PLUGIN_FD_LIMIT = 32768;
