/**
 * @module
 * Checks a network genesis before luxd sees it, reporting every problem at
 * once where the node stops at the first (the real luxd 1.13.4 names only
 * the first bad address). Pure, but for the clock when no `now` is given.
 *
 * The format and the node's own rules come from avalanchego 1.13.5
 * (`genesis/config.go`, `unparsed_config.go`, `genesis.go`
 * `validateConfig`), which luxd forks with `luxAddr` for `avaxAddr`:
 * `networkID` equals the node's network ID; the initial supply (every
 * `initialAmount` and `unlockSchedule[].amount`) is above 0 and fits a
 * uint64; `startTime` is not in the future; `initialStakeDuration` is above
 * 0 and at most the node's `--max-stake-duration` (default 8760h);
 * `initialStakeDurationOffset` × (stakers − 1) ≤ `initialStakeDuration`;
 * at least one staker; `initialStakedFunds` is not empty, holds no address
 * twice and only addresses that have an allocation; the locked amounts add
 * up to at least the number of stakers; `cChainGenesis` is not empty.
 * parsd adds what the node only finds later or never: every address's
 * checksum, length and HRP (`address.ts`), NodeIDs, BLS keys and proofs of
 * possession (`bls.ts`), the delegation fee's range, and a C-chain genesis
 * that parses with a chain ID.
 */

import { ConfigError } from "../errors.ts";
import { checkChainAddress, checkEthAddress, type GenesisDialect, hrpsFor } from "./address.ts";
import { checkSigner } from "./bls.ts";
import { checkCChainGenesis } from "./cchain_genesis.ts";
import { nodeIdProblem } from "./node_id_text.ts";
import {
  describeValue,
  isJsonObject,
  type JsonObject,
  parseJsonExact,
  readUint,
  UINT_MAX,
} from "./json_exact.ts";

export type { GenesisDialect } from "./address.ts";
export {
  GENESIS_CONTENT_LIMIT,
  type GenesisArgs,
  genesisArgs,
  genesisNetworkProblem,
} from "./genesis_args.ts";

/** What a good genesis holds, for a summary line. */
export interface GenesisSummary {
  readonly networkId: number;
  /** How many initial stakers. */
  readonly stakers: number;
  /** The C-chain's EVM chain ID (`config.chainId` of `cChainGenesis`). */
  readonly cChainId: number;
  /** Every `initialAmount` and `unlockSchedule[].amount`, in the smallest unit, as decimal text. */
  readonly totalAllocation: string;
}

/** What {@linkcode checkGenesis} found. */
export interface GenesisCheck {
  /** One line per problem, each starting with its JSON path; empty when the genesis is good. */
  readonly problems: string[];
  /** Present exactly when there is no problem. */
  readonly summary?: GenesisSummary;
}

/** What the check needs besides the text. */
export interface GenesisCheckOptions {
  /** The network ID luxd runs with. */
  readonly networkId: number;
  /** Which node reads it; see {@linkcode genesisDialect}. */
  readonly dialect: GenesisDialect;
  /** Now, in ms since the epoch (`System.now()`); the clock when left out. */
  readonly now?: number;
}

/**
 * The longest `initialStakeDuration`, in seconds: 365 days, the default
 * `--max-stake-duration` (8760h) of luxd 1.13.4, 1.22.18 and avalanchego.
 */
export const MAX_INITIAL_STAKE_DURATION = 365 * 24 * 3600;

/** The delegation fee's denominator: fees are in millionths (20000 is 2%). */
export const DELEGATION_FEE_MAX = 1_000_000;

/** The genesis key of an allocation's X/P address in each dialect. */
export const ADDRESS_KEY: Readonly<Record<GenesisDialect, string>> = {
  luxd: "luxAddr",
  avalanchego: "avaxAddr",
};

/**
 * Tells the genesis dialect from the node's version string: `avalanchego/…`
 * (as `--version` prints it, or its `application`) is avalanchego; anything
 * else (`node/1.13.4 […]`) is luxd, which is what parsd runs.
 */
