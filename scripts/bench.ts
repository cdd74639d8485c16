/**
 * @module
 * `deno task bench`: how fast and how lean parsd's plugin verification is,
 * measured against `openssl dgst -sha256` on the same files in one run.
 *
 * It writes two plugin files (512 MiB each by default, `--size-mib N`) of
 * random 1 MiB blocks into a temp dir, pins them in a fresh data dir, and
 * times, as medians of `--reps` runs (default 3), each in its own process:
 *
 * 1. `openssl dgst -sha256 A B` (the baseline; skipped if openssl is missing);
 * 2. `deno run` of an empty script (the Deno startup floor);
 * 3. `main.ts --dry-run --verify=full` (cold: both plugins hashed) with its
 *    peak RSS, also at a smaller size to show memory stays flat;
 * 4. `main.ts --dry-run` with a warm verification cache;
 * 5. other hashing strategies on one file, to check the README's claims.
 *
 * Ratios are printed, not absolute targets alone: the machine is noisy.
 * The exit status is 0 whatever PASS/FAIL says (it is a report); non-zero
 * only when something fails to run. The temp dir is always removed.
 */

import { createHash } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256File } from "../lib/hash.ts";
import { statFacts } from "../lib/files.ts";

/** Bench options from the command line. */
export interface BenchOptions {
  /** Size of each plugin file, in MiB. */
  readonly sizeMiB: number;
  /** Size of each file for the memory-flatness run, in MiB. */
  readonly smallMiB: number;
  /** Timed repetitions per contender; the median is reported. */
  readonly reps: number;
}

/** A child run of {@linkcode strategyChild}: which strategy on which file. */
export interface StrategyRequest {
  readonly strategy: Strategy;
  readonly file: string;
}

/** The hashing strategies compared on one file. */
export const STRATEGIES = {
  "read-1m": "node:crypto, 1 MiB reads (lib/hash.ts)",
  "read-4m": "node:crypto, 4 MiB reads",
  "read-ahead-1m": "node:crypto, 1 MiB reads, read-ahead (2 buffers)",
  "stream": "file.readable piped into createHash",
  "subtle": "crypto.subtle.digest(whole file)",
} as const;

/** A key of {@linkcode STRATEGIES}. */
export type Strategy = keyof typeof STRATEGIES;

const MiB = 1 << 20;

/** The median of some numbers (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("median of no values");
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** `a / b` as `1.23x`, or `n/a` when either is missing or `b` is not positive. */
export function formatRatio(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || !(b > 0) || !Number.isFinite(a)) return "n/a";
  return `${(a / b).toFixed(2)}x`;
}

/** Bytes as MiB with one decimal, e.g. `47.3 MiB`; `n/a` when unknown. */
export function formatMiB(bytes: number | undefined): string {
  return bytes === undefined ? "n/a" : `${(bytes / MiB).toFixed(1)} MiB`;
}

/** The default smaller size for the memory-flatness run: an eighth, at most 64 MiB, at least 1. */
export function smallSizeFor(sizeMiB: number): number {
  return Math.max(1, Math.min(64, Math.floor(sizeMiB / 8)));
}

/** Whether a measured ratio is "about" a claimed factor: within a factor of 1.5 either way. */
export function roughlyMatches(ratio: number, claim: number): boolean {
  return ratio >= claim / 1.5 && ratio <= claim * 1.5;
}

/**
 * Parses `--size-mib N`, `--small-mib N` and `--reps N` (also `--flag=N`).
 *
 * @throws {Error} on an unknown flag or a value that is not a positive integer.
 */
