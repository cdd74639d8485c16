/**
 * @module
 * The three binaries parsd pins and seals in the store: the two VM plugins and
 * luxd itself. Their names (as `parsd plugins pin|verify|list|rollback` take
 * them), where each one's pin lives in config.json, and which flag names its
 * source. Pure.
 */

import { PLUGIN_NAMES, type PluginName, PLUGINS } from "../network/pars.ts";
import type { Settings } from "../settings.ts";

/** The binaries parsd pins, in the order commands go through them. */
export const BINARY_NAMES = [...PLUGIN_NAMES, "luxd"] as const;

/** One of {@linkcode BINARY_NAMES}: a plugin's name, or `luxd`. */
export type BinaryName = PluginName | "luxd";

/** Whether a binary is one of the plugins (not luxd). */
export const isPlugin = (name: BinaryName): name is PluginName => name !== "luxd";

/** Whether a word names a binary. */
export const isBinaryName = (word: string): word is BinaryName =>
  (BINARY_NAMES as readonly string[]).includes(word);

/** A binary's pinned SHA-256 in the settings, if it has one. */
export function pinOf(s: Settings, name: BinaryName): string | undefined {
  return isPlugin(name) ? s.plugins[name].sha256 : s.luxdSha256;
}

/** Which of flag, env or config.json named a binary's source, if one did. */
export function sourceRuleOf(
  s: Settings,
  name: BinaryName,
): "flag" | "env" | "config" | undefined {
  return isPlugin(name) ? s.plugins[name].pathSource : s.luxdSource;
}

/** The config.json key a binary's pin is recorded under. */
export function pinKey(name: BinaryName): string {
  return isPlugin(name) ? `plugins.${name}.sha256` : "luxd-sha256";
}

/** The parsd flag that names a binary's source (`--evm-plugin`, `--luxd`). */
export function sourceFlag(name: BinaryName): string {
  return isPlugin(name) ? `--${PLUGINS[name].flag}` : "--luxd";
}

/** How messages name a binary: `plugin evm`, `luxd`. */
export function labelOf(name: BinaryName): string {
  return isPlugin(name) ? `plugin ${name}` : "luxd";
}
