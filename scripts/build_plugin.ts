/**
 * @module
 * `deno task build:sessionvm` / `deno task build:evm`: builds a VM plugin
 * from source with Go, reproducibly, then pins its sha256 with
 * `parsd plugins pin` (unless `--no-pin`).
 *
 * ```sh
 * deno task build:sessionvm [--src DIR | --version V [--module M]] [--out PATH]
 *                           [--data-dir DIR] [--config PATH] [--no-pin]
 * ```
 *
 * With `--src` it builds a local checkout (`go build ./plugin` in DIR, like
 * PIP-7's `go build -o sessionvm ./plugin/`); otherwise it downloads the
 * module at the pinned version through the Go module proxy and builds that.
 * The binary goes to `<data-dir>/bin/<name>` unless `--out` says otherwise.
 * Exit codes (lib's `ExitCode`): 64 usage, 66 `--src` missing or without
 * go.mod, 69 module or version not available or Go too old, 70 go build
 * failed, 73 cannot create the output, 78 HOME unset where a default path
 * needs it, 127 no go on PATH, 130/143 interrupted; a pin failure passes
 * parsd's exit code through.
 */

import { ExitCode, UsageError } from "../lib/errors.ts";
import { type PluginName, PLUGINS } from "../lib/network/pars.ts";
import { join } from "../lib/os/path.ts";
import type { System } from "../lib/os/system.ts";
import { buildGoBinary, builtLine } from "./go_build.ts";
import { noMorePositional, parseFlags } from "./flags.ts";
import {
  denoScriptSystem,
  parsdArgv,
  runMain,
  scriptDataDir,
  type ScriptSystem,
  userPath,
} from "./kit.ts";

/**
 * The pinned luxfi/session revision. The module has no tags, so this is a
 * commit; Go resolves it to its pseudo-version (printed while downloading).
 * Update it (or pass `--version v0.0.0-YYYYMMDDhhmmss-abcdefabcdef`) when
 * moving to a newer SessionVM.
 */
export const SESSIONVM_VERSION = "f6f10a7f0160257cc596b5d81fee106a213e3c93";

/** The pinned luxfi/evm release (the version other luxfi modules require). */
export const EVM_VERSION = "v0.8.35";

/** Where a plugin's source lives and how it is built. */
export interface PluginSource {
  /** The Go module path. */
  readonly module: string;
  /** The pinned default version: a tag, pseudo-version or commit. */
  readonly version: string;
  /** The main package, relative to the module root. */
  readonly pkg: string;
  /** Whether it needs cgo (CGO_ENABLED=1). */
  readonly cgo: boolean;
}

/** The plugins this script builds, by parsd's name for them. */
export const PLUGIN_SOURCES: Readonly<Record<PluginName, PluginSource>> = {
  sessionvm: {
    module: "github.com/luxfi/session",
    version: SESSIONVM_VERSION,
    pkg: "./plugin",
    cgo: false,
  },
  evm: { module: "github.com/luxfi/evm", version: EVM_VERSION, pkg: "./plugin", cgo: true },
};

/** The usage text. */
export const USAGE = `usage: deno task build:<sessionvm|evm> [options]
       deno run --allow-all scripts/build_plugin.ts <sessionvm|evm> [options]

Builds a VM plugin with Go (-trimpath -buildvcs=false -ldflags="-s -w -buildid=")
and pins its sha256 in parsd's config.json.

  --src DIR        build a local checkout (DIR holds go.mod; builds ./plugin)
  --version V      module version to download (default: sessionvm ${SESSIONVM_VERSION},
                   evm ${EVM_VERSION})
  --module M       module path to download (default: github.com/luxfi/session, github.com/luxfi/evm)
  --out PATH       output file (default <data-dir>/bin/<name>)
  --data-dir DIR   parsd data dir (env PARS_DATA_DIR; default ~/.pars)
  --config PATH    parsd config file to pin into (env PARS_CONFIG; default <data-dir>/config.json)
  --no-pin         build only; do not run 'parsd plugins pin'
  -h, --help       this text

Exit codes: 0 ok, 64 usage, 66 --src missing or without go.mod, 69 module/version not
available or Go too old, 70 go build failed, 73 cannot create the output, 78 HOME unset,
127 no go on PATH, 130/143 interrupted; otherwise parsd's pin exit code.`;

/** Where `parsd plugins pin` writes: the data dir and config file the user named, if any. */
export interface PinTarget {
  /** `--data-dir` or PARS_DATA_DIR, absolute (passed on as `--data-dir`). */
  readonly dataDir?: string;
  /** `--config` or PARS_CONFIG, absolute (passed on as `--config`). */
  readonly config?: string;
}

/**
 * The data dir and config the user named (flag first, then PARS_DATA_DIR /
 * PARS_CONFIG), made absolute against the user's cwd, so that parsd, which
 * runs from elsewhere, pins into the same files. Reads only `sys.env`.
 */
