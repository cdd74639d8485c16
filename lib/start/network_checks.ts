/**
 * @module
 * The checks of the network luxd joins: its genesis (checked, and how luxd
 * gets it) and its bootstrappers (in the flags of the luxd at hand). Listed
 * in `plan.ts`'s assess like those of `checks.ts`.
 */

import { ConfigError, ParsdError } from "../errors.ts";
import { genesisArgs } from "../network/genesis_args.ts";
import { bootstrapArgs, nodeAddress } from "../network/bootstrap.ts";
import type { LuxdDecisions } from "../luxd/flags.ts";
import type { LuxdFacts } from "./facts.ts";
import { type CheckInput, type Decided, fail, ok } from "./checks.ts";

/**
 * The network's genesis: checked (every problem at once, 78) and how luxd
 * gets it, on its command line or as a file parsd writes in the data dir.
 * No genesis configured: luxd uses its own for the network ID.
 */
export function decideGenesis(
  { s, f }: CheckInput,
  luxd: LuxdFacts,
): Decided<{ form?: LuxdDecisions["genesis"]; file?: { path: string; text: string } } | undefined> {
  if (f.genesis === undefined) {
    return {
      checks: [ok("genesis", `none given: luxd uses its own genesis for network ${s.networkId}`)],
      decision: {},
    };
  }
  if ("error" in f.genesis) {
    return { checks: fail("genesis", f.genesis.error), decision: undefined };
  }
  const g = f.genesis.ok;
  if (g.problems.length > 0) {
    return {
      checks: fail("genesis", new ConfigError(g.problems.map((p) => `genesis ${g.path}: ${p}`))),
      decision: undefined,
    };
  }
  try {
    const out = genesisArgs(g.text, { has: (x) => luxd.flags.has(x), dataDir: f.layout.dataDir });
    const sum = g.summary;
    const detail = `${g.path} (${g.dialect} dialect${
      sum === undefined
        ? ""
        : `: network ${sum.networkId}, ${sum.stakers} stakers, C-chain ID ${sum.cChainId}`
    }; ${out.file === undefined ? "on the command line" : `written to ${out.file.path}`})`;
    return {
      checks: [ok("genesis", detail)],
      decision: out.file === undefined
        ? { form: { content: out.args[0]!.slice("--genesis-file-content=".length) } }
        : { form: { file: out.file.path }, file: { path: out.file.path, text: out.file.text } },
    };
  } catch (error) {
    if (!(error instanceof ParsdError)) throw error;
    return { checks: fail("genesis", error), decision: undefined };
  }
}

/** The network's bootstrappers, in the flags of the luxd at hand. */
export function decideBootstrap(
  { s }: CheckInput,
  luxd: LuxdFacts,
): Decided<LuxdDecisions["bootstrappers"] | undefined> {
  const nodes = s.bootstrapNodes;
  if (nodes.length === 0) {
    return { checks: [ok("bootstrap", "none given: luxd's own for the network")], decision: [] };
  }
  try {
    bootstrapArgs(nodes, (x) => luxd.flags.has(x));
  } catch (error) {
    if (!(error instanceof ParsdError)) throw error;
    return { checks: fail("bootstrap", error), decision: undefined };
  }
  return {
    checks: [ok("bootstrap", nodes.map((n) => `${n.nodeId}@${nodeAddress(n)}`).join(", "))],
    decision: nodes.map((n) => ({ nodeId: n.nodeId, address: nodeAddress(n) })),
  };
}
