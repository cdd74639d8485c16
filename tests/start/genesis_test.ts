/**
 * In-process tests of the network's genesis and bootstrappers in `run` and
 * `doctor` (lib/start/genesis_facts.ts, decideGenesis/decideBootstrap in
 * lib/start/checks.ts): checked before luxd sees them, every problem at
 * once, and given to luxd in its own flags.
 */
import assert from "node:assert/strict";
import { join } from "../../lib/os/path.ts";
import { REPO } from "../helpers.ts";
import { withInProcessNode } from "../cli/commands/kit.ts";

const FIXTURES = join(REPO, "tests", "fixtures");
const PARS_GENESIS = join(FIXTURES, "pars", "network-genesis.json");

/** avalanchego's local genesis (network 12345) in luxd's dialect: `luxAddr` for `avaxAddr`. */
function luxdLocalGenesis(): string {
  return Deno.readTextFileSync(join(FIXTURES, "avalanchego", "genesis_local.json"))
    .replaceAll('"avaxAddr"', '"luxAddr"');
}

Deno.test("run and doctor refuse the published Pars genesis, listing every problem, before luxd starts", async () => {
  await withInProcessNode(async (n) => {
    await n.pin();
    const run = n.fake();
    assert.equal(await run.run(["--genesis", PARS_GENESIS, "--network-id=7070"]), 78);
    assert.equal(run.spawned.length, 0);
    const lines = run.err().split("\n").filter((l) => l.startsWith("parsd: error: genesis "));
    assert.equal(lines.filter((l) => /bech32|checksum/.test(l)).length, 15, run.err());
    assert.equal(lines.filter((l) => /proofOfPossession/.test(l)).length, 5, run.err());
    const doctor = n.fake();
    assert.equal(await doctor.run(["doctor", "--genesis", PARS_GENESIS]), 78);
    assert.match(doctor.out(), /^FAIL genesis +genesis .*network-genesis\.json: allocations\[0\]/m);
    assert.match(doctor.out(), /^FAIL ready/m);
  });
});

Deno.test("run gives luxd a good genesis as --genesis-file-content (base64 of the file)", async () => {
  await withInProcessNode(async (n) => {
    await n.pin();
    const path = join(n.root, "genesis.json");
    const text = luxdLocalGenesis();
    await Deno.writeTextFile(path, text);
    const doctor = n.fake();
    assert.equal(
      await doctor.run(["doctor", "--genesis", path, "--network-id=12345"]),
      0,
      doctor.out(),
    );
    assert.match(
      doctor.out(),
      /^ok +genesis +.*\(luxd dialect: network 12345, 5 stakers, C-chain ID 43112; on the command line\)/m,
    );
    const f = n.fake();
    assert.equal(await f.run(["--genesis", path, "--network-id=12345"]), 0, f.err());
    const arg = f.spawned[0]!.args.find((a) => a.startsWith("--genesis-file-content="));
    assert.ok(arg, f.spawned[0]!.args.join(" "));
    const decoded = new TextDecoder().decode(
      Uint8Array.from(atob(arg.slice("--genesis-file-content=".length)), (c) => c.charCodeAt(0)),
    );
    assert.equal(decoded, text);
  });
});

Deno.test("a genesis for another network ID is refused naming both IDs", async () => {
  await withInProcessNode(async (n) => {
    await n.pin();
    const path = join(n.root, "genesis.json");
    await Deno.writeTextFile(path, luxdLocalGenesis());
    const f = n.fake();
    assert.equal(await f.run(["--genesis", path, "--network-id=7072"]), 78);
    assert.match(f.err(), /networkID.*12345.*7072|7072.*12345/);
    assert.equal(f.spawned.length, 0);
  });
});

Deno.test("a missing genesis file is 66, naming it", async () => {
  await withInProcessNode(async (n) => {
    await n.pin();
    const f = n.fake();
    assert.equal(await f.run(["--genesis", join(n.root, "nope.json")]), 66);
    assert.match(f.err(), /nope\.json/);
  });
});

Deno.test("bootstrap-nodes become --bootstrap-ids and --bootstrap-ips, in order", async () => {
  await withInProcessNode(async (n) => {
    const ids = [
      "NodeID-7Xhw2mDxuDS44j42TCB6U5579esbSt3Lg",
      "NodeID-MFrZFVCXPv5iCn6M9K6XduxGTYp891xXZ",
    ];
    await n.pin({ "bootstrap-nodes": [`${ids[0]}@127.0.0.1:9651`, `${ids[1]}@[::1]:9653`] });
    const f = n.fake();
    assert.equal(await f.run([]), 0, f.err());
    const args = f.spawned[0]!.args;
    assert.ok(args.includes(`--bootstrap-ids=${ids.join(",")}`), args.join(" "));
    assert.ok(args.includes("--bootstrap-ips=127.0.0.1:9651,[::1]:9653"), args.join(" "));
  });
});

Deno.test("a bad bootstrap entry is 78 naming the entry; a managed bootstrap flag passed through is 64", async () => {
  await withInProcessNode(async (n) => {
    await n.pin({
      "bootstrap-nodes": ["NodeID-7Xhw2mDxuDS44j42TCB6U5579esbSt3Lg@example.org:9651"],
    });
    const f = n.fake();
    assert.equal(await f.run([]), 78);
    assert.match(f.err(), /bootstrap-nodes\[0\]/);
    const g = n.fake();
    assert.equal(await g.run(["--bootstrap-ips=127.0.0.1:1"]), 64);
    assert.match(g.err(), /parsd manages --bootstrap-ips/);
  });
});
