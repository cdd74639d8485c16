/**
 * @module
 * parsd's options, one row each: flag, environment variable, config.json
 * key, default, parser, help line and the commands that take it. The argv
 * parser (`args.ts`), settings resolution (`config.ts`), `parsd help` and the
 * README's flag table all derive from {@linkcode OPTIONS}; a test holds the
 * README and deno.json's env list to it.
 */

import { type Command, COMMANDS } from "./commands.ts";
import { type BootstrapNode, parseBootstrapNodes } from "../network/bootstrap.ts";
import {
  Invalid,
  oneOf,
  parseBool,
  parseChainId,
  ParseContext,
  parseCount,
  parseKeyList,
  parseNetworkId,
  parseNodeCount,
  parsePath,
  parsePluginList,
  parsePort,
  parseSha256,
  parseShutdownGrace,
} from "./option_parsers.ts";
import { DEFAULT_NODES, MAX_NODES } from "../devnet/layout.ts";

/** One option. `T` is the parsed value's type. */
export interface OptionSpec<T> {
  /** Takes a `--flag`; a switch takes no value (`--x`, `--x=false`). */
  readonly flag?: "value" | "switch";
  /** The placeholder shown in help for a value flag. */
  readonly metavar?: string;
  readonly env?: string;
  /** The key in config.json (dotted for nested keys, e.g. `plugins.evm.path`). */
  readonly config?: string;
  /** The default, shown in help; `undefined` when there is none. */
  readonly default?: T;
  /** How the default is shown when it is not a plain value. */
  readonly defaultText?: string;
  readonly parse: (raw: unknown, ctx: ParseContext) => T | Invalid;
  readonly help: string;
  /** The commands that take it on the command line (or read it from env/config). */
  readonly commands: readonly Command[];
}

const option = <T>(spec: OptionSpec<T>): OptionSpec<T> => spec;

// ---------------------------------------------------------------------------
// The table

/** Commands that start or check a node with the full settings. */
const NODE: readonly Command[] = ["run", "doctor"];
/** Commands that read the data dir or config at all: all but `vmid` and `help`. */
const LOCAL: readonly Command[] = COMMANDS.filter((c) => c !== "vmid" && c !== "help");

