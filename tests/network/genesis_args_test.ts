/**
 * Tests for lib/network/genesis_args.ts: the genesis on luxd's command line
 * as base64 while it fits, else as a file in the data dir; the flag names
 * held to luxd's help, its flag spec and avalanchego's keys.
 */
import assert from "node:assert/strict";
import { base64 } from "@scure/base";
import {
  GENESIS_CONTENT_LIMIT,
  genesisArgs,
  genesisNetworkProblem,
} from "../../lib/network/genesis_args.ts";
import { ConfigError } from "../../lib/errors.ts";
import { join } from "../../lib/os/path.ts";
import { REPO } from "../helpers.ts";

const FIXTURES = join(REPO, "tests", "fixtures");
const LOCAL = Deno.readTextFileSync(join(FIXTURES, "avalanchego", "genesis_local.json"));
const both = {
  has: (f: string) => f === "genesis-file" || f === "genesis-file-content",
  dataDir: "/d",
};
const decodeContent = (arg: string) =>
  new TextDecoder().decode(base64.decode(arg.slice("--genesis-file-content=".length)));

/** A genesis text whose base64 is `n` characters long (n a multiple of 4). */
const ofBase64Length = (n: number) => JSON.stringify({ message: "x".repeat((n / 4) * 3 - 14) });

Deno.test("genesisArgs() puts a small genesis on the command line as standard base64 of its bytes", () => {
  const r = genesisArgs(LOCAL, both);
  assert.equal(r.file, undefined);
  assert.equal(r.args.length, 1);
  assert.match(r.args[0]!, /^--genesis-file-content=[A-Za-z0-9+/]+={0,2}$/);
  assert.equal(decodeContent(r.args[0]!), LOCAL);
});

Deno.test("genesisArgs() keeps non-ASCII text as its UTF-8 bytes", () => {
  const text = '{"message":"پارس"}';
  assert.equal(decodeContent(genesisArgs(text, both).args[0]!), text);
});

Deno.test("genesisArgs() writes a genesis too long for one argument to <data-dir>/genesis.json", async (t) => {
  await t.step("at the limit: still content", () => {
    const text = ofBase64Length(GENESIS_CONTENT_LIMIT);
    const r = genesisArgs(text, both);
    assert.equal(r.args[0]!.length, "--genesis-file-content=".length + GENESIS_CONTENT_LIMIT);
    assert.equal(r.file, undefined);
  });
  await t.step("above it: a file", () => {
    const text = ofBase64Length(GENESIS_CONTENT_LIMIT + 4);
    assert.deepEqual(genesisArgs(text, both), {
      args: ["--genesis-file=/d/genesis.json"],
      file: { path: "/d/genesis.json", text },
    });
  });
});

Deno.test("genesisArgs() uses the file when luxd has only --genesis-file", () => {
  const r = genesisArgs(LOCAL, { has: (f) => f === "genesis-file", dataDir: "/d" });
  assert.deepEqual(r.args, ["--genesis-file=/d/genesis.json"]);
});

Deno.test("genesisArgs() refuses a luxd that cannot take the genesis (exit 78)", async (t) => {
  for (
    const [name, has, big, pattern] of [
      [
        "no flag at all",
        () => false,
        false,
        /has neither --genesis-file-content nor --genesis-file/,
      ],
      [
        "too long and no --genesis-file",
        (f: string) => f === "genesis-file-content",
        true,
        /more than fits on luxd's command line \(65536\), and this luxd has no --genesis-file/,
      ],
    ] as const
  ) {
    await t.step(name, () => {
      const text = big ? ofBase64Length(GENESIS_CONTENT_LIMIT + 4) : LOCAL;
      assert.throws(
        () => genesisArgs(text, { has, dataDir: "/d" }),
        (e: unknown) => e instanceof ConfigError && e.exitCode === 78 && pattern.test(e.message),
      );
    });
  }
});

Deno.test({
  name: "the longest --genesis-file-content argument reaches a real program (Linux MAX_ARG_STRLEN)",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const arg = genesisArgs(ofBase64Length(GENESIS_CONTENT_LIMIT), both).args[0]!;
    const out = await new Deno.Command("/bin/sh", {
      args: ["-c", 'printf %s "$1" | wc -c', "sh", arg],
      stdout: "piped",
    }).output();
    assert.equal(out.code, 0);
    assert.equal(Number(new TextDecoder().decode(out.stdout).trim()), arg.length);
  },
});

Deno.test("the genesis flags exist in luxd 1.13.4's help and luxd 1.22.18's flag spec", () => {
  const help = Deno.readTextFileSync(join(FIXTURES, "luxd", "luxd-1.13.4-help.txt"));
  const helpFlags = new Set([...help.matchAll(/^\s+--([a-z0-9-]+) string\b/gm)].map((m) => m[1]));
  const spec = JSON.parse(Deno.readTextFileSync(join(FIXTURES, "luxd", "flags-spec-1.22.18.json")));
  const specFlags = new Map<string, string>(
    spec.flags.map((f: { key: string; type: string }) => [f.key, f.type]),
  );
  for (const flag of ["genesis-file", "genesis-file-content"]) {
    assert.ok(helpFlags.has(flag), `1.13.4 --${flag} string`);
    assert.equal(specFlags.get(flag), "string", `1.22.18 --${flag}`);
  }
  assert.match(
    spec.flags.find((f: { key: string }) => f.key === "genesis-file-content").description,
    /base64/,
  );
});

const KEYS_GO = join(
  Deno.env.get("HOME") ?? "/",
  "go/pkg/mod/github.com/ava-labs/avalanchego@v1.13.5/config/keys.go",
);
const hasKeysGo = (() => {
  try {
    return Deno.statSync(KEYS_GO).isFile;
  } catch {
    return false;
  }
})();

Deno.test({
  name: "the genesis flags exist in avalanchego 1.13.5's config keys (needs the Go module cache)",
  ignore: !hasKeysGo,
  fn() {
    const keys = Deno.readTextFileSync(KEYS_GO);
    assert.match(keys, /GenesisFileKey\s+= "genesis-file"/);
    assert.match(keys, /GenesisFileContentKey\s+= "genesis-file-content"/);
  },
});

Deno.test("genesisNetworkProblem() names avalanchego's standard networks only", async (t) => {
  for (
    const [id, dialect, expected] of [
      [
        12345,
        "avalanchego",
        /^network ID 12345 is avalanchego's local network, whose genesis is built in/,
      ],
      [1, "avalanchego", /mainnet network/],
      [5, "avalanchego", /fuji network/],
      [7070, "avalanchego", undefined],
      [12345, "luxd", undefined],
      [7072, "luxd", undefined],
    ] as const
  ) {
    await t.step(`${dialect} ${id}`, () => {
      const problem = genesisNetworkProblem(id, dialect);
      if (expected === undefined) assert.equal(problem, undefined);
      else assert.match(problem ?? "", expected);
    });
  }
});
