/**
 * @module
 * A real node for the end-to-end test (`real_node_test.ts`) and the node
 * bench (`scripts/bench_node.ts`): avalanchego 1.13.5 (luxd's upstream) and
 * subnet-evm v0.7.9 from {@linkcode ensureE2eNode}, a stand-in SessionVM,
 * free loopback ports and a throwaway home; parsd (`main.ts` under the start
 * task's flags, {@linkcode parsdArgv}) or the node by hand, each described by
 * one {@linkcode RunRequest}: run to completion through the kit's
 * `spawnCapture`, or started with its output drained to files, its pid known
 * and its health polled. Linux only: it reads `/proc`. Never imports from
 * `tests/`.
 */

import { join } from "../lib/os/path.ts";
import { denoSystem } from "../lib/os/system.ts";
import { hardNofileLimit } from "../lib/start/facts.ts";
import { type E2eNode, E2eUnavailableError, ensureE2eNode } from "./build_e2e_node.ts";
import { oneLine, parsdArgv, REPO_ROOT, shellQuote } from "./kit.ts";
import { type EnvVars, type RunRequest, type RunResult, spawnCapture } from "./run.ts";

/** The node and its plugin, or why they cannot be had here. */
export type Availability = { readonly node: E2eNode } | { readonly skip: string };

/**
 * Gets the binaries (installed from the Go module proxy on first use, cached
 * after). Needs `--allow-all`-like permissions (run, read, write, env).
 *
 * @returns `{ skip }` with a plain reason when Go is missing, the proxy
 *   refuses or cannot be reached, or this is not Linux.
 * @throws whatever else {@linkcode ensureE2eNode} throws (a failed build, a
 *   wrong version): that is a failure, not a reason to skip.
 */
export async function realNode(): Promise<Availability> {
  if (Deno.build.os !== "linux") {
    return { skip: `needs Linux (/proc); this is ${Deno.build.os}` };
  }
  try {
    return { node: await ensureE2eNode() };
  } catch (error) {
    if (error instanceof E2eUnavailableError) return { skip: oneLine(error.message) };
    throw error;
  }
}

/** `n` distinct TCP ports that were free on 127.0.0.1 a moment ago (bound to port 0, then closed). */
export function freePorts(n: number): number[] {
  const listeners = Array.from(
    { length: n },
    () => Deno.listen({ hostname: "127.0.0.1", port: 0 }),
  );
  try {
    return listeners.map((l) => (l.addr as Deno.NetAddr).port);
  } finally {
    for (const l of listeners) l.close();
  }
}

/** Whether `port` can be bound on 127.0.0.1 now. */
export function portFree(port: number): boolean {
  try {
    Deno.listen({ hostname: "127.0.0.1", port }).close();
    return true;
  } catch {
    return false;
  }
}

/** The hard RLIMIT_NOFILE this process (and so parsd and the node) runs under, as parsd reads it. */
export function hardNofile(): Promise<number | "unlimited" | undefined> {
  return hardNofileLimit(denoSystem);
}

/** The deno dir of the deno running this, for parsd runs with a throwaway HOME. */
async function denoDir(): Promise<string> {
  const r = await spawnCapture({ cmd: Deno.execPath(), args: ["info", "--json"] });
  return (JSON.parse(r.stdout) as { denoDir: string }).denoDir;
}

/**
 * How to run `parsd ARGS` as the end-to-end tests do: main.ts under the start
 * task's flags, from the repo, with only PATH, NO_COLOR, DENO_DIR and `env`.
 */
export function parsdRequest(args: readonly string[], env: EnvVars): RunRequest {
  return {
    cmd: Deno.execPath(),
    args: parsdArgv(args),
    cwd: REPO_ROOT,
    clearEnv: true,
    env: { PATH: "/usr/bin:/bin", NO_COLOR: "1", ...env },
  };
}

