/**
 * End-to-end: `parsd devnet` (main.ts under the start task's permissions)
 * runs a real three-node network of avalanchego 1.13.5 (luxd's upstream)
 * with sybil protection on, each node a `parsd run` of its own, subnet-evm
 * v0.7.9 as the EVM plugin (it cannot register here: the hard fd limit is
 * below its 32768, so `--allow-vm-failure=evm`; the C-chain is coreth, built
 * into the node) and a shell-script stand-in for SessionVM. One test in
 * steps, each building on the network the previous one left.
 *
 * Where the binaries cannot be had (no Go, the module proxy refuses or
 * cannot be reached, not Linux) the test is an explicit, named skip.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { createPublicClient, createWalletClient, defineChain, http, parseEther } from "viem";
import { generatePrivateKey, privateKeyToAccount, privateKeyToAddress } from "viem/accounts";
import { EVM_PLUGIN_FD_LIMIT } from "../../lib/network/pars.ts";
import { AMOUNTS } from "../../lib/devnet/genesis.ts";
import type { DevnetState } from "../../lib/devnet/state.ts";
import { parsd, type Result, snapshot } from "../helpers.ts";
import type { E2eNode } from "../../scripts/build_e2e_node.ts";
import {
  alive,
  cmdline,
  descendants,
  hardNofile,
  pinned,
  portFree,
  realNode,
  type Running,
  type Site,
  sizeOf,
  startParsd,
  textFrom,
  vmHwm,
  waitUntil,
} from "../../scripts/real_node.ts";

const NODES = 3;
/** How long the network may take to be healthy (about 10 s here once the nodes start). */
const HEALTHY_WITHIN_MS = 120_000;
/** Each node's --shutdown-grace; a node must stop well within it. */
const GRACE_MS = 20_000;

const show = (r: Result) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const log = (line: string) => console.log(`devnet e2e: ${line}`);

/** JSON-RPC 2.0 with params; the result, or throws with the error. */
async function call(port: number, path: string, method: string, params: unknown): Promise<unknown> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = await response.json() as { result?: unknown; error?: unknown };
  if (body.error !== undefined) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.result;
}

/**
 * The node processes under `pid`, one per data dir in `dataDirs` order: the
 * processes whose argv has `--data-dir=<that dir>` (parsd runs the node as
 * `<data-dir>/bin/luxd`, a link to its sealed copy).
 */
async function nodePids(pid: number, dataDirs: readonly string[]): Promise<number[]> {
  const found = new Map<string, number>();
  for (const p of await descendants(pid)) {
    const argv = await cmdline(p) ?? [];
    const dir = dataDirs.find((d) => argv.includes(`--data-dir=${d}`));
    if (dir !== undefined && !argv[0]?.endsWith("deno")) found.set(dir, p);
  }
  return dataDirs.flatMap((d) => found.has(d) ? [found.get(d)!] : []);
}

/**
 * A stand-in SessionVM: it answers `--version` as an rpcchainvm plugin of
 * protocol 43 would (and names the engine-address variable, so parsd asks
 * it), and exits 1 when the node starts it: the node logs `failed to
 * register VM` and runs on.
 */
const STAND_IN = [
  "#!/bin/sh",
  "# Stand-in SessionVM for parsd's devnet test; AVALANCHE_VM_RUNTIME_ENGINE_ADDR is never read.",
  'if [ "${1:-}" = "--version" ]; then echo "SessionVM-standin/0.0.0 [rpcchainvm=43]"; exit 0; fi',
  "exit 1",
  "",
].join("\n");

/**
 * A throwaway home with luxd and both plugins pinned by `parsd plugins pin`,
 * as `startParsd` of `scripts/real_node.ts` needs it (its root, env and
 * node; the one-node fields are not used here).
 */
async function makeDevnetSite(node: E2eNode): Promise<Site> {
  const root = await Deno.makeTempDir({ prefix: "parsd-devnet-e2e-" });
  const home = join(root, "home");
  const standIn = join(root, "sessionvm");
  await Deno.mkdir(home);
  await Deno.writeTextFile(standIn, STAND_IN);
  await Deno.chmod(standIn, 0o755);
  // parsd's children (and theirs) find the npm packages in this test's own Deno cache.
  const info = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdout: "piped",
  })
    .output();
  const env = {
    HOME: home,
    DENO_DIR: (JSON.parse(new TextDecoder().decode(info.stdout)) as { denoDir: string }).denoDir,
  };
  const site = {
    node,
    root,
    home,
    dataDir: join(home, ".pars"),
    standIn,
    env,
    parsd: (args: readonly string[]) => parsd(args, { env }),
    cleanup: () => Deno.remove(root, { recursive: true }),
  } as unknown as Site;
  return await pinned(site, standIn);
}

