/**
 * @module
 * Making a new devnet: every key, identity and the genesis in memory first
 * ({@linkcode makeDevnet}), so that a genesis the checker refuses leaves
 * nothing behind; then writing it ({@linkcode writeDevnet}) marker first and
 * `devnet.json` last, so that an interrupted write is seen as unfinished and
 * made again, never taken for a devnet.
 */

import { layout } from "../data_dir/layout.ts";
import { cantCreate } from "../data_dir/create.ts";
import type { System } from "../os/system.ts";
import { keyAddresses, keyFileText, newSecretKey } from "./dev_key.ts";
import { genesisText } from "./genesis.ts";
import { type GenesisDialect, hrpsFor } from "../network/address.ts";
import { newNodeIdentity, nodeFacts, type NodeIdentity } from "./identity.ts";
import { type DevnetLayout, MARKER_TEXT, nodeDataDir, nodeName } from "./layout.ts";
import type { NodePorts } from "./ports.ts";
import { type DevnetState, STATE_FORMAT, stateText } from "./state.ts";

/** A devnet made in memory, ready to be written. */
export interface DevnetMaterial {
  readonly state: DevnetState;
  readonly genesis: string;
  readonly devKey: Uint8Array;
  readonly stakeKey: Uint8Array;
  readonly identities: readonly NodeIdentity[];
}

/** What a new devnet is made from. */
export interface DevnetSpec {
  readonly networkId: number;
  readonly chainId: number;
  readonly dialect: GenesisDialect;
  /** One entry per node. */
  readonly ports: readonly NodePorts[];
  /** The Pars precompile table for the C-chain genesis. */
  readonly precompiles: Readonly<Record<string, string>>;
  /** Now, in ms since the epoch. */
  readonly now: number;
}

/** How far in the past the genesis starts: a node refuses a start time in the future. */
export const START_TIME_LAG_S = 60;

/** The keys a devnet is made of (random in {@linkcode makeDevnet}; given in tests). */
export interface DevnetKeys {
  readonly devKey: Uint8Array;
  readonly stakeKey: Uint8Array;
  readonly identities: readonly NodeIdentity[];
}

/** Makes a new devnet's keys, identities, genesis and state, all in memory. */
export async function makeDevnet(spec: DevnetSpec): Promise<DevnetMaterial> {
  const identities = await Promise.all(spec.ports.map(() => newNodeIdentity(new Date(spec.now))));
  return devnetFromKeys(spec, { devKey: newSecretKey(), stakeKey: newSecretKey(), identities });
}

/** The devnet these keys make: deterministic, the same keys and spec give the same files. */
export function devnetFromKeys(spec: DevnetSpec, keys: DevnetKeys): DevnetMaterial {
  const hrp = hrpsFor(spec.networkId, spec.dialect)[0]!;
  const dev = keyAddresses(keys.devKey, hrp);
  const stakeOwner = keyAddresses(keys.stakeKey, hrp);
  const facts = keys.identities.map(nodeFacts);
  const startTime = Math.floor(spec.now / 1000) - START_TIME_LAG_S;
  const genesis = genesisText({
    networkId: spec.networkId,
    dialect: spec.dialect,
    startTime,
    chainId: spec.chainId,
    dev,
    stakeOwner,
    stakers: facts,
    precompiles: spec.precompiles,
  });
  const state: DevnetState = {
    format: STATE_FORMAT,
    networkId: spec.networkId,
    chainId: spec.chainId,
    dialect: spec.dialect,
    created: new Date(spec.now).toISOString(),
    dev: { x: dev.x, p: dev.p, c: dev.c },
    nodes: facts.map((f, i) => ({
      name: nodeName(i + 1),
      nodeId: f.nodeId,
      blsPublicKey: f.blsPublicKey,
      httpPort: spec.ports[i]!.httpPort,
      stakingPort: spec.ports[i]!.stakingPort,
    })),
  };
  return { state, genesis, ...keys };
}

async function write(sys: System, path: string, data: string | Uint8Array): Promise<void> {
  try {
    await sys.writeAtomic(path, data, 0o600);
  } catch (error) {
    throw cantCreate(path, error, "write");
  }
}

async function mkdir(sys: System, path: string): Promise<void> {
  try {
    if (!(await sys.lstat(path))) await sys.mkdir(path, 0o700);
  } catch (error) {
    throw cantCreate(path, error);
  }
}

/**
 * Writes a devnet into its directory (which exists, is locked, and holds
 * nothing of an earlier devnet): the marker, both keys, each node's data dir
 * with its staking files (dirs 0700, files 0600), the genesis, and
 * `devnet.json` last.
 *
 * @throws {CantCreateError} (73) naming the file that could not be written.
 */
export async function writeDevnet(
  sys: System,
  l: DevnetLayout,
  m: DevnetMaterial,
): Promise<void> {
  await write(sys, l.marker, MARKER_TEXT);
  await write(sys, l.devKey, keyFileText(m.devKey));
  await write(sys, l.stakeKey, keyFileText(m.stakeKey));
  for (const [i, identity] of m.identities.entries()) {
    const node = layout(nodeDataDir(l, i + 1));
    await mkdir(sys, node.dataDir);
    await mkdir(sys, node.stakingDir);
    await write(sys, node.stakingKey, identity.stakerKey);
    await write(sys, node.stakingCert, identity.stakerCert);
    await write(sys, node.signerKey, identity.signerKey);
  }
  await write(sys, l.genesis, m.genesis);
  await write(sys, l.state, stateText(m.state));
}