/**
 * The stand-in SessionVM: a shell script that answers `--version` as a
 * plugin for `rpcchainvm` would, and, started by the node, appends
 * `started <NAME>=<addr>` (the runtime address the node handed it) to
 * `record`, then exits 1. It cannot speak gRPC, so the node logs `failed to
 * register VM` for it and runs on. It names the full address variable in a
 * comment, as an rpcchainvm plugin's binary does: parsd asks `--version` only
 * of a binary that mentions it (any other may do anything when run).
 */
export function standInSessionVm(record: string, rpcchainvm: number): string {
  return [
    "#!/bin/sh",
    "# Stand-in SessionVM for parsd's real-node test (scripts/real_node.ts).",
    "# It names AVALANCHE_VM_RUNTIME_ENGINE_ADDR, as a plugin does, so that parsd asks it --version.",
    'if [ "${1:-}" = "--version" ]; then',
    `  echo 'SessionVM-standin/0.0.0 [rpcchainvm=${rpcchainvm}]'`,
    "  exit 0",
    "fi",
    `echo "started $(env | grep 'VM_RUNTIME_ENGINE_ADD[R]=')" >> ${shellQuote(record)}`,
    "exit 1",
    "",
  ].join("\n");
}

/**
 * luxd flags the test and bench pass through parsd (after `--`), each needed
 * for one node on a custom network ID on loopback:
 * - `--sybil-protection-enabled=false`: a single node validates alone;
 * - `--public-ip=127.0.0.1`: no NAT/UPnP probing (2 s, and a made-up IP);
 * - `--staking-host=127.0.0.1`: the P2P port on loopback only (the HTTP
 *   host already defaults to 127.0.0.1);
 * - `--health-check-frequency=250ms`: health is re-evaluated every 250 ms
 *   instead of every 30 s, so "healthy" is seen when it happens.
 */
export const PASSTHROUGH: readonly string[] = [
  "--sybil-protection-enabled=false",
  "--public-ip=127.0.0.1",
  "--staking-host=127.0.0.1",
  "--health-check-frequency=250ms",
];

/** A throwaway place to run the real node: home, data dir, stand-in, ports. */
export interface Site {
  readonly node: E2eNode;
  readonly root: string;
  readonly home: string;
  /** `<home>/.pars`, parsd's default data dir. */
  readonly dataDir: string;
  readonly standIn: string;
  /** What the stand-in appends to when the node starts it. */
  readonly record: string;
  readonly httpPort: number;
  readonly stakingPort: number;
  /** parsd's environment ({@linkcode parsdRequest} adds PATH and NO_COLOR). */
  readonly env: Record<string, string>;
  /** The node's logs (avalanchego's default `--log-dir` is `<data-dir>/logs`). */
  readonly logs: { readonly main: string; readonly c: string; readonly vmFactory: string };
  /**
   * parsd's flags (`--luxd`, both plugins, both ports), then `extra`, then
   * `--` and {@linkcode PASSTHROUGH}. `evm` replaces the EVM plugin's path.
   */
  args(extra?: readonly string[], o?: { evm?: string }): string[];
  /** Runs parsd to completion with this site's environment. */
  parsd(args: readonly string[]): Promise<RunResult>;
  cleanup(): Promise<void>;
}

/**
 * Makes a {@linkcode Site} and pins the node and both plugins with `parsd plugins pin`.
 *
 * @throws {Error} with parsd's stderr when pinning fails.
 */
