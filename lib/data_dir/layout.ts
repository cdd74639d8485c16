/**
 * @module
 * The data directory's layout (PIP-7: `plugins/`, `db/`, `staking/`,
 * `config.json`), computed purely from the data dir's path.
 */

import { join } from "../os/path.ts";

/** Every path parsd uses under a data dir. */
export interface Layout {
  readonly dataDir: string;
  /** luxd's `--plugin-dir`: VMID-named links to verified plugins. */
  readonly pluginDir: string;
  /** luxd's `--db-dir`. */
  readonly dbDir: string;
  /** Staking keys; must be 0700 with key files 0600. */
  readonly stakingDir: string;
  readonly stakingKey: string;
  readonly stakingCert: string;
  readonly signerKey: string;
  /** The verification cache (see README, "Verification cache"). */
  readonly verifyCache: string;
  /** Where `deno task build:*` puts plugins it builds (outside `plugins/`). */
  readonly binDir: string;
  /** The pid of the parsd holding the data dir's lock (one parsd per data dir). */
  readonly pidFile: string;
  /** luxd's `--chain-config-dir`, used only for a chain config too large for the command line. */
  readonly chainConfigDir: string;
  /** luxd's log dir (its default under the data dir). */
  readonly logDir: string;
}

/** The layout of a data dir. */
export function layout(dataDir: string): Layout {
  const stakingDir = join(dataDir, "staking");
  return {
    dataDir,
    pluginDir: join(dataDir, "plugins"),
    dbDir: join(dataDir, "db"),
    stakingDir,
    stakingKey: join(stakingDir, "staker.key"),
    stakingCert: join(stakingDir, "staker.crt"),
    signerKey: join(stakingDir, "signer.key"),
    verifyCache: join(dataDir, "verify-cache.json"),
    binDir: join(dataDir, "bin"),
    pidFile: join(dataDir, "parsd.pid"),
    chainConfigDir: join(dataDir, "configs", "chains"),
    logDir: join(dataDir, "logs"),
  };
}

/** The directories `init` and `run` create, all mode 0700. */
export function layoutDirs(l: Layout): string[] {
  return [l.dataDir, l.pluginDir, l.dbDir, l.stakingDir];
}
