/**
 * @module
 * Tests of lib/devnet/dir.ts and create.ts's writing, on real directories:
 * what a directory is taken for, that --reset deletes only what parsd
 * wrote, that a devnet is written with private modes and reads back, and
 * one `up` per directory.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { denoSystem } from "../../lib/os/system.ts";
import { ParsdError } from "../../lib/errors.ts";
import { inspectDir, lockDir, resetDir } from "../../lib/devnet/dir.ts";
import { devnetLayout, MARKER_TEXT } from "../../lib/devnet/layout.ts";
import { makeDevnet, writeDevnet } from "../../lib/devnet/create.ts";
import { stateText } from "../../lib/devnet/state.ts";
import { PRECOMPILES } from "../../lib/network/pars.ts";
import { nodeIdFromCertificate } from "../../lib/node/node_id.ts";
import { snapshot, withTempDir } from "../helpers.ts";
import { STATE } from "./kit.ts";

const sys = denoSystem;
const mode = async (p: string) => (await Deno.stat(p)).mode! & 0o777;

async function rejectsWith(p: Promise<unknown>, code: number, message: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ParsdError, String(e));
    assert.equal(e.exitCode, code);
    assert.match(e.message, message);
    return true;
  });
}

Deno.test("inspectDir tells a missing, empty, foreign, unfinished and complete devnet dir apart", async (t) => {
  await withTempDir(async (root) => {
    const at = (name: string) => devnetLayout(join(root, name));
    await t.step("missing", async () => {
      assert.deepEqual(await inspectDir(sys, at("none")), { kind: "missing" });
    });
    await t.step("empty, or holding only a pid file", async () => {
      await Deno.mkdir(join(root, "empty"));
      assert.deepEqual(await inspectDir(sys, at("empty")), { kind: "empty" });
      await Deno.writeTextFile(join(root, "empty", "devnet.pid"), "");
      assert.deepEqual(await inspectDir(sys, at("empty")), { kind: "empty" });
    });
    await t.step("someone else's files", async () => {
      await Deno.mkdir(join(root, "theirs"));
      await Deno.writeTextFile(join(root, "theirs", "notes.txt"), "mine");
      assert.deepEqual(await inspectDir(sys, at("theirs")), {
        kind: "foreign",
        entries: ["notes.txt"],
      });
    });
    await t.step("a file is refused (73)", async () => {
      await Deno.writeTextFile(join(root, "file"), "");
      await rejectsWith(
        inspectDir(sys, at("file")),
        73,
        /devnet dir .*file is a file, not a directory; give a directory with --dir/,
      );
    });
    await t.step("marker but no devnet.json: unfinished", async () => {
      await Deno.mkdir(join(root, "half"));
      await Deno.writeTextFile(at("half").marker, MARKER_TEXT);
      await Deno.mkdir(join(root, "half", "node-1"));
      assert.deepEqual(await inspectDir(sys, at("half")), { kind: "unfinished" });
    });
    await t.step("marker and devnet.json: a devnet", async () => {
      await Deno.mkdir(join(root, "ok"));
      await Deno.writeTextFile(at("ok").marker, MARKER_TEXT);
      await Deno.writeTextFile(at("ok").state, stateText(STATE));
      assert.deepEqual(await inspectDir(sys, at("ok")), { kind: "devnet", state: STATE });
    });
    await t.step(
      "a malformed devnet.json is a config error (78) naming the file and the fix",
      async () => {
        await Deno.writeTextFile(
          at("ok").state,
          JSON.stringify({ ...STATE, chainId: -1, nodes: [] }),
        );
        await rejectsWith(
          inspectDir(sys, at("ok")),
          78,
          /devnet\.json: chainId: must be an integer.*--reset'\n.*devnet\.json: nodes: must be a non-empty list/,
        );
      },
    );
  });
});

Deno.test("resetDir deletes parsd's files and node dirs only, devnet.json first", async () => {
  await withTempDir(async (root) => {
    const l = devnetLayout(root);
    for (const f of [l.marker, l.state, l.genesis, l.devKey, l.stakeKey, l.pidFile]) {
      await Deno.writeTextFile(f, "x");
    }
    for (const d of ["node-1/db/a", "node-12/logs", "node-x", "backup"]) {
      await Deno.mkdir(join(root, d), { recursive: true });
    }
    await Deno.writeTextFile(join(root, "node-1", "db", "a", "f"), "data");
    await Deno.writeTextFile(join(root, "notes.txt"), "theirs");
    const deleted = await resetDir(sys, l);
    assert.deepEqual(deleted, [
      "devnet.json",
      "dev.key",
      "genesis.json",
      "node-1",
      "node-12",
      "stake.key",
    ]);
    const left = [...Deno.readDirSync(root)].map((e) => e.name).sort();
    assert.deepEqual(left, [".parsd-devnet", "backup", "devnet.pid", "node-x", "notes.txt"]);
  });
});

Deno.test("writeDevnet writes every file private and the devnet reads back", async () => {
  await withTempDir(async (root) => {
    const l = devnetLayout(root);
    const m = await makeDevnet({
      networkId: 7072,
      chainId: 7072,
      dialect: "avalanchego",
      ports: [{ httpPort: 21000, stakingPort: 21001 }, { httpPort: 21002, stakingPort: 21003 }],
      precompiles: PRECOMPILES,
      now: Date.now(),
    });
    await writeDevnet(sys, l, m);
    assert.deepEqual(await inspectDir(sys, l), { kind: "devnet", state: m.state });
    assert.equal(await Deno.readTextFile(l.genesis), m.genesis);
    assert.equal(await Deno.readTextFile(l.marker), MARKER_TEXT);
    for (const f of [l.marker, l.state, l.genesis, l.devKey, l.stakeKey]) {
      assert.equal(await mode(f), 0o600, f);
    }
    for (const [i, id] of m.identities.entries()) {
      const staking = join(root, `node-${i + 1}`, "staking");
      assert.equal(await mode(join(root, `node-${i + 1}`)), 0o700);
      assert.equal(await mode(staking), 0o700);
      for (const f of ["staker.key", "staker.crt", "signer.key"]) {
        assert.equal(await mode(join(staking, f)), 0o600, f);
      }
      assert.deepEqual(await Deno.readFile(join(staking, "signer.key")), id.signerKey);
      assert.equal(
        nodeIdFromCertificate(await Deno.readTextFile(join(staking, "staker.crt"))),
        m.state.nodes[i]!.nodeId,
      );
    }
    assert.match(await Deno.readTextFile(l.devKey), /^0x[0-9a-f]{64}\n$/);
    const before = await snapshot(root);
    // What --reset removes is exactly what was written, less the marker.
    await resetDir(sys, l);
    assert.deepEqual([...Deno.readDirSync(root)].map((e) => e.name), [".parsd-devnet"]);
    assert.ok(before.length > 10);
  });
});

Deno.test("one devnet up per directory: a second lock is refused and names the holder", async () => {
  await withTempDir(async (root) => {
    const l = devnetLayout(root);
    const first = await lockDir(sys, l);
    assert.ok(!("heldBy" in first));
    await first.announce();
    const second = await lockDir(sys, l);
    assert.deepEqual(second, { heldBy: Deno.pid });
    first.release();
    const third = await lockDir(sys, l);
    assert.ok(!("heldBy" in third));
    third.release();
  });
});