export function genesisDialect(versionString: string): GenesisDialect {
  return /^\s*avalanchego\//i.test(versionString) ? "avalanchego" : "luxd";
}

/** Collects problem lines, each prefixed with its path. */
class Problems {
  readonly lines: string[] = [];
  at(path: string, problem: string): void {
    this.lines.push(path === "" ? problem : `${path}: ${problem}`);
  }
  /** Reads a uint field; a problem reads as undefined. */
  uint(obj: JsonObject, key: string, path: string, bits: 32 | 64): bigint | undefined {
    const v = readUint(obj[key], bits);
    if (typeof v === "string") this.at(`${path}${key}`, v);
    return typeof v === "string" ? undefined : v;
  }
  /** Reads a list field (missing or null is empty); a problem reads as empty. */
  list(obj: JsonObject, key: string, path: string, what: string): unknown[] {
    const v = obj[key];
    if (v === undefined || v === null) return [];
    if (Array.isArray(v)) return v;
    this.at(`${path}${key}`, `must be a list of ${what}, got ${describeValue(v)}`);
    return [];
  }
  /** Whether an entry is an object; says so when it is not. */
  object(v: unknown, path: string, what: string): v is JsonObject {
    if (isJsonObject(v)) return true;
    this.at(path, `must be ${what} (a JSON object), got ${describeValue(v)}`);
    return false;
  }
}

/**
 * Checks a genesis for the network `o.networkId`, in the dialect of the
 * node that will read it.
 *
 * @returns every problem (each `<json path>: <what is wrong>; <fix>`), and
 *   the summary when there is none.
 */
export function checkGenesis(text: string, o: GenesisCheckOptions): GenesisCheck {
  const parsed = parseJsonExact(text);
  if ("error" in parsed) {
    return { problems: [`not JSON (${parsed.error}); a genesis is one JSON object`] };
  }
  const g = parsed.value;
  if (!isJsonObject(g)) {
    return { problems: [`must be one JSON object, got ${describeValue(g)}`] };
  }
  const p = new Problems();
  const hrps = hrpsFor(o.networkId, o.dialect);

  const networkId = p.uint(g, "networkID", "", 32);
  if (g["networkID"] === undefined || g["networkID"] === null) {
    p.at("networkID", `missing; set it to ${o.networkId}, the network ID parsd runs luxd with`);
  } else if (networkId !== undefined && networkId !== BigInt(o.networkId)) {
    p.at(
      "networkID",
      `${networkId}, but luxd runs with network ID ${o.networkId}; set networkID to ${o.networkId}, or run parsd with --network-id ${networkId}`,
    );
  }

  const funds = checkAllocations(g, o.dialect, hrps, p);
  const stakers = checkStakers(g, hrps, p);
  checkStakedFunds(g, funds.keys, hrps, p);

  if (funds.total === 0n) {
    p.at(
      "allocations",
      "the initial supply is 0; give some allocation an initialAmount or an unlockSchedule amount",
    );
  } else if (funds.total > UINT_MAX[64]) {
    p.at(
      "allocations",
      `the initial supply ${funds.total} overflows a uint64 (at most ${
        UINT_MAX[64]
      }); lower the amounts`,
    );
  }
  if (stakers !== undefined && stakers > 0 && funds.locked < BigInt(stakers)) {
    p.at(
      "allocations",
      `the unlockSchedule amounts add up to ${funds.locked}, less than the ${stakers} initial stakers need (1 each); lock more`,
    );
  }

  checkTimes(g, stakers ?? 0, o.now ?? Date.now(), p);
  const cChain = checkCChainGenesis(g["cChainGenesis"]);
  if ("problem" in cChain) p.at("cChainGenesis", cChain.problem);
  if (g["message"] !== undefined && g["message"] !== null && typeof g["message"] !== "string") {
    p.at("message", `must be a string, got ${describeValue(g["message"])}`);
  }

  if (p.lines.length > 0) return { problems: p.lines };
  return {
    problems: [],
    summary: {
      networkId: o.networkId,
      stakers: stakers ?? 0,
      cChainId: "chainId" in cChain ? cChain.chainId : 0,
      totalAllocation: String(funds.total),
    },
  };
}

