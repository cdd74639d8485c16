/**
 * Tests for lib/network/address.ts: the HRP each node gives a network ID
 * (and the rule for the Pars IDs), X/P addresses and Ethereum addresses.
 */
import assert from "node:assert/strict";
import { bech32 } from "@scure/base";
import { checkChainAddress, checkEthAddress, hrpsFor } from "../../lib/network/address.ts";

const BYTES = new Uint8Array(20).map((_, i) => i * 7);
const address = (hrp: string, chain = "X") =>
  `${chain}-${bech32.encode(hrp, bech32.toWords(BYTES))}`;
const KEY = Array.from(BYTES, (b) => b.toString(16).padStart(2, "0")).join("");

Deno.test("hrpsFor() follows each node's table, with pars beside custom for the Pars IDs", async (t) => {
  for (
    const [id, dialect, expected] of [
      [1, "avalanchego", ["avax"]],
      [1, "luxd", ["lux"]],
      [5, "avalanchego", ["fuji"]],
      [12345, "avalanchego", ["local"]],
      [12345, "luxd", ["local"]],
      [2, "luxd", ["cascade", "test"]],
      [96369, "luxd", ["lux"]],
      [96369, "avalanchego", ["custom"]],
      [99, "luxd", ["custom"]],
      [7070, "luxd", ["custom", "pars"]],
      [7071, "avalanchego", ["custom", "pars"]],
      [7072, "luxd", ["custom", "pars"]],
    ] as const
  ) {
    await t.step(`${dialect} ${id}`, () => assert.deepEqual(hrpsFor(id, dialect), expected));
  }
});

Deno.test("checkChainAddress() returns the 20 bytes of an X- or P- address of a fitting HRP", async (t) => {
  for (const input of [address("local"), address("local", "P"), address("local").toUpperCase()]) {
    await t.step(input, () => assert.deepEqual(checkChainAddress(input, ["local"]), { key: KEY }));
  }
});

Deno.test("checkChainAddress() refuses a mixed-case address, as bech32 does", () => {
  const a = address("local");
  const mixed = a.slice(0, 10) + a.slice(10).toUpperCase();
  const r = checkChainAddress(mixed, ["local"]);
  assert.ok("problem" in r && /is not bech32 \(mixed-case/.test(r.problem), JSON.stringify(r));
});

Deno.test("checkChainAddress() names the network's HRPs when one does not fit", () => {
  assert.deepEqual(checkChainAddress(address("avax"), ["custom", "pars"]), {
    problem: `"${
      address("avax")
    }": HRP 'avax' does not fit this network, which uses 'custom' or 'pars'; a genesis for another network?`,
  });
});

Deno.test("checkEthAddress() takes one case, or mixed case with its EIP-55 checksum", async (t) => {
  for (
    const [input, ok] of [
      ["0x9011E888251AB053B7bD1cdB598Db4f9DEd94714", true],
      ["0x9011e888251ab053b7bd1cdb598db4f9ded94714", true],
      ["0x9011E888251AB053B7BD1CDB598DB4F9DED94714", true],
      ["0x9011E888251AB053B7bD1cdB598Db4f9DEd94715", false],
      ["9011e888251ab053b7bd1cdb598db4f9ded94714", false],
      ["0x9011e888251ab053b7bd1cdb598db4f9ded9471", false],
      ["0x9011e888251ab053b7bd1cdb598db4f9ded9471g", false],
    ] as const
  ) {
    await t.step(input, () => assert.equal(checkEthAddress(input) === undefined, ok));
  }
});
