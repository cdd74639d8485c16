/**
 * @module
 * doctor's checks, one small pure function each over the settings and the
 * facts. Each returns its lines (`ok`, `warn` or `FAIL`, a FAIL with the
 * exit code `run` fails with); the ones that decide something about luxd
 * (tracking, the fd limit, the chain config's form) return the decision
 * too, which `plan.ts` hands to the argv builder. Add a check here and list
 * it in `plan.ts`'s {@linkcode assess}.
 */

import { join } from "../os/path.ts";
import {
  BusyError,
  CantCreateError,
  ConfigError,
  ParsdError,
  PermissionError,
  UsageError,
  VerificationError,
} from "../errors.ts";
import type { Settings } from "../settings.ts";
import type { LuxdFacts, NodeFacts, PluginFacts } from "./facts.ts";
import {
  givesFlag,
  type LuxdDecisions,
  missingRequired,
  tracksAllChains,
  userTracksChains,
} from "../luxd/flags.ts";
import { checkLuxdFlags } from "../luxd/flag_check.ts";
import { fdLimitDecision, fdLimitDefault } from "../luxd/fd_limit.ts";
import { chainEntries, encodeChainConfigContent } from "../node/chain_config.ts";
import { CHAIN_CONFIG_CONTENT_LIMIT, chainConfigFiles } from "../node/chain_config_files.ts";
import { ENGINE_ADDR_ENVS, EVM_PLUGIN_FD_LIMIT, type PluginName } from "../network/pars.ts";
import { flagsOf } from "../cli/options.ts";
import { type Sealed, sourceNote } from "../plugins/sealed.ts";
import { type ArgOrigin, argvBytes, spawnProblems } from "../luxd/spawn_limits.ts";

/** One line of `doctor`. */
export interface Check {
  readonly name: string;
  readonly state: "ok" | "warn" | "FAIL";
  readonly detail: string;
  /** For a FAIL: the exit code `run` fails with. */
  readonly exitCode?: number;
}

/** What every check reads. */
export interface CheckInput {
  readonly s: Settings;
  readonly f: NodeFacts;
  /** luxd flags from the command line, in order. */
  readonly passthrough: readonly string[];
}

/** A check's lines and, for a check that decides, what it decided. */
export interface Decided<T> {
  readonly checks: readonly Check[];
  readonly decision: T;
}

/** An `ok` line. */
export const ok = (name: string, detail: string): Check => ({ name, state: "ok", detail });
/** A `warn` line. */
export const warn = (name: string, detail: string): Check => ({ name, state: "warn", detail });
/** One FAIL line per problem of `e`, with its exit code. */
export const fail = (name: string, e: ParsdError): Check[] =>
  e.problems.map((p) => ({ name, state: "FAIL", detail: p, exitCode: e.exitCode }));

/** No other parsd runs on this data dir. */
export function checkInstance({ s, f }: CheckInput): Check[] {
  if (f.runningPid === undefined || f.runningPid === null) {
    return [ok("instance", "no other parsd on this data dir")];
  }
  const who = f.runningPid > 0 ? `pid ${f.runningPid}` : "(pid unknown)";
  return fail(
    "instance",
    new BusyError(
      `parsd ${who} is already running on ${s.dataDir}; stop it first, or give this one another --data-dir`,
    ),
  );
}

/** The data dir exists or can be created. */
export function checkDataDir({ s, f }: CheckInput): Check[] {
  if ("error" in f.dataDir) return fail("data-dir", f.dataDir.error);
  return [ok("data-dir", f.dataDir.ok === "exists" ? s.dataDir : `${s.dataDir} (will be created)`)];
}

/** Both ports can be bound. */
export function checkPorts({ s, f }: CheckInput): Check[] {
  const busy =
    ([["http", s.httpPort, f.ports.http], ["staking", s.stakingPort, f.ports.staking]] as const)
      .filter(([, , r]) => r !== true);
  if (busy.length === 0) return [ok("ports", `http ${s.httpPort}, staking ${s.stakingPort} free`)];
  return fail(
    "ports",
    new BusyError(
      busy.map(([what, port, why]) =>
        `${what} port ${port} cannot be bound (${why}); stop what uses it or choose another --${what}-port`
      ),
    ),
  );
}