export async function makeSite(node: E2eNode): Promise<Site> {
  const root = await Deno.makeTempDir({ prefix: "parsd-real-node-" });
  const home = join(root, "home");
  const bin = join(root, "bin");
  await Deno.mkdir(home);
  await Deno.mkdir(bin);
  const record = join(root, "sessionvm-standin.record");
  const standIn = join(bin, "sessionvm");
  await Deno.writeTextFile(standIn, standInSessionVm(record, node.rpcchainvm));
  await Deno.chmod(standIn, 0o755);
  const [httpPort, stakingPort] = freePorts(2) as [number, number];
  const dataDir = join(home, ".pars");
  const env = { HOME: home, DENO_DIR: await denoDir() };
  const logsDir = join(dataDir, "logs");
  const site: Site = {
    node,
    root,
    home,
    dataDir,
    standIn,
    record,
    httpPort,
    stakingPort,
    env,
    logs: {
      main: join(logsDir, "main.log"),
      c: join(logsDir, "C.log"),
      vmFactory: join(logsDir, "vm-factory.log"),
    },
    args: (extra = [], o = {}) => [
      "--luxd",
      node.avalanchego,
      "--evm-plugin",
      o.evm ?? node.subnetEvm,
      "--sessionvm-plugin",
      standIn,
      "--http-port",
      String(httpPort),
      "--staking-port",
      String(stakingPort),
      ...extra,
      "--",
      ...PASSTHROUGH,
    ],
    parsd: (args) => spawnCapture(parsdRequest(args, env)),
    cleanup: () => Deno.remove(root, { recursive: true }),
  };
  return await pinned(site, standIn);
}

/**
 * Pins luxd, the EVM and the SessionVM `standIn` in the site's data dir with
 * `parsd plugins pin` (with no names, pin covers luxd too: parsd runs all
 * three from their sealed copies); removes the site if that fails.
 */
export async function pinned<S extends Pick<Site, "node" | "parsd" | "cleanup">>(
  site: S,
  standIn: string,
): Promise<S> {
  const pin = await site.parsd([
    "plugins",
    "pin",
    "--luxd",
    site.node.avalanchego,
    "--evm-plugin",
    site.node.subnetEvm,
    "--sessionvm-plugin",
    standIn,
  ]);
  if (pin.code !== 0) {
    await site.cleanup();
    throw new Error(`parsd plugins pin exited ${pin.code}: ${pin.stderr}`);
  }
  return site;
}

/**
 * Waits until each file's last change (ctime) is over 2.5 s old: parsd's
 * verification cache records only such files (the racily-clean rule), and a
 * restart reads the cache (no re-hash, no luxd probe) only if the first start
 * recorded them.
 */
