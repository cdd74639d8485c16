/**
 * @module
 * The luxd flags parsd manages, in one table: for each, what a user who
 * passes it should do instead, whether parsd cannot run a luxd that lacks
 * it, and how its value is rendered from parsd's decisions. The collision
 * check (a managed flag passed through is refused), the required-flag check
 * (a luxd without one is refused) and luxd's argv (`argv.ts`) all derive
 * from {@linkcode MANAGED_LUXD_FLAGS}.
 */

import type { Settings } from "../settings.ts";
import type { Layout } from "../data_dir/layout.ts";
import type { LuxdFlagSet } from "./help_text.ts";
import type { StakingFiles } from "../data_dir/staking.ts";

/** What parsd decided about the luxd at hand, made once in `start/plan.ts`. */
export interface LuxdDecisions {
  /** Whether this luxd has a flag (by name, without dashes). */
  readonly has: (flag: string) => boolean;
  /** Give luxd `--track-all-chains=true`. */
  readonly trackAllChains: boolean;
  /** `--fd-limit` to pass (only when luxd's default is above the hard limit). */
  readonly fdLimit?: number;
  /** The chain config: base64 on the command line, or the dir its files are written to. */
  readonly chainConfig: { readonly content: string } | { readonly dir: string };
  /** The network's genesis: base64 on the command line, or the file parsd writes; none: luxd's own. */
  readonly genesis?: { readonly content: string } | { readonly file: string };
  /** The network's bootstrappers, in order. */
  readonly bootstrappers?: readonly { readonly nodeId: string; readonly address: string }[];
}

/** What a managed flag's value is rendered from. */
export interface ArgvFacts {
  readonly settings: Settings;
  readonly layout: Layout;
  readonly staking: StakingFiles;
  readonly decisions: LuxdDecisions;
}

/** One managed flag. */
export interface ManagedFlag {
  /** What to do instead of passing it to luxd (said when a user passes it). */
  readonly instead: string;
  /** A luxd without this flag cannot be run by parsd. */
  readonly required?: true;
  /** A user may pass it; parsd then leaves it to them (it renders nothing of its own). */
  readonly userMay?: true;
  /** The value parsd gives, or `undefined` to leave the flag out. */
  readonly value: (f: ArgvFacts) => string | undefined;
}

const joined = (list: readonly string[] | undefined) =>
  list === undefined || list.length === 0 ? undefined : list.join(",");

const chainContent = (d: LuxdDecisions) =>
  "content" in d.chainConfig ? d.chainConfig.content : undefined;

