/**
 * @module
 * The argv parsd gives luxd, in the formats luxd 1.22 accepts: every flag
 * exists in luxd's flag spec and every value parses as its type
 * (`tests/luxd_args_contract_test.ts` checks this against
 * `../shared/luxd/flags-spec-1.22.18.json`).
 */

import type { Settings } from "./config.ts";
import { chainEntries, encodeChainConfigContent } from "./chain_config.ts";
import type { Layout } from "./layout.ts";
import { luxdFlagName } from "./args.ts";

/** Which staking files already exist (luxd generates missing ones at these same default paths). */
export interface StakingFiles {
  readonly tlsKey: boolean;
  readonly tlsCert: boolean;
  readonly signerKey: boolean;
}

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
  if (s.trackAllChains && !tracksChains) args.push("--track-all-chains=true");
  args.push(`--chain-config-content=${encodeChainConfigContent(chainEntries(s))}`);
  return [...args, ...extra];
}
