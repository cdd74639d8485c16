/**
 * In-process tests of `parsd genesis check FILE` (lib/cli/commands/genesis.ts)
 * with the fake system. Until the commands table lists `genesis`, the
 * command's entry point is called with the arguments the parser would give.
 */
import assert from "node:assert/strict";
import type { ParsedArgs } from "../../lib/cli/args.ts";
import { command, dialectFlag } from "../../lib/cli/commands/genesis.ts";
import {
  ConfigError,
  formatError,
  NoInputError,
  ParsdError,
  UsageError,
} from "../../lib/errors.ts";
import { join } from "../../lib/os/path.ts";
import { fakeSystem } from "../fake_system.ts";
import { REPO, withTempDir } from "../helpers.ts";

const FIXTURES = join(REPO, "tests", "fixtures");
const LOCAL = join(FIXTURES, "avalanchego", "genesis_local.json");
const PARS = join(FIXTURES, "pars", "network-genesis.json");

/** What `parsd genesis …` would parse to. */
function args(positionals: string[], flags: Record<string, string> = {}): ParsedArgs {
  return {
    command: "genesis" as ParsedArgs["command"],
    positionals,
    flags,
    passthrough: [],
    argv: ["genesis", ...positionals],
  };
}

async function failure(p: Promise<unknown>): Promise<ParsdError> {
  try {
    await p;
  } catch (error) {
    if (error instanceof ParsdError) return error;
    throw error;
  }
  throw new Error("expected the command to fail");
}

Deno.test("genesis check prints a summary of a good genesis and returns 0", async () => {
  await withTempDir(async (home) => {
    const f = fakeSystem({ env: { HOME: home } });
    const code = await command(
      f.sys,
      args(["check", LOCAL], { "network-id": "12345", dialect: "avalanchego" }),
    );
    assert.equal(code, 0);
    assert.equal(
      f.out(),
      [
        `${LOCAL}: a good genesis for network 12345 (avalanchego)`,
        "  network ID:        12345",
        "  initial stakers:   5",
        "  C-chain chain ID:  43112",
        "  total allocation:  360000000000000000",
        "",
      ].join("\n"),
    );
  });
});

Deno.test("genesis check takes the network ID from parsd's settings (PARS_NETWORK_ID)", async () => {
  await withTempDir(async (home) => {
    const f = fakeSystem({ env: { HOME: home, PARS_NETWORK_ID: "12345" } });
    assert.equal(await command(f.sys, args(["check", LOCAL], { dialect: "avalanchego" })), 0);
  });
});

Deno.test("genesis check lists every problem of the Pars genesis, one '<file>: …' line each (exit 78)", async () => {
  await withTempDir(async (home) => {
    const f = fakeSystem({ env: { HOME: home } });
    const e = await failure(command(f.sys, args(["check", PARS])));
    assert.ok(e instanceof ConfigError);
    assert.equal(e.exitCode, 78);
    assert.equal(e.problems.length, 15 + 5 + 2);
    assert.ok(e.problems.every((p) => p.startsWith(`${PARS}: `)));
    const printed = formatError(e).split("\n");
    assert.equal(printed.length, 22);
    assert.equal(
      printed[0],
      `parsd: error: ${PARS}: allocations[0].luxAddr: bad bech32 checksum in "X-pars1qsrd262r5w9dswv2wwzj0un79ncpwvdghk4r2y"; derive the address again from its key`,
    );
    assert.equal(f.out(), "");
  });
});

Deno.test("genesis check reads the default dialect as luxd and the default network as 7070", async () => {
  await withTempDir(async (home) => {
    const f = fakeSystem({ env: { HOME: home } });
    const e = await failure(command(f.sys, args(["check", LOCAL])));
    assert.ok(
      e.problems.includes(
        `${LOCAL}: networkID: 12345, but luxd runs with network ID 7070; set networkID to 7070, or run parsd with --network-id 12345`,
      ),
    );
    assert.ok(
      e.problems.some((p) =>
        p.includes("allocations[0].luxAddr: missing, but the allocation has avaxAddr")
      ),
    );
  });
});

Deno.test("genesis check resolves FILE against the user's directory", async () => {
  await withTempDir(async (home) => {
    await Deno.copyFile(LOCAL, join(home, "g.json"));
    const f = fakeSystem({ env: { HOME: home }, cwd: home });
    const code = await command(
      f.sys,
      args(["check", "g.json"], { "network-id": "12345", dialect: "avalanchego" }),
    );
    assert.equal(code, 0);
    assert.match(f.out(), new RegExp(`^${join(home, "g.json")}: a good genesis`));
  });
});

Deno.test("genesis check maps a file it cannot read to a documented exit code", async (t) => {
  await withTempDir(async (home) => {
    await Deno.mkdir(join(home, "dir"));
    await Deno.writeFile(join(home, "latin1.json"), new Uint8Array([0x7b, 0xe9, 0x7d]));
    for (
      const [name, file, type, code, pattern] of [
        [
          "missing",
          "none.json",
          NoInputError,
          66,
          /^genesis .*none\.json does not exist; give the path of a genesis JSON file$/,
        ],
        ["a directory", "dir", ConfigError, 78, /give the genesis file's path$/],
        ["not UTF-8", "latin1.json", ConfigError, 78, /save it as UTF-8 JSON$/],
      ] as const
    ) {
      await t.step(name, async () => {
        const f = fakeSystem({ env: { HOME: home } });
        const e = await failure(command(f.sys, args(["check", join(home, file)])));
        assert.ok(e instanceof type, e.message);
        assert.equal(e.exitCode, code);
        assert.match(e.message, pattern);
      });
    }
  });
});

Deno.test("genesis takes exactly 'check FILE' (exit 64 otherwise)", async (t) => {
  for (const positionals of [[], ["check"], ["verify", LOCAL], ["check", LOCAL, "extra"]]) {
    await t.step(positionals.join(" ") || "(nothing)", async () => {
      const f = fakeSystem({ env: { HOME: "/nonexistent" } });
      const e = await failure(command(f.sys, args(positionals)));
      assert.ok(e instanceof UsageError);
      assert.match(e.message, /^'parsd genesis' takes 'check FILE', got 'genesis/);
    });
  }
});

Deno.test("--dialect is luxd or avalanchego, luxd when not given", () => {
  assert.equal(dialectFlag(undefined), "luxd");
  assert.equal(dialectFlag("luxd"), "luxd");
  assert.equal(dialectFlag("avalanchego"), "avalanchego");
  assert.throws(
    () => dialectFlag("geth"),
    (e: unknown) =>
      e instanceof UsageError && e.message === `--dialect "geth": must be 'luxd' or 'avalanchego'`,
  );
  assert.throws(() => dialectFlag(true), UsageError);
});
