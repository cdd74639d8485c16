/**
 * @module
 * The pure core: settings + facts → the checks (what `doctor` prints) and,
 * when none fails, the plan `run` applies (luxd's path and argv, the
 * plugins and their links, the dirs to make). `run` and `doctor` share this
 * one function, so doctor says ready exactly when run would start luxd.
 */

import { join } from "../os/path.ts";
import {
  BusyError,
  ConfigError,
  ExitCode,
  ParsdError,
  UsageError,
  VerificationError,
} from "../errors.ts";
import type { Settings } from "../cli/config.ts";
import type { NodeFacts, PluginFacts } from "./facts.ts";
import { layoutDirs } from "../data_dir/layout.ts";
import { luxdFlagName } from "../cli/args.ts";
import { buildLuxdArgs, type LuxdDialect } from "../luxd/argv.ts";
import { chainEntries, encodeChainConfigContent } from "../node/chain_config.ts";
import { ENGINE_ADDR_ENVS, EVM_PLUGIN_FD_LIMIT, PLUGIN_NAMES } from "../network/pars.ts";
import { flagsOf } from "../cli/options.ts";
import { checkLuxdFlags, fdLimitDecision, fdLimitDefault, missingRequired } from "../luxd/probe.ts";
import { CHAIN_CONFIG_CONTENT_LIMIT, chainConfigFiles } from "../node/chain_config_files.ts";

/** One line of `doctor`. */
export interface Check {
  readonly name: string;
  readonly state: "ok" | "warn" | "FAIL";
  readonly detail: string;
  /** For a FAIL: the exit code `run` fails with. */
  readonly exitCode?: number;
}

/** One plugin in the plan, as `--dry-run` prints it. */
export interface PlannedPlugin {
  readonly name: string;
  readonly vmid: string;
  /** Where discovery found it. */
  readonly source: string;
  /** By which rule: flag, env, config or search. */
  readonly rule: string;
  /** The real file the link points to. */
  readonly target: string;
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
    readonly path: string;
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
  /** Warnings to print before luxd starts. */
  readonly warnings: readonly string[];
}

/** The result of {@linkcode assess}. */
export interface Assessment {
  readonly checks: readonly Check[];
  /** Present exactly when no check failed. */
  readonly plan?: Plan;
}

const fail = (name: string, e: ParsdError): Check[] =>
  e.problems.map((p) => ({ name, state: "FAIL", detail: p, exitCode: e.exitCode }));

/**
 * Turns settings and facts into doctor's checks and, when all pass, the plan.
 *
 * @param passthrough luxd flags from the command line, in order.
 */
