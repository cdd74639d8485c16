/**
 * @module
 * `parsd devnet` as a real process (main.ts under the start task's
 * permissions), for what needs no real node: bad input refused with its
 * exit code and one line naming the input and the fix, nothing written;
 * `status` and `down` of a devnet that is not running; one `up` per
 * directory; a devnet made for another node dialect refused.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { acquireLock } from "../../lib/os/lock.ts";
import { MARKER_TEXT } from "../../lib/devnet/layout.ts";
import { stateText } from "../../lib/devnet/state.ts";
import { makeNode, parsd, type Result, snapshot, withTempDir } from "../helpers.ts";
import { STATE } from "./kit.ts";

const show = (r: Result) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

/** Writes a devnet directory holding `STATE` (no node has ever run). */
async function devnetDir(dir: string, state = STATE): Promise<void> {
  await Deno.mkdir(dir, { mode: 0o700 });
  await Deno.writeTextFile(join(dir, ".parsd-devnet"), MARKER_TEXT);
  await Deno.writeTextFile(join(dir, "devnet.json"), stateText(state));
}

Deno.test("devnet refuses a bad command line (64), every problem at once, touching nothing", async (t) => {
  await withTempDir(async (root) => {
    const env = { HOME: root };
    const cases: [string, string[], RegExp[]][] = [
      ["no action", [], [/'parsd devnet' needs an action: up, status or down/]],
      ["an unknown action", ["start"], [
        /unknown devnet action 'start'; expected up, status or down/,
      ]],
      ["--nodes 0", ["up", "--nodes", "0"], [/--nodes "0": must be an integer from 1 to 32/]],
      [
        "--nodes too many, and a bad --chain-id",
        ["up", "--nodes", "1000", "--chain-id", "x"],
        [/--nodes "1000": must be an integer from 1 to 32/, /--chain-id "x": must be an integer/],
      ],
      ["--reset for status", ["status", "--reset"], [
        /--reset is an option of 'parsd devnet up' only/,
      ]],
      ["--json for up", ["up", "--json"], [/--json is an option of 'parsd devnet status' only/]],
      ["a flag of another command", ["up", "--dry-run"], [
        /--dry-run is not an option of 'parsd devnet'/,
      ]],
    ];
    for (const [name, args, messages] of cases) {
      await t.step(name, async () => {
        const before = await snapshot(root);
        const r = await parsd(["devnet", ...args], { env });
        assert.equal(r.code, 64, show(r));
        for (const m of messages) assert.match(r.stderr, m);
        assert.match(r.stderr, /^usage: parsd /m);
        assert.deepEqual(await snapshot(root), before);
      });
    }
  });
});

Deno.test("devnet up refuses a --dir that is a file, or someone else's directory (73), and leaves it as it was", async () => {
  const node = await makeNode();
  try {
    const file = join(node.root, "a-file");
    await Deno.writeTextFile(file, "mine");
    const theirs = join(node.root, "theirs");
    await Deno.mkdir(theirs);
    await Deno.writeTextFile(join(theirs, "notes.txt"), "mine");
    const before = await snapshot(node.root);
    const a = await parsd(["devnet", "up", "--dir", file], { env: node.env });
    assert.equal(a.code, 73, show(a));
    assert.match(
      a.stderr,
      /^parsd: error: devnet dir .*a-file is a file, not a directory; give a directory with --dir/m,
    );
    const b = await parsd(["devnet", "up", "--dir", theirs, "--reset"], { env: node.env });
    assert.equal(b.code, 73, show(b));
    assert.match(
      b.stderr,
      /^parsd: error: devnet dir .*theirs is not empty and is not a parsd devnet \(it holds notes\.txt\); give an empty or new directory with --dir$/m,
    );
    assert.deepEqual(await snapshot(node.root), before);
  } finally {
    await node.cleanup();
  }
});

Deno.test("devnet status and down without a devnet: 66 naming the directory", async () => {
  await withTempDir(async (root) => {
    const dir = join(root, "none");
    for (const action of ["status", "down"]) {
      const r = await parsd(["devnet", action, "--dir", dir], { env: { HOME: root } });
      assert.equal(r.code, 66, show(r));
      assert.match(r.stderr, new RegExp(`no devnet in ${dir}; start one with 'parsd devnet up'`));
    }
  });
});

Deno.test("devnet status of a devnet whose nodes are down: one line each, exit 75; down: nothing to stop, 0", async () => {
  await withTempDir(async (root) => {
    const dir = join(root, "devnet");
    await devnetDir(dir);
    const text = await parsd(["devnet", "status", "--dir", dir], { env: { HOME: root } });
    assert.equal(text.code, 75, show(text));
    assert.match(text.stdout, /no 'devnet up' running/);
    for (const n of STATE.nodes) {
      assert.match(
        text.stdout,
        new RegExp(
          `^${n.name}\\s+down\\s+${n.nodeId}\\s+http://127\\.0\\.0\\.1:${n.httpPort}\\s+nothing answering$`,
          "m",
        ),
      );
    }
    const json = JSON.parse(
      (await parsd(["devnet", "status", "--dir", dir, "--json"], { env: { HOME: root } })).stdout,
    );
    assert.equal(json.healthy, false);
    assert.equal(json.running, false);
    assert.deepEqual(json.nodes.map((n: { status: string }) => n.status), ["down", "down", "down"]);
    const down = await parsd(["devnet", "down", "--dir", dir], { env: { HOME: root } });
    assert.equal(down.code, 0, show(down));
    assert.match(down.stderr, /no devnet is running in/);
  });
});

Deno.test("devnet up: one up per directory (75 naming the holder); a devnet of another dialect is refused (78)", async () => {
  const node = await makeNode();
  try {
    // The stand-in luxd says node/1.13.4: luxd's dialect.
    const dir = join(node.root, "devnet");
    await devnetDir(dir, { ...STATE, dialect: "luxd" });
    const held = await acquireLock(dir, join(dir, "devnet.pid"), 4242);
    assert.ok(!("heldBy" in held));
    await held.announce();
    try {
      const r = await parsd(["devnet", "up", "--dir", dir], { env: node.env });
      assert.equal(r.code, 75, show(r));
      assert.match(
        r.stderr,
        /a devnet is already running in .* \(pid 4242\); stop it with 'parsd devnet down --dir /,
      );
    } finally {
      held.release();
    }
    await Deno.writeTextFile(
      join(dir, "devnet.json"),
      stateText({ ...STATE, dialect: "avalanchego" }),
    );
    const before = await snapshot(dir);
    const r = await parsd(["devnet", "up", "--dir", dir], { env: node.env });
    assert.equal(r.code, 78, show(r));
    assert.match(
      r.stderr,
      /the devnet in .* was made for avalanchego, but this luxd is luxd; give the luxd it was made with \(--luxd\), or add --reset/,
    );
    const nodes = await parsd(["devnet", "up", "--dir", dir, "--nodes", "5"], { env: node.env });
    assert.equal(nodes.code, 64, show(nodes));
    assert.match(
      nodes.stderr,
      /--nodes 5: the devnet in .* has 3 nodes; leave --nodes out to resume it, or add --reset/,
    );
    assert.deepEqual(await snapshot(dir), before);
  } finally {
    await node.cleanup();
  }
});