/** What the allocations hold: the addresses (as byte keys, when all are valid) and the sums. */
interface Funds {
  readonly keys: Set<string> | undefined;
  readonly total: bigint;
  readonly locked: bigint;
}

function checkAllocations(
  g: JsonObject,
  dialect: GenesisDialect,
  hrps: readonly string[],
  p: Problems,
): Funds {
  const key = ADDRESS_KEY[dialect];
  const other = ADDRESS_KEY[dialect === "luxd" ? "avalanchego" : "luxd"];
  let keys: Set<string> | undefined = new Set<string>();
  let total = 0n;
  let locked = 0n;
  p.list(g, "allocations", "", "allocations").forEach((a, i) => {
    const at = `allocations[${i}]`;
    if (!p.object(a, at, "an allocation")) return;
    if (a["ethAddr"] === undefined || a["ethAddr"] === null) {
      p.at(
        `${at}.ethAddr`,
        "missing; the node needs one (0x and 40 hex digits; all zeros if none)",
      );
    } else {
      const eth = checkEthAddress(a["ethAddr"]);
      if (eth !== undefined) p.at(`${at}.ethAddr`, eth);
    }
    if (a[key] === undefined || a[key] === null) {
      p.at(
        `${at}.${key}`,
        a[other] !== undefined
          ? `missing, but the allocation has ${other}, ${
            dialect === "luxd" ? "avalanchego" : "luxd"
          }'s name for it; ${dialect} reads ${key}: rename the key`
          : `missing; give the allocation's address (X-${hrps[0]}1…)`,
      );
      keys = undefined;
    } else {
      const addr = checkChainAddress(a[key], hrps);
      if ("problem" in addr) {
        p.at(`${at}.${key}`, addr.problem);
        keys = undefined;
      } else keys?.add(addr.key);
    }
    total += p.uint(a, "initialAmount", `${at}.`, 64) ?? 0n;
    p.list(a, "unlockSchedule", `${at}.`, "{amount, locktime} entries").forEach((u, j) => {
      const ut = `${at}.unlockSchedule[${j}]`;
      if (!p.object(u, ut, "an unlock entry")) return;
      const amount = p.uint(u, "amount", `${ut}.`, 64) ?? 0n;
      p.uint(u, "locktime", `${ut}.`, 64);
      total += amount;
      locked += amount;
    });
  });
  return { keys, total, locked };
}

/** @returns the number of stakers, or undefined when the list itself is bad. */
function checkStakers(g: JsonObject, hrps: readonly string[], p: Problems): number | undefined {
  const raw = g["initialStakers"];
  const stakers = p.list(g, "initialStakers", "", "stakers");
  if (raw !== undefined && raw !== null && !Array.isArray(raw)) return undefined;
  if (stakers.length === 0) {
    p.at("initialStakers", "empty; the node needs at least one initial staker");
  }
  const seen = new Map<string, number>();
  stakers.forEach((s, i) => {
    const at = `initialStakers[${i}]`;
    if (!p.object(s, at, "a staker")) return;
    const id = nodeIdProblem(s["nodeID"]);
    if (id !== undefined) p.at(`${at}.nodeID`, id);
    else {
      const first = seen.get(s["nodeID"] as string);
      if (first !== undefined) {
        p.at(
          `${at}.nodeID`,
          `the same as initialStakers[${first}]'s; give each staker its own node`,
        );
      } else seen.set(s["nodeID"] as string, i);
    }
    const reward = checkChainAddress(s["rewardAddress"], hrps);
    if ("problem" in reward) p.at(`${at}.rewardAddress`, reward.problem);
    const fee = p.uint(s, "delegationFee", `${at}.`, 32);
    if (fee !== undefined && fee > BigInt(DELEGATION_FEE_MAX)) {
      p.at(
        `${at}.delegationFee`,
        `${fee} is above ${DELEGATION_FEE_MAX} (100%); the fee is in millionths: 20000 is 2%`,
      );
    }
    const signer = s["signer"];
    if (signer === undefined || signer === null) return; // optional, as in the node
    if (!p.object(signer, `${at}.signer`, "{publicKey, proofOfPossession}")) return;
    const bad = checkSigner(signer["publicKey"], signer["proofOfPossession"]);
    if (bad.publicKey !== undefined) p.at(`${at}.signer.publicKey`, bad.publicKey);
    if (bad.proofOfPossession !== undefined) {
      p.at(`${at}.signer.proofOfPossession`, bad.proofOfPossession);
    }
  });
  return stakers.length;
}

