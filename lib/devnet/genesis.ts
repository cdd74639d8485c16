/**
 * @module
 * A devnet's network genesis, in the node's dialect: avalanchego 1.13.5's
 * `genesis.UnparsedConfig` (`genesis/config.go`, `unparsed_config.go`), or
 * luxd's, which names the address key `luxAddr` and gives each staker a
 * `weight`. The development key is funded on X (`initialAmount`) and P (an
 * unlocked `unlockSchedule` entry) and on C (`cChainGenesis`'s `alloc`); a
 * second key owns the stake, which avalanchego splits evenly among the
 * initial stakers (`initialStakedFunds`); every node is an initial staker
 * with its BLS key and proof of possession. `cChainGenesis` is the published
 * Pars C-chain genesis (`../shared/pars/genesis/cchain-genesis.json`) with
 * this network's chain ID, start time, key and precompile table: coreth
 * (avalanchego's built-in C-chain) reads the Ethereum fields and ignores the
 * Pars ones (`feeConfig`, `warpConfig`, `pqPrecompiles`); it schedules the
 * Warp precompile itself at Durango. Pure and deterministic: the same input
 * gives the same text.
 */

import { ADDRESS_KEY } from "../network/genesis.ts";
import type { GenesisDialect } from "../network/address.ts";
import type { KeyAddresses } from "./dev_key.ts";
import type { NodeFacts } from "./identity.ts";

/** The amounts a devnet genesis gives, in the chains' smallest units. */
export const AMOUNTS = {
  /** X-chain funds of the development key: 100 M (9 decimals). */
  x: 100_000_000 * 1e9,
  /** P-chain funds of the development key, unlocked: 100 M. */
  p: 100_000_000 * 1e9,
  /** Each initial staker's stake: 2 M. */
  stake: 2_000_000 * 1e9,
  /** C-chain balance of the development key, in wei: 1 M (18 decimals). */
  cWei: 10n ** 24n,
} as const;

/** How long the initial stakers validate: one year, avalanchego's longest for a local network. */
export const INITIAL_STAKE_SECONDS = 365 * 24 * 60 * 60;
/** Each initial staker's delegation fee, in parts per million (2 %). */
export const DELEGATION_FEE = 20_000;

/** Everything a devnet genesis is made of. */
export interface GenesisInput {
  readonly networkId: number;
  readonly dialect: GenesisDialect;
  /** Unix seconds; must not be in the future when the node starts. */
  readonly startTime: number;
  /** The C-chain's EVM chain ID. */
  readonly chainId: number;
  /** The funded development key; also every staker's reward address. */
  readonly dev: KeyAddresses;
  /** The key that owns the stake (its funds are all staked). */
  readonly stakeOwner: KeyAddresses;
  /** The initial stakers, in node order. */
  readonly stakers: readonly NodeFacts[];
  /** The Pars precompile table, name → address (`PRECOMPILES` of `network/pars.ts`). */
  readonly precompiles: Readonly<Record<string, string>>;
}

/** The key the published C-chain genesis gives each precompile of the Pars table. */
const PRECOMPILE_KEYS: Readonly<Record<string, string>> = {
  "ml-dsa-65": "mldsaAddress",
  "ml-kem-768": "mlkemAddress",
  "bls12-381": "blsAddress",
  "ringtail": "ringtailAddress",
  "fhe": "fheAddress",
};

/** A short address (`0x0601`) as the 20-byte address the published genesis writes. */
export function fullAddress(short: string): string {
  return "0x" + short.replace(/^0x/i, "").padStart(40, "0");
}

/** `config.pqPrecompiles` of the published C-chain genesis, from the Pars table. */
export function pqPrecompiles(table: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(table).map((
      [name, address],
    ) => [PRECOMPILE_KEYS[name] ?? `${name.replace(/-/g, "")}Address`, fullAddress(address)]),
  );
}

const hex = (n: number | bigint) => "0x" + n.toString(16);

/** The C-chain genesis (an EVM genesis, as an object): the published Pars form for this network. */
export function cChainGenesis(input: GenesisInput): Record<string, unknown> {
  const zeroHash = "0x" + "0".repeat(64);
  return {
    config: {
      chainId: input.chainId,
      homesteadBlock: 0,
      eip150Block: 0,
      eip155Block: 0,
      eip158Block: 0,
      byzantiumBlock: 0,
      constantinopleBlock: 0,
      petersburgBlock: 0,
      istanbulBlock: 0,
      muirGlacierBlock: 0,
      berlinBlock: 0,
      londonBlock: 0,
      feeConfig: {
        gasLimit: 15_000_000,
        targetBlockRate: 2,
        minBaseFee: 25_000_000_000,
        targetGas: 75_000_000,
        baseFeeChangeDenominator: 36,
        minBlockGasCost: 0,
        maxBlockGasCost: 1_000_000,
        blockGasCostStep: 200_000,
      },
      warpConfig: {
        blockTimestamp: input.startTime,
        quorumNumerator: 67,
        requirePrimaryNetworkSigners: false,
      },
      pqPrecompiles: pqPrecompiles(input.precompiles),
    },
    nonce: "0x0",
    timestamp: hex(input.startTime),
    extraData: "0x",
    gasLimit: hex(15_000_000),
    difficulty: "0x0",
    mixHash: zeroHash,
    coinbase: "0x" + "0".repeat(40),
    alloc: { [input.dev.c.replace(/^0x/, "")]: { balance: hex(AMOUNTS.cWei) } },
    number: "0x0",
    gasUsed: "0x0",
    parentHash: zeroHash,
  };
}

/** The network genesis, as an object in the input's dialect. */
export function networkGenesis(input: GenesisInput): Record<string, unknown> {
  const addr = ADDRESS_KEY[input.dialect];
  const staker = (s: NodeFacts) => ({
    nodeID: s.nodeId,
    rewardAddress: input.dev.x,
    delegationFee: DELEGATION_FEE,
    ...(input.dialect === "luxd" ? { weight: AMOUNTS.stake } : {}),
    signer: { publicKey: s.blsPublicKey, proofOfPossession: s.proofOfPossession },
  });
  return {
    networkID: input.networkId,
    allocations: [
      {
        ethAddr: input.dev.c,
        [addr]: input.dev.x,
        initialAmount: AMOUNTS.x,
        unlockSchedule: [{ amount: AMOUNTS.p, locktime: 0 }],
      },
      {
        ethAddr: input.stakeOwner.c,
        [addr]: input.stakeOwner.x,
        initialAmount: 0,
        unlockSchedule: [{ amount: AMOUNTS.stake * input.stakers.length, locktime: 0 }],
      },
    ],
    startTime: input.startTime,
    initialStakeDuration: INITIAL_STAKE_SECONDS,
    initialStakeDurationOffset: 0,
    initialStakedFunds: [input.stakeOwner.x],
    initialStakers: input.stakers.map(staker),
    cChainGenesis: JSON.stringify(cChainGenesis(input)),
    message: "parsd devnet",
  };
}

/** The genesis file's text: {@linkcode networkGenesis} as indented JSON. */
export function genesisText(input: GenesisInput): string {
  return JSON.stringify(networkGenesis(input), null, 2) + "\n";
}
