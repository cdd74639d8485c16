/**
 * Tests for lib/chain_config_files.ts: the `--chain-config-dir` layout luxd
 * reads, and the command-line limit that decides between it and
 * `--chain-config-content`, measured with real spawns.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  CHAIN_CONFIG_CONTENT_LIMIT,
  chainConfigContentFits,
  chainConfigFiles,
  chainDirProblem,
  MAX_ARG_STRLEN,
} from "../../lib/node/chain_config_files.ts";

const TESTS = join(dirname(fileURLToPath(import.meta.url)), "..");
const PREFIX = "--chain-config-content=";
const linux = Deno.build.os === "linux";

Deno.test("chainConfigFiles() lays chains out as <dir>/<chain>/config.json and upgrade.json", async (t) => {
  const cases: Array<
    [string, Parameters<typeof chainConfigFiles>[1], Array<[string, unknown]>]
  > = [
    ["no chains, no files", {}, []],
    ["a chain without an upgrade gets config.json only", {
      C: { config: { "warp-api-enabled": true } },
    }, [
      ["/d/C/config.json", { "warp-api-enabled": true }],
    ]],
    [
      "chains keyed by ID or alias, in order, each upgrade beside its config",
      {
        "2q9e4r6Mu3U68nU1fYjgbR6JvwrRx36CohpAX5UQxse55x1Q5": {
          config: { a: 1 },
          upgrade: { precompileUpgrades: [{ x: { blockTimestamp: 0 } }] },
        },
        C: { config: {} },
      },
      [
        ["/d/2q9e4r6Mu3U68nU1fYjgbR6JvwrRx36CohpAX5UQxse55x1Q5/config.json", { a: 1 }],
        ["/d/2q9e4r6Mu3U68nU1fYjgbR6JvwrRx36CohpAX5UQxse55x1Q5/upgrade.json", {
          precompileUpgrades: [{ x: { blockTimestamp: 0 } }],
        }],
        ["/d/C/config.json", {}],
      ],
    ],
  ];
  for (const [name, entries, want] of cases) {
    await t.step(name, () => {
      const files = chainConfigFiles("/d", entries);
      assert.deepEqual(files.map((f) => [f.path, JSON.parse(f.content)]), want);
      for (const f of files) assert.ok(f.content.endsWith("}\n"), f.path);
    });
  }
  await t.step("content is indented JSON", () => {
    const [file] = chainConfigFiles("/d", { C: { config: { a: [1] } } });
    assert.equal(file!.content, '{\n  "a": [\n    1\n  ]\n}\n');
  });
  await t.step("bad chain names are all reported at once", () => {
    assert.throws(
      () =>
        chainConfigFiles("/d", { "": { config: {} }, "a/b": { config: {} }, C: { config: {} } }),
      (e: Error) =>
        e instanceof RangeError &&
        e.message ===
          "a chain ID or alias must not be empty; chain 'a/b' must not contain '/' or NUL",
    );
  });
});

Deno.test("chainDirProblem() accepts one path segment only", () => {
  const cases: Array<[string, boolean]> = [
    ["C", true],
    ["2q9e4r6Mu3U68nU1fYjgbR6JvwrRx36CohpAX5UQxse55x1Q5", true],
    ["my-chain.v2", true],
    ["", false],
    [".", false],
    ["..", false],
    ["a/b", false],
    ["/abs", false],
    ["a\0b", false],
  ];
  for (const [chain, ok] of cases) {
    assert.equal(chainDirProblem(chain) === undefined, ok, JSON.stringify(chain));
  }
});

Deno.test("chainConfigFiles() output is what luxd's reader finds", async () => {
  // luxd globs <dir>/* for directories, then <chain>/config.* and upgrade.*
  // (one match each at most) and hands the bytes to the VM.
  const dir = await Deno.makeTempDir();
  try {
    const entries = { C: { config: { x: 1 }, upgrade: { y: 2 } }, Z: { config: { z: 3 } } };
    for (const f of chainConfigFiles(dir, entries)) {
      await Deno.mkdir(dirname(f.path), { recursive: true });
      await Deno.writeTextFile(f.path, f.content);
    }
    const found: Record<string, { config?: unknown; upgrade?: unknown }> = {};
    for await (const chain of Deno.readDir(dir)) {
      if (!chain.isDirectory) continue;
      const entry: { config?: unknown; upgrade?: unknown } = {};
      for await (const file of Deno.readDir(join(dir, chain.name))) {
        const stem = file.name.replace(/\.[^.]*$/, "") as "config" | "upgrade";
        assert.equal(entry[stem], undefined, `two ${stem}.* in ${chain.name}`);
        entry[stem] = JSON.parse(await Deno.readTextFile(join(dir, chain.name, file.name)));
      }
      found[chain.name] = entry;
    }
    assert.deepEqual(found, entries);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CHAIN_CONFIG_CONTENT_LIMIT is half of Linux's per-argument limit", () => {
  assert.equal(PREFIX.length, 23);
  assert.equal(MAX_ARG_STRLEN, 131072);
  assert.equal(CHAIN_CONFIG_CONTENT_LIMIT, MAX_ARG_STRLEN / 2);
  assert.equal(chainConfigContentFits("A".repeat(CHAIN_CONFIG_CONTENT_LIMIT)), true);
  assert.equal(chainConfigContentFits("A".repeat(CHAIN_CONFIG_CONTENT_LIMIT + 1)), false);
});

/** Spawns /bin/true with one argument; resolves its exit code or rejects with the spawn error. */
async function spawnWith(arg: string): Promise<number> {
  const out = await new Deno.Command("/bin/true", { args: [arg], stdout: "null", stderr: "null" })
    .output();
  return out.code;
}

