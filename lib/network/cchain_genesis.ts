/**
 * @module
 * A network genesis's `cChainGenesis`: a string holding the C-chain's EVM
 * genesis JSON (geth's `core.Genesis`), whose `config.chainId` is the
 * chain's EVM chain ID. The node only requires the string to be non-empty
 * (avalanchego `genesis.validateConfig`); the C-chain parses it when the
 * chain starts, after the node is up. Pure.
 */

import { describeValue, isJsonObject, JsonNumber, parseJsonExact } from "./json_exact.ts";

/**
 * Checks `cChainGenesis`.
 *
 * @returns the EVM chain ID, or one problem (without a path; within the
 *   embedded JSON it names its own path, e.g. `config.chainId: …`).
 */
export function checkCChainGenesis(value: unknown): { chainId: number } | { problem: string } {
  if (value === undefined || value === null || value === "") {
    return {
      problem:
        "empty; the node needs the C-chain's EVM genesis as a JSON string (e.g. the text of cchain-genesis.json)",
    };
  }
  if (typeof value !== "string") {
    return {
      problem: `must be a string holding the C-chain's genesis JSON, got ${
        describeValue(value)
      }; put the JSON text in a string`,
    };
  }
  const parsed = parseJsonExact(value);
  if ("error" in parsed) {
    return { problem: `not JSON (${parsed.error}); it must hold the C-chain's EVM genesis` };
  }
  const evm = parsed.value;
  if (!isJsonObject(evm)) {
    return { problem: `must hold an EVM genesis object, got ${describeValue(evm)}` };
  }
  const config = evm["config"];
  if (!isJsonObject(config)) {
    return {
      problem: `config: must be the EVM chain config (an object with chainId), got ${
        describeValue(config)
      }`,
    };
  }
  const id = config["chainId"];
  const n = id instanceof JsonNumber && /^[1-9][0-9]*$/.test(id.source) ? Number(id.source) : NaN;
  return Number.isSafeInteger(n) ? { chainId: n } : {
    problem: `config.chainId: must be a whole number from 1 to ${Number.MAX_SAFE_INTEGER}, got ${
      describeValue(id)
    }`,
  };
}