/** The luxd flags parsd manages, in the order luxd's argv gives them. */
export const MANAGED_LUXD_FLAGS: Readonly<Record<string, ManagedFlag>> = {
  "network-id": {
    instead: "use parsd's --network-id",
    required: true,
    value: (f) => String(f.settings.networkId),
  },
  "data-dir": {
    instead: "use parsd's --data-dir",
    required: true,
    value: (f) => f.layout.dataDir,
  },
  "plugin-dir": {
    instead: "parsd sets it to <data-dir>/plugins; choose the data dir with --data-dir",
    required: true,
    value: (f) => f.layout.pluginDir,
  },
  "db-dir": {
    instead: "parsd sets it to <data-dir>/db; choose the data dir with --data-dir",
    required: true,
    value: (f) => f.layout.dbDir,
  },
  "http-port": {
    instead: "use parsd's --http-port",
    required: true,
    value: (f) => String(f.settings.httpPort),
  },
  "staking-port": {
    instead: "use parsd's --staking-port",
    required: true,
    value: (f) => String(f.settings.stakingPort),
  },
  // luxd refuses to start when a named key file is missing, but generates one at its
  // default path (the same place) when the flag is left out: name only files that exist.
  "staking-tls-key-file": {
    instead: "parsd uses <data-dir>/staking/staker.key; put the key there",
    value: (f) => f.staking.tlsKey ? f.layout.stakingKey : undefined,
  },
  "staking-tls-cert-file": {
    instead: "parsd uses <data-dir>/staking/staker.crt; put the certificate there",
    value: (f) => f.staking.tlsCert ? f.layout.stakingCert : undefined,
  },
  "staking-signer-key-file": {
    instead: "parsd uses <data-dir>/staking/signer.key; put the key there",
    value: (f) => f.staking.signerKey ? f.layout.signerKey : undefined,
  },
  "track-all-chains": {
    instead: "set track-all-chains in config.json",
    value: (f) => f.decisions.trackAllChains ? "true" : undefined,
  },
  "fd-limit": {
    instead: "",
    userMay: true,
    value: (f) => f.decisions.fdLimit === undefined ? undefined : String(f.decisions.fdLimit),
  },
  "chain-config-content": {
    instead: "set chains.evm / chains.sessionvm in config.json",
    required: true,
    value: (f) => chainContent(f.decisions),
  },
  "genesis-file-content": {
    instead: "give parsd the genesis file with --genesis (it checks it first)",
    value: (f) => {
      const g = f.decisions.genesis;
      return g !== undefined && "content" in g ? g.content : undefined;
    },
  },
  "genesis-file": {
    instead: "give parsd the genesis file with --genesis (it checks it first)",
    value: (f) => {
      const g = f.decisions.genesis;
      return g !== undefined && "file" in g ? g.file : undefined;
    },
  },
  "bootstrap-ids": {
    instead: "list the bootstrappers in config.json's bootstrap-nodes (NodeID-…@ip:port)",
    value: (f) => joined(f.decisions.bootstrappers?.map((b) => b.nodeId)),
  },
  "bootstrap-ips": {
    instead: "list the bootstrappers in config.json's bootstrap-nodes (NodeID-…@ip:port)",
    value: (f) => joined(f.decisions.bootstrappers?.map((b) => b.address)),
  },
  "chain-config-dir": {
    instead: "luxd ignores it beside --chain-config-content; set chains.* in config.json",
    value: (f) => "dir" in f.decisions.chainConfig ? f.decisions.chainConfig.dir : undefined,
  },
};

/** The luxd flag name in a token such as `--log-level=info` or `-dev`, if it is a flag. */
export function luxdFlagName(token: string): string | undefined {
  const m = /^--?([^=]+)/.exec(token);
  return m && token !== "--" ? m[1] : undefined;
}

/** Whether any token names one of `names`. */
export const givesFlag = (tokens: readonly string[], ...names: string[]): boolean =>
  tokens.some((t) => names.includes(luxdFlagName(t) ?? ""));

/**
 * Whether the user names the chains to track themselves (`--track-chains`
 * in luxd 1.22's dialect, `--track-subnets` in luxd 1.13's): then they get
 * exactly those, and parsd adds no `--track-all-chains`.
 */
export const userTracksChains = (tokens: readonly string[]): boolean =>
  givesFlag(tokens, "track-chains", "track-subnets");

/**
 * Whether parsd gives luxd `--track-all-chains=true`: when config.json's
 * `track-all-chains` is on, the user does not name chains to track
 * ({@linkcode userTracksChains}), and this luxd has the flag.
 *
 * @param userFlags config.json's `luxd-args` and the pass-through flags
 */
export const tracksAllChains = (
  setting: boolean,
  userFlags: readonly string[],
  has: (flag: string) => boolean,
): boolean => setting && !userTracksChains(userFlags) && has("track-all-chains");

/**
 * Checks luxd flags for ones parsd manages.
 *
 * @returns one problem line per collision (empty when there is none).
 */
export function managedCollisions(tokens: readonly string[], origin: string): string[] {
  const problems: string[] = [];
  for (const token of tokens) {
    const name = luxdFlagName(token);
    const row = name === undefined || !Object.hasOwn(MANAGED_LUXD_FLAGS, name)
      ? undefined
      : MANAGED_LUXD_FLAGS[name]!;
    if (row !== undefined && row.userMay !== true) {
      problems.push(`${origin} '${token}': parsd manages --${name} for luxd; ${row.instead}`);
    }
  }
  return problems;
}

/** The required managed flags `flags` lacks, in table order. */
export function missingRequired(flags: LuxdFlagSet): string[] {
  return Object.entries(MANAGED_LUXD_FLAGS)
    .filter(([name, row]) => row.required === true && !flags.has(name))
    .map(([name]) => name);
}
