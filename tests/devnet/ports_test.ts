/**
 * @module
 * Tests of lib/devnet/ports.ts: distinct pairs in range, taken ports
 * skipped, and a clear `undefined` when there are not enough.
 */

import assert from "node:assert/strict";
import { choosePorts, PORT_RANGE } from "../../lib/devnet/ports.ts";

/** A seeded source of numbers in [0, 1) (a linear congruential generator). */
function seeded(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

Deno.test("choosePorts gives each node two distinct ports in range", async () => {
  const pairs = (await choosePorts(5, () => Promise.resolve(true), seeded(1)))!;
  assert.equal(pairs.length, 5);
  const all = pairs.flatMap((p) => [p.httpPort, p.stakingPort]);
  assert.equal(new Set(all).size, 10);
  for (const p of all) assert.ok(p >= PORT_RANGE.from && p < PORT_RANGE.to, String(p));
});

Deno.test("choosePorts skips ports that cannot be bound", async () => {
  const taken = new Set<number>();
  const canBind = (p: number) =>
    Promise.resolve(p % 2 === 0 ? true as const : (taken.add(p), "in use"));
  const pairs = (await choosePorts(3, canBind, seeded(7)))!;
  for (const p of pairs.flatMap((p) => [p.httpPort, p.stakingPort])) {
    assert.equal(p % 2, 0);
    assert.ok(!taken.has(p));
  }
});

Deno.test("choosePorts gives up when no port can be bound", async () => {
  assert.equal(await choosePorts(2, () => Promise.resolve("in use"), seeded(3)), undefined);
});

Deno.test("choosePorts finds real free loopback ports", async () => {
  const pairs = (await choosePorts(2, (port) => {
    try {
      Deno.listen({ hostname: "127.0.0.1", port }).close();
      return Promise.resolve(true);
    } catch {
      return Promise.resolve("in use");
    }
  }))!;
  assert.equal(pairs.length, 2);
});
