/**
 * Tests for lib/luxd/version.ts: what `--version`, `--version-json` and a plugin's `--version` say.
 */
import assert from "node:assert/strict";
import {
  parseLuxdVersion,
  parseLuxdVersionJson,
  parsePluginVersion,
} from "../../lib/luxd/version.ts";
import { read } from "./fixtures.ts";

Deno.test("parseLuxdVersion() reads luxd's and avalanchego's --version", () => {
  const cases: Array<[string, string, ReturnType<typeof parseLuxdVersion>]> = [
    ["the real luxd 1.13.4", read("luxd-1.13.4-version.txt"), {
      version: "1.13.4",
      rpcchainvm: 43,
      application: "node/1.13.4",
      database: "v1.4.5",
      commit: "8de3a52b1",
      go: "1.26.8",
    }],
    ["avalanchego", "avalanchego/1.13.5 [database=v1.4.5, rpcchainvm=43, go=1.24.6]\n", {
      version: "1.13.5",
      rpcchainvm: 43,
      application: "avalanchego/1.13.5",
      database: "v1.4.5",
      go: "1.24.6",
    }],
    ["a v prefix and a line before it", "starting\nluxd/v1.22.18 [rpcchainvm=44]\n", {
      version: "1.22.18",
      rpcchainvm: 44,
      application: "luxd/v1.22.18",
    }],
    ["no rpcchainvm", "node/1.13.4 [database=v1.4.5]\n", undefined],
    ["no brackets", "node/1.13.4\n", undefined],
    ["nothing", "", undefined],
  ];
  for (const [name, text, want] of cases) assert.deepEqual(parseLuxdVersion(text), want, name);
});

Deno.test("parseLuxdVersionJson() reads --version-json", () => {
  const cases: Array<[string, string, ReturnType<typeof parseLuxdVersionJson>]> = [
    ["the real luxd 1.13.4", read("luxd-1.13.4-version.json"), {
      version: "1.13.4",
      rpcchainvm: 43,
      application: "node/1.13.4",
      database: "v1.4.5",
      commit: "8de3a52b1",
      go: "1.26.8",
    }],
    ["the synthetic 1.22.18", read("luxd-1.22.18-version.json"), {
      version: "1.22.18",
      rpcchainvm: 43,
      application: "node/1.22.18",
      database: "v1.4.5",
      commit: "000000000",
      go: "1.25.5",
    }],
    ["rpcchainvm as a string", '{"application":"avalanchego/1.13.5","rpcchainvm":"43"}', {
      version: "1.13.5",
      rpcchainvm: 43,
      application: "avalanchego/1.13.5",
    }],
    ["no rpcchainvm", '{"application":"node/1.13.4"}', undefined],
    ["no application", '{"rpcchainvm":43}', undefined],
    ["not JSON", "node/1.13.4 [rpcchainvm=43]", undefined],
    ["an array", "[1]", undefined],
  ];
  for (const [name, text, want] of cases) assert.deepEqual(parseLuxdVersionJson(text), want, name);
});

Deno.test("parsePluginVersion() finds a plugin's rpcchainvm", () => {
  const cases: Array<[string, number | undefined]> = [
    ["Subnet-EVM/v0.7.9 [AvalancheGo=v1.13.5, rpcchainvm=43]", 43],
    ["Subnet-EVM/v0.8.1 [Luxd=v1.22.18, rpcchainvm=44]\n", 44],
    ['{"rpcchainvm": 42}', 42],
    ["sessionvm 0.1.0", undefined],
    ["", undefined],
  ];
  for (const [text, want] of cases) assert.equal(parsePluginVersion(text), want, text);
});