export async function settleCtimes(paths: readonly string[]): Promise<void> {
  for (const p of paths) {
    const ctime = (await Deno.stat(p)).ctime?.getTime() ?? Date.now();
    const wait = ctime + 2500 - Date.now();
    if (wait > 0) await sleep(wait);
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A process started by {@linkcode startParsd} or {@linkcode startByHand}. */
export interface Running {
  readonly label: string;
  /** The process started: parsd's deno, or the node itself when by hand. */
  readonly pid: number;
  /** `performance.now()` at spawn. */
  readonly startedAt: number;
  /** Its stdout and stderr, drained to these files as it runs. */
  readonly stdoutFile: string;
  readonly stderrFile: string;
  /** Whether it has exited. */
  exited(): boolean;
  /** Its exit, once its output is drained too. */
  readonly done: Promise<Deno.CommandStatus>;
  /** The node's pid: parsd's child running the node binary, or {@linkcode pid} by hand. */
  nodePid(): Promise<number | undefined>;
  /** Sends `signal` and waits for the exit; `ms` from signal to exit. */
  stop(signal?: Deno.Signal): Promise<{ status: Deno.CommandStatus; ms: number }>;
  /**
   * Makes sure nothing is left running: SIGTERM, then after `graceMs`
   * SIGKILL to the node and the process. Safe to call at any time.
   */
  finish(graceMs?: number): Promise<void>;
  /** The last `n` lines of stdout and stderr, for failure messages. */
  tail(n?: number): Promise<string>;
}

/** Starts `req` (stdin closed) with its stdout and stderr drained to `<base>.stdout` and `<base>.stderr`. */
function start(
  label: string,
  req: RunRequest,
  base: string,
  findNode: (pid: number) => Promise<number | undefined>,
): Running {
  const child = new Deno.Command(req.cmd, {
    args: [...(req.args ?? [])],
    ...(req.cwd !== undefined ? { cwd: req.cwd } : {}),
    ...(req.env !== undefined ? { env: { ...req.env } } : {}),
    clearEnv: req.clearEnv ?? false,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const files = { stdout: `${base}.stdout`, stderr: `${base}.stderr` };
  const startedAt = performance.now();
  let exited = false;
  // Written chunk by chunk, so that the files can be read while it runs
  // (`pipeTo(file.writable)` holds chunks back until the stream ends).
  const drain = async (stream: ReadableStream<Uint8Array>, path: string) => {
    const file = await Deno.open(path, { write: true, create: true, append: true });
    try {
      for await (const chunk of stream) {
        for (let at = 0; at < chunk.length;) at += await file.write(chunk.subarray(at));
      }
    } finally {
      file.close();
    }
  };
  const drained = Promise.all([
    drain(child.stdout, files.stdout),
    drain(child.stderr, files.stderr),
  ]);
  const done = (async () => {
    const status = await child.status;
    exited = true;
    await drained;
    return status;
  })();
  let nodePid: number | undefined;
  const send = (pid: number, signal: Deno.Signal) => {
    try {
      Deno.kill(pid, signal);
    } catch {
      // Already gone.
    }
  };
  const running: Running = {
    label,
    pid: child.pid,
    startedAt,
    stdoutFile: files.stdout,
    stderrFile: files.stderr,
    exited: () => exited,
    done,
    async nodePid() {
      if (nodePid === undefined && !exited) nodePid = await findNode(child.pid);
      return nodePid;
    },
    async stop(signal = "SIGTERM") {
      const t0 = performance.now();
      if (!exited) child.kill(signal);
      const status = await done;
      return { status, ms: performance.now() - t0 };
    },
    async finish(graceMs = 15_000) {
      if (!exited) {
        const node = await running.nodePid();
        send(child.pid, "SIGTERM");
        let timer: ReturnType<typeof setTimeout> | undefined;
        const late = new Promise<"late">((r) => timer = setTimeout(() => r("late"), graceMs));
        const how = await Promise.race([done.then(() => "done" as const), late]);
        clearTimeout(timer);
        if (how === "late") {
          if (node !== undefined) send(node, "SIGKILL");
          send(child.pid, "SIGKILL");
        }
      }
      await done;
      // parsd waits for the node, but if parsd itself was killed the node may remain.
      if (nodePid !== undefined && nodePid !== child.pid && alive(nodePid)) {
        send(nodePid, "SIGKILL");
      }
    },
    async tail(n = 30) {
      const last = async (p: string) =>
        (await Deno.readTextFile(p).catch(() => "")).trimEnd().split("\n").slice(-n).join("\n");
      return `--- ${label} stdout (last ${n} lines)\n${await last(files.stdout)}\n` +
        `--- ${label} stderr (last ${n} lines)\n${await last(files.stderr)}`;
    },
  };
  return running;
}

/** Whether a process with this pid exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(Deno.readTextFileSync(`/proc/${pid}/stat`));
  } catch {
    return false;
  }
}

/** The pids whose parent is `pid` (from `/proc/<pid>/stat`). */
export async function childPids(pid: number): Promise<number[]> {
  const out: number[] = [];
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    const stat = await Deno.readTextFile(`/proc/${e.name}/stat`).catch(() => "");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[1]) === pid) out.push(Number(e.name));
  }
  return out;
}

/** Every process under `pid`, depth first. */
export async function descendants(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const c of await childPids(pid)) out.push(c, ...await descendants(c));
  return out;
}

/** A process's argv, from `/proc/<pid>/cmdline`; `undefined` once it is gone. */
export async function cmdline(pid: number): Promise<string[] | undefined> {
  const text = await Deno.readTextFile(`/proc/${pid}/cmdline`).catch(() => undefined);
  return text === undefined || text === "" ? undefined : text.replace(/\0$/, "").split("\0");
}

