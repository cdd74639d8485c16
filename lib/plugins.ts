/**
 * @module
 * Plugin trust: find each plugin (flag > env > config.json > search paths),
 * check that its real file is safe to run, and verify its SHA-256 against
 * the pin in config.json, using the verification cache when it proves the
 * file unchanged.
 */

import { join } from "node:path";
import { NoInputError, ParsdError, VerificationError } from "./errors.ts";
import { type FileFacts, octal, statFacts } from "./files.ts";
import { type PluginName, PLUGINS, type PluginSpec } from "./defaults.ts";
import type { Settings } from "./config.ts";
import { sha256File } from "./hash.ts";
import { cacheHit, cacheKey, type VerifyCache } from "./cache.ts";

/** How a plugin was found. */
export type Rule = "flag" | "env" | "config" | "search";

/** A plugin binary discovery located, or where it looked in vain. */
export type Discovery =
  | {
    readonly found: true;
    readonly path: string;
    readonly rule: Rule;
    readonly searched: readonly string[];
  }
  | { readonly found: false; readonly searched: readonly string[] };

/** The facts discovery needs besides settings. */
export interface SearchEnv {
  readonly home: string;
  /** `$GOPATH`, if set; otherwise `~/go` is used. */
  readonly gopath?: string;
}

/** The search paths (PIP-7 and its reference implementation), in order. */
export function searchPaths(spec: PluginSpec, env: SearchEnv): string[] {
  const gopath = env.gopath?.split(":")[0] || join(env.home, "go");
  return [
    join(env.home, ".lux", "plugins", spec.vmid),
    join(env.home, ".lux", "plugins", "current", spec.vmid),
    join("/usr/local/lib/lux/plugins", spec.vmid),
    join("/usr/local/lib/pars/plugins", spec.vmid),
    join(gopath, "bin", spec.goBinary),
  ];
}

function flagName(spec: PluginSpec, rule: Rule): string {
  return rule === "flag"
    ? `--${spec.flag}`
    : rule === "env"
    ? spec.env
    : `plugins.${spec.name}.path in config.json`;
}

/**
 * Finds a plugin. A path given by flag, env or config.json is used as is
 * (even if missing: the target check then says so); otherwise the first
 * search path where something exists wins.
 */
export async function discover(name: PluginName, s: Settings, env: SearchEnv): Promise<Discovery> {
  const given = s.plugins[name];
  if (given.path !== undefined && given.pathSource !== undefined) {
    return { found: true, path: given.path, rule: given.pathSource, searched: [] };
  }
  const searched = searchPaths(PLUGINS[name], env);
  for (const path of searched) {
    if (await statFacts(path)) return { found: true, path, rule: "search", searched };
  }
  return { found: false, searched };
}

/** A plugin's real file, checked safe to hand to luxd. */
export interface Target {
  readonly realPath: string;
  readonly facts: FileFacts;
}

/**
 * Resolves a plugin path to its real file and checks that it is a regular
 * executable file, not writable by group or others, owned by root or the
 * current user — so the verified file cannot be swapped by someone else
 * between verification and luxd's exec.
 *
 * @throws {NoInputError} if it does not exist; {@linkcode VerificationError} if unsafe.
 */
export async function inspectTarget(
  spec: PluginSpec,
  path: string,
  rule: Rule,
  uid: number | null,
): Promise<Target> {
  const what = `plugin ${spec.name}`;
  const facts = await statFacts(path);
  if (!facts) {
    throw new NoInputError(
      `${what}: ${path} (from ${flagName(spec, rule)}) does not exist or is a dangling link; ` +
        `build it with 'deno task build:${spec.name}' or fix the path`,
    );
  }
  const realPath = await Deno.realPath(path);
  if (facts.isDirectory) {
    throw new VerificationError(
      `${what}: ${realPath} is a directory, not a plugin binary; point ${
        flagName(spec, rule)
      } at the binary`,
    );
  }
  if (!facts.isFile) throw new VerificationError(`${what}: ${realPath} is not a regular file`);
  if (Deno.build.os !== "windows") {
    if ((facts.mode & 0o111) === 0) {
      throw new VerificationError(
        `${what}: ${realPath} is not executable (mode ${
          octal(facts.mode)
        }); run 'chmod 755 ${realPath}'`,
      );
    }
    if ((facts.mode & 0o022) !== 0) {
      throw new VerificationError(
        `${what}: ${realPath} is writable by group or others (mode ${
          octal(facts.mode)
        }), so it could be swapped after verification; run 'chmod go-w ${realPath}'`,
      );
    }
    if (uid !== null && facts.uid !== 0 && facts.uid !== uid) {
      throw new VerificationError(
        `${what}: ${realPath} is owned by uid ${facts.uid}, neither root nor you (uid ${uid}); copy it to a file you own, or have root own it`,
      );
    }
  }
  return { realPath, facts };
}

