/**
 * @module
 * The devnet directory's layout, computed purely from its path: the marker
 * that says parsd made it, the state file (`devnet.json`), the genesis, the
 * two keys, the lock's pid file and one data dir per node (`node-1/` …,
 * each a parsd data dir with its staking files under `staking/`).
 */

import { join } from "../os/path.ts";

/** Every path parsd uses in a devnet directory. */
export interface DevnetLayout {
  readonly dir: string;
  /** `.parsd-devnet`: written first; only a directory that holds it may be reset. */
  readonly marker: string;
  /** `devnet.json`: the network's state, written last (a devnet without it is unfinished). */
  readonly state: string;
  /** `genesis.json`: the network genesis every node starts from. */
  readonly genesis: string;
  /** `dev.key`: the funded development key (`0x` hex), 0600. */
  readonly devKey: string;
  /** `stake.key`: the key owning the initial stake (`0x` hex), 0600. */
  readonly stakeKey: string;
  /** `devnet.pid`: the pid of the `parsd devnet up` holding the directory's lock. */
  readonly pidFile: string;
}

/** The most nodes a devnet may have: each is a full node (about 100 MiB, two ports). */
export const MAX_NODES = 32;
/** The node count of a new devnet when `--nodes` is not given. */
export const DEFAULT_NODES = 5;

/** The default devnet directory under a home directory. */
export const defaultDevnetDir = (home: string): string => join(home, ".pars-devnet");

/** The file names parsd writes at the top of a devnet directory (besides node dirs). */
export const DEVNET_FILES = {
  marker: ".parsd-devnet",
  state: "devnet.json",
  genesis: "genesis.json",
  devKey: "dev.key",
  stakeKey: "stake.key",
  pidFile: "devnet.pid",
} as const;

/** The layout of a devnet directory. */
export function devnetLayout(dir: string): DevnetLayout {
  return {
    dir,
    marker: join(dir, DEVNET_FILES.marker),
    state: join(dir, DEVNET_FILES.state),
    genesis: join(dir, DEVNET_FILES.genesis),
    devKey: join(dir, DEVNET_FILES.devKey),
    stakeKey: join(dir, DEVNET_FILES.stakeKey),
    pidFile: join(dir, DEVNET_FILES.pidFile),
  };
}

/** The name of node `i` (1-based): `node-1`. */
export const nodeName = (i: number): string => `node-${i}`;

/** Whether a directory entry's name is one of parsd's node dirs. */
export const isNodeName = (name: string): boolean => /^node-[1-9]\d*$/.test(name);

/** Node `i`'s data dir (1-based). */
export const nodeDataDir = (l: DevnetLayout, i: number): string => join(l.dir, nodeName(i));

/** What the marker file says. */
export const MARKER_TEXT =
  "This directory is a parsd devnet. 'parsd devnet up --reset' deletes the files and node dirs parsd made here.\n";