export function pinTargetFrom(
  flags: { readonly dataDir?: string | undefined; readonly config?: string | undefined },
  sys: System,
): PinTarget {
  const dataDir = flags.dataDir ?? (sys.env("PARS_DATA_DIR") || undefined);
  const config = flags.config ?? (sys.env("PARS_CONFIG") || undefined);
  return {
    ...(dataDir !== undefined ? { dataDir: scriptDataDir(sys, dataDir) } : {}),
    ...(config !== undefined ? { config: userPath(sys, config) } : {}),
  };
}

/** A parsed build_plugin command line. */
export interface PluginBuildOptions {
  readonly name: PluginName;
  readonly source: PluginSource;
  /** Local checkout to build (absolute), or undefined for module mode. */
  readonly srcDir?: string;
  readonly module: string;
  readonly version: string;
  /** The output file (absolute). */
  readonly out: string;
  /** Where to pin. */
  readonly pinTarget: PinTarget;
  readonly pin: boolean;
}

function isPluginName(name: string): name is PluginName {
  return Object.hasOwn(PLUGIN_SOURCES, name);
}

/**
 * Parses the command line (plugin name first). Relative paths are resolved
 * against the user's cwd; the default output is `<data-dir>/bin/<name>`.
 * Returns `"help"` for `--help`.
 *
 * @throws {UsageError} (64) on a bad command line; a ConfigError
 *   (78) when HOME is needed and unset.
 */
export function parsePluginArgs(argv: readonly string[], sys: System): PluginBuildOptions | "help" {
  const { values, booleans, help, positional } = parseFlags(argv, {
    values: ["src", "version", "module", "out", "data-dir", "config"],
    booleans: ["no-pin"],
  });
  if (help) return "help";
  const name = positional[0];
  if (name === undefined) throw new UsageError("which plugin? expected sessionvm or evm");
  if (!isPluginName(name)) {
    throw new UsageError(
      `unknown plugin '${name}'; expected ${Object.keys(PLUGIN_SOURCES).join(" or ")}`,
    );
  }
  noMorePositional(positional, 1);
  const source = PLUGIN_SOURCES[name];
  if (values.src !== undefined && (values.version !== undefined || values.module !== undefined)) {
    throw new UsageError(
      "--src builds a local checkout; it cannot be combined with --version or --module",
    );
  }
  return {
    name,
    source,
    ...(values.src !== undefined ? { srcDir: userPath(sys, values.src) } : {}),
    module: values.module ?? source.module,
    version: values.version ?? source.version,
    out: values.out !== undefined
      ? userPath(sys, values.out)
      : join(scriptDataDir(sys, values["data-dir"]), "bin", name),
    pinTarget: pinTargetFrom({ dataDir: values["data-dir"], config: values.config }, sys),
    pin: !booleans["no-pin"],
  };
}

/** The argv (after the deno executable) of `parsd plugins pin <name> --<name>-plugin <path>`. */
export function pinArgs(name: PluginName, path: string, target: PinTarget): string[] {
  return parsdArgv([
    "plugins",
    "pin",
    name,
    `--${PLUGINS[name].flag}`,
    path,
    ...(target.dataDir !== undefined ? ["--data-dir", target.dataDir] : []),
    ...(target.config !== undefined ? ["--config", target.config] : []),
  ]);
}

/**
 * Pins a built plugin through parsd (`deno run -P=parsd main.ts plugins pin …`),
 * passing its output on. Returns parsd's exit code.
 */
export async function pinPlugin(
  sys: ScriptSystem,
  name: PluginName,
  path: string,
  target: PinTarget,
): Promise<number> {
  const r = await sys.run({ cmd: sys.execPath(), args: pinArgs(name, path, target) });
  if (r.stdout.trim() !== "") sys.out(r.stdout.trimEnd() + "\n");
  if (r.stderr.trim() !== "") sys.err(r.stderr.trimEnd() + "\n");
  return r.code;
}

/** The script's body: parse, build, print the `built` line, pin. Returns the exit code. */
export async function buildPlugin(sys: ScriptSystem, argv: readonly string[]): Promise<number> {
  const o = parsePluginArgs(argv, sys);
  if (o === "help") {
    sys.out(USAGE + "\n");
    return ExitCode.ok;
  }
  const r = await buildGoBinary(sys, {
    what: o.name,
    pkg: o.source.pkg,
    cgo: o.source.cgo,
    out: o.out,
    ...(o.srcDir !== undefined ? { srcDir: o.srcDir } : { module: o.module, version: o.version }),
  });
  if (r.version !== undefined) sys.err(`built from ${o.module}@${r.version}\n`);
  sys.out(builtLine(o.name, r) + "\n");
  return o.pin ? await pinPlugin(sys, o.name, o.out, o.pinTarget) : ExitCode.ok;
}

/** Runs the script with `argv`; returns the exit code. */
export function main(argv: readonly string[], sys = denoScriptSystem()): Promise<number> {
  return runMain("build", sys, (s) => buildPlugin(s, argv));
}

if (import.meta.main) Deno.exit(await main(Deno.args));
