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
 * Exit codes: 0 whatever PASS/FAIL says (it is a report); 1 when something
 * fails to run (its stderr is shown); 64 a bad command line; 130/143
 * interrupted. The temp dir is always removed.
 */

import { createHash } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256File } from "../lib/hash.ts";
import { statFacts } from "../lib/files.ts";
import {
  denoScriptSystem,
  EXIT,
  parseArgs,
  positiveInt,
  REPO_ROOT,
  runMain,
  type Runner,
  ScriptError,
  type ScriptSystem,
  tailLines,
  UsageError,
  withTempDir,
} from "./kit.ts";

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

/** The `--help` text. */
export const USAGE = `usage: deno task bench [--size-mib N] [--small-mib N] [--reps N]

Times parsd's plugin verification (cold and warm) against openssl dgst -sha256 and
the Deno startup floor, with peak RSS, on two random plugin files.

  --size-mib N    size of each plugin file in MiB (default 512)
  --small-mib N   size for the memory-flatness run (default: an eighth, 1..64)
  --reps N        timed repetitions per contender; medians are reported (default 3)
  -h, --help      this text

Exit codes: 0 report printed (whatever PASS/FAIL says), 1 a run failed, 64 usage.`;

/**
 * Parses `--size-mib N`, `--small-mib N` and `--reps N` (also `--flag=N`);
 * `"help"` for `-h`/`--help`.
 *
 * @throws {UsageError} (64) on an unknown flag or a value that is not a positive integer.
 */
