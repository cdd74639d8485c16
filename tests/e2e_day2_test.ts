/**
 * End-to-end, day to day: one parsd per data dir, busy ports, `status`
 * against a loopback server that answers as luxd's APIs do, `node-id`,
 * `service`, safe re-pinning, a named config that must exist, and
 * relative paths against the user's directory — parsd under the start
 * task's permissions, with real processes and files.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  makeNode,
  type Node,
  parsd,
  REPO,
  sha256,
  snapshot,
  spawnParsd,
  waitFor,
} from "./helpers.ts";
import { startFakeNodeApi } from "./fake_node_api.ts";

async function withNode(f: (n: Node) => Promise<void>) {
  const n = await makeNode();
  try {
    await n.pin();
    await f(n);
  } finally {
    await n.cleanup();
  }
}

/** A loopback port nobody listens on now. */
function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

Deno.test("one parsd per data dir: a second run is refused with 75 naming the first; doctor sees it", async () => {
  await withNode(async (n) => {
    const first = spawnParsd([], { env: { ...n.env, FAKE_LUXD_SLEEP: "30" } });
    try {
      await waitFor(async () => (await n.recordText())?.includes("ready") ?? false, "luxd");
      const recordBefore = await n.recordText();
      const second = await parsd([], { env: n.env });
      assert.equal(second.code, 75, second.stderr);
      assert.match(second.stderr, new RegExp(`another parsd \\(pid ${first.pid}\\) is running on`));
      assert.equal(await n.recordText(), recordBefore, "the second parsd started no luxd");
      const doctor = await parsd(["doctor"], { env: n.env });
      assert.equal(doctor.code, 75);
      assert.match(
        doctor.stdout,
        new RegExp(`^FAIL\\s+instance\\s+parsd pid ${first.pid} is already running`, "m"),
      );
    } finally {
      first.kill("SIGTERM");
      await first.status;
    }
    assert.equal((await parsd([], { env: n.env })).code, 0, "the lock is free once it exits");
  });
});

Deno.test("a SIGKILLed parsd leaves no lock that blocks", async () => {
  await withNode(async (n) => {
    const first = spawnParsd([], { env: { ...n.env, FAKE_LUXD_SLEEP: "30" } });
    await waitFor(async () => (await n.recordText())?.includes("ready") ?? false, "luxd");
    const luxdPid = Number(/^pid (\d+)$/m.exec((await n.recordText())!)![1]);
    first.kill("SIGKILL");
    await first.status;
    try {
      const again = await parsd([], { env: n.env });
      assert.equal(again.code, 0, again.stderr);
    } finally {
      try {
        Deno.kill(luxdPid, "SIGKILL"); // the orphan the killed parsd could not stop
      } catch { /* already gone */ }
    }
  });
});

Deno.test("a busy port is a FAIL in doctor and a refusal (75) in run, naming the port", async () => {
  await withNode(async (n) => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    try {
      const doctor = await parsd(["doctor", `--http-port=${port}`], { env: n.env });
      assert.equal(doctor.code, 75);
      assert.match(
        doctor.stdout,
        new RegExp(`^FAIL\\s+ports\\s+http port ${port} cannot be bound \\(in use\\)`, "m"),
      );
      const before = await snapshot(n.root);
      const run = await parsd([`--staking-port=${port}`], { env: n.env });
      assert.equal(run.code, 75);
      assert.match(run.stderr, new RegExp(`staking port ${port} cannot be bound`));
      assert.equal(await n.recordText(), undefined);
      assert.deepEqual(await snapshot(n.root), before);
    } finally {
      listener.close();
    }
  });
});

Deno.test("parsd status asks the node over loopback: 0 healthy, 75 not ready, 69 nothing answering", async () => {
  await withNode(async (n) => {
    const healthy = startFakeNodeApi({});
    try {
      const r = await parsd(["status", `--http-port=${healthy.port}`], { env: n.env });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /^ok\s+health\b/m);
      assert.match(r.stdout, /NodeID-AYhtDt8UhBSCj9fqzcGunVzrQs7RfCL6M/);
      const json = await parsd(["status", "--json", `--http-port=${healthy.port}`], { env: n.env });
      assert.equal(json.code, 0);
      const doc = JSON.parse(json.stdout);
      assert.equal(doc.healthy, true);
      assert.deepEqual(doc.bootstrapped, { P: true, X: true, C: true });
    } finally {
      await healthy.close();
    }
    const syncing = startFakeNodeApi({
      healthy: false,
      bootstrapped: { P: true, X: true, C: false },
    });
    try {
      const r = await parsd(["status", `--http-port=${syncing.port}`], { env: n.env });
      assert.equal(r.code, 75, r.stdout);
      assert.match(r.stdout, /^FAIL\s+bootstrapped?\s+.*C/m);
    } finally {
      await syncing.close();
    }
    const none = await parsd(["status", `--http-port=${freePort()}`], { env: n.env });
    assert.equal(none.code, 69, none.stdout + none.stderr);
  });
});

Deno.test("parsd node-id: a relative CERT resolves against the user's directory; the default is the data dir's", async () => {
  await withNode(async (n) => {
    const fixtures = join(REPO, "tests", "fixtures", "luxd");
    const r = await parsd(["node-id", "staker-example.crt"], { env: n.env, cwd: fixtures });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "NodeID-AYhtDt8UhBSCj9fqzcGunVzrQs7RfCL6M\n");
    const missing = await parsd(["node-id"], { env: n.env });
    assert.equal(missing.code, 66);
    assert.match(missing.stderr, /staking\/staker\.crt does not exist/);
    await Deno.mkdir(join(n.dataDir, "staking"), { mode: 0o700 });
    await Deno.copyFile(
      join(fixtures, "staker-example.crt"),
      join(n.dataDir, "staking", "staker.crt"),
    );
    const dflt = await parsd(["node-id"], { env: n.env });
    assert.equal(dflt.stdout, "NodeID-AYhtDt8UhBSCj9fqzcGunVzrQs7RfCL6M\n");
  });
});

