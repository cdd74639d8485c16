/**
 * @module
 * luxd's `--chain-config-content`: base64 of a JSON object that maps a chain
 * alias or ID to `{"Config": base64(JSON), "Upgrade": base64(JSON)}`. Raw
 * JSON, as PIP-7 sketches it, makes luxd exit with
 * `unable to decode base64 content`.
 */

import type { Settings } from "../settings.ts";

/** One chain's entry before encoding. */
export interface ChainEntry {
  readonly config: Readonly<Record<string, unknown>>;
  readonly upgrade?: Readonly<Record<string, unknown>>;
}

/** Standard base64 of text's UTF-8 bytes (no `node:buffer`: it costs start-up time). */
function b64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** Text from standard base64 of UTF-8 bytes. */
function unb64(text: string): string {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new TextDecoder().decode(bytes);
}

/**
 * The EVM chain's Config: the Warp API switch and the Pars precompile table
 * under the keys config.json names, then the user's own extra keys (which
 * win on a clash, being the more explicit).
 */
export function evmChainConfig(s: Settings): Record<string, unknown> {
  return {
    [s.evmKeys.warp]: s.warpApi,
    [s.evmKeys.precompiles]: { ...s.precompiles },
    ...s.chains.evm.config,
  };
}

/** The chain entries parsd configures, keyed by chain alias or ID. */
export function chainEntries(s: Settings): Record<string, ChainEntry> {
  const entry = (
    config: Readonly<Record<string, unknown>>,
    upgrade?: Readonly<Record<string, unknown>>,
  ) => upgrade === undefined ? { config } : { config, upgrade };
  return {
    [s.chains.evm.id]: entry(evmChainConfig(s), s.chains.evm.upgrade),
    [s.chains.sessionvm.id]: entry(s.chains.sessionvm.config, s.chains.sessionvm.upgrade),
  };
}

/** Encodes chain entries as luxd's `--chain-config-content` value. */
export function encodeChainConfigContent(entries: Readonly<Record<string, ChainEntry>>): string {
  const outer: Record<string, { Config: string; Upgrade?: string }> = {};
  for (const [chain, { config, upgrade }] of Object.entries(entries)) {
    outer[chain] = upgrade === undefined
      ? { Config: b64(JSON.stringify(config)) }
      : { Config: b64(JSON.stringify(config)), Upgrade: b64(JSON.stringify(upgrade)) };
  }
  return b64(JSON.stringify(outer));
}

/**
 * Decodes a `--chain-config-content` value the way luxd does (strict base64,
 * then JSON, then each byte field as base64 JSON). For tests and `doctor`.
 *
 * @throws {Error} if any layer is not what luxd accepts.
 */
export function decodeChainConfigContent(value: string): Record<string, ChainEntry> {
  const strict = (text: string, what: string) => {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
      throw new Error(`${what}: unable to decode base64 content`);
    }
    return unb64(text);
  };
  const outer = JSON.parse(strict(value, "chain-config-content")) as Record<
    string,
    Record<string, unknown>
  >;
  const out: Record<string, ChainEntry> = {};
  for (const [chain, fields] of Object.entries(outer)) {
    const extra = Object.keys(fields).filter((k) => k !== "Config" && k !== "Upgrade");
    if (extra.length > 0) throw new Error(`${chain}: luxd drops fields ${extra.join(", ")}`);
    const config = JSON.parse(strict(String(fields["Config"] ?? ""), `${chain}.Config`));
    out[chain] = fields["Upgrade"] === undefined
      ? { config }
      : { config, upgrade: JSON.parse(strict(String(fields["Upgrade"]), `${chain}.Upgrade`)) };
  }
  return out;
}
