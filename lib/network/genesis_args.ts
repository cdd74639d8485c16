/**
 * @module
 * How luxd gets a genesis: `--genesis-file-content=<base64>` on its command
 * line when that fits, else `--genesis-file=<data-dir>/genesis.json`, a file
 * the caller writes. Pure.
 *
 * The flags are the same in every dialect parsd meets: luxd 1.13.4
 * (`tests/fixtures/luxd/luxd-1.13.4-help.txt`), luxd 1.22.18
 * (`flags-spec-1.22.18.json`) and avalanchego 1.13.5 (`config/keys.go`).
 * The content is standard base64 with padding of the genesis bytes
 * (avalanchego `genesis.GetConfigContent`: `base64.StdEncoding`); a node
 * given both flags reads the content and ignores the file.
 */

import { base64 } from "@scure/base";
import { ConfigError } from "../errors.ts";
import { join } from "../os/path.ts";
import type { GenesisDialect } from "./address.ts";

/**
 * The longest `--genesis-file-content` value (base64 characters) parsd puts
 * on luxd's command line: 64 KiB, a genesis of up to 48 KiB. Linux limits
 * one argv string to MAX_ARG_STRLEN = 131072 bytes with its NUL (measured
 * in `node/chain_config_files.ts`); half of that leaves room beside
 * `--chain-config-content` (bounded the same way) and for kernels that
 * differ. A larger genesis (avalanchego's mainnet one is 3.5 MB) goes in a file.
 */
export const GENESIS_CONTENT_LIMIT = 65536;

/** The genesis file parsd writes in the data dir when the content is too long. */
export const GENESIS_FILE_NAME = "genesis.json";

/** What luxd gets: its genesis flag, and the file to write first when it is a file. */
export interface GenesisArgs {
  readonly args: string[];
  /** Write `text` to `path` atomically before starting luxd. */
  readonly file?: { readonly path: string; readonly text: string };
}

/**
 * luxd's genesis arguments for a checked genesis text.
 *
 * @param o.has whether this luxd has a flag (by name, without dashes).
 * @param o.dataDir luxd's data dir, where a genesis file goes.
 * @throws {ConfigError} when this luxd has neither flag, or the genesis is
 *   too long for the command line and it has no `--genesis-file`.
 */
export function genesisArgs(
  text: string,
  o: { has(flag: string): boolean; dataDir: string },
): GenesisArgs {
  const content = base64.encode(new TextEncoder().encode(text));
  if (content.length <= GENESIS_CONTENT_LIMIT && o.has("genesis-file-content")) {
    return { args: [`--genesis-file-content=${content}`] };
  }
  if (o.has("genesis-file")) {
    const path = join(o.dataDir, GENESIS_FILE_NAME);
    return { args: [`--genesis-file=${path}`], file: { path, text } };
  }
  throw new ConfigError(
    o.has("genesis-file-content")
      ? `the genesis is ${content.length} characters of base64, more than fits on luxd's command line (${GENESIS_CONTENT_LIMIT}), and this luxd has no --genesis-file; use a smaller genesis or a luxd that has --genesis-file`
      : "this luxd has neither --genesis-file-content nor --genesis-file, so it cannot be given a genesis; use a luxd that has them, or unset genesis",
  );
}

/**
 * avalanchego's standard networks (avalanchego 1.13.5 `genesis.FromFile`
 * and `FromFlag`: mainnet 1, fuji 5, local 12345), whose genesis is built
 * in: it refuses any other with "overrides standard network genesis config".
 */
const AVALANCHEGO_STANDARD: Readonly<Record<number, string>> = {
  1: "mainnet",
  5: "fuji",
  12345: "local",
};

/**
 * Why a genesis cannot be given for this network ID, or undefined. Only
 * avalanchego's refusal is known from its source; luxd 1.22.18 has
 * `--allow-custom-genesis` (default true), and luxd 1.13.4's rule is not
 * recorded, so none is assumed for luxd.
 */
export function genesisNetworkProblem(
  networkId: number,
  dialect: GenesisDialect,
): string | undefined {
  const name = dialect === "avalanchego" ? AVALANCHEGO_STANDARD[networkId] : undefined;
  return name === undefined
    ? undefined
    : `network ID ${networkId} is avalanchego's ${name} network, whose genesis is built in: avalanchego refuses a genesis for it ("overrides standard network genesis config"); unset genesis, or run another --network-id`;
}
