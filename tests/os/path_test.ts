import assert from "node:assert/strict";
import posix from "node:path/posix";
import {
  basename,
  delimiter,
  dirname,
  isAbsolute,
  join,
  normalize,
  resolve,
  sep,
} from "../../lib/os/path.ts";

// lib/path.ts stands in for node:path at start-up; on POSIX it must agree with it.
const PATHS = [
  "",
  ".",
  "..",
  "/",
  "//",
  "a",
  "a/b",
  "/a",
  "/a/b",
  "/a/b/",
  "a/b/",
  "./a",
  "../a",
  "a/../..",
  "/..",
  "/../a",
  "a//b///c",
  "/a/./b/../c",
  "a/b/../../..",
  "~/x",
  ".hidden",
  "/a/.b",
  "a.b/c.d",
];

const JOINS: string[][] = [
  [],
  [""],
  ["", ""],
  ["a"],
  ["a", "b"],
  ["/a", "b"],
  ["a", "/b"],
  ["/a", "", "b"],
  ["a", ".."],
  ["a", "..", ".."],
  ["/", "a"],
  ["/a/", "/b/", "c"],
  ["/h", ".lux", "plugins", "srEX"],
  [".", "a"],
];

/** node's result without the trailing separator it keeps (lib/path.ts drops it). */
const trimmed = (p: string) => p.replace(/(.)\/$/, "$1");

/** Paths as parsd builds them: already normalized, no trailing separator. */
const CLEAN = PATHS.filter((p) => p === trimmed(posix.normalize(p)));

Deno.test("on normalized paths, every function agrees exactly with node:path/posix", async (t) => {
  assert.ok(CLEAN.length >= 8);
  for (const p of CLEAN) {
    await t.step(JSON.stringify(p), () => {
      assert.equal(normalize(p), posix.normalize(p), "normalize");
      assert.equal(dirname(p), posix.dirname(p), "dirname");
      assert.equal(basename(p), posix.basename(p), "basename");
      assert.equal(isAbsolute(p), posix.isAbsolute(p), "isAbsolute");
    });
  }
});

Deno.test("join() and normalize() agree with node:path/posix but drop a trailing separator", async (t) => {
  for (const parts of JOINS) {
    await t.step(`join(${JSON.stringify(parts)})`, () => {
      assert.equal(join(...parts), trimmed(posix.join(...parts)));
    });
  }
  for (const p of PATHS) {
    await t.step(`normalize(${JSON.stringify(p)})`, () => {
      assert.equal(normalize(p), trimmed(posix.normalize(p)));
    });
  }
});

Deno.test("dirname() and basename() work on the normalized path, unlike node's lexical ones", async (t) => {
  for (const p of PATHS) {
    await t.step(JSON.stringify(p), () => {
      const n = posix.normalize(p);
      assert.equal(dirname(p), posix.dirname(n), "dirname");
      assert.equal(basename(p), posix.basename(n), "basename");
      assert.equal(isAbsolute(p), posix.isAbsolute(p), "isAbsolute");
    });
  }
  await t.step("where that differs from node:path/posix", () => {
    assert.deepEqual(
      ["/a/b/..", "a/.", "a//b///c"].map((p) => [dirname(p), posix.dirname(p)]),
      [["/", "/a/b"], [".", "a"], ["a/b", "a//b//"]],
    );
  });
});

Deno.test("resolve() agrees with node:path/posix, relative paths against the cwd", async (t) => {
  const cases: string[][] = [
    ["/a", "b"],
    ["/a", "/b", "c"],
    ["/a/b", "..", "c"],
    ["/a", "./b/"],
    ["rel"],
    ["rel", "../x"],
    ["/"],
    [""],
    [],
    ["/a", ""],
  ];
  for (const parts of cases) {
    await t.step(JSON.stringify(parts), () => {
      assert.equal(resolve(...parts), posix.resolve(...parts));
    });
  }
});

Deno.test(
  "sep and delimiter are the POSIX ones here",
  { ignore: Deno.build.os === "windows" },
  () => {
    assert.deepEqual([sep, delimiter], [posix.sep, posix.delimiter]);
  },
);
