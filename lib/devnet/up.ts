/**
 * @module
 * `parsd devnet up`, before any node starts: every check first, then the
 * effects. It finds luxd as `run` does and tells the genesis dialect from
 * its version; makes a new devnet in memory (or reads the one the directory
 * holds); checks the genesis with `run`'s checker and the first node with
 * `run`'s own checks (luxd, plugins and their pins, the open-file limit,
 * ports: what `doctor` says), and every other node's ports. Only then does
 * it create the directory, take its lock, `--reset` it, write the devnet
 * and each node's config.json. Bad input leaves nothing behind.
 */

import {
  BusyError,
  CantCreateError,
  ConfigError,
  LuxdNotExecutableError,
  UsageError,
} from "../errors.ts";
import { envOf, searchEnvs } from "../os/env.ts";
import { join } from "../os/path.ts";
import type { System } from "../os/system.ts";
import type { Settings } from "../settings.ts";
import { findLuxd } from "../luxd/find.ts";
import { LUXD_PROBE_TIMEOUT_MS, probeLuxd } from "../luxd/probe.ts";
import { layout } from "../data_dir/layout.ts";
import { cantCreate } from "../data_dir/create.ts";
import { nodeIdFromCertificate } from "../node/node_id.ts";
import { gatherFacts, PORT_CHECK_HOST } from "../start/facts.ts";
import { assess, failureOf } from "../start/plan.ts";
import { checkGenesis, genesisDialect, genesisError } from "../network/genesis.ts";
import type { GenesisDialect } from "../network/address.ts";
import { NETWORKS } from "../network/pars.ts";
import { type DevnetMaterial, makeDevnet, writeDevnet } from "./create.ts";
import { devnetBusy, type DirState, inspectDir, listed, lockDir, resetDir } from "./dir.ts";
import { DEFAULT_NODES, type DevnetLayout, devnetLayout, nodeDataDir } from "./layout.ts";
import { nodeConfigText, nodeFlags } from "./node_config.ts";
import { choosePorts } from "./ports.ts";
import type { DevnetState } from "./state.ts";

/** The network ID of every devnet (`devnet` in `network/pars.ts`). */
export const DEVNET_NETWORK_ID = NETWORKS["devnet"]!;

/** What `devnet up` was asked. */
export interface UpRequest {
  /** The devnet directory, absolute. */
  readonly dir: string;
  /** `--nodes`, if given. */
  readonly nodes?: number;
  /** `--chain-id`, if given. */
  readonly chainId?: number;
  readonly reset: boolean;
  /** `--trust-unpinned` (passed on to each node as a flag). */
  readonly trustUnpinned: boolean;
  /** `devnet up`'s own settings (flags, env, the user's config.json). */
  readonly settings: Settings;
  /**
   * Resolves settings from a node's `parsd run` flags and config.json text,
   * as its `parsd run` will (`cli/config.ts`'s `resolveSettings`, with the
   * same environment).
   */
  readonly resolve: (flags: Record<string, string | boolean>, configText: string) => Settings;
}

/** A devnet ready to start: its directory locked, its files written. */
export interface Prepared {
  readonly layout: DevnetLayout;
  readonly state: DevnetState;
  /** The settings every node runs with (luxd as found). */
  readonly settings: Settings;
  /** Whether it was made now (else resumed). */
  readonly created: boolean;
  readonly lock: { release(): void };
}

/**
 * Tells the genesis dialect from luxd's version, probed as `run` probes it.
 *
 * @throws {LuxdNotExecutableError} when luxd cannot be probed.
 */
async function luxdDialect(sys: System, luxd: string): Promise<GenesisDialect> {
  try {
    const probed = await probeLuxd(luxd, (p, a, t) => sys.output(p, a, t), LUXD_PROBE_TIMEOUT_MS);
    return genesisDialect(probed.application ?? probed.version);
  } catch (error) {
    throw new LuxdNotExecutableError(
      `luxd at ${luxd} could not be probed: ${
        (error as Error).message
      }; point --luxd at a luxd (or avalanchego) binary`,
      { cause: error },
    );
  }
}

