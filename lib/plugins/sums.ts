/**
 * @module
 * Pins: SHA256SUMS files (a release's checksums: parsed here, and written
 * by the build and compile scripts) and recording pins in config.json with
 * every other key kept.
 */

import type { PluginName, PluginSpec } from "../network/pars.ts";
import { setJson } from "../json_text.ts";

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

/**
 * `SHA256SUMS` text in `sha256sum`'s format, the one {@linkcode parseSha256Sums}
 * reads: `<hex>  <file>` per line, sorted by file name, with a trailing
 * newline, so that `sha256sum -c SHA256SUMS` accepts it. Pure.
 *
 * @throws {TypeError} for a hash that is not 64 lower-case hex digits, or a
 *   file name that is empty or holds a path separator or a newline (a bug in
 *   the caller: it names files beside the checksum file).
 */
export function formatSha256Sums(entries: readonly Pick<SumEntry, "sha256" | "file">[]): string {
  for (const e of entries) {
    if (!/^[0-9a-f]{64}$/.test(e.sha256)) throw new TypeError(`bad sha256 for '${e.file}'`);
    if (e.file === "" || /[/\\\n]/.test(e.file)) throw new TypeError(`bad file name '${e.file}'`);
  }
  const sorted = [...entries].sort((a, b) => a.file < b.file ? -1 : a.file > b.file ? 1 : 0);
  return sorted.map((e) => `${e.sha256}  ${e.file}\n`).join("");
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
  spec: Pick<PluginSpec, "vmid" | "goBinary"> & { readonly name: string },
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

/** A pin to record: a plugin's, or luxd's (`luxd-sha256`, and `luxd` for its path). */
export interface Pin {
  readonly name: PluginName | "luxd";
  readonly sha256: string;
  /** Recorded as `plugins.<name>.path` (luxd: `luxd`) when given (an explicitly named binary). */
  readonly path?: string;
}

/**
 * config.json's text with pins recorded (`plugins.<name>.sha256`, and
 * `.path` for a named binary) and nothing else changed: each value is
 * spliced into the text where it stands or after its object's last member,
 * in the file's own layout, so formatting, key order and every other value
 * stay as the user wrote them.
 *
 * @param text the config's text (JSON that parses to an object), or
 *   `undefined` for a config that does not exist yet.
 * @returns the new text; `text` itself when every pin is already recorded.
 */
export function withPins(text: string | undefined, pins: readonly Pin[]): string {
  const plugins: Record<string, Record<string, string>> = {};
  const luxd: Record<string, string> = {};
  for (const pin of pins) {
    if (pin.name === "luxd") {
      Object.assign(
        luxd,
        { "luxd-sha256": pin.sha256 },
        pin.path === undefined ? {} : { luxd: pin.path },
      );
      continue;
    }
    plugins[pin.name] = {
      sha256: pin.sha256,
      ...(pin.path === undefined ? {} : { path: pin.path }),
    };
  }
  return setJson(text ?? "{}\n", {
    ...(Object.keys(plugins).length > 0 ? { plugins } : {}),
    ...luxd,
  });
}