export function parseBenchArgs(args: readonly string[]): BenchOptions {
  const values: Record<string, number> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const m = /^--(size-mib|small-mib|reps)(?:=(.*))?$/.exec(arg);
    if (!m) throw new Error(`unknown argument '${arg}'; use --size-mib N, --small-mib N, --reps N`);
    const raw = m[2] ?? args[++i];
    const n = Number(raw);
    if (raw === undefined || !Number.isSafeInteger(n) || n < 1) {
      throw new Error(`--${m[1]} needs a positive integer, got '${raw ?? ""}'`);
    }
    values[m[1]!] = n;
  }
  const sizeMiB = values["size-mib"] ?? 512;
  return {
    sizeMiB,
    smallMiB: values["small-mib"] ?? smallSizeFor(sizeMiB),
    reps: values["reps"] ?? 3,
  };
}

/** Right-aligns cells after the first into a compact table. */
export function renderTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => widths[i] = Math.max(widths[i] ?? 0, c.length));
  return rows.map((row) =>
    row.map((c, i) => i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)).join("  ")
      .trimEnd()
  ).join("\n");
}

/** Hashes `file` with one strategy; returns the hex digest and the milliseconds it took. */
export async function hashWith(
  strategy: Strategy,
  file: string,
): Promise<{ sha256: string; ms: number }> {
  const start = performance.now();
  let sha256: string;
  switch (strategy) {
    case "read-1m":
      sha256 = await sha256File(file);
      break;
    case "read-4m":
      sha256 = await readLoop(file, 4 * MiB, false);
      break;
    case "read-ahead-1m":
      sha256 = await readLoop(file, MiB, true);
      break;
    case "stream": {
      const hash = createHash("sha256");
      const f = await Deno.open(file);
      await f.readable.pipeTo(new WritableStream({ write: (chunk) => void hash.update(chunk) }));
      sha256 = hash.digest("hex");
      break;
    }
    case "subtle": {
      const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(file));
      sha256 = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
      break;
    }
  }
  return { sha256, ms: performance.now() - start };
}

async function readLoop(path: string, size: number, readAhead: boolean): Promise<string> {
  const file = await Deno.open(path);
  try {
    const hash = createHash("sha256");
    let cur = new Uint8Array(size);
    let next = new Uint8Array(size);
    let n = await file.read(cur);
    while (n !== null) {
      // With read-ahead the next read runs (off the JS thread) while this chunk is hashed.
      const pending = readAhead ? file.read(next) : undefined;
      hash.update(n === cur.length ? cur : cur.subarray(0, n));
      if (pending) {
        n = await pending;
        [cur, next] = [next, cur];
      } else n = await file.read(cur);
    }
    return hash.digest("hex");
  } finally {
    file.close();
  }
}

/** The child side of a strategy run: prints `{sha256, ms}` as JSON. */
export async function strategyChild(req: StrategyRequest): Promise<void> {
  console.log(JSON.stringify(await hashWith(req.strategy, req.file)));
}

// ---------------------------------------------------------------- measuring

/** One finished child: wall milliseconds, peak RSS bytes (if known), stdout. */
interface Run {
  readonly ms: number;
  readonly rss: number | undefined;
  readonly stdout: string;
}

const TIME = "/usr/bin/time";
const decoder = new TextDecoder();

const exists = async (path: string) => (await statFacts(path)) !== undefined;

