import assert from "node:assert/strict";
import { editDistance, nearest, typoDistance } from "../lib/nearest.ts";

Deno.test("nearest() suggests the closest candidate within typo distance", async (t) => {
  const cases: [string, string[], string | undefined][] = [
    ["htp-port", ["http-port", "staking-port"], "http-port"],
    ["zzzzzz", ["http-port"], undefined],
    ["netwrok-id", ["network-id", "data-dir"], "network-id"],
    ["sesionvm", ["evm", "sessionvm"], "sessionvm"],
    ["HTTP-PORT", ["http-port"], "http-port"],
    ["x", [], undefined],
  ];
  for (const [word, candidates, expected] of cases) {
    await t.step(`${word} among ${candidates.join(",")}`, () => {
      assert.equal(nearest(word, candidates), expected);
    });
  }
  await t.step("on a tie the earlier candidate wins", () => {
    assert.equal(nearest("ab", ["ac", "ad"], 1), "ac");
  });
});

Deno.test("editDistance() counts edits, a swap of neighbours as one", async (t) => {
  const cases: [string, string, number][] = [
    ["", "", 0],
    ["abc", "abc", 0],
    ["", "abc", 3],
    ["abc", "abd", 1],
    ["abc", "acb", 1],
    ["network", "netwrok", 1],
    ["kitten", "sitting", 3],
  ];
  for (const [a, b, d] of cases) {
    await t.step(`${a} ~ ${b}`, () => {
      assert.equal(editDistance(a, b), d);
      assert.equal(editDistance(b, a), d);
    });
  }
});

Deno.test("typoDistance() is a third of the length, from 1 to 3", () => {
  assert.deepEqual(["a", "abcdef", "abcdefghi", "a".repeat(30)].map(typoDistance), [1, 2, 3, 3]);
});
