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
 * Exit codes: see {@linkcode BUILD_EXIT} in `go_build.ts`; a pin failure
 * passes parsd's exit code through.
 */

import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { PLUGINS } from "../lib/defaults.ts";
import {
  absolute,
  BUILD_EXIT,
  BuildError,
  buildGoBinary,
  builtLine,
  dataDirFor,
  eprint,
  parseFlags,
  reportError,
  userCwd,
  withInterruptCleanup,
} from "./go_build.ts";

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
export const PLUGIN_SOURCES: Readonly<Record<string, PluginSource>> = {
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
available or Go too old, 70 go build failed, 73 cannot create the output, 127 no go on PATH;
otherwise parsd's pin exit code.`;

/** A parsed build_plugin command line. */
export interface PluginBuildOptions {
  readonly name: string;
  readonly source: PluginSource;
  /** Local checkout to build (absolute), or undefined for module mode. */
  readonly srcDir?: string;
  readonly module: string;
  readonly version: string;
  /** The output file (absolute). */
  readonly out: string;
  /** The `--data-dir` given, absolute (passed on to parsd). */
  readonly dataDirFlag?: string;
  /** The `--config` given, absolute (passed on to parsd). */
  readonly configFlag?: string;
  readonly pin: boolean;
}

/**
 * Parses the command line (plugin name first). Relative paths are resolved
 * against `cwd`; the default output is `<data-dir>/bin/<name>`.
 * Returns `"help"` for `--help`.
 *
 * @throws {BuildError} (64) on a bad command line.
 */
export function parsePluginArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string>>,
  cwd: string,
): PluginBuildOptions | "help" {
  const { flags, positional } = parseFlags(
    argv,
    ["src", "version", "module", "out", "data-dir", "config"],
    ["no-pin", "help"],
  );
  if (flags["help"] === true) return "help";
  const name = positional[0];
  if (name === undefined) {
    throw new BuildError(BUILD_EXIT.usage, "which plugin? expected sessionvm or evm");
  }
  const source = PLUGIN_SOURCES[name];
  if (source === undefined || !Object.hasOwn(PLUGIN_SOURCES, name)) {
    throw new BuildError(
      BUILD_EXIT.usage,
      `unknown plugin '${name}'; expected ${Object.keys(PLUGIN_SOURCES).join(" or ")}`,
    );
  }
  if (positional.length > 1) {
    throw new BuildError(BUILD_EXIT.usage, `unexpected argument '${positional[1]}'`);
  }
  const str = (k: string) => typeof flags[k] === "string" ? flags[k] as string : undefined;
  const src = str("src");
  if (src !== undefined && (str("version") !== undefined || str("module") !== undefined)) {
    throw new BuildError(
      BUILD_EXIT.usage,
      "--src builds a local checkout; it cannot be combined with --version or --module",
    );
  }
  const dd = str("data-dir");
  const cfg = str("config");
  const dataDir = dataDirFor(dd, env, cwd);
  const out = str("out");
  return {
    name,
    source,
    ...(src !== undefined ? { srcDir: absolute(src, cwd) } : {}),
    module: str("module") ?? source.module,
    version: str("version") ?? source.version,
    out: out !== undefined ? absolute(out, cwd) : join(dataDir, "bin", name),
    ...(dd !== undefined ? { dataDirFlag: absolute(dd, cwd) } : {}),
    ...(cfg !== undefined ? { configFlag: absolute(cfg, cwd) } : {}),
    pin: flags["no-pin"] !== true,
  };
}

/** The repository root (where main.ts and deno.json are). */
export const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The argv (after the deno executable) of `parsd plugins pin` for a built plugin. */
export function pinArgs(o: PluginBuildOptions, repoRoot = REPO_ROOT): string[] {
  const spec = PLUGINS[o.name as keyof typeof PLUGINS];
  return [
    "run",
    "-P=parsd",
    "--no-prompt",
    "--config",
    join(repoRoot, "deno.json"),
    join(repoRoot, "main.ts"),
    "plugins",
    "pin",
    o.name,
    `--${spec.flag}`,
    o.out,
    ...(o.dataDirFlag !== undefined ? ["--data-dir", o.dataDirFlag] : []),
    ...(o.configFlag !== undefined ? ["--config", o.configFlag] : []),
  ];
}

/** Runs the script: parse, build, print the `built` line, pin. Returns the exit code. */
export async function buildPlugin(argv: readonly string[]): Promise<number> {
  const env = Deno.env.toObject();
  try {
    const o = parsePluginArgs(argv, env, userCwd(env, Deno.cwd()));
    if (o === "help") {
      console.log(USAGE);
      return 0;
    }
    const r = await withInterruptCleanup(() =>
      buildGoBinary({
        what: o.name,
        pkg: o.source.pkg,
        cgo: o.source.cgo,
        out: o.out,
        env,
        note: eprint,
        ...(o.srcDir !== undefined
          ? { srcDir: o.srcDir }
          : { module: o.module, version: o.version }),
      })
    );
    if (r.version !== undefined) eprint(`built from ${o.module}@${r.version}`);
    console.log(builtLine(o.name, r));
    if (!o.pin) return 0;
    const pin = await new Deno.Command(Deno.execPath(), {
      args: pinArgs(o),
      stdin: "null",
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    return pin.code;
  } catch (error) {
    const code = reportError(error, eprint);
    if (error instanceof BuildError && error.exitCode === BUILD_EXIT.usage) {
      eprint("build: run with --help for usage");
    }
    return code;
  }
}

if (import.meta.main) Deno.exit(await buildPlugin(Deno.args));
