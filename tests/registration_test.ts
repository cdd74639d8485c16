import assert from "node:assert/strict";
import { join } from "node:path";
import { HASH_CHUNK } from "../lib/hash.ts";
import { ENGINE_ADDR_ENV, fileContains } from "../lib/registration.ts";

Deno.test("fileContains() finds a marker anywhere, including across read boundaries", async () => {
  const dir = await Deno.makeTempDir({ prefix: "parsd-reg-" });
  try {
    const path = join(dir, "bin");
    for (const offset of [0, 100, HASH_CHUNK - 5, HASH_CHUNK, 2 * HASH_CHUNK + 7]) {
      const data = new Uint8Array(2 * HASH_CHUNK + 100);
      data.set(new TextEncoder().encode(ENGINE_ADDR_ENV), offset);
      await Deno.writeFile(path, data);
      assert.equal(await fileContains(path, ENGINE_ADDR_ENV), true, `offset ${offset}`);
    }
    await Deno.writeFile(path, new Uint8Array(HASH_CHUNK + 10));
    assert.equal(await fileContains(path, ENGINE_ADDR_ENV), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
