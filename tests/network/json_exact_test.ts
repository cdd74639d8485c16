/** Tests for lib/network/json_exact.ts: numbers keep their source text; Go's uint rules. */
import assert from "node:assert/strict";
import { JsonNumber, parseJsonExact, readUint } from "../../lib/network/json_exact.ts";

Deno.test("parseJsonExact() keeps every number's source text", () => {
  const r = parseJsonExact('{"a":[18446744073709551615,1e3,-0,1.50]}');
  assert.ok("value" in r);
  const a = (r.value as { a: JsonNumber[] }).a;
  assert.deepEqual(a.map((n) => n.source), ["18446744073709551615", "1e3", "-0", "1.50"]);
});

Deno.test("parseJsonExact() gives the parser's reason for text that is not JSON", () => {
  assert.ok("error" in parseJsonExact("{"));
});

Deno.test("readUint() reads what Go's decoder reads into a uint", async (t) => {
  const n = (s: string) => new JsonNumber(s);
  for (
    const [value, bits, expected] of [
      [undefined, 64, 0n],
      [null, 64, 0n],
      [n("0"), 32, 0n],
      [n("4294967295"), 32, 4294967295n],
      [n("4294967296"), 32, /^must be a whole number from 0 to 4294967295, got 4294967296$/],
      [n("18446744073709551615"), 64, 18446744073709551615n],
      [n("1e3"), 64, /written in plain digits .* got 1e3$/],
      [n("1.0"), 64, /got 1\.0$/],
      [n("-1"), 64, /got -1$/],
      ["5", 64, /^must be a whole number from 0 to 18446744073709551615, got "5"$/],
      [true, 64, /got true$/],
    ] as const
  ) {
    await t.step(
      `${value instanceof JsonNumber ? value.source : JSON.stringify(value)} as uint${bits}`,
      () => {
        const r = readUint(value, bits);
        if (typeof expected === "bigint") assert.equal(r, expected);
        else assert.match(String(r), expected);
      },
    );
  }
});