function checkStakedFunds(
  g: JsonObject,
  allocated: Set<string> | undefined,
  hrps: readonly string[],
  p: Problems,
): void {
  const raw = g["initialStakedFunds"];
  const funds = p.list(g, "initialStakedFunds", "", "addresses");
  if ((raw === undefined || raw === null || Array.isArray(raw)) && funds.length === 0) {
    p.at(
      "initialStakedFunds",
      "empty; the node needs the address(es) whose locked allocations the initial stakers stake",
    );
  }
  const seen = new Map<string, number>();
  funds.forEach((f, i) => {
    const at = `initialStakedFunds[${i}]`;
    const addr = checkChainAddress(f, hrps);
    if ("problem" in addr) return p.at(at, addr.problem);
    const first = seen.get(addr.key);
    if (first !== undefined) {
      return p.at(at, `the same address as initialStakedFunds[${first}]; list it once`);
    }
    seen.set(addr.key, i);
    if (allocated !== undefined && !allocated.has(addr.key)) {
      p.at(at, `${describeValue(f)} has no allocation; stake an address that the allocations fund`);
    }
  });
}

function checkTimes(g: JsonObject, stakers: number, nowMs: number, p: Problems): void {
  const start = p.uint(g, "startTime", "", 64);
  const nowS = BigInt(Math.floor(nowMs / 1000));
  if (start === 0n) {
    p.at(
      "startTime",
      "missing or 0; set it to the network's start, in Unix seconds, not after now",
    );
  } else if (start !== undefined && start > nowS) {
    const hint = start > 100_000_000_000n ? " (it looks like milliseconds: give seconds)" : "";
    p.at(
      "startTime",
      `${start} is in the future${hint}; the node refuses a genesis that starts after now (${nowS}): set a past Unix time`,
    );
  }
  const duration = p.uint(g, "initialStakeDuration", "", 64);
  if (duration === 0n) {
    p.at(
      "initialStakeDuration",
      "missing or 0; give the initial stakers' staking period in seconds (e.g. 31536000)",
    );
  } else if (duration !== undefined && duration > BigInt(MAX_INITIAL_STAKE_DURATION)) {
    p.at(
      "initialStakeDuration",
      `${duration} s is longer than the node's --max-stake-duration (8760h = ${MAX_INITIAL_STAKE_DURATION} s); shorten it`,
    );
  }
  const offset = p.uint(g, "initialStakeDurationOffset", "", 64);
  if (duration !== undefined && duration > 0n && offset !== undefined && stakers > 1) {
    const needed = offset * BigInt(stakers - 1);
    if (needed > duration) {
      p.at(
        "initialStakeDurationOffset",
        `${offset} s × ${
          stakers - 1
        } (stakers after the first) = ${needed} s exceeds initialStakeDuration ${duration} s; lower the offset or lengthen the duration`,
      );
    }
  }
}

/**
 * The error for a bad genesis: exit 78, one `<file>: <problem>` line per
 * problem (`problems` from {@linkcode checkGenesis}).
 */
export function genesisError(path: string, problems: readonly string[]): ConfigError {
  return new ConfigError(problems.map((p) => `${path}: ${p}`));
}