/** The staking dir is private, and which keys luxd will find. */
export function checkStaking({ f }: CheckInput): Check[] {
  if ("error" in f.staking) return fail("staking", f.staking.error);
  const have = Object.entries(f.staking.ok).filter(([, v]) => v).map(([k]) => k);
  const dir = f.layout.stakingDir;
  return [
    ok(
      "staking",
      have.length > 0 ? `${dir} (${have.join(", ")} present)` : `${dir} (luxd will generate keys)`,
    ),
  ];
}

/** The directories parsd trusts are owned by its user or root and writable by no one else. */
export function checkTrust({ s, f }: CheckInput): Check[] {
  if ("error" in f.trust) return fail("trust", f.trust.error);
  if (f.trust.ok.length > 0) return fail("trust", new PermissionError(f.trust.ok));
  return [
    ok("trust", `${s.dataDir} and the dirs above it: writable only by you or root`),
  ];
}

/** ` from <source> (<rule>)`, when the source was found. */
const foundFrom = (b: Sealed) =>
  b.source.state === "unavailable"
    ? ""
    : ` from ${b.source.located.path} (${b.source.located.rule})`;

/** How a sealed binary's line says where it runs from: its store copy, or the source to seal. */
export function sealedDetail(b: Sealed): string {
  const state = b.pinned ? "pinned" : "UNPINNED";
  const from = b.copyFrom !== undefined
    ? `, sealed into ${b.storePath} before luxd starts`
    : b.fromCache
    ? " (cache)"
    : "";
  return `sha256 ${b.sha256} ${state}${from}`;
}

/** What doctor says of a pinned binary's source once luxd runs its sealed copy (a warning). */
export function sourceChecks(check: string, b: Sealed): Check[] {
  const note = sourceNote(b);
  return note === undefined ? [] : [warn(check, note)];
}

/** luxd was found, checked and probed, and its name in `bin/` can be made. */
export function checkLuxd({ f }: CheckInput): Check[] {
  if ("error" in f.luxd) return fail("luxd", f.luxd.error);
  const l = f.luxd.ok;
  const out = [
    ok(
      "luxd",
      `${l.path} -> ${l.sealed.storePath}${foundFrom(l.sealed)} (luxd ${l.version}, rpcchainvm ${
        l.rpcchainvm ?? "unknown"
      }; flags from ${l.source}) ${sealedDetail(l.sealed)}`,
    ),
    ...sourceChecks("luxd", l.sealed),
  ];
  if (l.link.state === "blocked") {
    out.push(...fail(
      "luxd",
      new CantCreateError(
        `${l.path} is a ${l.link.kind} parsd did not create, where parsd links luxd's sealed copy; move it away (and name it with --luxd if it is your luxd)`,
      ),
    ));
  }
  return out;
}

const parsdFlagNames = () => [
  ...new Set([...flagsOf("run"), ...flagsOf("doctor")].map(([n]) => n)),
];

/** luxd has every flag parsd gives, and every user flag exists in it and parses. */
export function checkUserFlags({ s, passthrough }: CheckInput, luxd: LuxdFacts): Check[] {
  const missing = missingRequired(luxd.flags);
  if (missing.length > 0) {
    return fail(
      "luxd flags",
      new ConfigError(
        `luxd ${luxd.version} (${luxd.path}) lacks flags parsd cannot do without: ${
          missing.map((m) => `--${m}`).join(", ")
        }; use a luxd that has them (see README, "luxd versions")`,
      ),
    );
  }
  const name = `luxd ${luxd.version}`;
  const problems = [
    ...checkLuxdFlags(s.luxdArgs, luxd.flags, `${s.configPath}: 'luxd-args'`, [], name),
    ...checkLuxdFlags(passthrough, luxd.flags, "luxd flag", parsdFlagNames(), name),
  ];
  if (problems.length > 0) return fail("luxd flags", new UsageError(problems));
  const extra = [...s.luxdArgs, ...passthrough];
  return [
    ok(
      "luxd flags",
      extra.length > 0 ? `all known to luxd ${luxd.version}: ${extra.join(" ")}` : "none given",
    ),
  ];
}

/** Whether parsd gives `--track-all-chains`: only when set, not overridden, and luxd has it. */
export function decideTracking({ s, passthrough }: CheckInput, luxd: LuxdFacts): Decided<boolean> {
  const userFlags = [...s.luxdArgs, ...passthrough];
  const checks = s.trackAllChains && !userTracksChains(userFlags) &&
      !luxd.flags.has("track-all-chains")
    ? [
      warn(
        "tracking",
        `luxd ${luxd.version} has no --track-all-chains: it tracks the primary network only; ` +
          `name the Pars chains' subnets with --track-subnets=<ID,…>`,
      ),
    ]
    : [];
  return {
    checks,
    decision: tracksAllChains(s.trackAllChains, userFlags, (f) => luxd.flags.has(f)),
  };
}