/** A plugin that passed every check. */
export interface VerifiedPlugin {
  readonly name: PluginName;
  readonly vmid: string;
  /** The path discovery found (may be a link). */
  readonly source: string;
  readonly rule: Rule;
  /** The real file; the plugin-dir link points here. */
  readonly realPath: string;
  readonly sha256: string;
  readonly pinned: boolean;
  /** Whether the cache proved the file unchanged, so it was not re-hashed. */
  readonly fromCache: boolean;
  /**
   * Whether this verification may be cached: the file's last change (ctime)
   * is older than the hash's start by more than {@linkcode RACY_MARGIN_NS}.
   * File times are coarse (the kernel's tick; Deno's ctime is in whole
   * seconds), so a change made soon after the previous one may keep its
   * ctime; such "racily clean" files are re-hashed next time, as git does
   * with its index.
   */
  readonly cacheable: boolean;
  readonly facts: FileFacts;
}

/**
 * How much older than the hash's start a file's ctime must be for its
 * verification to be cached. Deno 2.9 reports ctime in whole seconds (and
 * mtime in milliseconds), so two changes within one second can share a
 * ctime; a 2 s margin guarantees that any later change shows a new ctime.
 */
export const RACY_MARGIN_NS = 2_000_000_000n;

const nowNs = () => BigInt(Date.now()) * 1_000_000n;

/** Options for {@linkcode verifyPlugin}. */
export interface VerifyOptions {
  readonly mode: "cache" | "full";
  readonly cache: VerifyCache;
  readonly trustUnpinned: boolean;
  readonly uid: number | null;
  readonly searchEnv: SearchEnv;
}

/**
 * Discovers, checks and verifies one plugin.
 *
 * @throws {ParsdError} the reason it must not run: missing (66), unsafe,
 *   unpinned or mismatched (65).
 */
export async function verifyPlugin(
  name: PluginName,
  s: Settings,
  o: VerifyOptions,
): Promise<VerifiedPlugin> {
  const spec = PLUGINS[name];
  const d = await discover(name, s, o.searchEnv);
  if (!d.found) {
    throw new NoInputError(
      `plugin ${name}: not found; looked in ${
        d.searched.join(", ")
      }; give its path with --${spec.flag} ` +
        `or ${spec.env}, or build it with 'deno task build:${name}'`,
    );
  }
  const target = await inspectTarget(spec, d.path, d.rule, o.uid);
  const pinned = s.plugins[name].sha256;
  const base = {
    name,
    vmid: spec.vmid,
    source: d.path,
    rule: d.rule,
    realPath: target.realPath,
    facts: target.facts,
  };
  if (pinned === undefined) {
    if (!o.trustUnpinned) {
      throw new VerificationError(
        `plugin ${name}: ${target.realPath} is not pinned; check it, then pin it with 'parsd plugins pin ${name}' ` +
          `(or start once with --trust-unpinned)`,
      );
    }
    return {
      ...base,
      sha256: await sha256File(target.realPath),
      pinned: false,
      fromCache: false,
      cacheable: false,
    };
  }
  if (o.mode === "cache" && cacheHit(o.cache, target.realPath, target.facts, pinned)) {
    return { ...base, sha256: pinned, pinned: true, fromCache: true, cacheable: false };
  }
  const cacheable = target.facts.ctimeNs + RACY_MARGIN_NS < nowNs();
  const actual = await sha256File(target.realPath);
  if (actual !== pinned) {
    throw new VerificationError(
      `plugin ${name}: sha256 mismatch: expected ${pinned}, got ${actual} (${target.realPath}); ` +
        `if you built or upgraded it yourself, re-pin with 'parsd plugins pin ${name}'`,
    );
  }
  return { ...base, sha256: actual, pinned: true, fromCache: false, cacheable };
}

/** The cache entries that record freshly verified, pinned plugins. */
export function cacheUpdates(verified: readonly VerifiedPlugin[]): VerifyCache {
  const out: VerifyCache = {};
  for (const v of verified) {
    if (v.cacheable) out[v.realPath] = { key: cacheKey(v.facts, v.sha256), sha256: v.sha256 };
  }
  return out;
}