export function assess(
  s: Settings,
  f: NodeFacts,
  passthrough: readonly string[],
): Assessment {
  const checks: Check[] = [];
  const ok = (name: string, detail: string) => checks.push({ name, state: "ok", detail });
  const warn = (name: string, detail: string) => checks.push({ name, state: "warn", detail });
  const failed = (name: string, e: ParsdError) => checks.push(...fail(name, e));
  const l = f.layout;
  const warnings: string[] = [];

  if (f.runningPid !== undefined && f.runningPid !== null) {
    failed(
      "instance",
      new BusyError(
        `parsd ${
          f.runningPid > 0 ? `pid ${f.runningPid}` : "(pid unknown)"
        } is already running on ${s.dataDir}; stop it first, or give this one another --data-dir`,
      ),
    );
  } else ok("instance", "no other parsd on this data dir");

  if ("error" in f.dataDir) failed("data-dir", f.dataDir.error);
  else ok("data-dir", f.dataDir.ok === "exists" ? s.dataDir : `${s.dataDir} (will be created)`);

  const busy = Object.entries({
    http: [s.httpPort, f.ports.http],
    staking: [s.stakingPort, f.ports.staking],
  })
    .filter(([, [, r]]) => r !== true);
  if (busy.length > 0) {
    failed(
      "ports",
      new BusyError(
        busy.map(([what, [port, why]]) =>
          `${what} port ${port} cannot be bound (${why}); stop what uses it or choose another --${what}-port`
        ),
      ),
    );
  } else ok("ports", `http ${s.httpPort}, staking ${s.stakingPort} free`);

  if ("error" in f.staking) failed("staking", f.staking.error);
  else {
    const have = Object.entries(f.staking.ok).filter(([, v]) => v).map(([k]) => k);
    ok(
      "staking",
      have.length > 0
        ? `${l.stakingDir} (${have.join(", ")} present)`
        : `${l.stakingDir} (luxd will generate keys)`,
    );
  }

  // luxd, its flags, and the user's luxd flags.
  let dialect: LuxdDialect | undefined;
  const luxd = "ok" in f.luxd ? f.luxd.ok : undefined;
  if ("error" in f.luxd) failed("luxd", f.luxd.error);
  else {
    const l0 = f.luxd.ok;
    ok(
      "luxd",
      `${l0.path} (luxd ${l0.version}, rpcchainvm ${
        l0.rpcchainvm ?? "unknown"
      }; flags from ${l0.source})`,
    );
  }
  if (luxd) {
    const missing = missingRequired(luxd.flags);
    const has = (flag: string) => luxd.flags.has(flag);
    const name = `luxd ${luxd.version}`;
    const extra = [...s.luxdArgs, ...passthrough];
    const userFlagProblems = [
      ...checkLuxdFlags(s.luxdArgs, luxd.flags, `${s.configPath}: 'luxd-args'`, [], name),
      ...checkLuxdFlags(passthrough, luxd.flags, "luxd flag", parsdFlagNames(), name),
    ];
    if (missing.length > 0) {
      failed(
        "luxd flags",
        new ConfigError(
          `luxd ${luxd.version} (${luxd.path}) lacks flags parsd cannot do without: ${
            missing.map((m) => `--${m}`).join(", ")
          }; use a luxd that has them (see README, "luxd versions")`,
        ),
      );
    } else if (userFlagProblems.length > 0) {
      failed("luxd flags", new UsageError(userFlagProblems));
    } else {
      ok(
        "luxd flags",
        extra.length > 0 ? `all known to luxd ${luxd.version}: ${extra.join(" ")}` : `none given`,
      );
    }
    const tracks = extra.some((t) =>
      luxdFlagName(t) === "track-chains" || luxdFlagName(t) === "track-subnets"
    );
    if (s.trackAllChains && !tracks && !has("track-all-chains")) {
      warn(
        "tracking",
        `luxd ${luxd.version} has no --track-all-chains: it tracks the primary network only; ` +
          `name the Pars chains' subnets with --track-subnets=<ID,…>`,
      );
    }

    // File descriptors: luxd's own --fd-limit, then the EVM plugin's.
    const userFd = extra.some((t) => luxdFlagName(t) === "fd-limit");
    const fdDefault = fdLimitDefault(luxd.flags) ?? NaN;
    const decision = fdLimitDecision(
      Number.isFinite(fdDefault) ? fdDefault : undefined,
      f.nofile,
      userFd,
    );
    if (decision.warning !== undefined) warnings.push(decision.warning);
    ok(
      "fd-limit",
      `hard limit ${f.nofile ?? "unknown"}; ${
        userFd
          ? "your --fd-limit applies"
          : decision.pass !== undefined
          ? `luxd's default ${fdDefault} is above it, so parsd passes --fd-limit=${decision.pass}`
          : `luxd's default ${Number.isFinite(fdDefault) ? fdDefault : "(none)"} fits`
      }`,
    );
    dialect = { has, ...(decision.pass !== undefined ? { fdLimit: decision.pass } : {}) };
  }

  if ("error" in f.strays) failed("plugin-dir", f.strays.error);
  else if (f.strays.ok.length > 0) {
    failed(
      "plugin-dir",
      new VerificationError(
        f.strays.ok.map((s) =>
          s.kind === "invalid"
            ? `${s.path} is not named by a VMID, so luxd would abort start-up ('invalid vmID'); move it out of ${l.pluginDir} (parsd never deletes it)`
            : `${s.path} is a managed VMID with an extension: luxd strips the extension and would load this file as that VM too; move it out of ${l.pluginDir} (parsd never deletes it)`
        ),
      ),
    );
  } else ok("plugin-dir", `${l.pluginDir}: no stray entries`);

  const planned: PlannedPlugin[] = [];
  for (const name of PLUGIN_NAMES) {
    const fact = f.plugins[name];
    const check = `plugin ${name}`;
    if ("error" in fact) {
      failed(check, fact.error);
      continue;
    }
    const p = fact.ok;
    ok(
      check,
      `${p.realPath} (${p.rule}) sha256 ${p.sha256} ${p.pinned ? "pinned" : "UNPINNED"}${
        p.fromCache ? " (cache)" : ""
      }, rpcchainvm ${p.rpcchainvm ?? "unknown"}`,
    );
    if (!p.pinned) {
      warnings.push(`trusting unpinned plugin ${name}: sha256 ${p.sha256} (${p.realPath})`);
    }
    const problems = pluginProblems(s, f, p, luxd?.rpcchainvm);
    for (const w of problems.warn) warn(check, w);
    for (const e of problems.fail) failed(check, e);
    planned.push({
      name,
      vmid: p.vmid,
      source: p.source,
      rule: p.rule,
      target: p.realPath,
      sha256: p.sha256,
      pinned: p.pinned,
      link: join(l.pluginDir, p.vmid),
      rpcchainvm: p.rpcchainvm ?? null,
    });
  }

  const failures = checks.filter((c) => c.state === "FAIL");
  if (failures.length > 0 || !luxd || !dialect || "error" in f.staking) return { checks };

  // The chain config: on the command line, or as files when too large for it.
  let chainFiles: Record<string, string> = {};
  const content = encodeChainConfigContent(chainEntries(s));
  if (content.length > CHAIN_CONFIG_CONTENT_LIMIT) {
    if (!dialect.has("chain-config-dir")) {
      checks.push(...fail(
        "chain config",
        new ConfigError(
          `the chain config is ${content.length} bytes of base64, more than fits on luxd's command line (${CHAIN_CONFIG_CONTENT_LIMIT}), and luxd ${luxd.version} has no --chain-config-dir; shrink chains.* in ${s.configPath}`,
        ),
      ));
      return { checks };
    }
    try {
      chainFiles = Object.fromEntries(
        chainConfigFiles(l.chainConfigDir, chainEntries(s)).map((c) => [c.path, c.content]),
      );
    } catch (error) {
      checks.push(
        ...fail(
          "chain config",
          new ConfigError(`chains.* in ${s.configPath}: ${(error as Error).message}`),
        ),
      );
      return { checks };
    }
    dialect = { ...dialect, chainConfigDir: l.chainConfigDir };
    ok(
      "chain config",
      `${content.length} bytes: too large for the command line, written to ${l.chainConfigDir}`,
    );
  } else ok("chain config", `${content.length} bytes of base64 on the command line`);

  const plan: Plan = {
    luxd: {
      path: luxd.path,
      version: luxd.version,
      rpcchainvm: luxd.rpcchainvm ?? null,
      flags: luxd.source,
    },
    args: buildLuxdArgs(s, l, f.staking.ok, passthrough, dialect),
    plugins: planned,
    dirs: [
      ...layoutDirs(l),
      ...(Object.keys(chainFiles).length > 0 ? chainDirs(l.dataDir, chainFiles) : []),
    ],
    chainConfigFiles: chainFiles,
    warnings,
  };
  return { checks, plan };
}