/** Whether parsd must pass `--fd-limit` (luxd's default above the hard limit); warns when it does. */
export function decideFdLimit(
  { s, f, passthrough }: CheckInput,
  luxd: LuxdFacts,
): Decided<{ fdLimit?: number; warning?: string }> {
  const userFd = givesFlag([...s.luxdArgs, ...passthrough], "fd-limit");
  const fdDefault = fdLimitDefault(luxd.flags);
  const d = fdLimitDecision(fdDefault, f.nofile, userFd);
  const detail = userFd
    ? "your --fd-limit applies"
    : d.pass !== undefined
    ? `luxd's default ${fdDefault} is above it, so parsd passes --fd-limit=${d.pass}`
    : `luxd's default ${fdDefault ?? "(none)"} fits`;
  return {
    checks: [ok("fd-limit", `hard limit ${f.nofile ?? "unknown"}; ${detail}`)],
    decision: {
      ...(d.pass !== undefined ? { fdLimit: d.pass } : {}),
      ...(d.warning !== undefined ? { warning: d.warning } : {}),
    },
  };
}

/** The plugin dir holds nothing luxd would trip over. */
export function checkPluginDir({ f }: CheckInput): Check[] {
  const dir = f.layout.pluginDir;
  if ("error" in f.strays) return fail("plugin-dir", f.strays.error);
  if (f.strays.ok.length === 0) return [ok("plugin-dir", `${dir}: no stray entries`)];
  return fail(
    "plugin-dir",
    new VerificationError(
      f.strays.ok.map((s) =>
        s.kind === "invalid"
          ? `${s.path} is not named by a VMID, so luxd would abort start-up ('invalid vmID'); move it out of ${dir} (parsd never deletes it)`
          : `${s.path} is a managed VMID with an extension: luxd strips the extension and would load this file as that VM too; move it out of ${dir} (parsd never deletes it)`
      ),
    ),
  );
}

/** A plugin verified, speaks luxd's protocol, registers, and fits the fd limit. */
export function checkPlugin({ s, f }: CheckInput, name: PluginName): Check[] {
  const fact = f.plugins[name];
  const check = `plugin ${name}`;
  if ("error" in fact) return fail(check, fact.error);
  const p = fact.ok;
  const luxdProtocol = "ok" in f.luxd ? f.luxd.ok.rpcchainvm : undefined;
  const out: Check[] = [
    ok(
      check,
      `${p.storePath}${foundFrom(p)} ${sealedDetail(p)}, rpcchainvm ${p.rpcchainvm ?? "unknown"}`,
    ),
    ...sourceChecks(check, p),
  ];
  const allowed = s.allowVmFailure.includes(name);
  const refuse = (text: string) =>
    allowed
      ? [warn(check, `${text} (accepted by --allow-vm-failure=${name}: luxd runs without it)`)]
      : fail(
        check,
        new ConfigError(`${text}; or accept running without it with --allow-vm-failure=${name}`),
      );
  if (p.rpcchainvm === undefined) {
    // Not asked at all when it is no rpcchainvm plugin (see facts.ts): the warning below says so.
    if (p.registrable) {
      out.push(warn(
        check,
        `${p.realPath} did not say its rpcchainvm protocol to '--version'; parsd cannot check it matches luxd's`,
      ));
    }
  } else if (luxdProtocol !== undefined && p.rpcchainvm !== luxdProtocol) {
    out.push(...fail(
      check,
      new ConfigError(
        `plugin ${name} speaks rpcchainvm ${p.rpcchainvm} but luxd speaks ${luxdProtocol}: luxd would start and the VM would silently not; use a plugin built for this luxd`,
      ),
    ));
  }
  if (!p.registrable) {
    out.push(warn(
      check,
      `${p.realPath} never mentions ${
        ENGINE_ADDR_ENVS.join(" or ")
      }, so it is likely not an rpcchainvm plugin: luxd would log 'failed to register VM' and run without it`,
    ));
  }
  out.push(...checkPluginFdLimit(f, p, refuse));
  return out;
}