/** Refuses a directory that is not parsd's. @throws {CantCreateError} (73) */
function checkOurs(found: DirState, l: DevnetLayout): void {
  if (found.kind !== "foreign") return;
  throw new CantCreateError(
    `devnet dir ${l.dir} is not empty and is not a parsd devnet (it holds ${
      listed(found.entries)
    }); give an empty or new directory with --dir`,
  );
}

/** Refuses what cannot be done with the devnet the directory holds. */
function checkRequest(r: UpRequest, found: DirState, dialect: GenesisDialect, l: DevnetLayout) {
  if (found.kind !== "devnet" || r.reset) return;
  const s = found.state;
  const problems: string[] = [];
  if (r.nodes !== undefined && r.nodes !== s.nodes.length) {
    problems.push(
      `--nodes ${r.nodes}: the devnet in ${l.dir} has ${s.nodes.length} nodes; leave --nodes out to resume it, or add --reset to start a new one`,
    );
  }
  if (r.chainId !== undefined && r.chainId !== s.chainId) {
    problems.push(
      `--chain-id ${r.chainId}: the devnet in ${l.dir} has chain ID ${s.chainId}; leave --chain-id out to resume it, or add --reset to start a new one`,
    );
  }
  if (problems.length > 0) throw new UsageError(problems);
  if (dialect !== s.dialect) {
    throw new ConfigError(
      `the devnet in ${l.dir} was made for ${s.dialect}, but this luxd is ${dialect}; give the luxd it was made with (--luxd), or add --reset to start a new one`,
    );
  }
}

/** Checks that each node's certificate is still the one `devnet.json` names. */
async function checkIdentities(sys: System, l: DevnetLayout, state: DevnetState): Promise<void> {
  const problems: string[] = [];
  for (const [i, node] of state.nodes.entries()) {
    const cert = layout(nodeDataDir(l, i + 1)).stakingCert;
    const text = await sys.readText(cert).catch(() => undefined);
    let id: string | undefined;
    try {
      id = text === undefined ? undefined : nodeIdFromCertificate(text);
    } catch {
      id = undefined;
    }
    if (id !== node.nodeId) {
      problems.push(
        `${node.name}: ${cert} ${
          text === undefined ? "is missing" : `is not ${node.nodeId}'s certificate`
        }; restore it, or start a new devnet with 'parsd devnet up --reset'`,
      );
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
}

/** Node `index`'s settings, resolved from its flags and config.json text as its `parsd run` will. */
export function nodeSettings(
  r: UpRequest,
  state: DevnetState,
  l: DevnetLayout,
  index: number,
  settings: Settings,
): Settings {
  const flags = nodeFlags(state, index, { dataDir: nodeDataDir(l, index + 1) }, r.trustUnpinned);
  return r.resolve(flags, nodeConfigText(settings, state, index));
}

/** `run`'s checks for the first node, and whether every other node's ports are free. */
async function preflight(
  sys: System,
  r: UpRequest,
  l: DevnetLayout,
  state: DevnetState,
  settings: Settings,
): Promise<void> {
  const first = nodeSettings(r, state, l, 0, settings);
  const failure = failureOf(assess(first, await gatherFacts(sys, first, false), []).checks);
  if (failure !== undefined) throw failure;
  const busy: string[] = [];
  for (const node of state.nodes.slice(1)) {
    for (const [what, port] of [["HTTP", node.httpPort], ["staking", node.stakingPort]] as const) {
      const ok = await sys.canBind(PORT_CHECK_HOST, port);
      if (ok !== true) busy.push(`${node.name}'s ${what} port ${port} is taken (${ok})`);
    }
  }
  if (busy.length > 0) {
    throw new BusyError(busy.map((b) => `${b}; stop what uses it, or add --reset for new ports`));
  }
}