// The node is found (or built) inside the test, never at load time: a build must not stall the
// collection of the whole suite.
Deno.test(
  `devnet e2e: ${NODES} avalanchego validators with sybil protection: ` +
    "consensus on the generated validators and keys, a C-chain transfer, down, and up again",
  async (t) => {
    const available = await realNode();
    if ("skip" in available) {
      console.log(`devnet e2e: skipped: ${available.skip}`);
      await t.step({ name: `skipped: ${available.skip}`, ignore: true, fn() {} });
      return;
    }
    await devnetE2e(t, available.node);
  },
);

/** The whole end-to-end run against the real node. */
async function devnetE2e(t: Deno.TestContext, node: E2eNode): Promise<void> {
  {
    {
      const began = performance.now();
      const site = await makeDevnetSite(node);
      const dir = join(site.root, "devnet");
      const hard = await hardNofile();
      const blocked = typeof hard === "number" && hard < EVM_PLUGIN_FD_LIMIT;
      const runs: Running[] = [];
      let failed = false;
      const step = async (name: string, fn: () => Promise<void>, ignore = false) => {
        const ok = await t.step({ name, ignore: ignore || failed, fn });
        if (!ok && !ignore) failed = true;
      };
      const base = [
        "--dir",
        dir,
        "--luxd",
        node.avalanchego,
        "--evm-plugin",
        node.subnetEvm,
        "--sessionvm-plugin",
        site.standIn,
        "--shutdown-grace",
        `${GRACE_MS / 1000}s`,
      ];
      const allow = ["--allow-vm-failure=evm"];
      const devnet = (...args: string[]) => site.parsd(["devnet", ...args]);
      let state: DevnetState | undefined;
      const ports = () => state!.nodes.map((n) => n.httpPort);
      /** Starts `devnet up` and waits for its table (every node healthy); ms from spawn. */
      const up = async (label: string, extra: string[] = []) => {
        const run = startParsd(site, ["devnet", "up", ...base, ...allow, ...extra], label);
        runs.push(run);
        const ms = await waitUntil(
          run,
          "the devnet's table (every node healthy)",
          async () =>
            (await Deno.readTextFile(run.stdoutFile).catch(() => "")).includes("C-CHAIN RPC"),
          HEALTHY_WITHIN_MS,
          250,
        );
        state = JSON.parse(await Deno.readTextFile(join(dir, "devnet.json")));
        return { run, ms };
      };
      let first: Running | undefined;
      let chains: { X: string; C: string } | undefined;
      const recipient = privateKeyToAddress(generatePrivateKey());
      const amount = parseEther("1.5");
      let luxdPids: number[] = [];

      try {
        await step(
          blocked
            ? "up without --allow-vm-failure=evm exits 78 as doctor does, before anything is made"
            : `up without --allow-vm-failure=evm: not applicable, the hard fd limit ${hard} lets the EVM register`,
          async () => {
            const before = await snapshot(site.root);
            const r = await devnet("up", "--nodes", String(NODES), ...base);
            assert.equal(r.code, 78, show(r));
            assert.match(
              r.stderr,
              /^parsd: error: the EVM plugin raises its open-file limit to 32768 and exits when the hard limit is lower.*--allow-vm-failure=evm$/m,
            );
            assert.deepEqual(await snapshot(site.root), before, "something was written");
          },
          !blocked,
        );

        await step(
          "up: every node healthy; the table names each node's NodeID and URLs",
          async () => {
            const { run, ms } = await up("up1", ["--nodes", String(NODES)]);
            first = run;
            log(`devnet up (${NODES} nodes, new): every node healthy after ${secs(ms)}`);
            assert.equal(state!.nodes.length, NODES);
            const stdout = await Deno.readTextFile(run.stdoutFile);
            for (const n of state!.nodes) {
              assert.match(
                stdout,
                new RegExp(
                  `^${n.name}\\s+${n.nodeId}\\s+http://127\\.0\\.0\\.1:${n.httpPort}\\s+http://127\\.0\\.0\\.1:${n.httpPort}/ext/bc/C/rpc$`,
                  "m",
                ),
              );
            }
            assert.match(stdout, new RegExp(`C-chain ${state!.dev.c} \\(chain ID 7072\\)`));
            const stderr = await Deno.readTextFile(run.stderrFile);
            for (const n of state!.nodes) {
              assert.match(stderr, new RegExp(`^parsd: ${n.name} healthy after [\\d.]+ s`, "m"));
            }
            luxdPids = await nodePids(run.pid, state!.nodes.map((n) => join(dir, n.name)));
            assert.equal(luxdPids.length, NODES, "one node process per node");
          },
        );

        await step(
          "sybil protection is on: each node's argv says so, and the stake is the genesis'",
          async () => {
            for (const pid of luxdPids) {
              const argv = (await cmdline(pid))!;
              assert.ok(argv.includes("--sybil-protection-enabled=true"), argv.join(" "));
              assert.ok(argv.some((a) => a.startsWith("--genesis-file")), argv.join(" "));
              assert.ok(argv.some((a) => a.startsWith("--bootstrap-ids=")), argv.join(" "));
            }
          },
        );

        await step(
          "platform.getCurrentValidators on every node: exactly the generated NodeIDs and BLS keys",
          async () => {
            const want = state!.nodes.map((n) => [n.nodeId, n.blsPublicKey]).sort();
            for (const port of ports()) {
              const { validators } = await call(
                port,
                "/ext/bc/P",
                "platform.getCurrentValidators",
                {},
              ) as {
                validators: { nodeID: string; weight: string; signer: { publicKey: string } }[];
              };
              assert.deepEqual(validators.map((v) => [v.nodeID, v.signer.publicKey]).sort(), want);
              // With sybil protection off every peer would weigh 100; these are the genesis stakes.
              for (const v of validators) assert.equal(v.weight, String(AMOUNTS.stake));
            }
          },
        );

        await step(
          "info.getNodeID on each node is parsd node-id of its certificate, with its BLS key",
          async () => {
            for (const [i, n] of state!.nodes.entries()) {
              const id = await site.parsd(["node-id", "--data-dir", join(dir, `node-${i + 1}`)]);
              assert.equal(id.code, 0, show(id));
              assert.equal(id.stdout.trim(), n.nodeId);
              const info = await call(n.httpPort, "/ext/info", "info.getNodeID", {}) as {
                nodeID: string;
                nodePOP: { publicKey: string };
              };
              assert.equal(info.nodeID, n.nodeId);
              assert.equal(info.nodePOP.publicKey, n.blsPublicKey);
            }
          },
        );

        await step("every node reports the same blockchain IDs for X and C", async () => {
          const ids = await Promise.all(
            ports().map(async (port) => ({
              X: (await call(port, "/ext/info", "info.getBlockchainID", { alias: "X" }) as {
                blockchainID: string;
              }).blockchainID,
              C: (await call(port, "/ext/info", "info.getBlockchainID", { alias: "C" }) as {
                blockchainID: string;
              }).blockchainID,
            })),
          );
          for (const got of ids) assert.deepEqual(got, ids[0]);
          chains = ids[0];
          log(`blockchain IDs: X ${chains!.X}, C ${chains!.C}`);
        });

        await step(
          "the C-chain: eth_chainId 0x1ba0, the development key holds its genesis allocation",
          async () => {
            for (const port of ports()) {
              assert.equal(await call(port, "/ext/bc/C/rpc", "eth_chainId", []), "0x1ba0");
              const balance = await call(port, "/ext/bc/C/rpc", "eth_getBalance", [
                state!.dev.c,
                "latest",
              ]);
              assert.equal(BigInt(balance as string), AMOUNTS.cWei);
            }
          },
        );

        await step(
          "a transfer signed with the development key is accepted; every node shows it",
          async () => {
            const key = (await Deno.readTextFile(join(dir, "dev.key"))).trim() as `0x${string}`;
            const account = privateKeyToAccount(key);
            assert.equal(account.address, state!.dev.c);
            const chain = defineChain({
              id: 7072,
              name: "pars-devnet",
              nativeCurrency: { name: "PARS", symbol: "PARS", decimals: 18 },
              rpcUrls: { default: { http: [`http://127.0.0.1:${ports()[0]}/ext/bc/C/rpc`] } },
            });
            const wallet = createWalletClient({ account, chain, transport: http() });
            const hash = await wallet.sendTransaction({ to: recipient, value: amount });
            const t0 = performance.now();
            for (const port of ports()) {
              const client = createPublicClient({
                chain,
                transport: http(`http://127.0.0.1:${port}/ext/bc/C/rpc`),
              });
              const receipt = await client.waitForTransactionReceipt({
                hash,
                timeout: 30_000,
                pollingInterval: 250,
              });
              assert.equal(receipt.status, "success");
              assert.equal(await client.getBalance({ address: recipient }), amount);
            }
            log(`transfer ${hash}: on every node within ${secs(performance.now() - t0)}`);
          },
        );

        await step(
          "status from another terminal: every node healthy (exit 0); a second up is refused (75)",
          async () => {
            const text = await devnet("status", "--dir", dir);
            assert.equal(text.code, 0, show(text));
            for (const n of state!.nodes) {
              assert.match(
                text.stdout,
                new RegExp(
                  `^${n.name}\\s+healthy\\s+${n.nodeId}\\s+http://127\\.0\\.0\\.1:${n.httpPort}`,
                  "m",
                ),
              );
            }
            const json = JSON.parse((await devnet("status", "--dir", dir, "--json")).stdout);
            assert.equal(json.healthy, true);
            assert.equal(json.pid, first!.pid);
            const second = await devnet("up", ...base, ...allow);
            assert.equal(second.code, 75, show(second));
            assert.match(
              second.stderr,
              new RegExp(`a devnet is already running in .* \\(pid ${first!.pid}\\)`),
            );
          },
        );

        await step("peak memory of each node", async () => {
          for (const [i, pid] of luxdPids.entries()) {
            log(`node-${i + 1} luxd peak RSS ${((await vmHwm(pid))! / 2 ** 20).toFixed(0)} MiB`);
          }
          await Promise.resolve();
        });

        await step("down stops every node gracefully; nothing is left running", async () => {
          const offsets = await Promise.all(
            state!.nodes.map((_, i) => sizeOf(join(dir, `node-${i + 1}`, "logs", "main.log"))),
          );
          const t0 = performance.now();
          const down = await devnet("down", "--dir", dir);
          assert.equal(down.code, 0, show(down));
          log(`devnet down: ${secs(performance.now() - t0)}`);
          const exit = await first!.done;
          assert.equal(exit.code, 0, await first!.tail());
          for (const [i] of state!.nodes.entries()) {
            const main = await textFrom(
              join(dir, `node-${i + 1}`, "logs", "main.log"),
              offsets[i]!,
            );
            assert.match(main, /finished node shutdown/, `node-${i + 1}`);
          }
          for (const pid of luxdPids) {
            assert.equal(alive(pid), false, `node process ${pid} still runs`);
          }
          for (const p of ports()) assert.ok(portFree(p), `port ${p} still taken`);
          assert.doesNotMatch(await Deno.readTextFile(first!.stderrFile), /SIGKILL/);
          const status = await devnet("status", "--dir", dir);
          assert.equal(status.code, 75, show(status));
        });

        await step(
          "up again brings the same network back: same blockchain IDs, the transfer still there",
          async () => {
            const { run, ms } = await up("up2");
            log(`devnet up (resumed): every node healthy after ${secs(ms)}`);
            assert.match(await Deno.readTextFile(run.stderrFile), /resuming network 7072, 3 nodes/);
            for (const port of ports()) {
              for (const alias of ["X", "C"] as const) {
                const got = await call(port, "/ext/info", "info.getBlockchainID", { alias }) as {
                  blockchainID: string;
                };
                assert.equal(got.blockchainID, chains![alias]);
              }
              const balance = await call(port, "/ext/bc/C/rpc", "eth_getBalance", [
                recipient,
                "latest",
              ]);
              assert.equal(BigInt(balance as string), amount);
            }
            // Ctrl-C's signal, as a terminal would send it to up alone.
            const pids = await nodePids(run.pid, state!.nodes.map((n) => join(dir, n.name)));
            assert.equal(pids.length, NODES);
            luxdPids.push(...pids);
            const logs = state!.nodes.map((n) => join(dir, n.name, "logs", "main.log"));
            const offsets = await Promise.all(logs.map(sizeOf));
            const { status, ms: stopMs } = await run.stop("SIGINT");
            log(`SIGINT to devnet up: exited ${JSON.stringify(status)} after ${secs(stopMs)}`);
            assert.equal(status.code, 0, await run.tail());
            for (const [i, path] of logs.entries()) {
              assert.match(await textFrom(path, offsets[i]!), /finished node shutdown/, path);
            }
            for (const pid of pids) {
              assert.equal(alive(pid), false, `node process ${pid} still runs`);
            }
          },
        );

        log(`whole test: ${secs(performance.now() - began)}`);
      } finally {
        for (const run of runs) await run.finish();
        for (const pid of luxdPids) if (alive(pid)) Deno.kill(pid, "SIGKILL");
        await site.cleanup();
      }
    }
  }
}