/** luxfi/evm's and subnet-evm's runner (they say "…EVM/…" to --version) raise their fd limit. */
function checkPluginFdLimit(
  f: NodeFacts,
  p: PluginFacts,
  refuse: (text: string) => Check[],
): Check[] {
  const raisesFdLimit = p.name === "evm" && /EVM\//i.test(p.versionLine ?? "");
  if (!raisesFdLimit || typeof f.nofile !== "number" || f.nofile >= EVM_PLUGIN_FD_LIMIT) return [];
  return refuse(
    `the EVM plugin raises its open-file limit to ${EVM_PLUGIN_FD_LIMIT} and exits when the hard limit is lower, as here (${f.nofile}): luxd would run without the EVM; raise the hard limit (ulimit -Hn ${EVM_PLUGIN_FD_LIMIT}, or LimitNOFILE=${EVM_PLUGIN_FD_LIMIT} under systemd)`,
  );
}

/** The chain config's form: base64 on the command line, or files when too large for it. */
export function decideChainConfig(
  { s, f }: CheckInput,
  luxd: LuxdFacts,
): Decided<{ form: LuxdDecisions["chainConfig"]; files: Record<string, string> } | undefined> {
  const entries = chainEntries(s);
  const content = encodeChainConfigContent(entries);
  if (content.length <= CHAIN_CONFIG_CONTENT_LIMIT) {
    return {
      checks: [ok("chain config", `${content.length} bytes of base64 on the command line`)],
      decision: { form: { content }, files: {} },
    };
  }
  const dir = f.layout.chainConfigDir;
  const refuse = (message: string) => ({
    checks: fail("chain config", new ConfigError(message)),
    decision: undefined,
  });
  if (!luxd.flags.has("chain-config-dir")) {
    return refuse(
      `the chain config is ${content.length} bytes of base64, more than fits on luxd's command line (${CHAIN_CONFIG_CONTENT_LIMIT}), and luxd ${luxd.version} has no --chain-config-dir; shrink chains.* in ${s.configPath}`,
    );
  }
  try {
    const files = Object.fromEntries(
      chainConfigFiles(dir, entries).map((c) => [c.path, c.content]),
    );
    return {
      checks: [
        ok(
          "chain config",
          `${content.length} bytes: too large for the command line, written to ${dir}`,
        ),
      ],
      decision: { form: { dir }, files },
    };
  } catch (error) {
    return refuse(`chains.* in ${s.configPath}: ${(error as Error).message}`);
  }
}

/** The dirs to create for chain config files, parents first. */
export function chainDirs(dataDir: string, files: Readonly<Record<string, string>>): string[] {
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

/**
 * luxd can be started with the argv the plan gives it: no NUL byte, no one
 * argument of MAX_ARG_STRLEN bytes or more, and the argv plus environment
 * within ARG_MAX (see `spawn_limits.ts`). A problem in config.json's
 * luxd-args (or in what parsd derives from config.json) is 78, one in the
 * luxd flags given on the command line 64.
 *
 * @param args luxd's argv as the plan builds it: parsd's flags, then
 *   luxd-args, then the pass-through flags.
 */
export function checkSpawnLimits(
  { s, f, passthrough }: CheckInput,
  luxd: string,
  args: readonly string[],
): Check[] {
  const limits = f.spawnLimits;
  if (limits === undefined) return [ok("luxd argv", `${args.length} arguments`)];
  const given = args.length - passthrough.length;
  const fromConfig = given - s.luxdArgs.length;
  const origin = (i: number): ArgOrigin =>
    i >= given
      ? { from: "command line", name: `luxd flag ${i - given + 1}` }
      : i >= fromConfig
      ? { from: "config", name: `${s.configPath}: 'luxd-args' entry ${i - fromConfig + 1}` }
      : {
        from: "parsd",
        name: `parsd's own ${(args[i] ?? "").split("=")[0]} (from your settings)`,
      };
  const problems = spawnProblems(luxd, args, limits, origin);
  if (problems.length === 0) {
    const total = argvBytes(luxd, args, limits);
    const assumed = limits.small
      ? " (assumed, not asked: a command line this small fits)"
      : limits.measured
      ? ""
      : " (assumed: getconf did not say)";
    return [
      ok(
        "luxd argv",
        `${args.length} arguments, ${total} bytes with the environment, within ARG_MAX ${limits.argMax}${assumed}`,
      ),
    ];
  }
  return problems.flatMap((p) =>
    fail("luxd argv", p.from === "command line" ? new UsageError(p.text) : new ConfigError(p.text))
  );
}