/** The dirs to create for chain config files, parents first. */
function chainDirs(dataDir: string, files: Readonly<Record<string, string>>): string[] {
  const dirs = new Set<string>();
  for (const path of Object.keys(files)) {
    let d = join(path, "..");
    const chain: string[] = [];
    while (d.length > dataDir.length && d.startsWith(dataDir)) {
      chain.unshift(d);
      d = join(d, "..");
    }
    for (const c of chain) dirs.add(c);
  }
  return [...dirs];
}

function pluginProblems(
  s: Settings,
  f: NodeFacts,
  p: PluginFacts,
  luxdProtocol: number | undefined,
): { warn: string[]; fail: ParsdError[] } {
  const warn: string[] = [];
  const failures: ParsdError[] = [];
  const allowed = s.allowVmFailure.includes(p.name);
  const refuse = (text: string) => {
    if (allowed) {
      warn.push(`${text} (accepted by --allow-vm-failure=${p.name}: luxd runs without it)`);
    } else {failures.push(
        new ConfigError(`${text}; or accept running without it with --allow-vm-failure=${p.name}`),
      );}
  };
  if (p.rpcchainvm === undefined) {
    warn.push(
      `${p.realPath} did not say its rpcchainvm protocol to '--version'; parsd cannot check it matches luxd's`,
    );
  } else if (luxdProtocol !== undefined && p.rpcchainvm !== luxdProtocol) {
    failures.push(
      new ConfigError(
        `plugin ${p.name} speaks rpcchainvm ${p.rpcchainvm} but luxd speaks ${luxdProtocol}: luxd would start and the VM would silently not; use a plugin built for this luxd`,
      ),
    );
  }
  if (!p.registrable) {
    warn.push(
      `${p.realPath} never mentions ${
        ENGINE_ADDR_ENVS.join(" or ")
      }, so it is likely not an rpcchainvm plugin: luxd would log 'failed to register VM' and run without it`,
    );
  }
  // luxfi/evm's and subnet-evm's runner (they say "Subnet-EVM/…" to --version) set this limit.
  const raisesFdLimit = p.name === "evm" && /EVM\//i.test(p.versionLine ?? "");
  if (raisesFdLimit && typeof f.nofile === "number" && f.nofile < EVM_PLUGIN_FD_LIMIT) {
    refuse(
      `the EVM plugin raises its open-file limit to ${EVM_PLUGIN_FD_LIMIT} and exits when the hard limit is lower, as here (${f.nofile}): luxd would run without the EVM; raise the hard limit (ulimit -Hn ${EVM_PLUGIN_FD_LIMIT}, or LimitNOFILE=${EVM_PLUGIN_FD_LIMIT} under systemd)`,
    );
  }
  return { warn, fail: failures };
}

const parsdFlagNames =
  () => [...new Set([...flagsOf("run"), ...flagsOf("doctor")].map(([n]) => n))];

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
