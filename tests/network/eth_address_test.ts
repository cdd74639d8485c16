/**
 * Tests for lib/network/eth_address.ts against viem (a separate, well-kept
 * implementation) and EIP-55's own examples.
 */
import assert from "node:assert/strict";
import { getAddress } from "viem/utils";
import { privateKeyToAddress } from "viem/accounts";
import { addressOfKey, checksumAddress } from "../../lib/network/eth_address.ts";

Deno.test("checksumAddress() gives EIP-55's own examples", () => {
  for (
    const a of [
      "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
      "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
      "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
      "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ]
  ) {
    assert.equal(checksumAddress(a.toLowerCase()), a);
    assert.equal(checksumAddress(a.toUpperCase().replace("0X", "0x")), a);
  }
});

Deno.test("checksumAddress() and addressOfKey() agree with viem on random keys", () => {
  for (let i = 0; i < 50; i++) {
    const key = crypto.getRandomValues(new Uint8Array(32));
    key[0] = (key[0]! % 0xf0) + 1; // below the curve order, never zero
    const hex = [...key].map((b) => b.toString(16).padStart(2, "0")).join("");
    const expected = privateKeyToAddress(`0x${hex}`);
    assert.equal(addressOfKey(key), expected);
    assert.equal(checksumAddress(expected.toLowerCase()), getAddress(expected.toLowerCase()));
  }
});
