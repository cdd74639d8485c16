/**
 * The fixtures and helpers the genesis tests share: the published Pars
 * genesis, avalanchego's local genesis, a fixed clock, and ways to write a
 * mutated genesis back as text.
 */
import { bech32 } from "@scure/base";
import type { GenesisCheckOptions } from "../../lib/network/genesis.ts";
import { join } from "../../lib/os/path.ts";
import { REPO } from "../helpers.ts";

export const FIXTURES = join(REPO, "tests", "fixtures");
export const read = (...p: string[]) => Deno.readTextFileSync(join(FIXTURES, ...p));
export const PARS = read("pars", "network-genesis.json");
export const PARS_CCHAIN = read("pars", "cchain-genesis.json");
export const LOCAL = read("avalanchego", "genesis_local.json");

/** A fixed clock after every fixture's startTime: 2026-01-01. */
export const NOW = Date.UTC(2026, 0, 1);
export const LOCAL_OPTS: GenesisCheckOptions = {
  networkId: 12345,
  dialect: "avalanchego",
  now: NOW,
};
export const PARS_OPTS: GenesisCheckOptions = { networkId: 7070, dialect: "luxd", now: NOW };

/** A parsed genesis, mutated freely by the tests. */
// deno-lint-ignore no-explicit-any
export type Json = any;
export const local = (): Json => JSON.parse(LOCAL);

/** Re-encodes an X/P address's bytes under another HRP (and chain). */
export function reencode(address: string, hrp: string, chain = address.slice(0, 1)): string {
  const { words } = bech32.decode(address.slice(2) as `${string}1${string}`);
  return `${chain}-${bech32.encode(hrp, words)}`;
}
export const addressOf = (bytes: Uint8Array, hrp = "local") =>
  `X-${bech32.encode(hrp, bech32.toWords(bytes))}`;

/** A number the text must hold as written (JSON.stringify cannot write 1e17 or 2^64). */
export const raw = (source: string) => `@@raw:${source}@@`;
export const text = (g: Json) => JSON.stringify(g).replace(/"@@raw:([^@]*)@@"/g, "$1");