/** Every parsd option, in help order. */
export const OPTIONS = {
  "network-id": option({
    flag: "value",
    metavar: "ID",
    env: "PARS_NETWORK_ID",
    config: "network-id",
    default: 7070,
    parse: parseNetworkId,
    help: "a number (1 to 2^32-1), or mainnet (7070), testnet (7071), devnet (7072)",
    commands: [...NODE, "service", "genesis"],
  }),
  "data-dir": option({
    flag: "value",
    metavar: "DIR",
    env: "PARS_DATA_DIR",
    config: "data-dir",
    defaultText: "~/.pars",
    parse: parsePath,
    help: "the data directory",
    commands: LOCAL,
  }),
  "config": option({
    flag: "value",
    metavar: "FILE",
    env: "PARS_CONFIG",
    defaultText: "<data-dir>/config.json",
    parse: parsePath,
    help: "the config file; one named here must exist",
    commands: LOCAL,
  }),
  "http-port": option({
    flag: "value",
    metavar: "PORT",
    env: "PARS_HTTP_PORT",
    config: "http-port",
    default: 9660,
    parse: parsePort,
    help: "luxd's HTTP port (must differ from the staking port)",
    commands: [...NODE, "status", "service"],
  }),
  "staking-port": option({
    flag: "value",
    metavar: "PORT",
    env: "PARS_STAKING_PORT",
    config: "staking-port",
    default: 9659,
    parse: parsePort,
    help: "luxd's staking port",
    commands: [...NODE, "service"],
  }),
  "luxd": option({
    flag: "value",
    metavar: "PATH",
    env: "PARS_LUXD",
    config: "luxd",
    defaultText: "search",
    parse: parsePath,
    help: "the luxd binary (for 'plugins': the source 'plugins pin luxd' copies into the store)",
    commands: [...NODE, "version", "service", "plugins", "devnet"],
  }),
  "luxd-sha256": option({
    config: "luxd-sha256",
    parse: parseSha256,
    help: "luxd's pinned SHA-256, written by 'parsd plugins pin luxd'",
    commands: [...NODE, "plugins"],
  }),
  "evm-plugin": option({
    flag: "value",
    metavar: "PATH",
    env: "PARS_EVM_PLUGIN",
    config: "plugins.evm.path",
    defaultText: "search",
    parse: parsePath,
    help: "the EVM plugin binary",
    commands: [...NODE, "plugins", "service", "devnet"],
  }),
  "sessionvm-plugin": option({
    flag: "value",
    metavar: "PATH",
    env: "PARS_SESSIONVM_PLUGIN",
    config: "plugins.sessionvm.path",
    defaultText: "search",
    parse: parsePath,
    help: "the SessionVM plugin binary",
    commands: [...NODE, "plugins", "service", "devnet"],
  }),
  "shutdown-grace": option({
    flag: "value",
    metavar: "DURATION",
    env: "PARS_SHUTDOWN_GRACE",
    config: "shutdown-grace",
    default: 30_000,
    defaultText: "30s",
    parse: parseShutdownGrace,
    help: "how long luxd may take after SIGTERM before SIGKILL (30s, 1m30s, 500ms; at most 1h)",
    commands: [...NODE, "service", "devnet"],
  }),
  "verify": option({
    flag: "value",
    metavar: "MODE",
    config: "verify",
    default: "cache" as "cache" | "full",
    parse: oneOf("cache", "full"),
    help: "cache: skip re-hashing a plugin the cache proves unchanged; full: always hash",
    commands: [...NODE, "devnet"],
  }),
  "trust-unpinned": option({
    flag: "switch",
    default: false,
    parse: parseBool,
    help: "start even with unpinned plugins, logging their hashes; never the default",
    commands: [...NODE, "devnet"],
  }),
  "allow-vm-failure": option({
    flag: "value",
    metavar: "NAMES",
    config: "allow-vm-failure",
    default: [] as string[],
    defaultText: "none",
    parse: parsePluginList,
    help:
      "start even though these plugins (evm, sessionvm) will fail to load (e.g. fd limit); luxd runs without them",
    commands: [...NODE, "devnet"],
  }),
  "from": option({
    flag: "value",
    metavar: "FILE",
    parse: parsePath,
    help: "plugins pin: take the hashes from a SHA256SUMS file",
    commands: ["plugins"],
  }),
  "signature": option({
    flag: "value",
    metavar: "FILE",
    parse: parsePath,
    help: "plugins pin: the minisign signature of the --from file, checked against trusted-keys",
    commands: ["plugins"],
  }),
  "trusted-keys": option({
    config: "trusted-keys",
    default: [] as string[],
    defaultText: "none",
    parse: parseKeyList,
    help:
      "minisign public keys (RW…) a pin's SHA256SUMS must be signed by; once set, every pin needs a signature",
    commands: ["plugins"],
  }),
  "replace": option({
    flag: "switch",
    default: false,
    parse: parseBool,
    help: "plugins pin: replace an existing, different pin (prints old -> new)",
    commands: ["plugins"],
  }),
  "gc": option({
    flag: "switch",
    default: false,
    parse: parseBool,
    help: "plugins store: remove unpinned versions beyond the --keep most recent of each binary",
    commands: ["plugins"],
  }),
  "keep": option({
    flag: "value",
    metavar: "N",
    default: 1,
    parse: parseCount,
    help: "plugins store --gc: how many previous versions of each binary to keep for rollback",
    commands: ["plugins"],
  }),
  "dry-run": option({
    flag: "switch",
    default: false,
    parse: parseBool,
    help: "run: print the plan as JSON and change nothing",
    commands: ["run"],
  }),
  "json": option({
    flag: "switch",
    default: false,
    parse: parseBool,
    help: "status: print one JSON object",
    commands: ["status", "devnet"],
  }),
  "track-all-chains": option({
    config: "track-all-chains",
    default: true,
    parse: parseBool,
    help: "give luxd --track-all-chains=true where it has that flag",
    commands: NODE,
  }),
  "warp-api": option({
    config: "warp-api",
    default: true,
    parse: parseBool,
    help: "the value of the Warp API key in the EVM chain config",
    commands: NODE,
  }),
  "genesis": option({
    flag: "value",
    metavar: "FILE",
    env: "PARS_GENESIS",
    config: "genesis",
    defaultText: "luxd's own for the network ID",
    parse: parsePath,
    help: "the network's genesis, checked before luxd sees it (see 'parsd genesis check')",
    commands: [...NODE, "service"],
  }),
  "bootstrap-nodes": option({
    config: "bootstrap-nodes",
    default: [] as BootstrapNode[],
    defaultText: "none",
    parse: (raw: unknown) => {
      const r = parseBootstrapNodes(raw);
      return "nodes" in r ? r.nodes : new Invalid(r.problems.join("; "));
    },
    help: "the network's bootstrappers, each NodeID-…@ip:port",
    commands: NODE,
  }),
  "dialect": option({
    flag: "value",
    metavar: "NODE",
    default: "luxd" as "luxd" | "avalanchego",
    parse: oneOf("luxd", "avalanchego"),
    help: "genesis check: the node's genesis dialect (luxAddr for luxd, avaxAddr for avalanchego)",
    commands: ["genesis"],
  }),
  "nodes": option({
    flag: "value",
    metavar: "N",
    default: DEFAULT_NODES,
    parse: parseNodeCount,
    help: `devnet up: how many validators a new devnet has (1 to ${MAX_NODES})`,
    commands: ["devnet"],
  }),
  "dir": option({
    flag: "value",
    metavar: "DIR",
    defaultText: "~/.pars-devnet",
    parse: parsePath,
    help: "devnet: the devnet's directory",
    commands: ["devnet"],
  }),
  "chain-id": option({
    flag: "value",
    metavar: "ID",
    default: 7072,
    parse: parseChainId,
    help: "devnet up: the C-chain's EVM chain ID in a new devnet's genesis",
    commands: ["devnet"],
  }),
  "reset": option({
    flag: "switch",
    default: false,
    parse: parseBool,
    help: "devnet up: delete the devnet in --dir (only one parsd made) and make a new one",
    commands: ["devnet"],
  }),
  "help": option({
    flag: "switch",
    default: false,
    parse: parseBool,
    help: "show help",
    commands: COMMANDS,
  }),
  "version": option({
    flag: "switch",
    default: false,
    parse: parseBool,
    help: "show versions",
    commands: COMMANDS,
  }),
} as const;