/** A new devnet's material, made in memory. */
async function freshDevnet(sys: System, r: UpRequest, dialect: GenesisDialect) {
  const nodes = r.nodes ?? DEFAULT_NODES;
  const ports = await choosePorts(nodes, (p) => sys.canBind(PORT_CHECK_HOST, p));
  if (ports === undefined) {
    throw new BusyError(`cannot find ${2 * nodes} free loopback ports; free some and try again`);
  }
  return await makeDevnet({
    networkId: DEVNET_NETWORK_ID,
    chainId: r.chainId ?? DEVNET_NETWORK_ID,
    dialect,
    ports,
    precompiles: r.settings.precompiles,
    now: sys.now(),
  });
}

/** Checks the genesis with `run`'s checker. @throws {ConfigError} listing every problem. */
function checkGenesisText(sys: System, path: string, text: string, state: DevnetState): void {
  const { problems } = checkGenesis(text, {
    networkId: state.networkId,
    dialect: state.dialect,
    now: sys.now(),
  });
  if (problems.length > 0) throw genesisError(path, problems);
}

/** Makes the devnet directory (0700). @returns `true`. @throws {CantCreateError} */
async function makeDir(sys: System, l: DevnetLayout): Promise<true> {
  try {
    await sys.mkdir(l.dir, 0o700);
    return true;
  } catch (error) {
    throw cantCreate(`devnet dir ${l.dir}`, error);
  }
}

/** Takes the directory's lock. @throws {BusyError} when another `up` holds it. */
async function takeDir(sys: System, l: DevnetLayout) {
  const lock = await lockDir(sys, l);
  if ("heldBy" in lock) throw devnetBusy(l.dir, lock.heldBy);
  return lock;
}

/**
 * Checks everything, then makes or resumes the devnet and writes each
 * node's config.json.
 *
 * @throws {ParsdError} with its exit code for every refusal (see the module doc).
 */
export async function prepareUp(sys: System, r: UpRequest): Promise<Prepared> {
  const l = devnetLayout(r.dir);
  const found = await inspectDir(sys, l);
  checkOurs(found, l);
  const luxd = await findLuxd(r.settings.luxd, searchEnvs(envOf(sys)).luxd, sys);
  const dialect = await luxdDialect(sys, luxd);
  checkRequest(r, found, dialect, l);
  const settings: Settings = { ...r.settings, luxd };
  // `run`'s checks need the node dirs' parent: a missing devnet dir is made now, and removed
  // again if anything below fails. A running `up` is refused before anything is made.
  const made = found.kind === "missing" && await makeDir(sys, l);
  let lock;
  try {
    lock = await takeDir(sys, l);
  } catch (error) {
    if (made) await sys.removeTree(l.dir).catch(() => {});
    throw error;
  }
  try {
    const resume = found.kind === "devnet" && !r.reset;
    let material: DevnetMaterial | undefined;
    let state: DevnetState;
    let genesis: string;
    if (resume) {
      state = found.state;
      await checkIdentities(sys, l, state);
      genesis = await sys.readText(l.genesis).catch(() => undefined) ?? "";
    } else {
      material = await freshDevnet(sys, r, dialect);
      state = material.state;
      genesis = material.genesis;
    }
    checkGenesisText(sys, l.genesis, genesis, state);
    await preflight(sys, r, l, state, settings);
    if (found.kind === "unfinished" || (found.kind === "devnet" && r.reset)) {
      await resetDir(sys, l);
    }
    if (material !== undefined) await writeDevnet(sys, l, material);
    for (const i of state.nodes.keys()) {
      const path = join(nodeDataDir(l, i + 1), "config.json");
      try {
        await sys.writeAtomic(path, nodeConfigText(settings, state, i), 0o600);
      } catch (error) {
        throw cantCreate(path, error, "write");
      }
    }
    await lock.announce();
    return { layout: l, state, settings, created: !resume, lock };
  } catch (error) {
    lock.release();
    if (made) await sys.removeTree(l.dir).catch(() => {});
    throw error;
  }
}
