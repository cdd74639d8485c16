import assert from "node:assert/strict";
import {
  cacheHit,
  cacheKey,
  cacheText,
  parseCache,
  type VerifyCache,
} from "../../lib/plugins/cache.ts";
import type { FileFacts } from "../../lib/os/files.ts";

const facts: FileFacts = {
  dev: 1n,
  ino: 2n,
  mode: 0o100755,
  uid: 1000,
  gid: 1000,
  size: 4n,
  mtimeNs: 1_700_000_000_000_000_000n,
  ctimeNs: 1_700_000_001_000_000_000n,
  isFile: true,
  isDirectory: false,
  isSymlink: false,
};
const PIN = "a".repeat(64);

Deno.test("cacheHit() hits only for the same file facts and the same pin", async (t) => {
  const cache: VerifyCache = { "/p": { key: cacheKey(facts, PIN), sha256: PIN } };
  await t.step("unchanged: hit", () => assert.equal(cacheHit(cache, "/p", facts, PIN), true));
  const changes: [string, Partial<FileFacts>][] = [
    ["device", { dev: 9n }],
    ["inode (file replaced)", { ino: 9n }],
    ["size", { size: 5n }],
    ["mtime", { mtimeNs: facts.mtimeNs + 1_000_000n }],
    ["ctime (any write)", { ctimeNs: facts.ctimeNs + 1_000_000_000n }],
  ];
  for (const [name, change] of changes) {
    await t.step(`${name} changed: miss`, () => {
      assert.equal(cacheHit(cache, "/p", { ...facts, ...change }, PIN), false);
    });
  }
  await t.step("another pin: miss", () => {
    assert.equal(cacheHit(cache, "/p", facts, "b".repeat(64)), false);
  });
  await t.step("another path: miss", () => {
    assert.equal(cacheHit(cache, "/q", facts, PIN), false);
  });
  await t.step("an entry without a hash (a luxd probe): miss", () => {
    assert.equal(cacheHit({ "/p": { key: cacheKey(facts, PIN) } }, "/p", facts, PIN), false);
  });
});

Deno.test("parseCache()/cacheText() round-trip; a corrupt or missing cache is an empty one", async (t) => {
  const cache: VerifyCache = {
    "/x": { key: "k", sha256: "s" },
    "/y": {
      key: "k2",
      sha256: "s2",
      plugin: { rpcchainvm: 43, registrable: true, versionLine: "v1" },
    },
    "/luxd": { key: "k3", probe: { version: "1.13.4", rpcchainvm: 43, flags: {} } },
  };
  await t.step("round-trip", () => assert.deepEqual(parseCache(cacheText(cache)), cache));
  await t.step("text ends with a newline", () => assert.ok(cacheText(cache).endsWith("}\n")));
  const empty: [string, string | undefined][] = [
    ["missing", undefined],
    ["malformed", "{nope"],
    ["an array", "[1]"],
    ["null", "null"],
    ["a number", "3"],
    ["empty", ""],
  ];
  for (const [name, text] of empty) {
    await t.step(`${name}: empty`, () => assert.deepEqual(parseCache(text), {}));
  }
});
