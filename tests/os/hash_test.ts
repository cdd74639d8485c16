import assert from "node:assert/strict";
import { join } from "node:path";
import { HASH_CHUNK, sha256File } from "../../lib/os/hash.ts";
import { sha256, withTempDir } from "../helpers.ts";

Deno.test("sha256File() hashes large files in chunks like sha256sum", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "big");
    const data = new Uint8Array(3 * (1 << 20) + 12345).map((_, i) => (i * 31) & 0xff);
    await Deno.writeFile(path, data);
    assert.equal(await sha256File(path), sha256(data));
  });
});

Deno.test("sha256File() is right at chunk boundaries and for an empty file", async (t) => {
  await withTempDir(async (dir) => {
    for (const size of [0, 1, HASH_CHUNK - 1, HASH_CHUNK, HASH_CHUNK + 1, 2 * HASH_CHUNK]) {
      await t.step(`${size} bytes`, async () => {
        const path = join(dir, `f${size}`);
        const data = new Uint8Array(size).map((_, i) => (i * 7) & 0xff);
        await Deno.writeFile(path, data);
        assert.equal(await sha256File(path), sha256(data));
      });
    }
  });
});

Deno.test("sha256File() throws the OS error for a missing file", async () => {
  await assert.rejects(sha256File("/nonexistent/parsd-hash-test"), Deno.errors.NotFound);
});