/** A process's peak resident set (VmHWM) in bytes; `undefined` once it is gone. */
export async function vmHwm(pid: number): Promise<number | undefined> {
  const text = await Deno.readTextFile(`/proc/${pid}/status`).catch(() => "");
  const m = /VmHWM:\s+(\d+) kB/.exec(text);
  return m ? Number(m[1]) * 1024 : undefined;
}

let runs = 0;

/**
 * Starts `parsd ARGS` (main.ts under the start task's permissions) without
 * waiting; its output goes to files under the site's root.
 */
export function startParsd(site: Site, args: readonly string[], label = "parsd"): Running {
  const base = join(site.root, `${++runs}-${label}`);
  return start(label, parsdRequest(args, site.env), base, async (pid) => {
    for (const c of await childPids(pid)) {
      // parsd runs the node as <data-dir>/bin/luxd, a link to its sealed copy.
      const argv0 = (await cmdline(c))?.[0];
      if (argv0 === join(site.dataDir, "bin", "luxd") || argv0 === site.node.avalanchego) return c;
    }
    return undefined;
  });
}

/**
 * Starts the node by hand with `argv` (e.g. `parsd --dry-run`'s `args`) and
 * the environment parsd's node gets (PATH, NO_COLOR, HOME; not parsd's DENO_DIR).
 */
export function startByHand(site: Site, argv: readonly string[], label = "by-hand"): Running {
  const base = join(site.root, `${++runs}-${label}`);
  const req: RunRequest = {
    cmd: site.node.avalanchego,
    args: argv,
    clearEnv: true,
    env: { PATH: "/usr/bin:/bin", NO_COLOR: "1", HOME: site.home },
  };
  return start(label, req, base, (pid) => Promise.resolve(pid));
}

/** JSON-RPC 2.0 to the node's API; the `result`, or throws with the `error`. */
export async function rpc(port: number, path: string, method: string): Promise<unknown> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: {} }),
    signal: AbortSignal.timeout(5000),
  });
  const body = await response.json() as { result?: unknown; error?: unknown };
  if (body.error !== undefined) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.result;
}

/** Whether `GET /ext/health` says `"healthy": true` now. */
export async function healthy(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/ext/health`, {
      signal: AbortSignal.timeout(2000),
    });
    const body = await response.json() as { healthy?: unknown };
    return body.healthy === true;
  } catch {
    return false;
  }
}

/**
 * Polls until `ready()` is true; returns ms since `run` started.
 *
 * @throws {Error} with the run's output when it exits first or `deadlineMs`
 *   (from the run's start) passes.
 */
export async function waitUntil(
  run: Running,
  what: string,
  ready: () => Promise<boolean>,
  deadlineMs: number,
  everyMs = 100,
): Promise<number> {
  while (true) {
    if (run.exited()) {
      const status = await run.done;
      throw new Error(
        `${run.label} exited (${JSON.stringify(status)}) before ${what}\n${await run.tail()}`,
      );
    }
    if (await ready()) return performance.now() - run.startedAt;
    if (performance.now() - run.startedAt > deadlineMs) {
      throw new Error(
        `${run.label}: no ${what} within ${deadlineMs / 1000} s\n${await run.tail()}`,
      );
    }
    await sleep(everyMs);
  }
}

/** The size of a file, 0 when it does not exist: an offset to read new log lines from. */
export async function sizeOf(path: string): Promise<number> {
  return (await Deno.stat(path).catch(() => undefined))?.size ?? 0;
}

/** A file's text from byte `offset` on ("" when it does not exist). */
export async function textFrom(path: string, offset: number): Promise<string> {
  const bytes = await Deno.readFile(path).catch(() => new Uint8Array());
  return new TextDecoder().decode(bytes.subarray(offset));
}
