/**
 * @module
 * `parsd genesis check FILE [--network-id ID] [--dialect luxd|avalanchego]`:
 * checks a network genesis offline, as luxd would read it for parsd's
 * network ID, listing every problem (exit 78) or printing a summary.
 */

import type { ParsedArgs } from "../args.ts";
import { ConfigError, NoInputError, UsageError } from "../../errors.ts";
import { absolutePath } from "../../os/path.ts";
import type { System } from "../../os/system.ts";
import { loadContext, readInput } from "../context.ts";
import { homeOf, userCwd } from "../../os/env.ts";
import { checkGenesis, type GenesisDialect, genesisError } from "../../network/genesis.ts";

/** The most parsd reads of a genesis file (avalanchego's mainnet genesis is 3.5 MB). */
export const GENESIS_MAX_BYTES = 16 << 20;

const DIALECTS: readonly GenesisDialect[] = ["luxd", "avalanchego"];

/** The `--dialect` value: luxd unless given. @throws {UsageError} for another word. */
export function dialectFlag(raw: string | boolean | undefined): GenesisDialect {
  if (raw === undefined) return "luxd";
  if (typeof raw === "string" && (DIALECTS as readonly string[]).includes(raw)) {
    return raw as GenesisDialect;
  }
  throw new UsageError(`--dialect ${JSON.stringify(raw)}: must be 'luxd' or 'avalanchego'`);
}

/**
 * Reads a genesis file's text.
 *
 * @throws {NoInputError} when it does not exist; {@linkcode PermissionError}
 *   when it cannot be read; {@linkcode ConfigError} for a directory, a
 *   special file, a link loop, a huge or non-UTF-8 file.
 */
export async function readGenesis(sys: System, path: string): Promise<string> {
  const text = await readInput(sys, path, {
    what: "genesis",
    maxBytes: GENESIS_MAX_BYTES,
    fixes: {
      directory: "give the genesis file's path",
      special: "give the genesis file's path",
      "too-large": `a genesis is at most ${
        GENESIS_MAX_BYTES >> 20
      } MiB; check you named the right file`,
      "not-utf8": "save it as UTF-8 JSON",
    },
    otherwise: ConfigError,
  });
  if (text === undefined) {
    throw new NoInputError(`genesis ${path} does not exist; give the path of a genesis JSON file`);
  }
  return text;
}

/** Checks the genesis; prints its summary and returns 0. @throws {ConfigError} listing every problem. */
export async function command(sys: System, args: ParsedArgs): Promise<number> {
  const [verb, given, ...extra] = args.positionals;
  if (verb !== "check" || given === undefined || extra.length > 0) {
    throw new UsageError(
      `'parsd genesis' takes 'check FILE', got '${["genesis", ...args.positionals].join(" ")}'`,
    );
  }
  const dialect = dialectFlag(args.flags["dialect"]);
  const file = absolutePath(given, homeOf(sys), userCwd(sys));
  const { networkId } = (await loadContext(sys, args)).settings;
  const text = await readGenesis(sys, file);
  const { problems, summary } = checkGenesis(text, { networkId, dialect, now: sys.now() });
  if (summary === undefined) throw genesisError(file, problems);
  sys.out(
    [
      `${file}: a good genesis for network ${networkId} (${dialect})`,
      `  network ID:        ${summary.networkId}`,
      `  initial stakers:   ${summary.stakers}`,
      `  C-chain chain ID:  ${summary.cChainId}`,
      `  total allocation:  ${summary.totalAllocation}`,
    ].join("\n") + "\n",
  );
  return 0;
}
