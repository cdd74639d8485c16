/**
 * @module
 * `deno task bench`: is parsd's start as cheap as Deno allows, and is its
 * cold plugin verification as fast as `openssl dgst -sha256`? Everything is
 * measured in one run, as whole processes, interleaved, and compared pairwise.
 *
 * Setup: two plugin files (256 MiB each by default, `--size-mib N`) of random
 * 1 MiB blocks, pinned in a fresh data dir; a stub luxd that answers
 * `--version-json`, `--version` and `--help` with real luxd 1.22.18's output
 * (from `tests/fixtures/luxd/`) and otherwise exits 0 at once; one real
 * `parsd run`, so that the verification cache holds both plugins and luxd's
 * probe. Then `--reps` rounds (default 11); each round runs every contender
 * once, in an order that rotates from round to round, under
 * `/usr/bin/time -f %M` (wall time seen by the bench, peak RSS from the kernel):
 *
 * - the harness: `/bin/true` (what spawning and `/usr/bin/time` cost; its
 *   median is subtracted from every wall time);
 * - `deno run` of an empty module (Deno's bare start, for reference);
 * - the floor: `deno run -P=parsd --no-prompt --config deno.json floor.ts`,
 *   the start task's flags, where floor.ts spawns `/bin/true` and waits;
 * - warm `parsd run`, `parsd version`, `parsd help`, warm `parsd doctor`;
 * - the sketch ({@linkcode SKETCH_SOURCE}): a warm start's calls in one
 *   module, for how low a warm start can go under `deno run`;
 * - modules ({@linkcode moduleChain}): the floor loading as many modules as
 *   a warm start does (`deno info main.ts`), all empty, for what that
 *   number of modules costs by itself;
 * - `openssl dgst -sha256 A B` and parsd's cold verification of A and B
 *   (`run --dry-run --verify=full`), at both sizes.
 *
 * Each ratio is taken within a round (contender ÷ floor of the same round),
 * so a slow moment of the machine hits both sides; its median, min and max
 * over the rounds are reported. Then the hashing strategies run on one file
 * (the README's claims), and one warm `parsd run` runs under
 * `strace -f -e trace=execve` to list the programs it executes.
 *
 * The report: the machine line, a table of measurements, ONE table with every
 * ratio and a verdict per target, and the warm run's programs.
 *
 * Exit codes: 0 whatever PASS/FAIL says (it is a report); 1 when something
 * fails to run (its stderr is shown); 64 a bad command line; 130/143
 * interrupted. The temp dir is always removed.
 */

import { createHash } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { HASH_CHUNK, sha256File } from "../lib/os/hash.ts";
import { statFacts } from "../lib/os/files.ts";
import { layout } from "../lib/data_dir/layout.ts";
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
  shellQuote,
  shellWord,
  startFlags,
  tailLines,
  UsageError,
  withTempDir,
} from "./kit.ts";
import { staticModules } from "./import_graph.ts";

/** Bench options from the command line. */
export interface BenchOptions {
  /** Size of each plugin file, in MiB. */
  readonly sizeMiB: number;
  /** Size of each file for the memory-flatness run, in MiB. */
  readonly smallMiB: number;
  /** Rounds: each contender runs once per round; medians are reported. */
  readonly reps: number;
}

/** A child run of {@linkcode strategyChild}: which strategy on which file. */
export interface StrategyRequest {
  readonly strategy: Strategy;
  readonly file: string;
}

/** The hashing strategies compared on one file. */
export const STRATEGIES = {
  "lib": `node:crypto, ${HASH_CHUNK >> 10} KiB reads, read-ahead (lib/hash.ts)`,
  "read-4m": "node:crypto, 4 MiB reads",
  "read-ahead-1m": "node:crypto, 1 MiB reads, read-ahead (2 buffers)",
  "stream": "file.readable piped into createHash",
  "subtle": "crypto.subtle.digest(whole file)",
} as const;

/** A key of {@linkcode STRATEGIES}. */
export type Strategy = keyof typeof STRATEGIES;

const MiB = 1 << 20;

/** The default plugin size, in MiB. */
export const DEFAULT_SIZE_MIB = 256;
/** The default number of rounds (odd, so that the median is one run). */
export const DEFAULT_REPS = 11;

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

Times parsd's start (warm run, version, help, doctor) against a Deno process that
spawns one child, and parsd's cold plugin verification against openssl dgst -sha256,
in one run: whole processes, interleaved, with peak RSS. Lists the programs a warm
run executes (with strace).

  --size-mib N    size of each of the two plugin files in MiB (default ${DEFAULT_SIZE_MIB})
  --small-mib N   size for the memory-flatness run (default: an eighth, 1..64)
  --reps N        rounds; each contender runs once per round (default ${DEFAULT_REPS})
  -h, --help      this text

