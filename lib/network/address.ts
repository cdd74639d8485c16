/**
 * @module
 * The addresses of a network genesis: X/P-chain addresses
 * (`<chain>-<hrp>1…`, bech32 of 20 bytes) with the HRP each node gives a
 * network ID, and Ethereum addresses (`0x` + 20 bytes hex, EIP-55 when
 * mixed case). Pure. bech32 comes from @scure/base, EIP-55 from `eth_address.ts`.
 *
 * What the nodes do (avalanchego 1.13.5 `genesis/unparsed_config.go`,
 * `utils/formatting/address`; luxd forks it): a genesis address is split at
 * its first `-`, the part after it bech32-decoded (checksum checked, at
 * most 90 characters, one case) and must hold 20 bytes. The chain prefix
 * and the HRP are read and then ignored; the node prints the addresses back
 * with the HRP of its network ID. parsd checks both anyway: a chain other
 * than X or P, or an HRP of another network, means a genesis made for
 * something else.
 */

import { bech32 } from "@scure/base";
import { checksumAddress } from "./eth_address.ts";
import { NETWORKS } from "./pars.ts";
import { describeValue } from "./json_exact.ts";

/** Which node reads the genesis: luxd (`luxAddr`) or its upstream avalanchego (`avaxAddr`). */
export type GenesisDialect = "luxd" | "avalanchego";

/**
 * avalanchego 1.13.5 `utils/constants/network_ids.go` `NetworkIDToHRP`;
 * every other ID gets `FallbackHRP` "custom".
 */
const AVALANCHEGO_HRPS: Readonly<Record<number, string>> = {
  1: "avax",
  2: "cascade",
  3: "denali",
  4: "everest",
  5: "fuji",
  10: "testing",
  12345: "local",
};

/**
 * luxd's tables. Its versions disagree, so an ID takes the HRP of either:
 * luxfi/node `utils/constants/network_ids.go` (the avalanchego table with
 * `lux` for mainnet: 1 lux, 5 fuji, 12345 local) and the newer
 * github.com/luxfi/constants `network_ids.go` (1 lux, 2 test, 3 dev, 369
 * testing, 1337 custom, 96369 lux, 96368 test, 96370 dev). Both fall back
 * to "custom".
 */
const LUXD_HRPS: Readonly<Record<number, readonly string[]>> = {
  1: ["lux"],
  2: ["cascade", "test"],
  3: ["denali", "dev"],
  4: ["everest"],
  5: ["fuji"],
  10: ["testing"],
  369: ["testing"],
  1337: ["custom"],
  12345: ["local"],
  96368: ["test"],
  96369: ["lux"],
  96370: ["dev"],
};

/** The HRP both nodes give a network ID they have no name for. */
export const FALLBACK_HRP = "custom";

/** The HRP the published Pars genesis uses. */
export const PARS_HRP = "pars";

/**
 * The HRPs parsd accepts in a genesis for a network ID, the node's own first.
 *
 * The rule for the Pars IDs (7070, 7071, 7072, {@linkcode NETWORKS}): no
 * node table names them, so the node's HRP is "custom"; and `pars`, the HRP
 * of the published Pars genesis, is accepted too. Real nodes agree with
 * both: luxd 1.13.4 and avalanchego 1.13.5, given the Pars genesis for
 * 7070, decoded its `pars1…` addresses and failed only on their checksums
 * (`../shared/pars/README.md`), as they ignore a genesis address's HRP.
 */
export function hrpsFor(networkId: number, dialect: GenesisDialect): readonly string[] {
  const own = dialect === "avalanchego"
    ? [AVALANCHEGO_HRPS[networkId] ?? FALLBACK_HRP]
    : LUXD_HRPS[networkId] ?? [FALLBACK_HRP];
  const pars = Object.values(NETWORKS).includes(networkId) ? [PARS_HRP] : [];
  return [...own, ...pars];
}

/** A checked X/P address: its 20 bytes as lower-case hex (to compare addresses). */
export type AddressResult = { readonly key: string } | { readonly problem: string };

/** The length of an address, in bytes. */
export const ADDRESS_LENGTH = 20;

const CHAINS = ["X", "P"];

const toHex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/**
 * Checks an X/P-chain address such as `X-local18jma8ppw3nhx5r4ap8clazz0dps7rv5u00z96u`.
 *
 * @param hrps the HRPs that fit the network ({@linkcode hrpsFor}); the first is named in the fix.
 * @returns the address's bytes as a key, or one problem (without a path).
 */
export function checkChainAddress(value: unknown, hrps: readonly string[]): AddressResult {
  const want = `X-${hrps[0] ?? FALLBACK_HRP}1…`;
  if (typeof value !== "string") {
    return { problem: `must be an address such as ${want}, got ${describeValue(value)}` };
  }
  const dash = value.indexOf("-");
  if (dash < 0) {
    return {
      problem: `${
        describeValue(value)
      } has no chain prefix; write it as X-<address> or P-<address>`,
    };
  }
  const chain = value.slice(0, dash);
  if (!CHAINS.includes(chain)) {
    return { problem: `${describeValue(value)}: chain prefix '${chain}' is not X or P` };
  }
  let decoded: { prefix: string; words: number[] };
  try {
    decoded = bech32.decode(value.slice(dash + 1) as `${string}1${string}`);
  } catch (error) {
    const reason = (error as Error).message;
    return {
      problem: /checksum/i.test(reason)
        ? `bad bech32 checksum in ${describeValue(value)}; derive the address again from its key`
        : `${describeValue(value)} is not bech32 (${reason.replace(/ in .*$/, "")})`,
    };
  }
  const bytes = bech32.fromWordsUnsafe(decoded.words);
  if (bytes === undefined || bytes.length !== ADDRESS_LENGTH) {
    return {
      problem: `${describeValue(value)} holds ${
        bytes?.length ?? "no whole"
      } bytes; an address holds ${ADDRESS_LENGTH}`,
    };
  }
  const hrp = decoded.prefix.toLowerCase();
  if (!hrps.includes(hrp)) {
    return {
      problem: `${describeValue(value)}: HRP '${hrp}' does not fit this network, which uses ${
        hrps.map((h) => `'${h}'`).join(" or ")
      }; a genesis for another network?`,
    };
  }
  return { key: toHex(bytes) };
}

/**
 * Checks an `ethAddr`: `0x` and 40 hex digits; all one case, or mixed case
 * with a correct EIP-55 checksum.
 *
 * @returns one problem (without a path), or undefined when it is good.
 */
export function checkEthAddress(value: unknown): string | undefined {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(value)) {
    return `must be 0x and 40 hex digits (20 bytes), got ${describeValue(value)}`;
  }
  const digits = value.slice(2);
  const oneCase = digits === digits.toLowerCase() || digits === digits.toUpperCase();
  if (!oneCase && checksumAddress(value) !== value) {
    return `${describeValue(value)} has a bad EIP-55 checksum (expected ${
      checksumAddress(value)
    }); write it in all lower case or with its checksum`;
  }
  return undefined;
}