const isE2big = (e: unknown) =>
  e instanceof Error && (e as Error & { code?: string }).code === "E2BIG" &&
  e.message.includes("Argument list too long");

Deno.test({
  name: "a --chain-config-content value at the limit spawns; one of 140 KB fails with E2BIG",
  ignore: !linux,
  fn: async (t) => {
    await t.step("at CHAIN_CONFIG_CONTENT_LIMIT", async () => {
      assert.equal(await spawnWith(PREFIX + "A".repeat(CHAIN_CONFIG_CONTENT_LIMIT)), 0);
    });
    await t.step("140 KB", async () => {
      await assert.rejects(spawnWith(PREFIX + "A".repeat(140_000)), isE2big);
    });
    await t.step(
      "the measured edge: MAX_ARG_STRLEN - 1 characters spawn, MAX_ARG_STRLEN fail",
      async () => {
        const value = (total: number) => PREFIX + "A".repeat(total - PREFIX.length);
        assert.equal(await spawnWith(value(MAX_ARG_STRLEN - 1)), 0);
        await assert.rejects(spawnWith(value(MAX_ARG_STRLEN)), isE2big);
      },
    );
  },
});

Deno.test({
  name: "the luxd stand-in accepts a real chain config content at the limit",
  ignore: !linux,
  fn: async () => {
    // A JSON chain config whose double base64 comes to just under the limit.
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    const filler = "x".repeat(Math.floor(CHAIN_CONFIG_CONTENT_LIMIT * 9 / 16) - 64);
    const value = b64(JSON.stringify({ C: { Config: b64(JSON.stringify({ filler })) } }));
    assert.ok(chainConfigContentFits(value), `${value.length}`);
    assert.ok(value.length > CHAIN_CONFIG_CONTENT_LIMIT * 0.98, `${value.length}`);
    const out = await new Deno.Command(join(TESTS, "luxd_standin.sh"), {
      args: ["--fd-limit=1024", PREFIX + value],
      env: { FAKE_LUXD_RECORD: "/dev/null" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    assert.match(stderr, /initializing node/);
  },
});
