/**
 * @module
 * The pure core: settings + facts → the checks (what `doctor` prints) and,
 * when none fails, the plan `run` applies (luxd's path and argv, the
 * plugins and their links, the dirs to make). `run` and `doctor` share this
 * one function, so doctor says ready exactly when run would start luxd.
 * The checks themselves are in `checks.ts`.
 */

import { join } from "../os/path.ts";
import { ExitCode, ParsdError } from "../errors.ts";
import type { Settings } from "../settings.ts";
import type { NodeFacts, PluginFacts } from "./facts.ts";
import { layoutDirs } from "../data_dir/layout.ts";
import { buildLuxdArgs } from "../luxd/argv.ts";
import { PLUGIN_NAMES } from "../network/pars.ts";
import {
  chainDirs,
  type Check,
  checkDataDir,
  type CheckInput,
  checkInstance,
  checkLuxd,
  checkPlugin,
  checkPluginDir,
  checkPorts,
  checkSpawnLimits,
  checkStaking,
  checkTrust,
  checkUserFlags,
  decideChainConfig,
  decideFdLimit,
  decideTracking,
} from "./checks.ts";
import { decideBootstrap, decideGenesis } from "./network_checks.ts";

export type { Check } from "./checks.ts";

/** One plugin in the plan, as `--dry-run` prints it. */
export interface PlannedPlugin {
  readonly name: string;
  readonly vmid: string;
  /** Where discovery found its source (`null` when it is gone: luxd runs the sealed copy). */
  readonly source: string | null;
  /** By which rule: flag, env, config or search (`null` with no source). */
  readonly rule: string | null;
  /** The sealed copy the link points to: `<data-dir>/store/sha256-<hex>`. */
  readonly target: string;
  /** The checked source `run` seals into `target` first, when the store has no copy yet. */
  readonly copyFrom?: string;
  readonly sha256: string;
  readonly pinned: boolean;
  /** `<data-dir>/plugins/<VMID>`. */
  readonly link: string;
  /** The plugin's rpcchainvm protocol, if it said. */
  readonly rpcchainvm: number | null;
}

/** What `run` will do. */
export interface Plan {
  /** The luxd to run, what it said of itself, and whether its flag set was probed now or cached. */
  readonly luxd: {
    /** The name luxd runs by: `<data-dir>/bin/luxd`, a link to `target`. */
    readonly path: string;
    /** luxd's sealed copy: `<data-dir>/store/sha256-<hex>`. */
    readonly target: string;
    readonly sha256: string;
    readonly pinned: boolean;
    /** The checked source `run` seals into `target` first, when the store has no copy yet. */
    readonly copyFrom?: string;
    readonly version: string;
    readonly rpcchainvm: number | null;
    readonly flags: "probe" | "cache";
  };
  readonly args: readonly string[];
  readonly plugins: readonly PlannedPlugin[];
  /** Directories to create (mode 0700) if missing. */
  readonly dirs: readonly string[];
  /** Chain config files to write (path → text), when it is too large for the command line. */
  readonly chainConfigFiles: Readonly<Record<string, string>>;
  /** The genesis file to write (atomically) before luxd starts, when too large for the command line. */
  readonly genesisFile?: { readonly path: string; readonly text: string };
  /** Warnings to print before luxd starts. */
  readonly warnings: readonly string[];
}

/** The result of {@linkcode assess}. */
export interface Assessment {
  readonly checks: readonly Check[];
  /** Present exactly when no check failed. */
  readonly plan?: Plan;
}

const failed = (checks: readonly Check[]) => checks.some((c) => c.state === "FAIL");

/**
 * Turns settings and facts into doctor's checks and, when all pass, the plan.
 * A problem that several checks meet (an unsafe data dir above every sealed
 * copy) is one FAIL line, under the first check that met it.
 *
 * @param passthrough luxd flags from the command line, in order.
 */
export function assess(s: Settings, f: NodeFacts, passthrough: readonly string[]): Assessment {
  const a = assessAll(s, f, passthrough);
  const seen = new Set<string>();
  const checks = a.checks.filter((c) =>
    c.state !== "FAIL" || (!seen.has(c.detail) && seen.add(c.detail) !== undefined)
  );
  return a.plan === undefined ? { checks } : { checks, plan: a.plan };
}