With PARSD_BENCH_NODE=1 it then also times a real node (avalanchego + subnet-evm, from
'deno task build:e2e-node'): time to healthy under parsd vs by hand, memory, shutdown.

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
  const sizeMiB = int("size-mib") ?? DEFAULT_SIZE_MIB;
  return {
    sizeMiB,
    smallMiB: int("small-mib") ?? smallSizeFor(sizeMiB),
    reps: int("reps") ?? DEFAULT_REPS,
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

// ---------------------------------------------------------------- hashing strategies

/** Hashes `file` with one strategy; returns the hex digest and the milliseconds it took. */
export async function hashWith(
  strategy: Strategy,
  file: string,
): Promise<{ sha256: string; ms: number }> {
  const start = performance.now();
  let sha256: string;
  switch (strategy) {
    case "lib":
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

// ---------------------------------------------------------------- figures and ratios (pure)

/** One finished run: wall milliseconds and peak RSS bytes (if known). */
export interface Sample {
  readonly ms: number;
  readonly rss: number | undefined;
}

/** The contenders run in every round. */
export const CONTENDERS = {
  empty: "deno run empty.ts",
  floor: "floor: deno run -P=parsd floor.ts (spawns /bin/true)",
  run: "parsd run (warm start)",
  sketch: "sketch: a warm start's calls in one module (lower bound)",
  modules: "modules: the floor in as many modules as a warm start, empty",
  checked: "parsd run (checked, caches warm)",
  version: "parsd version",
  help: "parsd help",
  doctor: "parsd doctor (warm)",
  ssl: "openssl dgst -sha256 A B",
  cold: "parsd run --dry-run --verify=full (cold)",
  small: "parsd cold, small files",
} as const;

/** A key of {@linkcode CONTENDERS}. */
export type Contender = keyof typeof CONTENDERS;

/** The contenders compared with the floor, in report order. */
export const STARTUP: readonly Contender[] = [
  "empty",
  "floor",
  "run",
  "sketch",
  "modules",
  "checked",
  "version",
  "help",
  "doctor",
];
/** The verification contenders (openssl first: it is skipped without openssl). */
export const VERIFICATION: readonly Contender[] = ["ssl", "cold", "small"];

/** One program a process executed (from strace). */
export interface Exec {
  readonly path: string;
  readonly args: readonly string[];
}

/** Every measurement the report is drawn from. */
export interface BenchFigures {
  readonly sizeMiB: number;
  readonly smallMiB: number;
  /** Median wall time of the harness (`/usr/bin/time /bin/true`), subtracted from every run. */
  readonly harnessMs: number;
  /** Each contender's runs, index = round (`ssl` is empty without openssl). */
  readonly series: Readonly<Record<Contender, readonly Sample[]>>;
  /** openssl on one file, per repetition (empty without openssl). */
  readonly oneFile: readonly Sample[];
  /** Each hashing strategy on one file (a strategy not run is missing); ms measured inside. */
  readonly strategies: Partial<Record<Strategy, readonly Sample[]>>;
  /** What a warm run executed, or why that is unknown. */
  readonly spawns: SpawnReport;
}

/** What a warm run executed (`execs`, without deno itself), or why it was not traced. */
export type SpawnReport =
  | { readonly execs: readonly Exec[]; readonly luxd: string; readonly plugins: readonly string[] }
  | { readonly skipped: string };

/** The targets. Wall-time ratios are of net times (harness subtracted). */
export const TARGET = {
  /** Warm `parsd run` at most this many times the floor. */
  warmRun: 1.3,
  /** `parsd version` and `parsd help` at most this many times the floor. */
  version: 1.2,
  help: 1.2,
  /** Peak RSS of each start-up contender at most this many times the floor's. */
  memory: 1.3,
  /** Cold verification at most this many times openssl's wall time. */
  cold: 1.1,
  /** Peak RSS of a cold verification below this. */
  coldRss: 200 * MiB,
  /** Peak RSS may grow by less than this from the small to the big files. */
  rssGrowth: 16 * MiB,
} as const;

/** Median, min and max of some values. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** The {@linkcode Spread} of values; `undefined` for none. */
export function spread(values: readonly number[]): Spread | undefined {
  return values.length === 0
    ? undefined
    : { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** A run's wall time minus the harness's (never below 0.1 ms, so ratios stay finite). */
export const netMs = (s: Sample, harnessMs: number): number => Math.max(s.ms - harnessMs, 0.1);

/**
 * Ratios of `a[i]` to `b[i]` taken round by round (a pair with a value
 * missing on either side is left out); their spread.
 */
export function pairedRatios(
  a: readonly Sample[],
  b: readonly Sample[],
  value: (s: Sample) => number | undefined,
): Spread | undefined {
  const ratios: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = value(a[i]!);
    const y = value(b[i]!);
    if (x !== undefined && y !== undefined && y > 0) ratios.push(x / y);
  }
  return spread(ratios);
}

/** A row of the ratio table. */
export interface RatioRow {
  /** What is compared. */
  readonly measure: string;
  /** `undefined` when it could not be measured. */
  readonly spread: Spread | undefined;
  /** How the numbers read: a ratio, MiB, or a count. */
  readonly unit: "x" | "MiB" | "+MiB" | "count";
  /** The target in words (`<= 1.30x`), or `""` for a figure without one. */
  readonly target: string;
  readonly verdict: "PASS" | "FAIL" | "SKIP" | "INFO" | "HOLDS" | "OFF";
  /** Why a row is SKIP or FAIL, when the numbers alone do not say. */
  readonly note?: string;
}

const verdictOf = (ok: boolean) => ok ? "PASS" as const : "FAIL" as const;

/** Which program a warm run may execute, and problems with what it did execute. Pure. */
export function spawnProblems(
  execs: readonly Exec[],
  expect: { readonly luxd: string; readonly plugins: readonly string[] },
): string[] {
  const problems: string[] = [];
  const probeFlags = ["--help", "--version", "--version-json"];
  const luxd = execs.filter((e) => e.path === expect.luxd);
  if (luxd.length !== 1) problems.push(`luxd executed ${luxd.length} times, expected once`);
  for (const e of luxd) {
    const probe = e.args.slice(1).find((a) => probeFlags.includes(a));
    if (probe !== undefined) problems.push(`luxd probed with ${probe} (its probe is cached)`);
  }
  for (const p of expect.plugins) {
    if (execs.some((e) => e.path === p)) problems.push(`plugin ${p} executed (it is cached)`);
  }
  const sh = execs.filter((e) => e.path === "/bin/sh");
  if (sh.length > 1) problems.push(`/bin/sh executed ${sh.length} times, expected at most once`);
  const other = execs.filter((e) =>
    e.path !== expect.luxd && e.path !== "/bin/sh" && !expect.plugins.includes(e.path)
  );
  for (const e of other) problems.push(`unexpected program ${e.path}`);
  return problems;
}

/**
 * Every ratio of the report with its verdict, in print order: start-up wall
 * times and peak RSS against the floor, cold verification against openssl
 * with its memory, the hashing strategies against openssl, and the programs
 * a warm run executes. Pure.
 */
export function ratioRows(f: BenchFigures): RatioRow[] {
  const rows: RatioRow[] = [];
  const s = f.series;
  const net = (x: Sample) => netMs(x, f.harnessMs);
  const rss = (x: Sample) => x.rss;
  const timeTargets: Partial<Record<Contender, number>> = {
    run: TARGET.warmRun,
    version: TARGET.version,
    help: TARGET.help,
  };
  const startup = STARTUP.filter((c) => c !== "floor");
  for (const c of startup) {
    const r = pairedRatios(s[c], s.floor, net);
    const target = timeTargets[c];
    rows.push({
      measure: `${CONTENDERS[c]} / floor, wall`,
      spread: r,
      unit: "x",
      target: target === undefined ? "" : `<= ${target.toFixed(2)}x`,
      verdict: target === undefined
        ? "INFO"
        : r === undefined
        ? "SKIP"
        : verdictOf(r.median <= target),
    });
  }
  for (const c of startup.filter((c) => c !== "empty")) {
    const r = pairedRatios(s[c], s.floor, rss);
    // The checked start, the sketch and the modules are for comparison; the targets are parsd's.
    const info = c === "checked" || c === "sketch" || c === "modules";
    rows.push({
      measure: `${CONTENDERS[c]} / floor, peak RSS`,
      spread: r,
      unit: "x",
      target: info ? "" : `<= ${TARGET.memory.toFixed(2)}x`,
      verdict: r === undefined ? "SKIP" : info ? "INFO" : verdictOf(r.median <= TARGET.memory),
      ...(r === undefined ? { note: "peak RSS unavailable" } : {}),
    });
  }
  const cold = pairedRatios(s.cold, s.ssl, net);
  rows.push({
    measure: `cold verification / openssl, wall (2 × ${f.sizeMiB} MiB)`,
    spread: cold,
    unit: "x",
    target: `<= ${TARGET.cold.toFixed(2)}x`,
    verdict: cold === undefined ? "SKIP" : verdictOf(cold.median <= TARGET.cold),
    ...(cold === undefined ? { note: "openssl not found, no baseline" } : {}),
  });
  const coldRss = spread(s.cold.flatMap((x) => x.rss === undefined ? [] : [x.rss]));
  rows.push({
    measure: "cold verification, peak RSS",
    spread: coldRss,
    unit: "MiB",
    target: `< ${TARGET.coldRss / MiB} MiB`,
    verdict: coldRss === undefined ? "SKIP" : verdictOf(coldRss.max < TARGET.coldRss),
  });
  const smallRss = spread(s.small.flatMap((x) => x.rss === undefined ? [] : [x.rss]));
  const growth = coldRss && smallRss
    ? spread(
      s.cold.flatMap((x, i) => {
        const y = s.small[i]?.rss;
        return x.rss === undefined || y === undefined ? [] : [x.rss - y];
      }),
    )
    : undefined;
  rows.push({
    measure: `peak RSS growth, 2 × ${f.smallMiB} -> 2 × ${f.sizeMiB} MiB`,
    spread: growth,
    unit: "+MiB",
    target: `< +${TARGET.rssGrowth / MiB} MiB`,
    verdict: growth === undefined ? "SKIP" : verdictOf(growth.median < TARGET.rssGrowth),
  });
  const claims: [Strategy, string, (r: number) => boolean][] = [
    ["lib", "<= 1.25x", (r) => r <= 1.25],
    // What the alternatives lib/hash.ts was chosen over cost, as measured on the project's machine.
    ["stream", "~2x", (r) => roughlyMatches(r, 2)],
    ["subtle", "~4x", (r) => roughlyMatches(r, 4)],
  ];
  for (const [strategy, target, ok] of claims) {
    const runs = f.strategies[strategy];
    const r = runs === undefined ? undefined : pairedRatios(runs, f.oneFile, (x) => x.ms);
    rows.push({
      measure: `claim: ${STRATEGIES[strategy]} / openssl (one file)`,
      spread: r,
      unit: "x",
      target,
      verdict: r === undefined ? "SKIP" : ok(r.median) ? "HOLDS" : "OFF",
    });
  }
  if ("skipped" in f.spawns) {
    rows.push({
      measure: "programs a warm run executes",
      spread: undefined,
      unit: "count",
      target: "sh + luxd",
      verdict: "SKIP",
      note: f.spawns.skipped,
    });
  } else {
    const problems = spawnProblems(f.spawns.execs, f.spawns);
    const n = f.spawns.execs.length;
    rows.push({
      measure: "programs a warm run executes",
      spread: { median: n, min: n, max: n },
      unit: "count",
      target: "sh + luxd",
      verdict: verdictOf(problems.length === 0),
      ...(problems.length > 0 ? { note: problems.join("; ") } : {}),
    });
  }
  return rows;
}

function cell(value: number, unit: RatioRow["unit"]): string {
  switch (unit) {
    case "x":
      return `${value.toFixed(2)}x`;
    case "MiB":
      return formatMiB(value);
    case "+MiB":
      return `${value >= 0 ? "+" : ""}${formatMiB(value)}`;
    case "count":
      return String(value);
  }
}

/** The header of {@linkcode ratioTable}. */
export const RATIO_HEADER = ["ratio", "median", "min", "max", "target", "verdict"] as const;

/** The one table of ratios and verdicts; notes follow their row, indented. */
export function ratioTable(rows: readonly RatioRow[]): string {
  const lines = renderTable([
    [...RATIO_HEADER],
    ...rows.map((r) => [
      r.measure,
      r.spread ? cell(r.spread.median, r.unit) : "n/a",
      r.spread && r.unit !== "count" ? cell(r.spread.min, r.unit) : "",
      r.spread && r.unit !== "count" ? cell(r.spread.max, r.unit) : "",
      r.target,
      r.verdict,
    ]),
  ]).split("\n");
  const out: string[] = [lines[0]!];
  rows.forEach((r, i) => {
    out.push(lines[i + 1]!);
    if (r.note !== undefined) {
      out.push(`    ${r.verdict === "SKIP" ? "skipped" : "why"}: ${r.note}`);
    }
  });
  return out.join("\n");
}

/** The measurements table: each contender's net wall time (median, min, max) and peak RSS. */
export function measurementTable(f: BenchFigures): string {
  const ms = (x: Sample) => netMs(x, f.harnessMs);
  const rows = [...STARTUP, ...VERIFICATION].map((c) => {
    const runs = f.series[c];
    const wall = spread(runs.map(ms));
    const rss = spread(runs.flatMap((x) => x.rss === undefined ? [] : [x.rss]));
    const label = c === "small"
      ? `${CONTENDERS[c]} (2 × ${f.smallMiB} MiB)`
      : c === "ssl" || c === "cold"
      ? `${CONTENDERS[c]} (2 × ${f.sizeMiB} MiB)`
      : CONTENDERS[c];
    return wall === undefined ? [label, "skipped", "", "", "", ""] : [
      label,
      wall.median.toFixed(1),
      wall.min.toFixed(1),
      wall.max.toFixed(1),
      formatMiB(rss?.median),
      String(runs.length),
    ];
  });
  return renderTable([
    ["contender", "wall ms", "min", "max", "peak RSS", "runs"],
    ...rows,
  ]);
}

/** The machine line: CPUs, CPU model, deno, openssl, and how peak RSS is read. */
export function machineLine(m: {
  nproc: number;
  cpu: string;
  deno: string;
  openssl: string | undefined;
  useTime: boolean;
}): string {
  return `machine: nproc ${m.nproc}; CPU ${m.cpu}; ${m.deno}; ` +
    `${m.openssl ?? "openssl: not found"}; peak RSS ` +
    (m.useTime ? "from /usr/bin/time -f %M" : "from VmHWM polled every 5 ms (no /usr/bin/time)");
}

/** The CPU model from `/proc/cpuinfo`'s text; `unknown` when it names none. */
export function cpuModel(cpuinfo: string): string {
  const m = /^(?:model name|Hardware|cpu model|Processor)\s*:\s*(.+)$/m.exec(cpuinfo);
  return m?.[1]?.trim() || "unknown";
}

/**
 * The programs `execve`d successfully in strace output (`-o` files, one
 * process each, so calls are not split), in order. Pure.
 */
export function parseStraceExecs(text: string): Exec[] {
  const execs: Exec[] = [];
  for (const line of text.split("\n")) {
    const m = /^(?:\d+\s+)?execve\("((?:[^"\\]|\\.)*)", \[(.*?)\](?:\.\.\.)?, .*\) = 0$/.exec(line);
    if (!m) continue;
    const args = [...m[2]!.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((a) => unescapeC(a[1]!));
    execs.push({ path: unescapeC(m[1]!), args });
  }
  return execs;
}

const unescapeC = (s: string) =>
  s.replace(/\\(["\\])/g, "$1").replace(/\\n/g, "\n").replace(/\\t/g, "\t");

/** A program and its arguments as one line, each word shell-quoted when needed. */
export function commandLine(e: Exec, maxArgs = 4): string {
  const rest = e.args.slice(1);
  const shown = rest.slice(0, maxArgs).map(shellWord);
  const more = rest.length > maxArgs ? ` … (+${rest.length - maxArgs} args)` : "";
  return [e.path, ...shown].join(" ") + more;
}

// ---------------------------------------------------------------- measuring

/** One finished child: its sample and stdout. */
interface Run extends Sample {
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

// ---------------------------------------------------------------- setup

/** Writes `sizeMiB` MiB of random-block data in 1 MiB chunks; returns its SHA-256. */
/** How every bench plugin file begins: a shell script that exits before its random bytes. */
export const PLUGIN_HEADER = "#!/bin/sh\nexit 0\n";

export async function writePlugin(path: string, sizeMiB: number): Promise<string> {
  const block = new Uint8Array(MiB);
  for (let i = 0; i < MiB; i += 65536) crypto.getRandomValues(block.subarray(i, i + 65536));
  // parsd asks a plugin for its --version. A file the kernel cannot execute is run by /bin/sh
  // (execvp's ENOEXEC rule), which would read random bytes as commands (and create files named
  // by them): make it a script that exits at once.
  block.set(new TextEncoder().encode(PLUGIN_HEADER));
  const hash = createHash("sha256");
  const file = await Deno.open(path, { write: true, createNew: true, mode: 0o755 });
  try {
    for (let i = 0; i < sizeMiB; i++) {
      new DataView(block.buffer).setUint32(PLUGIN_HEADER.length, i); // every chunk differs
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

/** `deno run` with the start task's flags (and the repo's deno.json, named). */
const denoRunArgs = (script: string) => [
  "run",
  ...startFlags(),
  "--config",
  join(REPO_ROOT, "deno.json"),
  script,
];

/** The parsd argv for a command; the fixture's flags for commands that take them. */
function parsdArgs(b: Bench, command: string, f?: Fixture, extra: readonly string[] = []) {
  const luxd = f ? ["--luxd", b.luxd, "--data-dir", f.dataDir] : [];
  const plugins = f && command !== "version"
    ? ["--evm-plugin", f.a, "--sessionvm-plugin", f.b]
    : [];
  return [...denoRunArgs(b.main), command, ...luxd, ...plugins, ...extra];
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
  readonly strace: string | undefined;
  /** A stub luxd that exits 0. */
  readonly luxd: string;
  /** An empty module: Deno's bare start. */
  readonly empty: string;
  /** The floor: spawns `/bin/true` and waits. */
  readonly floor: string;
  /** The sketch ({@linkcode SKETCH_SOURCE}). */
  readonly sketch: string;
  /** The root of {@linkcode moduleChain}, as long as a warm start's graph. */
  readonly modules: string;
  /** How many modules a warm start loads (main.ts's static graph). */
  readonly warmModules: number;
  /** How parsd and the floor run: in the repo, without PARS_* settings from this shell. */
  readonly inRepo: RunOptions;
  readonly tmp: string;
}

/**
 * A stub luxd that exits 0 at once. parsd probes luxd before it starts it
 * (and caches the probe), so the stub answers `--version-json`, `--version`
 * and `--help` (on stderr, as luxd does) with real luxd 1.22.18's output,
 * copied in the repository's test fixtures. `--version`, which `parsd
 * version` runs in every timed round, is printed by the shell itself, as one
 * process, like luxd's own answer (a `cat` would add a second program to
 * parsd's time that the floor does not run).
 */
export function stubLuxd(): string {
  const fixture = (name: string) =>
    join(REPO_ROOT, "tests", "fixtures", "luxd", `luxd-1.22.18-${name}`);
  const version = Deno.readTextFileSync(fixture("version.txt")).replace(/\n$/, "");
  return [
    "#!/bin/sh",
    'case "${1:-}" in',
    `  --version-json) cat ${shellQuote(fixture("version.json"))} ;;`,
    `  --version) printf '%s\\n' ${shellQuote(version)} ;;`,
    `  --help) cat ${shellQuote(fixture("help.txt"))} >&2 ;;`,
    "esac",
    "exit 0",
    "",
  ].join("\n");
}

/** The floor: what any Deno program that starts luxd must pay (start, one spawn, wait). */
export const FLOOR_SOURCE = 'await new Deno.Command("/bin/true").output();\n';

/**
 * The floor spread over `n` modules (n ≥ 1): the root imports `m1.ts`,
 * each `mK.ts` the next, the last imports nothing; each exports one
 * constant, and the root runs the floor. Loading it costs what `n` modules
 * cost `deno run` (read, analyse, transpile cache, code cache, instantiate),
 * without their code. File names relative to one directory, root first.
 */
export function moduleChain(n: number): { readonly name: string; readonly text: string }[] {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`moduleChain: bad count ${n}`);
  const files = [{ name: "modules.ts", text: (n > 1 ? 'import "./m1.ts";\n' : "") + FLOOR_SOURCE }];
  for (let k = 1; k < n; k++) {
    const next = k + 1 < n ? `import "./m${k + 1}.ts";\n` : "";
    files.push({ name: `m${k}.ts`, text: `${next}export const m${k}: number = ${k};\n` });
  }
  return files;
}

/**
 * The sketch: the calls a warm start makes, for the record given as its
 * argument, written as one module without parsd's abstractions, and
 * comparing nothing. Read the record, take the lock, ask the hard limit,
 * make each observation again, write the pid, start luxd as recorded,
 * forward signals, revoke every permission, wait. What it costs over the
 * floor is about the least a warm start can cost under `deno run`; what a
 * real warm start costs over the sketch is parsd's modules and its code.
 */
export const SKETCH_SOURCE = `
const record = JSON.parse(Deno.readTextFileSync(Deno.args[0]));
const dataDir = Deno.args[0].slice(0, Deno.args[0].lastIndexOf("/"));
const dir = Deno.openSync(dataDir, { read: true });
if (!dir.tryLockSync(true)) Deno.exit(75);
for (const o of record.observations) {
  const [a, b] = o.args.map(String);
  try {
    switch (o.call) {
      case "stat": Deno.statSync(a); break;
      case "lstat": Deno.lstatSync(a); break;
      case "realPath": Deno.realPathSync(a); break;
      case "readLink": Deno.readLinkSync(a); break;
      case "readDir": [...Deno.readDirSync(a)]; break;
      case "readText": new TextDecoder("utf-8", { fatal: true }).decode(Deno.readFileSync(a)); break;
      case "output": await new Deno.Command(a, { args: o.args.slice(1).map(String), stdin: "null" }).output(); break;
      case "canBind": Deno.listen({ hostname: a, port: Number(b) }).close(); break;
      case "env": Deno.env.get(a); break;
      case "cwd": Deno.cwd(); break;
      case "uid": Deno.uid(); break;
      case "gid": Deno.gid(); break;
    }
  } catch { /* an absent file is an answer too */ }
}
const pid = Deno.openSync(dataDir + "/parsd.pid", { write: true, create: true, mode: 0o600 });
pid.truncateSync(0);
pid.writeSync(new TextEncoder().encode(Deno.pid + "\\n"));
Deno.stderr.writeSync(new TextEncoder().encode(record.stderr));
const child = new Deno.Command(record.launch.luxd, { args: record.launch.args }).spawn();
const forward = () => child.kill("SIGTERM");
const signals = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"];
for (const s of signals) Deno.addSignalListener(s, forward);
for (const name of ["read", "write", "env", "run", "sys", "net", "ffi", "import"]) {
  Deno.permissions.revokeSync({ name });
}
const status = await child.status;
for (const s of signals) Deno.removeSignalListener(s, forward);
pid.truncateSync(0);
Deno.exit(status.code);
`;

/** Step: the stub luxd, the empty module, the floor, and which tools there are. */
async function setUp(sys: ScriptSystem, o: BenchOptions, tmp: string): Promise<Bench> {
  const luxd = join(tmp, "luxd");
  await Deno.writeTextFile(luxd, stubLuxd(), { mode: 0o755 });
  await Deno.chmod(luxd, 0o755);
  const empty = join(tmp, "empty.ts");
  await Deno.writeTextFile(empty, "");
  const floor = join(tmp, "floor.ts");
  await Deno.writeTextFile(floor, FLOOR_SOURCE);
  const sketch = join(tmp, "sketch.js");
  await Deno.writeTextFile(sketch, SKETCH_SOURCE);
  const warmModules = (await staticModules(REPO_ROOT, "main.ts")).length;
  const chain = join(tmp, "modules");
  await Deno.mkdir(chain);
  for (const f of moduleChain(warmModules)) await Deno.writeTextFile(join(chain, f.name), f.text);
  const env = Object.fromEntries(Object.entries(sys.env).filter(([k]) => !/^PARSD?_/.test(k)));
  return {
    o,
    sys,
    meter: { run: sys.run, useTime: await exists(TIME), tmp },
    deno: Deno.execPath(),
    main: join(REPO_ROOT, "main.ts"),
    self: fileURLToPath(import.meta.url),
    openssl: await which(sys.env, "openssl"),
    strace: await which(sys.env, "strace"),
    luxd,
    empty,
    floor,
    sketch,
    modules: join(chain, "modules.ts"),
    warmModules,
    inRepo: { cwd: REPO_ROOT, env: { ...env, NO_COLOR: "1" } },
    tmp,
  };
}

/** Step: the first lines of the report: sizes, the machine, how things are measured. */
async function printHeader(b: Bench): Promise<void> {
  const plain: Meter = { ...b.meter, useTime: false };
  const deno = (await measure(plain, b.deno, ["--version"])).stdout.split("\n")[0]!;
  const openssl = b.openssl
    ? (await measure(plain, b.openssl, ["version"])).stdout.trim()
    : undefined;
  const nproc = Number((await measure(plain, "nproc", []).catch(() => undefined))?.stdout) ||
    navigator.hardwareConcurrency;
  const cpu = cpuModel(await Deno.readTextFile("/proc/cpuinfo").catch(() => ""));
  b.sys.out(
    `parsd bench: 2 × ${b.o.sizeMiB} MiB plugins (random 1 MiB blocks), ${b.o.reps} rounds`,
  );
  b.sys.out(machineLine({ nproc, cpu, deno, openssl, useTime: b.meter.useTime }));
  if (!b.meter.useTime) {
    b.sys.out(
      "/usr/bin/time is MISSING (apt-get install -y time): peak RSS is polled, a lower bound.",
    );
  }
  if (!b.strace) {
    b.sys.out(
      "strace is MISSING (apt-get install -y strace): a warm run's programs are not listed.",
    );
  }
  b.sys.out(
    `A warm start loads ${b.warmModules} modules (deno info main.ts); the modules contender ` +
      `loads as many, empty.`,
  );
  b.sys.out(
    "All files are page-cache warm for every contender (just written, and read once before " +
      "timing;\ndropping the cache needs root): a fair comparison of hashing, not of the disk.\n",
  );
}

/** Each contender as a function of the bench (fixtures: big and small). */
function contenders(b: Bench, big: Fixture, small: Fixture): Record<Contender, () => Promise<Run>> {
  const deno = (args: string[]) => measure(b.meter, b.deno, args, b.inRepo);
  return {
    empty: () => deno(["run", "--no-prompt", b.empty]),
    floor: () => deno(denoRunArgs(b.floor)),
    run: () => deno(parsdArgs(b, "run", big)),
    sketch: () => deno([...denoRunArgs(b.sketch), layout(big.dataDir).warmStart]),
    modules: () => deno(denoRunArgs(b.modules)),
    // Without the warm-start record: every check made again (verification and luxd's flags
    // still from the cache). It records anew, so the next warm start has its record.
    checked: async () => {
      await Deno.remove(layout(big.dataDir).warmStart).catch(() => {});
      return await deno(parsdArgs(b, "run", big));
    },
    version: () => deno(parsdArgs(b, "version", big)),
    help: () => deno(parsdArgs(b, "help")),
    doctor: () => deno(parsdArgs(b, "doctor", big)),
    ssl: () => measure(b.meter, b.openssl!, ["dgst", "-sha256", big.a, big.b]),
    cold: async () => {
      const r = await deno(parsdArgs(b, "run", big, ["--dry-run", "--verify=full"]));
      checkPlan(r.stdout, big);
      return r;
    },
    small: async () => {
      const r = await deno(parsdArgs(b, "run", small, ["--dry-run", "--verify=full"]));
      checkPlan(r.stdout, small);
      return r;
    },
  };
}

/**
 * Step: one real start on each fixture, so the verification cache holds the
 * plugins and luxd's probe. parsd caches only files whose ctime is over 2 s
 * old (racily-clean rule), so it waits for that first.
 */
async function warmCache(b: Bench, fixtures: readonly Fixture[]): Promise<void> {
  await settled(fixtures.flatMap((f) => [f.a, f.b, b.luxd]));
  for (const f of fixtures) {
    await measure(b.meter, b.deno, parsdArgs(b, "run", f), b.inRepo);
    const cache = JSON.parse(await Deno.readTextFile(join(f.dataDir, "verify-cache.json")));
    const plugins = await Promise.all([f.a, f.b].map((p) => Deno.realPath(p)));
    if (!plugins.every((p) => Object.hasOwn(cache, p))) {
      throw new ScriptError(EXIT.failure, "the real run did not cache both plugins");
    }
  }
  // The first start made the dirs and plugin links; once they are old enough, the next records.
  await settled(fixtures.map((f) => join(f.dataDir, "plugins")));
  for (const f of fixtures) {
    await measure(b.meter, b.deno, parsdArgs(b, "run", f), b.inRepo);
    if (!(await exists(layout(f.dataDir).warmStart))) {
      throw new ScriptError(EXIT.failure, "the second real run did not record a warm start");
    }
  }
}

/** Rotates a list left by `n`. */
const rotate = <T>(xs: readonly T[], n: number): T[] => {
  const k = xs.length === 0 ? 0 : n % xs.length;
  return [...xs.slice(k), ...xs.slice(0, k)];
};

/**
 * Step: one untimed round (page cache, Deno's module cache), then `reps`
 * rounds; each runs the harness and every contender once, the start-up ones
 * first, each group in an order rotated by the round number.
 */
async function measureRounds(b: Bench, big: Fixture, small: Fixture) {
  const run = contenders(b, big, small);
  const verification = VERIFICATION.filter((c) => c !== "ssl" || b.openssl !== undefined);
  const series = Object.fromEntries(
    Object.keys(CONTENDERS).map((c) => [c, [] as Sample[]]),
  ) as Record<Contender, Sample[]>;
  const harness: number[] = [];
  for (let round = -1; round < b.o.reps; round++) {
    const h = await measure(b.meter, "/bin/true", []);
    if (round >= 0) harness.push(h.ms);
    for (const c of [...rotate(STARTUP, round + 1), ...rotate(verification, round + 1)]) {
      const r = await run[c]();
      if (round >= 0) series[c].push({ ms: r.ms, rss: r.rss });
    }
  }
  return { series, harnessMs: median(harness) };
}

/** Step: each hashing strategy on one file in its own process (time measured inside it). */
async function measureStrategies(b: Bench, big: Fixture) {
  const oneFile = b.openssl
    ? await repeat(b.o.reps, () => measure(b.meter, b.openssl!, ["dgst", "-sha256", big.a]))
    : [];
  const strategies: Partial<Record<Strategy, Sample[]>> = {};
  for (const s of Object.keys(STRATEGIES) as Strategy[]) {
    if (s === "subtle" && b.o.sizeMiB > 512) continue;
    strategies[s] = await repeat(b.o.reps, async () => {
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
      return { ms: res.ms, rss: r.rss };
    });
  }
  return { oneFile: oneFile.map((r) => ({ ms: r.ms, rss: r.rss })), strategies };
}

/**
 * Step: one warm `parsd run` under `strace -f -e trace=execve`, one output
 * file per process; the programs it executed, deno itself left out.
 */
async function traceSpawns(b: Bench, f: Fixture): Promise<SpawnReport> {
  if (!b.strace) return { skipped: "strace not found (apt-get install -y strace)" };
  const dir = join(b.tmp, "strace");
  await Deno.mkdir(dir);
  const args = parsdArgs(b, "run", f);
  const r = await b.sys.run({
    cmd: b.strace,
    args: [
      "-f",
      "-ff",
      "-qq",
      "-s",
      "256",
      "-e",
      "trace=execve",
      "-o",
      join(dir, "t"),
      b.deno,
      ...args,
    ],
    cwd: REPO_ROOT,
    ...(b.inRepo.env ? { env: b.inRepo.env, clearEnv: true } : {}),
  });
  if (r.code !== 0) {
    return { skipped: `strace failed (exit ${r.code}): ${tailLines(r.stderr, 1).join("")}` };
  }
  const files: { pid: number; text: string }[] = [];
  for await (const e of Deno.readDir(dir)) {
    files.push({
      pid: Number(e.name.split(".").pop()),
      text: await Deno.readTextFile(join(dir, e.name)),
    });
  }
  files.sort((x, y) => x.pid - y.pid);
  const execs = files.flatMap((x) => parseStraceExecs(x.text)).filter((e) => e.path !== b.deno);
  return { execs, luxd: b.luxd, plugins: [f.a, f.b] };
}

/** Step: what a warm run executed, one line each, and what was expected. */
function spawnLines(s: SpawnReport): string[] {
  if ("skipped" in s) return [`Programs a warm parsd run executes: not traced (${s.skipped}).`];
  return [
    "Programs a warm parsd run executes (strace -f -e trace=execve; deno itself left out):",
    ...(s.execs.length === 0
      ? ["  (none)"]
      : s.execs.map((e) => `  ${commandLine(e)}${e.path === s.luxd ? "   <- luxd (stub)" : ""}`)),
    "  expected: /bin/sh -c 'ulimit -Hn' once, luxd once (no --help/--version probe: cached), " +
    "no plugin (cached)",
  ];
}

/**
 * Runs the whole bench and prints the report: set up, write the fixtures,
 * warm the cache, measure the rounds, the strategies and the warm run's
 * programs, then the tables. The temp dir is always removed.
 *
 * @throws {ScriptError} (1) when a run fails.
 */
export async function bench(sys: ScriptSystem, o: BenchOptions): Promise<void> {
  await withTempDir("parsd-bench-", async (tmp) => {
    const b = await setUp(sys, o, tmp);
    const big = await makeFixture(tmp, "big", o.sizeMiB);
    const small = await makeFixture(tmp, "small", o.smallMiB);
    await printHeader(b);
    await warmCache(b, [big, small]);
    const { series, harnessMs } = await measureRounds(b, big, small);
    const spawns = await traceSpawns(b, big);
    const figures: BenchFigures = {
      sizeMiB: o.sizeMiB,
      smallMiB: o.smallMiB,
      harnessMs,
      series,
      ...await measureStrategies(b, big),
      spawns,
    };
    sys.out(
      `Wall ms: each process's wall time as the bench sees it, minus the harness's ` +
        `(/usr/bin/time /bin/true, median ${harnessMs.toFixed(1)} ms).`,
    );
    sys.out(measurementTable(figures));
    sys.out(
      "\nRatios, taken round by round (contender ÷ floor, or ÷ openssl, of the same round); " +
        "verdicts on the median:",
    );
    sys.out(ratioTable(ratioRows(figures)));
    sys.out("");
    for (const line of spawnLines(spawns)) sys.out(line);
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
  // The real node (avalanchego + subnet-evm) takes minutes: only when asked for.
  if (sys.env["PARSD_BENCH_NODE"] === "1") {
    await (await import("./bench_node.ts")).benchNode({ sys });
  }
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
