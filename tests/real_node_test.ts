/**
 * End-to-end against a real node: parsd (main.ts under the start task's
 * permissions) runs avalanchego 1.13.5, luxd's upstream, as `--luxd`, with
 * subnet-evm v0.7.9 as the EVM plugin and a shell-script stand-in for
 * SessionVM, on free loopback ports in a throwaway home, through the harness
 * in `scripts/real_node.ts`. One test, in steps, because each step builds on
 * the node state the previous one left. A second start reads the
 * verification cache: no re-hash, luxd's flags from the cache.
 *
 * Where the binaries cannot be had (no Go, the module proxy refuses or cannot
 * be reached, not Linux) the test's one step is an explicit skip naming why;
 * finding that out happens inside the test, never at module load.
 *
 * What avalanchego 1.13.5 does here, as this test found it (and asserts):
 * - It writes its logs under `<data-dir>/logs/` (`main.log`, `C.log`,
 *   `vm-factory.log`, ...), since parsd passes `--data-dir` and no `--log-dir`.
 * - A plugin that fails the rpcchainvm handshake is logged as `failed to
 *   register VM {"vmID": …, "error": "handshake failed: vm process not
 *   found"}`, yet `info.getVMs` still lists its VMID, with no aliases: the
 *   node registers the VM factory before it starts the plugin.
 * - subnet-evm's own message goes to `vm-factory.log`: `failed to set fd limit
 *   correctly due to: error fd-limit: (32768) greater than max: (<hard>)`.
 * - coreth's default is `WarpAPIEnabled:false` (seen by running the node with
 *   no `--chain-config-content`); the Config it logs follows parsd's config.json.
 * - On SIGTERM it logs `finished node shutdown` and exits 0, within a second.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { sha256File } from "../lib/os/hash.ts";
import { EVM_PLUGIN_FD_LIMIT, PLUGINS } from "../lib/network/pars.ts";
import { type Result, sha256, snapshot } from "./helpers.ts";
import { AVALANCHEGO, SUBNET_EVM } from "../scripts/build_e2e_node.ts";
import {
  alive,
  cmdline,
  hardNofile,
  healthy,
  makeSite,
  portFree,
  realNode,
  rpc,
  type Running,
  settleCtimes,
  sizeOf,
  startByHand,
  startParsd,
  textFrom,
  waitUntil,
} from "../scripts/real_node.ts";

const EVM = PLUGINS.evm.vmid;
const SESSION = PLUGINS.sessionvm.vmid;
/** The rpcchainvm protocol of avalanchego 1.13.5 and subnet-evm v0.7.9. */
const PROTOCOL = 43;
/** How long the node may take to become healthy (it takes ~12 s here: 10 s of it waiting for the two plugins that cannot register). */
const HEALTHY_WITHIN_MS = 90_000;
/** parsd's --shutdown-grace in this test; the node must stop well within it. */
const GRACE_MS = 20_000;

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const show = (r: Result) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
const secs = (ms: number) => ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(1)} s`;

interface Plan {
  luxd: {
    path: string;
    target: string;
    sha256: string;
    pinned: boolean;
    version: string;
    rpcchainvm: number | null;
    flags: "probe" | "cache";
  };
  args: string[];
  plugins: {
    name: string;
    vmid: string;
    target: string;
    sha256: string;
    rpcchainvm: number | null;
  }[];
}

/** The C entry of `--chain-config-content`, decoded. */
function cChainConfig(args: readonly string[]): Record<string, unknown> {
  const flag = args.find((a) => a.startsWith("--chain-config-content="));
  assert.ok(flag, `no --chain-config-content in ${args.join(" ")}`);
  const outer = JSON.parse(atob(flag.slice(flag.indexOf("=") + 1))) as Record<
    string,
    { Config: string }
  >;
  return JSON.parse(atob(outer["C"]!.Config));
}

Deno.test(
  `real node: parsd runs avalanchego ${AVALANCHEGO.version} + subnet-evm ${SUBNET_EVM.version}: ` +
    "doctor predicts, run refuses or starts, stops gracefully, restarts from the verification " +
    "cache, refuses a tampered plugin",
  async (t) => {
    // Installed from the Go module proxy on first use (minutes), so asked here, not at load.
    // A failed install (not a missing Go or proxy) fails the test.
    const available = await realNode();
    if ("skip" in available) {
      console.log(`real node: skipped: ${available.skip}`);
      await t.step({ name: `skipped: ${available.skip}`, ignore: true, fn() {} });
      return;
    }
    const node = available.node;
    const began = performance.now();
    const site = await makeSite(node);
    /** A hash's sealed copy in the site's store, and the name parsd runs the node by. */
    const sealed = (hash: string) => join(site.dataDir, "store", `sha256-${hash}`);
    const luxdName = join(site.dataDir, "bin", "luxd");
    const hard = await hardNofile();
    /** subnet-evm raises its fd limit to 32768 and exits where the hard limit is lower (20000 here). */
    const blocked = typeof hard === "number" && hard < EVM_PLUGIN_FD_LIMIT;
    const runs: Running[] = [];
    let failed = false;
    const step = async (name: string, fn: () => Promise<void>, ignore = false) => {
      const ok = await t.step({ name, ignore: ignore || failed, fn });
      if (!ok && !ignore) failed = true;
    };
    const status = (...extra: string[]) =>
      site.parsd(["status", "--http-port", String(site.httpPort), ...extra]);
    /** Polls `parsd status` until it exits 0. */
    const statusOk = (run: Running) =>
      waitUntil(
        run,
        "'parsd status' exit 0",
        async () => (await status()).code === 0,
        HEALTHY_WITHIN_MS,
        250,
      );
    const allow = ["--allow-vm-failure=evm"];
    const log = (line: string) => console.log(`real node: ${line}`);

    let plan: Plan | undefined;
    let nodeId = "";
    let parsdStopCode: number | undefined;
    let nodeStopCode: number | undefined;
    try {
      await step(
        "plugins pin recorded the three binaries' hashes and paths, and sealed them",
        async () => {
          const config = JSON.parse(await Deno.readTextFile(join(site.dataDir, "config.json")));
          assert.deepEqual(config.plugins, {
            evm: { sha256: node.binaries.subnetEvm.sha256, path: node.subnetEvm },
            sessionvm: { sha256: sha256(await Deno.readFile(site.standIn)), path: site.standIn },
          });
          assert.equal(config["luxd-sha256"], node.binaries.avalanchego.sha256);
          assert.equal(config.luxd, node.avalanchego);
          for (const hash of [node.binaries.avalanchego.sha256, node.binaries.subnetEvm.sha256]) {
            assert.equal(await sha256File(sealed(hash)), hash);
            assert.equal((await Deno.lstat(sealed(hash))).mode! & 0o7777, 0o500);
          }
        },
      );

      await step(
        "doctor predicts: the EVM's fd-limit failure, 'ready' with --allow-vm-failure=evm, rpcchainvm 43 on both sides",
        async () => {
          const without = await site.parsd(["doctor", ...site.args()]);
          const evmFd = new RegExp(
            `^(FAIL|warn)\\s+plugin evm\\s+.*raises its open-file limit to ${EVM_PLUGIN_FD_LIMIT} and exits when the hard limit is lower, as here \\(${hard}\\)`,
            "m",
          );
          if (blocked) {
            assert.equal(without.code, 78, show(without));
            assert.match(without.stdout, evmFd);
            assert.match(
              without.stdout,
              /^FAIL\s+plugin evm\s+.*or accept running without it with --allow-vm-failure=evm$/m,
            );
            assert.match(without.stdout, /^FAIL\s+ready\s/m);
          } else {
            assert.equal(without.code, 0, show(without));
            assert.doesNotMatch(without.stdout, evmFd);
          }

          const ready = await site.parsd(["doctor", ...site.args(allow)]);
          assert.equal(ready.code, 0, show(ready));
          assert.match(ready.stdout, /^ok\s+ready\s+parsd run can start luxd$/m);
          if (blocked) {
            assert.match(ready.stdout, evmFd);
            assert.match(
              ready.stdout,
              /^warn\s+plugin evm\s+.*\(accepted by --allow-vm-failure=evm: luxd runs without it\)$/m,
            );
          }
          assert.match(
            ready.stdout,
            new RegExp(
              `^ok\\s+luxd\\s+${esc(luxdName)} -> ${
                esc(sealed(node.binaries.avalanchego.sha256))
              } from ${
                esc(node.avalanchego)
              } \\(flag\\) \\(luxd 1\\.13\\.5, rpcchainvm ${PROTOCOL}; flags from probe\\) sha256 ${node.binaries.avalanchego.sha256} pinned$`,
              "m",
            ),
          );
          assert.match(
            ready.stdout,
            new RegExp(
              `^ok\\s+plugin evm\\s+${esc(sealed(node.binaries.subnetEvm.sha256))} from ${
                esc(node.subnetEvm)
              } \\(flag\\) sha256 ${node.binaries.subnetEvm.sha256} pinned, rpcchainvm 43$`,
              "m",
            ),
          );
          // Both name the runtime address variable, so parsd asked both '--version' (a binary
          // that does not is never run); the node's own log shows which one registers.
          assert.doesNotMatch(ready.stdout, /^warn\s+plugin (evm|sessionvm)\s+.*never mentions/m);

          const dry = await site.parsd(["run", "--dry-run", ...site.args(allow)]);
          assert.equal(dry.code, 0, show(dry));
          plan = JSON.parse(dry.stdout) as Plan;
          assert.equal(node.rpcchainvm, PROTOCOL);
          assert.deepEqual(plan.luxd, {
            path: luxdName,
            target: sealed(node.binaries.avalanchego.sha256),
            sha256: node.binaries.avalanchego.sha256,
            pinned: true,
            version: "1.13.5",
            rpcchainvm: PROTOCOL,
            flags: "probe",
          });
          assert.deepEqual(
            plan.plugins.map((p) => [p.name, p.vmid, p.target, p.sha256, p.rpcchainvm]),
            [
              [
                "evm",
                EVM,
                sealed(node.binaries.subnetEvm.sha256),
                node.binaries.subnetEvm.sha256,
                PROTOCOL,
              ],
              [
                "sessionvm",
                SESSION,
                sealed(sha256(await Deno.readFile(site.standIn))),
                sha256(await Deno.readFile(site.standIn)),
                PROTOCOL,
              ],
            ],
          );
          if (blocked) assert.ok(plan.args.includes(`--fd-limit=${hard}`), plan.args.join(" "));
          assert.equal(cChainConfig(plan.args)["warp-api-enabled"], true);

          // The protocol check has teeth: a plugin for rpcchainvm 42 is a FAIL against this node's 43.
          const other = join(site.root, "bin", "sessionvm-42");
          await Deno.writeTextFile(
            other,
            (await Deno.readTextFile(site.standIn)).replace(
              `rpcchainvm=${PROTOCOL}`,
              "rpcchainvm=42",
            ),
          );
          await Deno.chmod(other, 0o755);
          const mismatch = await site.parsd([
            "doctor",
            "--data-dir",
            join(site.root, "unpinned"),
            "--trust-unpinned",
            ...site.args(allow).map((a) => (a === site.standIn ? other : a)),
          ]);
          assert.equal(mismatch.code, 78, show(mismatch));
          assert.match(
            mismatch.stdout,
            /^FAIL\s+plugin sessionvm\s+plugin sessionvm speaks rpcchainvm 42 but luxd speaks 43/m,
          );
        },
      );

      await step(
        blocked
          ? "run without --allow-vm-failure=evm exits 78 before starting anything"
          : `run without --allow-vm-failure=evm: not applicable, the hard fd limit ${hard} lets the EVM register`,
        async () => {
          const before = await snapshot(site.root);
          const r = await site.parsd(["run", ...site.args()]);
          assert.equal(r.code, 78, show(r));
          assert.match(
            r.stderr,
            new RegExp(
              `^parsd: error: the EVM plugin raises its open-file limit to 32768 and exits when the hard limit is lower, as here \\(${hard}\\).*--allow-vm-failure=evm$`,
              "m",
            ),
          );
          assert.doesNotMatch(r.stderr, /parsd: starting/);
          // No dirs, links, keys, logs or cache; the stand-in never ran (its record would be under root).
          assert.deepEqual(await snapshot(site.root), before);
          assert.ok(
            portFree(site.httpPort) && portFree(site.stakingPort),
            "a port is taken: something started",
          );
        },
        !blocked,
      );

      let run1: Running | undefined;
      const offsets = { main: 0, c: 0, vmFactory: 0 };
      await step(
        "with --allow-vm-failure=evm the node becomes healthy; status --json and node-id agree on the NodeID",
        async () => {
          // parsd caches only files changed over 2 s before it hashes them; the second start below relies on it.
          await settleCtimes([
            node.avalanchego,
            node.subnetEvm,
            site.standIn,
            ...[node.binaries.avalanchego.sha256, node.binaries.subnetEvm.sha256].map(sealed),
            sealed(sha256(await Deno.readFile(site.standIn))),
          ]);
          run1 = startParsd(site, [
            "run",
            ...site.args([...allow, `--shutdown-grace=${GRACE_MS / 1000}s`]),
          ], "run1");
          runs.push(run1);
          const ms = await statusOk(run1);
          log(`first start: 'parsd status' exit 0 after ${secs(ms)}`);
          const text = await status();
          assert.equal(text.code, 0, show(text));
          assert.match(text.stdout, /^ok\s+health\s+healthy$/m);
          const json = await status("--json");
          assert.equal(json.code, 0, show(json));
          const report = JSON.parse(json.stdout);
          assert.equal(report.healthy, true);
          assert.equal(report.version, "avalanchego/1.13.5");
          assert.equal(report.rpcProtocolVersion, String(PROTOCOL));
          assert.deepEqual(report.bootstrapped, { P: true, X: true, C: true });
          const id = await site.parsd(["node-id"]);
          assert.equal(id.code, 0, show(id));
          nodeId = id.stdout.trim();
          assert.match(nodeId, /^NodeID-[1-9A-HJ-NP-Za-km-z]{20,}$/);
          assert.equal(report.nodeId, nodeId);
          assert.deepEqual(
            await rpc(site.httpPort, "/ext/info", "info.getNodeID").then((r) =>
              (r as { nodeID: string }).nodeID
            ),
            nodeId,
          );
          // parsd gave the node exactly the argv its dry run planned.
          const pid = await run1.nodePid();
          assert.ok(pid !== undefined, "no node process under parsd");
          assert.deepEqual(await cmdline(pid), [luxdName, ...plan!.args], "argv0 is luxd's name");
          assert.equal(
            await Deno.realPath(`/proc/${pid}/exe`),
            sealed(node.binaries.avalanchego.sha256),
          );
          const stderr = await Deno.readTextFile(run1.stderrFile);
          assert.match(
            stderr,
            new RegExp(
              `^parsd: created link ${esc(join(site.dataDir, "plugins", EVM))} -> ${
                esc(sealed(node.binaries.subnetEvm.sha256))
              }$`,
              "m",
            ),
          );
          assert.match(stderr, /^parsd: starting .* \(luxd 1\.13\.5, network 7070, data dir /m);
        },
      );

      await step(
        "the chain config parsd built reached the C-chain (coreth logs WarpAPIEnabled:true; its default is false)",
        async () => {
          const c = await textFrom(site.logs.c, offsets.c);
          const init = c.split("\n").filter((l) => l.includes("Initializing Coreth VM"));
          assert.equal(
            init.length,
            1,
            `coreth initialised ${init.length} times:\n${init.join("\n")}`,
          );
          assert.match(init[0]!, /Config="\{[^"]*\bWarpAPIEnabled:true\b/);
          offsets.c = await sizeOf(site.logs.c);
        },
      );

      await step(
        "info.getVMs lists both plugin VMIDs (with no aliases); the node logged why neither registered",
        async () => {
          const vms = (await rpc(site.httpPort, "/ext/info", "info.getVMs") as {
            vms: Record<string, string[]>;
          }).vms;
          assert.deepEqual(vms, {
            jvYyfQTxGMJLuGWa55kdP2p2zSUYsQ5Raupu4TW34ZAUBAbtq: ["avm"],
            mgj786NP7uDwBCcq6YwThhaN8FLyybkCa4zBWTQbNgmK6k9A6: ["evm"],
            rWhpuQPF1kb72esV2momhMuTYGkEb1oL29pt2EBXWmSy4kxnT: ["platform"],
            [EVM]: [],
            [SESSION]: [],
          });
          log(`info.getVMs: ${JSON.stringify(vms)}`);
          const main = await textFrom(site.logs.main, offsets.main);
          const refused = (vmid: string) =>
            new RegExp(
              `failed to register VM \\{"vmID": "${vmid}", "error": "handshake failed: vm process not found"\\}`,
            );
          // What doctor predicted for the stand-in: the node started it through parsd's link, then gave up on it.
          assert.match(main, refused(SESSION));
          assert.match(
            await Deno.readTextFile(site.record),
            /^started \w*_VM_RUNTIME_ENGINE_ADDR=127\.0\.0\.1:\d+$/m,
          );
          if (blocked) {
            // What doctor predicted for the EVM: it exits on the fd limit, and the node runs without it.
            assert.match(main, refused(EVM));
            assert.match(
              await textFrom(site.logs.vmFactory, offsets.vmFactory),
              new RegExp(
                `failed to set fd limit correctly due to: error fd-limit: \\(32768\\) greater than max: \\(${hard}\\)`,
              ),
            );
          } else assert.doesNotMatch(main, refused(EVM));
        },
      );

      await step(
        "SIGTERM to parsd: the node shuts down gracefully within the grace and parsd exits with the node's own code",
        async () => {
          const pid = await run1!.nodePid();
          const { status: exit, ms } = await run1!.stop("SIGTERM");
          log(`SIGTERM to parsd: exited ${JSON.stringify(exit)} after ${secs(ms)}`);
          assert.equal(exit.signal, null);
          assert.doesNotMatch(await Deno.readTextFile(run1!.stderrFile), /SIGKILL/);
          assert.equal(alive(pid!), false, "the node outlived parsd");
          const main = await textFrom(site.logs.main, offsets.main);
          assert.match(main, /INFO node\/node\.go:\d+ finished node shutdown/);
          parsdStopCode = exit.code;

          // The node's own exit code: the same node by hand, with the argv parsd would give it now
          // (the staking key flags appear once the node has written its keys).
          const dry = await site.parsd(["run", "--dry-run", ...site.args(allow)]);
          assert.equal(dry.code, 0, show(dry));
          const args = (JSON.parse(dry.stdout) as Plan).args;
          assert.ok(args.some((a) => a.startsWith("--staking-tls-cert-file=")), args.join(" "));
          const byHand = startByHand(site, args);
          runs.push(byHand);
          const up = await waitUntil(
            byHand,
            "health",
            () => healthy(site.httpPort),
            HEALTHY_WITHIN_MS,
          );
          assert.equal((await site.parsd(["node-id"])).stdout.trim(), nodeId);
          const mark = await sizeOf(site.logs.main);
          const own = await byHand.stop("SIGTERM");
          log(
            `the node by hand: healthy after ${secs(up)}; SIGTERM: exited ${
              JSON.stringify(own.status)
            } after ${secs(own.ms)}`,
          );
          assert.equal(own.status.signal, null);
          assert.match(await textFrom(site.logs.main, mark), /finished node shutdown/);
          nodeStopCode = own.status.code;
          assert.equal(parsdStopCode, nodeStopCode, "parsd's exit code is not the node's");
        },
      );

      await step(
        "a second start reads the verification cache (no re-hash, luxd's flags from the cache) and comes back healthy with the same NodeID",
        async () => {
          const cachePath = join(site.dataDir, "verify-cache.json");
          const cacheText = await Deno.readTextFile(cachePath);
          const cacheMtime = (await Deno.stat(cachePath)).mtime?.getTime();
          const standInHash = sha256(await Deno.readFile(site.standIn));
          const keys = Object.keys(JSON.parse(cacheText));
          for (
            const key of [
              `luxd-probe:sha256-${node.binaries.avalanchego.sha256}`,
              sealed(node.binaries.avalanchego.sha256),
              sealed(node.binaries.subnetEvm.sha256),
              sealed(standInHash),
              node.avalanchego,
              node.subnetEvm,
              site.standIn,
            ]
          ) assert.ok(keys.includes(key), `${key} not in the cache: ${keys.join(", ")}`);
          // And a changed config.json reaches the C-chain on the next start: Warp off.
          const configPath = join(site.dataDir, "config.json");
          const config = JSON.parse(await Deno.readTextFile(configPath));
          await Deno.writeTextFile(
            configPath,
            JSON.stringify({ ...config, "warp-api": false }, null, 2),
          );

          const dry = await site.parsd(["run", "--dry-run", ...site.args(allow)]);
          assert.equal(dry.code, 0, show(dry));
          const cached = JSON.parse(dry.stdout) as Plan;
          assert.equal(cached.luxd.flags, "cache");
          assert.equal(cChainConfig(cached.args)["warp-api-enabled"], false);
          const doctor = await site.parsd(["doctor", ...site.args(allow)]);
          assert.equal(doctor.code, 0, show(doctor));
          assert.match(doctor.stdout, /flags from cache\) sha256 [0-9a-f]{64} pinned \(cache\)$/m);
          assert.match(doctor.stdout, /^ok\s+plugin evm\s+.* pinned \(cache\), rpcchainvm 43$/m);
          assert.match(
            doctor.stdout,
            /^ok\s+plugin sessionvm\s+.* pinned \(cache\), rpcchainvm 43$/m,
          );

          offsets.main = await sizeOf(site.logs.main);
          offsets.c = await sizeOf(site.logs.c);
          const run2 = startParsd(site, [
            "run",
            ...site.args([...allow, `--shutdown-grace=${GRACE_MS / 1000}s`]),
          ], "run2");
          runs.push(run2);
          const ms = await statusOk(run2);
          log(`second start: 'parsd status' exit 0 after ${secs(ms)}`);
          const report = JSON.parse((await status("--json")).stdout);
          assert.equal(report.nodeId, nodeId);
          assert.equal((await site.parsd(["node-id"])).stdout.trim(), nodeId);
          const pid = await run2.nodePid();
          assert.deepEqual(await cmdline(pid!), [luxdName, ...cached.args]);
          const stderr = await Deno.readTextFile(run2.stderrFile);
          assert.doesNotMatch(
            stderr,
            /^parsd: (created|replaced) /m,
            "links and dirs should already be right",
          );
          assert.equal(
            await Deno.readTextFile(cachePath),
            cacheText,
            "verify-cache.json changed",
          );
          assert.equal(
            (await Deno.stat(cachePath)).mtime?.getTime(),
            cacheMtime,
            "verify-cache.json was rewritten",
          );
          const init = (await textFrom(site.logs.c, offsets.c)).split("\n").filter((l) =>
            l.includes("Initializing Coreth VM")
          );
          assert.equal(init.length, 1);
          assert.match(init[0]!, /Config="\{[^"]*\bWarpAPIEnabled:false\b/);

          const { status: exit, ms: stopMs } = await run2.stop("SIGTERM");
          log(
            `second start: SIGTERM to parsd: exited ${JSON.stringify(exit)} after ${secs(stopMs)}`,
          );
          assert.equal(exit.code, nodeStopCode);
          assert.match(await textFrom(site.logs.main, offsets.main), /finished node shutdown/);
        },
      );

      await step(
        "a tampered source changes nothing the node runs; a tampered sealed copy is refused (65) before the node starts",
        async () => {
          const bin = join(site.root, "bin");
          const tampered = join(bin, "evm-tampered");
          await Deno.copyFile(node.subnetEvm, tampered);
          await Deno.writeFile(tampered, new Uint8Array([0x0a]), { append: true });
          await Deno.chmod(tampered, 0o755);
          const got = await sha256File(tampered);
          const evmCopy = sealed(node.binaries.subnetEvm.sha256);
          const good = await site.parsd([
            "run",
            "--dry-run",
            ...site.args(allow, { evm: tampered }),
          ]);
          assert.equal(good.code, 0, show(good));
          const planned = (JSON.parse(good.stdout) as Plan).plugins.find((p) => p.name === "evm");
          assert.equal(planned?.target, evmCopy, "the sealed copy runs, whatever the source");
          const doctor = await site.parsd(["doctor", ...site.args(allow, { evm: tampered })]);
          assert.match(
            doctor.stdout,
            new RegExp(
              `^warn\\s+plugin evm\\s+${
                esc(tampered)
              }: source changed since pin \\(sha256 ${got}\\); luxd runs the pinned copy ${
                esc(evmCopy)
              }$`,
              "m",
            ),
          );

          // The sealed copy itself, altered (only its owner, or root, can): refused, nothing started.
          await Deno.chmod(evmCopy, 0o700);
          await Deno.writeFile(evmCopy, new Uint8Array([0x0a]), { append: true });
          await Deno.chmod(evmCopy, 0o500);
          const before = await snapshot(site.dataDir);
          const r = await site.parsd(["run", ...site.args(allow)]);
          assert.equal(r.code, 65, show(r));
          assert.match(
            r.stderr,
            new RegExp(
              `^parsd: error: plugin evm: store entry ${
                esc(evmCopy)
              } hashes to ${got}, not ${node.binaries.subnetEvm.sha256}: it was altered`,
              "m",
            ),
          );
          assert.doesNotMatch(r.stderr, /parsd: starting/);
          assert.deepEqual(await snapshot(site.dataDir), before);
          assert.ok(portFree(site.httpPort) && portFree(site.stakingPort));
          assert.equal(
            await sha256File(node.subnetEvm),
            node.binaries.subnetEvm.sha256,
            "the cached binary changed",
          );
        },
      );

      log(`whole test: ${secs(performance.now() - began)}`);
    } finally {
      for (const run of runs) await run.finish();
      await site.cleanup();
    }
  },
);