function assessAll(s: Settings, f: NodeFacts, passthrough: readonly string[]): Assessment {
  const input: CheckInput = { s, f, passthrough };
  const checks: Check[] = [
    ...checkInstance(input),
    ...checkDataDir(input),
    ...checkTrust(input),
    ...checkPorts(input),
    ...checkStaking(input),
    ...checkLuxd(input),
  ];
  const luxd = "ok" in f.luxd ? f.luxd.ok : undefined;
  const tracking = luxd && decideTracking(input, luxd);
  const fd = luxd && decideFdLimit(input, luxd);
  const genesis = luxd && decideGenesis(input, luxd);
  const bootstrap = luxd && decideBootstrap(input, luxd);
  if (luxd && tracking && fd && genesis && bootstrap) {
    checks.push(
      ...checkUserFlags(input, luxd),
      ...tracking.checks,
      ...fd.checks,
      ...genesis.checks,
      ...bootstrap.checks,
    );
  }
  checks.push(...checkPluginDir(input), ...PLUGIN_NAMES.flatMap((n) => checkPlugin(input, n)));
  if (
    failed(checks) || !luxd || !tracking || !fd || !genesis?.decision || !bootstrap?.decision ||
    "error" in f.staking
  ) return { checks };

  const chain = decideChainConfig(input, luxd);
  checks.push(...chain.checks);
  if (chain.decision === undefined) return { checks };

  const l = f.layout;
  const decisions = {
    has: (flag: string) => luxd.flags.has(flag),
    trackAllChains: tracking.decision,
    chainConfig: chain.decision.form,
    ...(fd.decision.fdLimit !== undefined ? { fdLimit: fd.decision.fdLimit } : {}),
    ...(genesis.decision.form !== undefined ? { genesis: genesis.decision.form } : {}),
    bootstrappers: bootstrap.decision,
  };
  const plugins = plannedPlugins(f);
  const files = chain.decision.files;
  const args = buildLuxdArgs(
    { settings: s, layout: l, staking: f.staking.ok, decisions },
    passthrough,
  );
  // What the spawn will need, checked before anything is made: run refuses here, not at exec.
  checks.push(...checkSpawnLimits(input, luxd.path, args));
  if (failed(checks)) return { checks };
  const plan: Plan = {
    luxd: {
      path: luxd.path,
      target: luxd.sealed.storePath,
      sha256: luxd.sealed.sha256,
      pinned: luxd.sealed.pinned,
      ...(luxd.sealed.copyFrom === undefined ? {} : { copyFrom: luxd.sealed.copyFrom }),
      version: luxd.version,
      rpcchainvm: luxd.rpcchainvm ?? null,
      flags: luxd.source,
    },
    args,
    plugins,
    dirs: [...layoutDirs(l), ...chainDirs(l.dataDir, files)],
    chainConfigFiles: files,
    ...(genesis.decision.file === undefined ? {} : { genesisFile: genesis.decision.file }),
    warnings: [
      ...(fd.decision.warning !== undefined ? [fd.decision.warning] : []),
      ...(luxd.sealed.pinned ? [] : [
        `trusting unpinned luxd: sha256 ${luxd.sealed.sha256} (${
          luxd.sealed.copyFrom ?? luxd.sealed.storePath
        })`,
      ]),
      ...plugins.filter((p) => !p.pinned).map((p) =>
        `trusting unpinned plugin ${p.name}: sha256 ${p.sha256} (${p.copyFrom ?? p.target})`
      ),
    ],
  };
  return { checks, plan };
}

/** The plugins as the plan names them (every one verified: assess checked). */
function plannedPlugins(f: NodeFacts): PlannedPlugin[] {
  const l = f.layout;
  return PLUGIN_NAMES.map((name) => {
    const p = (f.plugins[name] as { ok: PluginFacts }).ok;
    const found = p.source.state === "unavailable" ? undefined : p.source.located;
    return {
      name,
      vmid: p.vmid,
      source: found?.path ?? null,
      rule: found?.rule ?? null,
      target: p.storePath,
      ...(p.copyFrom === undefined ? {} : { copyFrom: p.copyFrom }),
      sha256: p.sha256,
      pinned: p.pinned,
      link: join(l.pluginDir, p.vmid),
      rpcchainvm: p.rpcchainvm ?? null,
    };
  });
}

/** The exit code of the first failed check, or 0. */
export function exitCodeOfChecks(checks: readonly Check[]): number {
  const failed = checks.find((c) => c.state === "FAIL");
  return failed === undefined ? ExitCode.ok : failed.exitCode ?? ExitCode.failure;
}

/** The failed checks as one error (every problem, the first one's exit code). */
export function failureOf(checks: readonly Check[]): ParsdError | undefined {
  const failed = checks.filter((c) => c.state === "FAIL");
  return failed.length === 0
    ? undefined
    : new ParsdError(failed[0]!.exitCode ?? ExitCode.failure, failed.map((c) => c.detail));
}