export function parseBenchArgs(args: readonly string[]): BenchOptions | "help" {
  const { values, help, positional } = parseArgs(args, {
    values: ["size-mib", "small-mib", "reps"],
  });
  if (help) return "help";
  if (positional[0] !== undefined) throw new UsageError(`unexpected argument '${positional[0]}'`);
  const int = (flag: keyof typeof values) => {
    const raw = values[flag];
    return raw === undefined ? undefined : positiveInt(flag, raw);
  };
  const sizeMiB = int("size-mib") ?? 512;
  return { sizeMiB, smallMiB: int("small-mib") ?? smallSizeFor(sizeMiB), reps: int("reps") ?? 3 };
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

const exists = async (path: string) => (await statFacts(path)) !== undefined;

async function which(env: Readonly<Record<string, string>>, name: string) {
  for (const dir of (env["PATH"] ?? "").split(":")) {
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
  /** The whole environment of the child. */
  readonly env?: Record<string, string>;
}

/** How to measure: the runner, and where peak RSS comes from. */
interface Meter {
  readonly run: Runner;
  /** `/usr/bin/time -f %M` is there (exact: the kernel's rusage); else VmHWM is polled. */
  readonly useTime: boolean;
  /** Where `/usr/bin/time` writes. */
  readonly tmp: string;
}

/**
 * Runs a program to completion and measures it. Peak RSS comes from
 * `/usr/bin/time -f %M` when present, else from polling VmHWM every 5 ms
 * (a close lower bound).
 *
 * @throws {ScriptError} (1) with the tail of its stderr if the program fails.
 */
async function measure(
  m: Meter,
  cmd: string,
  args: readonly string[],
  o: RunOptions = {},
): Promise<Run> {
  const rssFile = join(m.tmp, "rss.txt");
  const [program, argv] = m.useTime
    ? [TIME, ["-f", "%M", "-o", rssFile, cmd, ...args]]
    : [cmd, [...args]];
  let polled: number | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  const start = performance.now();
  try {
    const r = await m.run({
      cmd: program,
      args: argv,
      ...(o.cwd !== undefined ? { cwd: o.cwd } : {}),
      ...(o.env !== undefined ? { env: o.env, clearEnv: true } : {}),
      onSpawn: (pid) => {
        if (m.useTime) return;
        timer = setInterval(async () => {
          const v = await vmHwm(pid);
          if (v !== undefined) polled = Math.max(polled ?? 0, v);
        }, 5);
      },
    });
    const ms = performance.now() - start;
    if (r.code !== 0) {
      throw new ScriptError(
        EXIT.failure,
        `${cmd} ${args.join(" ")} failed (exit ${r.code}); its last lines are above`,
        { details: tailLines(r.stderr, 15).map((l) => `  ${l}`) },
      );
    }
    let rss = polled;
    if (m.useTime) {
      const kb = Number((await Deno.readTextFile(rssFile)).trim().split("\n").pop());
      rss = Number.isFinite(kb) ? kb * 1024 : undefined;
    }
    return { ms, rss, stdout: r.stdout };
  } finally {
    if (timer !== undefined) clearInterval(timer);
  }
}

/** Medians of repeated runs. */
export interface Summary {
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
    throw new ScriptError(EXIT.failure, `parsd's plan does not show the pinned hashes`, {
      details: stdout.trimEnd().split("\n"),
    });
  }
}

// ---------------------------------------------------------------- verdicts

/** The measured figures the verdicts are drawn from. */
export interface BenchFigures {
  readonly sizeMiB: number;
  readonly smallMiB: number;
  /** `openssl dgst -sha256` on both files; `undefined` without openssl. */
  readonly ssl: Summary | undefined;
  /** `deno run` of an empty script. */
  readonly floor: Summary;
  /** parsd's cold verification of both files, at `sizeMiB` and at `smallMiB`. */
  readonly cold: Summary;
  readonly small: Summary;
  /** parsd with a warm verification cache. */
  readonly warm: Summary;
  /** openssl on one file; `undefined` without openssl. */
  readonly oneFile: Summary | undefined;
  /** Each hashing strategy on one file (a strategy not run is missing). */
  readonly strategies: Partial<Record<Strategy, Summary>>;
}

/** The targets the verdicts check: speed vs openssl, peak RSS, RSS growth with file size. */
export const TARGET = {
  /** Cold verification at most this many times openssl's wall time. */
  speedRatio: 1.25,
  /** Peak RSS of a cold verification below this. */
  peakRss: 200 * MiB,
  /** Peak RSS may grow by less than this from the small to the big files. */
  rssGrowth: 16 * MiB,
} as const;

/**
 * The verdict lines (`PASS`/`FAIL`/`SKIP` for parsd's targets,
 * `HOLDS`/`OFF` for the README's claims about hashing strategies). Pure.
 */
export function verdictLines(f: BenchFigures): string[] {
  const lines: string[] = [];
  const verdict = (ok: boolean) => ok ? "PASS" : "FAIL";
  if (f.ssl !== undefined) {
    const r = f.cold.ms / f.ssl.ms;
    const net = (f.cold.ms - f.floor.ms) / f.ssl.ms;
    lines.push(
      `${verdict(r <= TARGET.speedRatio)} speed: cold verification ${r.toFixed(2)}x openssl ` +
        `(${net.toFixed(2)}x without deno startup); target <= ${TARGET.speedRatio}x`,
    );
  } else lines.push("SKIP speed: openssl not found, no baseline");
  if (f.cold.rss !== undefined && f.small.rss !== undefined) {
    lines.push(
      `${verdict(f.cold.rss < TARGET.peakRss)} memory: cold verification peak RSS ` +
        `${formatMiB(f.cold.rss)}; target < ${TARGET.peakRss / MiB} MiB`,
    );
    const growth = f.cold.rss - f.small.rss;
    lines.push(
      `${verdict(growth < TARGET.rssGrowth)} flat memory: ${formatMiB(f.cold.rss)} at 2 × ` +
        `${f.sizeMiB} MiB vs ${formatMiB(f.small.rss)} at 2 × ${f.smallMiB} MiB ` +
        `(${growth >= 0 ? "+" : ""}${formatMiB(growth)}); target < +${TARGET.rssGrowth / MiB} MiB`,
    );
  } else lines.push("SKIP memory: peak RSS unavailable");
  const one = f.oneFile;
  if (one !== undefined) {
    const claim = (s: Strategy, text: string, ok: (r: number) => boolean) => {
      const r = f.strategies[s];
      if (r === undefined) return lines.push(`SKIP claim "${text}": not run`);
      const ratio = r.ms / one.ms;
      lines.push(`${ok(ratio) ? "HOLDS" : "OFF  "} claim "${text}": ${ratio.toFixed(2)}x`);
    };
    claim("read-1m", "node:crypto with 1 MiB reads ≈ openssl", (r) => r <= 1.25);
    claim("stream", "streams ~3x slower", (r) => roughlyMatches(r, 3));
    claim("subtle", "subtle ~10x slower", (r) => roughlyMatches(r, 10));
  }
  return lines;
}

// ---------------------------------------------------------------- the bench, step by step

/** What every step of the bench uses. */
interface Bench {
  readonly o: BenchOptions;
  readonly sys: ScriptSystem;
  readonly meter: Meter;
  readonly deno: string;
  /** parsd's main.ts. */
  readonly main: string;
  /** This script (for the strategy children). */
  readonly self: string;
  readonly openssl: string | undefined;
  /** A stub luxd that exits 0. */
  readonly luxd: string;
  /** An empty script: the Deno startup floor. */
  readonly empty: string;
  /** How parsd and the floor run: in the repo, without PARS_* settings from this shell. */
  readonly inRepo: RunOptions;
  readonly tmp: string;
}

/** Quotes a string for `/bin/sh`. */
const shQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * A stub luxd that exits 0 at once. parsd probes luxd before it starts it,
 * so the stub answers `--version-json`, `--version` and `--help` (on stderr,
 * as luxd does) with real luxd 1.22.18's output, copied in the repository's
 * test fixtures.
 */
function stubLuxd(): string {
  const fixture = (name: string) =>
    shQuote(join(REPO_ROOT, "tests", "fixtures", "luxd", `luxd-1.22.18-${name}`));
  return [
    "#!/bin/sh",
    'case "${1:-}" in',
    `  --version-json) cat ${fixture("version.json")} ;;`,
    `  --version) cat ${fixture("version.txt")} ;;`,
    `  --help) cat ${fixture("help.txt")} >&2 ;;`,
    "esac",
    "exit 0",
    "",
  ].join("\n");
}

/** Step: the stub luxd, the empty script, and which tools there are. */
async function setUp(sys: ScriptSystem, o: BenchOptions, tmp: string): Promise<Bench> {
  const luxd = join(tmp, "luxd"); // the real run below starts it and it exits 0
  await Deno.writeTextFile(luxd, stubLuxd(), { mode: 0o755 });
  await Deno.chmod(luxd, 0o755);
  const empty = join(tmp, "empty.ts");
  await Deno.writeTextFile(empty, "");
  const env = Object.fromEntries(Object.entries(sys.env).filter(([k]) => !/^PARSD?_/.test(k)));
  return {
    o,
    sys,
    meter: { run: sys.run, useTime: await exists(TIME), tmp },
    deno: Deno.execPath(),
    main: join(REPO_ROOT, "main.ts"),
    self: fileURLToPath(import.meta.url),
    openssl: await which(sys.env, "openssl"),
    luxd,
    empty,
    inRepo: { cwd: REPO_ROOT, env },
    tmp,
  };
}

/** Step: the first lines of the report: sizes, versions, how RSS is measured. */
async function printHeader(b: Bench): Promise<void> {
  const plain: Meter = { ...b.meter, useTime: false };
  const ver = (await measure(plain, b.deno, ["--version"])).stdout.split("\n")[0];
  const sslVer = b.openssl
    ? (await measure(plain, b.openssl, ["version"])).stdout.trim()
    : "openssl: not found";
  b.sys.out(
    `parsd bench: 2 × ${b.o.sizeMiB} MiB plugins (random 1 MiB blocks), median of ${b.o.reps}; ` +
      `${ver}; ${sslVer}`,
  );
  b.sys.out(
    "All files are page-cache warm for every contender (just written, and read once before " +
      "timing;\ndropping the cache needs root): a fair comparison of hashing, not of the disk.",
  );
  b.sys.out(
    `Peak RSS: ${b.meter.useTime ? "/usr/bin/time -f %M (exact)" : "VmHWM polled every 5 ms"}.\n`,
  );
}

/** The contenders, as functions of the bench. */
const contender = {
  cold: (b: Bench, f: Fixture) =>
    measure(
      b.meter,
      b.deno,
      parsdArgs(b.main, b.luxd, f, ["--dry-run", "--verify=full"]),
      b.inRepo,
    ),
  warm: (b: Bench, f: Fixture) =>
    measure(
      b.meter,
      b.deno,
      parsdArgs(b.main, b.luxd, f, ["--dry-run", "--verify=cache"]),
      b.inRepo,
    ),
  floor: (b: Bench) => measure(b.meter, b.deno, ["run", "--no-prompt", b.empty], b.inRepo),
  ssl: (b: Bench, files: string[]) => measure(b.meter, b.openssl!, ["dgst", "-sha256", ...files]),
};

/** Step: untimed runs, so that the page cache and Deno's module cache are warm and hashes right. */
async function warmUp(b: Bench, big: Fixture, small: Fixture): Promise<void> {
  if (b.openssl) await contender.ssl(b, [big.a, big.b, small.a, small.b]);
  await contender.floor(b);
  checkPlan((await contender.cold(b, small)).stdout, small);
}

/** Step: openssl, the floor and parsd's cold verification (big and small), `reps` times each. */
async function measureCold(b: Bench, big: Fixture, small: Fixture) {
  const runs = { ssl: [] as Run[], floor: [] as Run[], cold: [] as Run[], small: [] as Run[] };
  for (let i = 0; i < b.o.reps; i++) {
    if (b.openssl) runs.ssl.push(await contender.ssl(b, [big.a, big.b]));
    runs.floor.push(await contender.floor(b));
    const c = await contender.cold(b, big);
    checkPlan(c.stdout, big);
    runs.cold.push(c);
    runs.small.push(await contender.cold(b, small));
  }
  return runs;
}

/**
 * Step: a real run (luxd is the stub) writes the verification cache, then
 * dry-runs hit it. parsd only caches files whose ctime is over 2 s old
 * (racily-clean rule), so it waits for that first.
 */
async function measureWarm(b: Bench, big: Fixture): Promise<{ warm: Run[]; floor: Run[] }> {
  await settled([big.a, big.b]);
  await measure(b.meter, b.deno, parsdArgs(b.main, b.luxd, big, []), b.inRepo);
  const cache = JSON.parse(await Deno.readTextFile(join(big.dataDir, "verify-cache.json")));
  const plugins = await Promise.all([big.a, big.b].map((p) => Deno.realPath(p)));
  if (!plugins.every((p) => Object.hasOwn(cache, p))) {
    throw new ScriptError(EXIT.failure, "the real run did not cache both plugins");
  }
  const warm: Run[] = [];
  const floor: Run[] = [];
  for (let i = 0; i < b.o.reps; i++) {
    const w = await contender.warm(b, big);
    checkPlan(w.stdout, big);
    warm.push(w);
    floor.push(await contender.floor(b));
  }
  return { warm, floor };
}

/** Step: each hashing strategy on one file in its own process (time measured inside it). */
async function measureStrategies(b: Bench, big: Fixture) {
  const oneFile = b.openssl
    ? summarize(await repeat(b.o.reps, () => contender.ssl(b, [big.a])))
    : undefined;
  const strategies: Partial<Record<Strategy, Summary>> = {};
  for (const s of Object.keys(STRATEGIES) as Strategy[]) {
    if (s === "subtle" && b.o.sizeMiB > 512) continue;
    const rs = await repeat(b.o.reps, async () => {
      const r = await measure(b.meter, b.deno, [
        "run",
        `--allow-read=${b.tmp}`,
        b.self,
        "--child-strategy",
        s,
        big.a,
      ]);
      const res = JSON.parse(r.stdout) as { sha256: string; ms: number };
      if (res.sha256 !== big.sha.a) {
        throw new ScriptError(EXIT.failure, `strategy ${s}: wrong digest`);
      }
      return { ...r, ms: res.ms };
    });
    strategies[s] = summarize(rs);
  }
  return { oneFile, strategies };
}

const msOf = (s: Summary | undefined) => s === undefined ? "skipped" : s.ms.toFixed(0);
const rangeOf = (s: Summary | undefined) => s?.range ?? "";

/** The verification table: each contender's wall time, noise, peak RSS and ratios. */
export function verificationTable(f: BenchFigures): string {
  const coldNet = f.cold.ms - f.floor.ms;
  return renderTable([
    ["contender", "wall ms", "min–max", "peak RSS", "vs openssl", "vs floor"],
    [
      `openssl dgst -sha256 A B (2 × ${f.sizeMiB} MiB)`,
      msOf(f.ssl),
      rangeOf(f.ssl),
      formatMiB(f.ssl?.rss),
      f.ssl ? "1.00x" : "n/a",
      "",
    ],
    [
      "deno run empty.ts (deno floor)",
      msOf(f.floor),
      rangeOf(f.floor),
      formatMiB(f.floor.rss),
      "",
      "1.00x",
    ],
    [
      "parsd --dry-run --verify=full (cold)",
      msOf(f.cold),
      rangeOf(f.cold),
      formatMiB(f.cold.rss),
      formatRatio(f.cold.ms, f.ssl?.ms),
      formatRatio(f.cold.ms, f.floor.ms),
    ],
    ["  cold minus deno floor", coldNet.toFixed(0), "", "", formatRatio(coldNet, f.ssl?.ms), ""],
    [
      `parsd cold, 2 × ${f.smallMiB} MiB`,
      msOf(f.small),
      rangeOf(f.small),
      formatMiB(f.small.rss),
      "",
      formatRatio(f.small.ms, f.floor.ms),
    ],
    [
      "parsd --dry-run (warm cache)",
      msOf(f.warm),
      rangeOf(f.warm),
      formatMiB(f.warm.rss),
      `${formatRatio(f.warm.ms, f.cold.ms)} of cold`,
      formatRatio(f.warm.ms, f.floor.ms),
    ],
  ]);
}

/** The strategy table: each way of hashing one file against openssl. */
export function strategyTable(f: BenchFigures): string {
  const one = f.oneFile;
  return renderTable([
    ["strategy", "ms", "min–max", "peak RSS", "vs openssl"],
    [
      "openssl dgst -sha256 A (process wall)",
      msOf(one),
      rangeOf(one),
      formatMiB(one?.rss),
      one ? "1.00x" : "n/a",
    ],
    ...(Object.keys(STRATEGIES) as Strategy[]).map((s) => {
      const r = f.strategies[s];
      return r === undefined
        ? [STRATEGIES[s], "skipped (> 512 MiB)", "", "", ""]
        : [STRATEGIES[s], msOf(r), rangeOf(r), formatMiB(r.rss), formatRatio(r.ms, one?.ms)];
    }),
  ]);
}

/**
 * Runs the whole bench and prints the report: set up, write the fixtures,
 * warm up, measure cold, measure warm, measure the strategies, then the
 * tables and verdicts. The temp dir is always removed.
 *
 * @throws {ScriptError} (1) when a run fails.
 */
export async function bench(sys: ScriptSystem, o: BenchOptions): Promise<void> {
  await withTempDir("parsd-bench-", async (tmp) => {
    const b = await setUp(sys, o, tmp);
    const big = await makeFixture(tmp, "big", o.sizeMiB);
    const small = await makeFixture(tmp, "small", o.smallMiB);
    await printHeader(b);
    await warmUp(b, big, small);
    const cold = await measureCold(b, big, small);
    const warm = await measureWarm(b, big);
    const partial = {
      sizeMiB: o.sizeMiB,
      smallMiB: o.smallMiB,
      ssl: b.openssl ? summarize(cold.ssl) : undefined,
      floor: summarize([...cold.floor, ...warm.floor]),
      cold: summarize(cold.cold),
      small: summarize(cold.small),
      warm: summarize(warm.warm),
    };
    sys.out(verificationTable({ ...partial, oneFile: undefined, strategies: {} }));
    sys.out(`\nOne ${o.sizeMiB} MiB file, each strategy in its own deno process:`);
    const figures: BenchFigures = { ...partial, ...await measureStrategies(b, big) };
    sys.out(strategyTable(figures));
    sys.out("");
    for (const line of verdictLines(figures)) sys.out(line);
  });
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

/** The script's body: `--help`, or the bench. */
async function benchMain(sys: ScriptSystem, argv: readonly string[]): Promise<number> {
  const o = parseBenchArgs(argv);
  if (o === "help") {
    sys.out(USAGE);
    return EXIT.ok;
  }
  await bench(sys, o);
  return EXIT.ok;
}

/** Runs the script with `argv`; returns the exit code. */
export function main(argv: readonly string[], sys = denoScriptSystem()): Promise<number> {
  return runMain("bench", sys, (s) => benchMain(s, argv));
}

/**
 * The strategy child (`--child-strategy NAME FILE`, internal): it runs with
 * `--allow-read` only, so it needs no system seam. Returns the exit code.
 */
export async function childMain(argv: readonly string[]): Promise<number> {
  const [, strategy, file] = argv;
  if (!strategy || !(strategy in STRATEGIES) || !file) {
    console.error("bench: error: bad --child-strategy arguments");
    return EXIT.usage;
  }
  await strategyChild({ strategy: strategy as Strategy, file });
  return EXIT.ok;
}

if (import.meta.main) {
  Deno.exit(
    Deno.args[0] === "--child-strategy" ? await childMain(Deno.args) : await main(Deno.args),
  );
}