async function which(name: string): Promise<string | undefined> {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir !== "" && await exists(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** The peak RSS of a running process, from `/proc/<pid>/status` (VmHWM), in bytes. */
async function vmHwm(pid: number): Promise<number | undefined> {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(await Deno.readTextFile(`/proc/${pid}/status`));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Options for a measured child. */
interface RunOptions {
  readonly cwd?: string;
  readonly env?: Record<string, string>;
}

/**
 * Runs a program to completion and measures it. Peak RSS comes from
 * `/usr/bin/time -f %M` when present (exact: the kernel's rusage), else from
 * polling VmHWM every 5 ms (a close lower bound).
 *
 * @throws {Error} with its stderr if the program fails.
 */
async function measure(
  useTime: boolean,
  tmp: string,
  cmd: string,
  args: readonly string[],
  o: RunOptions = {},
): Promise<Run> {
  const rssFile = join(tmp, "rss.txt");
  const [program, argv] = useTime
    ? [TIME, ["-f", "%M", "-o", rssFile, cmd, ...args]]
    : [cmd, [...args]];
  const opts: Deno.CommandOptions = { args: argv, stdout: "piped", stderr: "piped" };
  if (o.cwd !== undefined) opts.cwd = o.cwd;
  if (o.env !== undefined) Object.assign(opts, { env: o.env, clearEnv: true });
  const start = performance.now();
  const child = new Deno.Command(program, opts).spawn();
  let polled: number | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  if (!useTime) {
    const poll = async () => {
      const v = await vmHwm(child.pid);
      if (v !== undefined) polled = Math.max(polled ?? 0, v);
    };
    timer = setInterval(poll, 5);
  }
  const out = await child.output();
  const ms = performance.now() - start;
  if (timer !== undefined) clearInterval(timer);
  const stdout = decoder.decode(out.stdout);
  if (!out.success) {
    throw new Error(
      `${cmd} ${args.join(" ")} failed (exit ${out.code}):\n${decoder.decode(out.stderr).trim()}`,
    );
  }
  let rss = polled;
  if (useTime) {
    const kb = Number((await Deno.readTextFile(rssFile)).trim().split("\n").pop());
    rss = Number.isFinite(kb) ? kb * 1024 : undefined;
  }
  return { ms, rss, stdout };
}

/** Medians of repeated runs. */
interface Summary {
  /** Median wall time. */
  readonly ms: number;
  /** `min–max` wall time, to see the noise. */
  readonly range: string;
  /** The highest peak RSS seen (the conservative figure). */
  readonly rss: number | undefined;
}

function summarize(runs: readonly Run[]): Summary {
  const ms = runs.map((r) => r.ms);
  const rss = runs.map((r) => r.rss).filter((r): r is number => r !== undefined);
  return {
    ms: median(ms),
    range: `${Math.min(...ms).toFixed(0)}–${Math.max(...ms).toFixed(0)}`,
    rss: rss.length > 0 ? Math.max(...rss) : undefined,
  };
}

// ---------------------------------------------------------------- setup

/** Writes `sizeMiB` MiB of random-block data in 1 MiB chunks; returns its SHA-256. */
async function writePlugin(path: string, sizeMiB: number): Promise<string> {
  const block = new Uint8Array(MiB);
  for (let i = 0; i < MiB; i += 65536) crypto.getRandomValues(block.subarray(i, i + 65536));
  const hash = createHash("sha256");
  const file = await Deno.open(path, { write: true, createNew: true, mode: 0o755 });
  try {
    for (let i = 0; i < sizeMiB; i++) {
      new DataView(block.buffer).setUint32(0, i); // every chunk differs
      hash.update(block);
      let off = 0;
      while (off < block.length) off += await file.write(block.subarray(off));
    }
    await file.syncData(); // so background writeback does not disturb the timings
  } finally {
    file.close();
  }
  await Deno.chmod(path, 0o755);
  return hash.digest("hex");
}

/** A data dir with two pinned plugins. */
interface Fixture {
  readonly sizeMiB: number;
  readonly dataDir: string;
  readonly a: string;
  readonly b: string;
  readonly sha: { readonly a: string; readonly b: string };
}

async function makeFixture(tmp: string, label: string, sizeMiB: number): Promise<Fixture> {
  const dir = join(tmp, label);
  const dataDir = join(dir, "data");
  await Deno.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const a = join(dir, "evm-plugin");
  const b = join(dir, "sessionvm-plugin");
  const sha = { a: await writePlugin(a, sizeMiB), b: await writePlugin(b, sizeMiB) };
  const config = { plugins: { evm: { sha256: sha.a }, sessionvm: { sha256: sha.b } } };
  await Deno.writeTextFile(join(dataDir, "config.json"), JSON.stringify(config, null, 2) + "\n");
  return { sizeMiB, dataDir, a, b, sha };
}

/** The parsd argv for a fixture; `luxd` is a stub that exits 0. */
function parsdArgs(main: string, luxd: string, f: Fixture, extra: readonly string[]): string[] {
  return [
    "run",
    "-P=parsd",
    "--no-prompt",
    main,
    "--luxd",
    luxd,
    "--data-dir",
    f.dataDir,
    "--evm-plugin",
    f.a,
    "--sessionvm-plugin",
    f.b,
    ...extra,
  ];
}

/** Checks a `--dry-run` plan names both plugins with the pinned hashes. */
function checkPlan(stdout: string, f: Fixture): void {
  const plan = JSON.parse(stdout) as { plugins?: { target?: string; sha256?: string }[] };
  const got = new Map((plan.plugins ?? []).map((p) => [p.target, p.sha256]));
  if (got.get(f.a) !== f.sha.a || got.get(f.b) !== f.sha.b) {
    throw new Error(`parsd's plan does not show the pinned hashes:\n${stdout}`);
  }
}

// ---------------------------------------------------------------- main

/** Runs the whole bench and prints the report. */
export async function bench(o: BenchOptions): Promise<void> {
  const deno = Deno.execPath();
  const repo = fileURLToPath(new URL("..", import.meta.url));
  const main = join(repo, "main.ts");
  const self = fileURLToPath(import.meta.url);
  const openssl = await which("openssl");
  const useTime = await exists(TIME);
  const tmp = await Deno.makeTempDir({ prefix: "parsd-bench-" });
  try {
    const luxd = join(tmp, "luxd"); // a stub: the real run below starts it and it exits 0
    await Deno.writeTextFile(luxd, "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    await Deno.chmod(luxd, 0o755);
    const empty = join(tmp, "empty.ts");
    await Deno.writeTextFile(empty, "");
    // parsd's children: no PARS_* settings from this shell.
    const env = Object.fromEntries(
      Object.entries(Deno.env.toObject()).filter(([k]) => !/^PARSD?_/.test(k)),
    );
    const inRepo: RunOptions = { cwd: repo, env };

    const big = await makeFixture(tmp, "big", o.sizeMiB);
    const small = await makeFixture(tmp, "small", o.smallMiB);

    const ver = (await measure(false, tmp, deno, ["--version"])).stdout.split("\n")[0];
    const sslVer = openssl
      ? (await measure(false, tmp, openssl, ["version"])).stdout.trim()
      : "openssl: not found";
    console.log(
      `parsd bench: 2 × ${o.sizeMiB} MiB plugins (random 1 MiB blocks), median of ${o.reps}; ` +
        `${ver}; ${sslVer}`,
    );
    console.log(
      "All files are page-cache warm for every contender (just written, and read once before " +
        "timing;\ndropping the cache needs root): a fair comparison of hashing, not of the disk.",
    );
    console.log(
      `Peak RSS: ${useTime ? "/usr/bin/time -f %M (exact)" : "VmHWM polled every 5 ms"}.\n`,
    );

    const cold = (f: Fixture) =>
      measure(useTime, tmp, deno, parsdArgs(main, luxd, f, ["--dry-run", "--verify=full"]), inRepo);
    const warm = (f: Fixture) =>
      measure(
        useTime,
        tmp,
        deno,
        parsdArgs(main, luxd, f, ["--dry-run", "--verify=cache"]),
        inRepo,
      );
    const floor = () => measure(useTime, tmp, deno, ["run", "--no-prompt", empty], inRepo);
    const ssl = (files: string[]) => measure(useTime, tmp, openssl!, ["dgst", "-sha256", ...files]);

    // Warm-up, untimed: page cache, Deno's module cache, hashes right.
    if (openssl) await ssl([big.a, big.b, small.a, small.b]);
    await floor();
    checkPlan((await cold(small)).stdout, small);

    const runs = { ssl: [] as Run[], floor: [] as Run[], cold: [] as Run[], small: [] as Run[] };
    for (let i = 0; i < o.reps; i++) {
      if (openssl) runs.ssl.push(await ssl([big.a, big.b]));
      runs.floor.push(await floor());
      const c = await cold(big);
      checkPlan(c.stdout, big);
      runs.cold.push(c);
      runs.small.push(await cold(small));
    }

    // A real run (luxd is the stub) writes the cache; then dry-runs hit it. parsd only caches
    // files whose ctime is over 2 s old (racily-clean rule), so wait for that first.
    await settled([big.a, big.b]);
    await measure(false, tmp, deno, parsdArgs(main, luxd, big, []), inRepo);
    const cache = JSON.parse(await Deno.readTextFile(join(big.dataDir, "verify-cache.json")));
    if (Object.keys(cache).length !== 2) throw new Error("the real run did not cache both plugins");
    const warmRuns: Run[] = [];
    for (let i = 0; i < o.reps; i++) {
      const w = await warm(big);
      checkPlan(w.stdout, big);
      warmRuns.push(w);
      runs.floor.push(await floor());
    }

    const S = {
      ssl: openssl ? summarize(runs.ssl) : undefined,
      floor: summarize(runs.floor),
      cold: summarize(runs.cold),
      small: summarize(runs.small),
      warm: summarize(warmRuns),
    };
    const ms = (s: Summary | undefined) => s === undefined ? "skipped" : s.ms.toFixed(0);
    const range = (s: Summary | undefined) => s?.range ?? "";
    const coldNet = S.cold.ms - S.floor.ms;
    console.log(renderTable([
      ["contender", "wall ms", "min–max", "peak RSS", "vs openssl", "vs floor"],
      [
        `openssl dgst -sha256 A B (2 × ${o.sizeMiB} MiB)`,
        ms(S.ssl),
        range(S.ssl),
        formatMiB(S.ssl?.rss),
        openssl ? "1.00x" : "n/a",
        "",
      ],
      [
        "deno run empty.ts (deno floor)",
        ms(S.floor),
        range(S.floor),
        formatMiB(S.floor.rss),
        "",
        "1.00x",
      ],
      [
        "parsd --dry-run --verify=full (cold)",
        ms(S.cold),
        range(S.cold),
        formatMiB(S.cold.rss),
        formatRatio(S.cold.ms, S.ssl?.ms),
        formatRatio(S.cold.ms, S.floor.ms),
      ],
      ["  cold minus deno floor", coldNet.toFixed(0), "", "", formatRatio(coldNet, S.ssl?.ms), ""],
      [
        `parsd cold, 2 × ${o.smallMiB} MiB`,
        ms(S.small),
        range(S.small),
        formatMiB(S.small.rss),
        "",
        formatRatio(S.small.ms, S.floor.ms),
      ],
      [
        "parsd --dry-run (warm cache)",
        ms(S.warm),
        range(S.warm),
        formatMiB(S.warm.rss),
        `${formatRatio(S.warm.ms, S.cold.ms)} of cold`,
        formatRatio(S.warm.ms, S.floor.ms),
      ],
    ]));

    // Hashing strategies on one file, each in its own process; time measured inside it.
    console.log(`\nOne ${o.sizeMiB} MiB file, each strategy in its own deno process:`);
    const one = openssl ? summarize(await repeat(o.reps, () => ssl([big.a]))) : undefined;
    const strat: Partial<Record<Strategy, Summary>> = {};
    for (const s of Object.keys(STRATEGIES) as Strategy[]) {
      if (s === "subtle" && o.sizeMiB > 512) continue;
      const rs = await repeat(o.reps, async () => {
        const r = await measure(useTime, tmp, deno, [
          "run",
          `--allow-read=${tmp}`,
          self,
          "--child-strategy",
          s,
          big.a,
        ]);
        const res = JSON.parse(r.stdout) as { sha256: string; ms: number };
        if (res.sha256 !== big.sha.a) throw new Error(`strategy ${s}: wrong digest`);
        return { ...r, ms: res.ms };
      });
      strat[s] = summarize(rs);
    }
    console.log(renderTable([
      ["strategy", "ms", "min–max", "peak RSS", "vs openssl"],
      [
        "openssl dgst -sha256 A (process wall)",
        ms(one),
        range(one),
        formatMiB(one?.rss),
        one ? "1.00x" : "n/a",
      ],
      ...(Object.keys(STRATEGIES) as Strategy[]).map((s) => {
        const r = strat[s];
        return r === undefined
          ? [STRATEGIES[s], "skipped (> 512 MiB)", "", "", ""]
          : [STRATEGIES[s], ms(r), range(r), formatMiB(r.rss), formatRatio(r.ms, one?.ms)];
      }),
    ]));

    console.log("");
    const verdict = (ok: boolean) => ok ? "PASS" : "FAIL";
    if (S.ssl) {
      const r = S.cold.ms / S.ssl.ms;
      console.log(
        `${verdict(r <= 1.25)} speed: cold verification ${r.toFixed(2)}x openssl ` +
          `(${(coldNet / S.ssl.ms).toFixed(2)}x without deno startup); target <= 1.25x`,
      );
    } else console.log("SKIP speed: openssl not found, no baseline");
    if (S.cold.rss !== undefined && S.small.rss !== undefined) {
      console.log(
        `${verdict(S.cold.rss < 200 * MiB)} memory: cold verification peak RSS ` +
          `${formatMiB(S.cold.rss)}; target < 200 MiB`,
      );
      const growth = S.cold.rss - S.small.rss;
      console.log(
        `${verdict(growth < 16 * MiB)} flat memory: ${formatMiB(S.cold.rss)} at 2 × ${o.sizeMiB} ` +
          `MiB vs ${formatMiB(S.small.rss)} at 2 × ${o.smallMiB} MiB (${growth >= 0 ? "+" : ""}${
            formatMiB(growth)
          }); target < +16 MiB`,
      );
    } else console.log("SKIP memory: peak RSS unavailable");
    if (one) {
      const claim = (s: Strategy, text: string, ok: (r: number) => boolean) => {
        const r = strat[s];
        if (r === undefined) return console.log(`SKIP claim "${text}": not run`);
        const ratio = r.ms / one.ms;
        console.log(`${ok(ratio) ? "HOLDS" : "OFF  "} claim "${text}": ${ratio.toFixed(2)}x`);
      };
      claim("read-1m", "node:crypto with 1 MiB reads ≈ openssl", (r) => r <= 1.25);
      claim("stream", "streams ~3x slower", (r) => roughlyMatches(r, 3));
      claim("subtle", "subtle ~10x slower", (r) => roughlyMatches(r, 10));
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

/** Waits until every file's last change is over 3 s old (parsd caches only such files). */
async function settled(paths: readonly string[]): Promise<void> {
  for (const p of paths) {
    const ctime = (await Deno.stat(p)).ctime?.getTime() ?? Date.now();
    const wait = ctime + 3000 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

async function repeat<T>(n: number, f: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(await f());
  return out;
}

if (import.meta.main) {
  try {
    if (Deno.args[0] === "--child-strategy") {
      const [, strategy, file] = Deno.args;
      if (!strategy || !(strategy in STRATEGIES) || !file) throw new Error("bad child arguments");
      await strategyChild({ strategy: strategy as Strategy, file });
    } else {
      await bench(parseBenchArgs(Deno.args));
    }
  } catch (error) {
    console.error(`bench: error: ${error instanceof Error ? error.message : error}`);
    Deno.exit(1);
  }
}
