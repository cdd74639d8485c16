/**
 * @module
 * The argv parsd gives luxd, in the formats the luxd at hand accepts: every
 * flag exists in its probed flag set and every value parses as its type
 * (`tests/luxd_args_contract_test.ts` checks this against luxd 1.22.18's
 * flag spec and luxd 1.13.4's real help text).
 */

import type { Settings } from "../cli/config.ts";
import { chainEntries, encodeChainConfigContent } from "../node/chain_config.ts";
import type { Layout } from "../data_dir/layout.ts";
import { luxdFlagName } from "../cli/args.ts";

/** Which staking files already exist (luxd generates missing ones at these same default paths). */
export interface StakingFiles {
  readonly tlsKey: boolean;
  readonly tlsCert: boolean;
  readonly signerKey: boolean;
}

/** What the luxd at hand takes, and parsd's decisions about it. */
export interface LuxdDialect {
  /** Whether this luxd has a flag (by name, without dashes). */
  readonly has: (flag: string) => boolean;
  /** `--fd-limit` to pass (only when luxd's default is above the hard limit). */
  readonly fdLimit?: number;
  /** Give the chain config as files in this dir instead of on the command line. */
  readonly chainConfigDir?: string;
}

/** A luxd that has every flag parsd may give (luxd 1.22's dialect). */
export const FULL_DIALECT: LuxdDialect = { has: () => true };

/**
 * Builds luxd's argv (without argv0): parsd's managed flags, then
 * config.json's `luxd-args`, then the pass-through flags in order.
 *
 * The staking file flags are given only for files that exist: luxd refuses
 * to start when an explicitly named key file is missing, but generates one
 * at its default path — `<data-dir>/staking/…`, the same place — when the
 * flag is left out.
 */
export function buildLuxdArgs(
  s: Settings,
  l: Layout,
  staking: StakingFiles,
  passthrough: readonly string[],
  dialect: LuxdDialect = FULL_DIALECT,
): string[] {
  const extra = [...s.luxdArgs, ...passthrough];
  const args = [
    `--network-id=${s.networkId}`,
    `--data-dir=${l.dataDir}`,
    `--plugin-dir=${l.pluginDir}`,
    `--db-dir=${l.dbDir}`,
    `--http-port=${s.httpPort}`,
    `--staking-port=${s.stakingPort}`,
  ];
  if (staking.tlsKey) args.push(`--staking-tls-key-file=${l.stakingKey}`);
  if (staking.tlsCert) args.push(`--staking-tls-cert-file=${l.stakingCert}`);
  if (staking.signerKey) args.push(`--staking-signer-key-file=${l.signerKey}`);
  // A validator who names chains to track gets exactly those.
  const tracksChains = extra.some((t) => luxdFlagName(t) === "track-chains");
  if (s.trackAllChains && !tracksChains && dialect.has("track-all-chains")) {
    args.push("--track-all-chains=true");
  }
  if (dialect.fdLimit !== undefined) args.push(`--fd-limit=${dialect.fdLimit}`);
  args.push(
    dialect.chainConfigDir === undefined
      ? `--chain-config-content=${encodeChainConfigContent(chainEntries(s))}`
      : `--chain-config-dir=${dialect.chainConfigDir}`,
  );
  return [...args, ...extra];
}