Deno.test("under 'deno task', relative paths resolve against INIT_CWD (the user's directory)", async () => {
  await withNode(async (n) => {
    const { PARS_LUXD: _, ...env } = n.env;
    const r = await parsd(["doctor", "--luxd", "./bin/luxd"], {
      env: { ...env, INIT_CWD: n.root },
      cwd: REPO,
    });
    assert.match(
      r.stdout,
      new RegExp(`^ok\\s+luxd\\s+.* from ${n.root}/bin/luxd \\(flag\\) `, "m"),
      r.stdout,
    );
  });
});

Deno.test("parsd service systemd: ExecStart is the installed parsd with this data dir; systemd-analyze accepts it", async (t) => {
  await withNode(async (n) => {
    const bin = join(n.root, "pathbin");
    await Deno.mkdir(bin);
    const launcher = join(bin, "parsd");
    await Deno.writeTextFile(launcher, "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    await Deno.chmod(launcher, 0o755);
    const r = await parsd(["service", "systemd"], {
      env: { ...n.env, PATH: `${bin}:/usr/bin:/bin` },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(
        `^ExecStart=${launcher} --data-dir=${n.dataDir} --config=${n.dataDir}/config.json$`,
        "m",
      ),
    );
    assert.match(r.stdout, /^LimitNOFILE=32768$/m);
    assert.match(r.stdout, new RegExp(`^ReadWritePaths=${n.dataDir}$`, "m"));
    assert.match(r.stdout, /^TimeoutStopSec=40$/m);
    const withFlags = await parsd(
      ["service", "systemd", "--luxd", "bin/luxd", "--http-port=9700"],
      { env: { ...n.env, PATH: `${bin}:/usr/bin:/bin` }, cwd: n.root },
    );
    assert.equal(withFlags.code, 0, withFlags.stderr);
    assert.match(withFlags.stdout, new RegExp(`--http-port=9700 --luxd=${n.root}/bin/luxd$`, "m"));
    const plist = await parsd(["service", "launchd"], {
      env: { ...n.env, PATH: `${bin}:/usr/bin:/bin` },
    });
    assert.equal(plist.code, 0);
    assert.match(plist.stdout, new RegExp(`<string>${launcher}</string>`));
    const none = await parsd(["service", "systemd"], { env: n.env });
    assert.equal(none.code, 66);
    assert.match(none.stderr, /deno task install/);
    const analyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].find((p) => {
      try {
        return Deno.statSync(p).isFile;
      } catch {
        return false;
      }
    });
    if (analyze === undefined) {
      await t.step({
        name: "skipped: systemd-analyze is not installed",
        ignore: true,
        fn: () => {},
      });
      return;
    }
    const unit = join(n.root, "parsd.service");
    await Deno.writeTextFile(unit, r.stdout);
    const v = await new Deno.Command(analyze, {
      args: ["verify", unit],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(v.code, 0, new TextDecoder().decode(v.stderr));
  });
});

Deno.test("safe pins: a changed plugin says so; replacing a pin needs --replace and shows old -> new", async () => {
  await withNode(async (n) => {
    const old = sha256(await Deno.readFile(n.evm));
    await Deno.writeTextFile(n.evm, "#!/bin/sh\n# rebuilt\nexit 0\n");
    const now = sha256(await Deno.readFile(n.evm));
    const run = await parsd([], { env: n.env });
    assert.equal(run.code, 65);
    assert.match(run.stderr, /changed since it was pinned/);
    const refused = await parsd(["plugins", "pin", "evm"], { env: n.env });
    assert.equal(refused.code, 65);
    assert.match(
      refused.stderr,
      new RegExp(`already pinned to ${old}, the new hash is ${now}.*--replace`),
    );
    const config = join(n.dataDir, "config.json");
    assert.equal(
      JSON.parse(await Deno.readTextFile(config)).plugins.evm.sha256,
      old,
      "pin unchanged",
    );
    const replaced = await parsd(["plugins", "pin", "evm", "--replace"], { env: n.env });
    assert.equal(replaced.code, 0, replaced.stderr);
    assert.match(replaced.stdout, new RegExp(`pinned evm sha256 ${now} \\(was ${old}\\)`));
  });
});

Deno.test("a config named by --config or PARS_CONFIG that does not exist is 66 everywhere but init", async () => {
  await withNode(async (n) => {
    const missing = join(n.root, "nope.json");
    for (
      const argv of [["run", "--trust-unpinned"], ["doctor"], ["status"], ["plugins", "list"], [
        "version",
      ]]
    ) {
      const r = await parsd(argv, { env: { ...n.env, PARS_CONFIG: missing } });
      assert.equal(r.code, 66, `${argv.join(" ")}: ${r.stdout}${r.stderr}`);
      assert.match(
        r.stdout + r.stderr,
        /nope\.json \(from --config \/ PARS_CONFIG\) does not exist/,
      );
    }
    assert.equal(await n.recordText(), undefined);
    const init = await parsd(["init", "--config", missing], { env: n.env });
    assert.equal(init.code, 0, init.stderr);
    assert.ok(JSON.parse(await Deno.readTextFile(missing))["network-id"]);
  });
});
