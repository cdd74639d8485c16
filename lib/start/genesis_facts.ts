/**
 * @module
 * The network's genesis as a fact: read from `--genesis` and checked, in the
 * dialect of the luxd that will read it, before luxd sees it. The checker
 * (and its curve library, which precomputes tables when imported) is loaded
 * only when a genesis is configured.
 */

import type { Settings } from "../settings.ts";
import type { System } from "../os/system.ts";
import type { GenesisDialect, GenesisSummary } from "../network/genesis.ts";
import type { LuxdFacts } from "./sealed_facts.ts";

/** A genesis file read and checked. */
export interface GenesisFacts {
  readonly path: string;
  readonly text: string;
  /** The dialect it was checked in, from luxd's application string. */
  readonly dialect: GenesisDialect;
  /** Every problem, each with its JSON path; empty when luxd can start from it. */
  readonly problems: readonly string[];
  /** Present when there is no problem. */
  readonly summary?: GenesisSummary;
}

/**
 * Reads and checks the configured genesis for the luxd at hand (luxd's
 * dialect when luxd could not be probed: its failure is reported on its own).
 *
 * @throws {ParsdError} when the file cannot be read (missing 66, unreadable
 *   77, a special, huge or non-UTF-8 file 78).
 */
export async function genesisFacts(
  sys: System,
  s: Settings & { readonly genesis: string },
  luxd: LuxdFacts | undefined,
): Promise<GenesisFacts> {
  const [{ readGenesis }, g] = await Promise.all([
    import("../cli/commands/genesis.ts"),
    import("../network/genesis.ts"),
  ]);
  const text = await readGenesis(sys, s.genesis);
  const dialect = g.genesisDialect(luxd?.application ?? "");
  const checked = g.checkGenesis(text, { networkId: s.networkId, dialect, now: sys.now() });
  const network = g.genesisNetworkProblem(s.networkId, dialect);
  return {
    path: s.genesis,
    text,
    dialect,
    problems: [...(network === undefined ? [] : [network]), ...checked.problems],
    ...(checked.summary === undefined ? {} : { summary: checked.summary }),
  };
}