/** The name of a row of {@linkcode OPTIONS}. */
export type OptionName = keyof typeof OPTIONS;

/** The parsed value type of an option. */
export type OptionValue<K extends OptionName> = typeof OPTIONS[K] extends OptionSpec<infer T> ? T
  : never;

/** Every row, as `[name, spec]`, in help order. */
export const OPTION_ROWS = Object.entries(OPTIONS) as [OptionName, OptionSpec<unknown>][];

/** The options a command takes on its command line. */
export function flagsOf(command: Command): [OptionName, OptionSpec<unknown>][] {
  return OPTION_ROWS.filter(([, o]) => o.flag !== undefined && o.commands.includes(command));
}

/** Every `PARS_*` variable an option reads. */
export const OPTION_ENVS: readonly string[] = OPTION_ROWS.flatMap(([, o]) =>
  o.env === undefined ? [] : [o.env]
);

/**
 * config.json keys that are not single options: sections parsed whole by
 * `config.ts` (plugins, chains, luxd-args, evm-keys, precompiles).
 */
export const CONFIG_SECTIONS = [
  "luxd-args",
  "plugins",
  "chains",
  "evm-keys",
  "precompiles",
] as const;

/** Every top-level key config.json may hold. */
export const CONFIG_KEYS: readonly string[] = [
  ...new Set([
    ...OPTION_ROWS.flatMap(([, o]) => o.config === undefined ? [] : [o.config.split(".")[0]!]),
    ...CONFIG_SECTIONS,
  ]),
];

/** How an option's default reads in help and the README. */
export function defaultText(o: OptionSpec<unknown>): string {
  if (o.defaultText !== undefined) return o.defaultText;
  if (o.default === undefined) return "-";
  if (o.flag === "switch" && o.default === false) return "off";
  return String(o.default);
}
