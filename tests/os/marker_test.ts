/** The marker search of lib/marker.ts, alone and folded into lib/hash.ts's read. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { HASH_CHUNK, hashFile } from "../../lib/os/hash.ts";
import { ENGINE_ADDR_ENVS, ENGINE_ADDR_SUFFIX } from "../../lib/network/pars.ts";
import { fileContains, MarkerScanner } from "../../lib/os/marker.ts";
import { withTempDir } from "../helpers.ts";

Deno.test("both runtimes' variables end with the one marker searched for", () => {
  for (const v of ENGINE_ADDR_ENVS) assert.ok(v.endsWith(ENGINE_ADDR_SUFFIX), v);
});

Deno.test("fileContains() and hashFile() find a marker anywhere, including across read boundaries", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "bin");
    for (const offset of [0, 100, HASH_CHUNK - 5, HASH_CHUNK, 2 * HASH_CHUNK + 7]) {
      const data = new Uint8Array(2 * HASH_CHUNK + 100);
      data.set(new TextEncoder().encode("LUX_VM_RUNTIME_ENGINE_ADDR"), offset);
      await Deno.writeFile(path, data);
      assert.equal(await fileContains(path, ENGINE_ADDR_SUFFIX), true, `offset ${offset}`);
      const read = await hashFile(path, ENGINE_ADDR_SUFFIX);
      assert.equal(read.contains, true, `hashFile, offset ${offset}`);
      assert.equal(read.sha256, createHash("sha256").update(data).digest("hex"));
    }
    await Deno.writeFile(path, new Uint8Array(HASH_CHUNK + 10));
    assert.equal(await fileContains(path, ENGINE_ADDR_SUFFIX), false);
    assert.equal((await hashFile(path, ENGINE_ADDR_SUFFIX)).contains, false);
    assert.equal((await hashFile(path)).contains, false, "no marker, no search");
  });
});

Deno.test("MarkerScanner joins only a marker's length across tiny chunks", () => {
  const text = new TextEncoder().encode("xxAVALANCHE_VM_RUNTIME_ENGINE_ADDRyy");
  for (const size of [1, 2, 3, 7, 22, 23, 24, text.length]) {
    const s = new MarkerScanner(ENGINE_ADDR_SUFFIX);
    for (let i = 0; i < text.length; i += size) s.update(text.subarray(i, i + size));
    assert.equal(s.found, true, `chunks of ${size}`);
  }
  const miss = new MarkerScanner(ENGINE_ADDR_SUFFIX);
  miss.update(new TextEncoder().encode("_VM_RUNTIME_ENGINE_ADD"));
  miss.update(new TextEncoder().encode("x"));
  assert.equal(miss.found, false);
});