/**
 * Runs `f` for every plugin concurrently (hashing two plugins uses both
 * cores) and gathers every failure into one error, in plugin order, so that
 * a user sees all problems at once. The exit code is the first failure's.
 */
export async function forEachPlugin<T>(
  names: readonly PluginName[],
  f: (name: PluginName) => Promise<T>,
): Promise<T[]> {
  const settled = await Promise.allSettled(names.map(f));
  const errors: ParsdError[] = [];
  const results: T[] = [];
  for (const s of settled) {
    if (s.status === "fulfilled") results.push(s.value);
    else if (s.reason instanceof ParsdError) errors.push(s.reason);
    else throw s.reason;
  }
  if (errors.length > 0) {
    throw new ParsdError(errors[0]!.exitCode, errors.flatMap((e) => e.problems));
  }
  return results;
}

/** One line of a SHA256SUMS file. */
export interface SumEntry {
  readonly sha256: string;
  readonly file: string;
  readonly line: number;
}

/**
 * Parses `sha256sum` output (`<hex>  <file>` or `<hex> *<file>`), skipping
 * blank lines and `#` comments.
 *
 * @returns the entries and one problem per malformed line.
 */
export function parseSha256Sums(
  text: string,
  path: string,
): { entries: SumEntry[]; problems: string[] } {
  const entries: SumEntry[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const m = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line);
    if (!m) {
      problems.push(
        `${path}:${i + 1}: not a sha256sum line ('<64 hex digits>  <file>'): ${line.slice(0, 60)}`,
      );
      return;
    }
    entries.push({ sha256: m[1]!.toLowerCase(), file: m[2]!.trim(), line: i + 1 });
  });
  return { entries, problems };
}

const OS_WORDS: Record<string, string[]> = {
  linux: ["linux"],
  darwin: ["darwin", "macos", "apple"],
  windows: ["windows", "win"],
};
const ARCH_WORDS: Record<string, string[]> = {
  x86_64: ["amd64", "x86_64", "x64"],
  aarch64: ["arm64", "aarch64"],
};

/**
 * Picks the SHA256SUMS entry for a plugin: a file named after the plugin
 * (`sessionvm`, `sessionvm-linux-amd64`, `sessionvm.exe`) or its VMID; among
 * several, the one naming this OS and architecture.
 *
 * @returns the entry, or a problem line.
 */
export function pickSum(
  entries: readonly SumEntry[],
  spec: PluginSpec,
  platform: { os: string; arch: string },
): SumEntry | string {
  const base = (f: string) => f.split(/[\\/]/).at(-1)!.toLowerCase();
  const matches = entries.filter((e) => {
    const b = base(e.file);
    return b === spec.vmid.toLowerCase() || b === spec.goBinary ||
      new RegExp(`^${spec.goBinary}[-_.]`).test(b);
  });
  const words = (f: string) => base(f).split(/[-_.]/);
  const narrowed = matches.length <= 1
    ? matches
    : matches.filter((e) =>
      words(e.file).some((w) => OS_WORDS[platform.os]?.includes(w)) &&
      words(e.file).some((w) => ARCH_WORDS[platform.arch]?.includes(w))
    );
  if (narrowed.length === 1) return narrowed[0]!;
  if (matches.length === 0) {
    return `no entry for plugin ${spec.name} (a file named ${spec.goBinary}, ${spec.goBinary}-<os>-<arch> or ${spec.vmid})`;
  }
  return `several entries could be plugin ${spec.name} (${
    matches.map((e) => `line ${e.line}: ${e.file}`).join("; ")
  }); pin from a file with one`;
}

/** A pin to record. */
export interface Pin {
  readonly name: PluginName;
  readonly sha256: string;
  /** Recorded as `plugins.<name>.path` when given (an explicitly named binary). */
  readonly path?: string;
}

/** Returns config.json's text: `doc` with pins recorded and every other key kept. */
export function withPins(doc: Readonly<Record<string, unknown>>, pins: readonly Pin[]): string {
  const out: Record<string, unknown> = structuredClone(doc);
  const plugins =
    (typeof out["plugins"] === "object" && out["plugins"] !== null ? out["plugins"] : {}) as Record<
      string,
      Record<string, unknown>
    >;
  for (const pin of pins) {
    const entry = { ...(plugins[pin.name] ?? {}) };
    entry["sha256"] = pin.sha256;
    if (pin.path !== undefined) entry["path"] = pin.path;
    plugins[pin.name] = entry;
  }
  out["plugins"] = plugins;
  return JSON.stringify(out, null, 2) + "\n";
}
