/**
 * @module
 * The bench's report, pure: what is measured (the contenders), the targets,
 * and how figures become the measurement table and the one table of ratios
 * with a verdict per target. `scripts/bench.ts` measures; this file only
 * computes and formats, so `tests/bench_test.ts` can hold every verdict to a
 * case table.
 */

import { shellWord } from "./kit.ts";
import { GROUP_KEEPER_NAME } from "../lib/os/group_keeper.ts";

const MiB = 1 << 20;

/** One finished run: wall milliseconds and peak RSS bytes (if known). */
export interface Sample {
  readonly ms: number;
  readonly rss: number | undefined;
}

/** The contenders run in every round, as whole processes. */
export const CONTENDERS = {
  floor: "floor: deno run -P=parsd floor.ts (spawns the stub luxd)",
  checked: "parsd run, checked (verification cached)",
  version: "parsd version",
  help: "parsd help",
  ssl: "openssl dgst -sha256 A B",
  ssl2: "two openssl dgst -sha256 at once",
  cold: "parsd run --dry-run --verify=full (cold)",
} as const;

/** A key of {@linkcode CONTENDERS}. */
export type Contender = keyof typeof CONTENDERS;

/** The start-up contenders, compared with the floor. */
export const STARTUP: readonly Contender[] = ["floor", "checked", "version", "help"];

/** The verification contenders, compared with `openssl dgst -sha256 A B` (skipped without openssl). */
export const VERIFICATION: readonly Contender[] = ["ssl", "ssl2", "cold"];

/** What one file's hashing costs inside a Deno process, per way of hashing (`lib/os/hash.ts`). */
export const HASHES = {
  hash: "parsd's hash (lib/os/hash.ts hashFile)",
  scan: "parsd's hash + marker scan (what verification does)",
} as const;

/** A key of {@linkcode HASHES}. */
export type Hash = keyof typeof HASHES;

/** One program a process executed (from strace). */
export interface Exec {
  readonly path: string;
  readonly args: readonly string[];
}

/** What a checked start executed (`execs`, without deno itself), or why that is unknown. */
export type SpawnReport =
  | { readonly execs: readonly Exec[]; readonly luxd: string; readonly plugins: readonly string[] }
  | { readonly skipped: string };

/** Every measurement the report is drawn from. */
export interface BenchFigures {
  /** Size of each plugin of the checked start, in MiB. */
  readonly startMiB: number;
  /** Size of each plugin of the cold verification, in MiB. */
  readonly coldMiB: number;
  /** Median wall time of the harness (`/usr/bin/time /bin/true`), subtracted from every run. */
  readonly harnessMs: number;
  /** Each contender's runs, index = round (`ssl` and `ssl2` are empty without openssl). */
  readonly series: Readonly<Record<Contender, readonly Sample[]>>;
  /** openssl on one cold-size file, per repetition (empty without openssl). */
  readonly oneFile: readonly Sample[];
  /** Each way of hashing that file, per repetition; ms measured inside the process. */
  readonly hashes: Readonly<Record<Hash, readonly Sample[]>>;
  /** What a checked start executed, or why it was not traced. */
  readonly spawns: SpawnReport;
}

/** The targets. Wall-time ratios are of net times (harness subtracted). */
export const TARGET = {
  /** A checked start (cached verification) at most this many times the floor's wall time. */
  checked: 1.5,
  /** … and its peak RSS at most this many times the floor's. */
  checkedRss: 1.3,
  /** `parsd version` and `parsd help` at most this many times the floor. */
  version: 1.2,
  help: 1.2,
  /** Cold verification of both plugins at most this many times sequential openssl's wall time. */
  cold: 0.6,
} as const;

/** The median of some numbers (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("median of no values");
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

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

/** Bytes as MiB with one decimal, e.g. `47.3 MiB`; `n/a` when unknown. */
export function formatMiB(bytes: number | undefined): string {
  return bytes === undefined ? "n/a" : `${(bytes / MiB).toFixed(1)} MiB`;
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

/** A row of the ratio table. */
export interface RatioRow {
  /** What is compared. */
  readonly measure: string;
  /** `undefined` when it could not be measured. */
  readonly spread: Spread | undefined;
  /** How the numbers read: a ratio, or a count. */
  readonly unit: "x" | "count";
  /** The target in words (`<= 1.50x`), or `""` for a figure without one. */
  readonly target: string;
  readonly verdict: "PASS" | "FAIL" | "SKIP" | "INFO";
  /** Why a row is SKIP or FAIL, when the numbers alone do not say. */
  readonly note?: string;
}

/** A ratio row: PASS/FAIL on the median against `limit`, INFO without one, SKIP when unmeasured. */
function ratioRow(measure: string, r: Spread | undefined, limit?: number, skip?: string): RatioRow {
  return {
    measure,
    spread: r,
    unit: "x",
    target: limit === undefined ? "" : `<= ${limit.toFixed(2)}x`,
    verdict: r === undefined
      ? "SKIP"
      : limit === undefined
      ? "INFO"
      : r.median <= limit
      ? "PASS"
      : "FAIL",
    ...(r === undefined && skip !== undefined ? { note: skip } : {}),
  };
}

/** Which programs a checked start may execute, and problems with what it did execute. Pure. */
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
  // luxd's process-group keeper (lib/os/group_keeper.ts) is a /bin/sh of its own, once a start.
  const sh = execs.filter((e) => e.path === "/bin/sh");
  const keepers = sh.filter((e) => e.args.includes(GROUP_KEEPER_NAME));
  const queries = sh.length - keepers.length;
  if (queries > 1) problems.push(`/bin/sh executed ${queries} times, expected at most once`);
  if (keepers.length > 1) problems.push(`${keepers.length} group keepers, expected one`);
  const other = execs.filter((e) =>
    e.path !== expect.luxd && e.path !== "/bin/sh" && !expect.plugins.includes(e.path)
  );
  for (const e of other) problems.push(`unexpected program ${e.path}`);
  return problems;
}

/** The row for what a checked start executed. */
function spawnRow(s: SpawnReport): RatioRow {
  const measure = "programs a checked start executes";
  if ("skipped" in s) {
    return {
      measure,
      spread: undefined,
      unit: "count",
      target: "sh + keeper + luxd",
      verdict: "SKIP",
      note: s.skipped,
    };
  }
  const problems = spawnProblems(s.execs, s);
  const n = s.execs.length;
  return {
    measure,
    spread: { median: n, min: n, max: n },
    unit: "count",
    target: "sh + keeper + luxd",
    verdict: problems.length === 0 ? "PASS" : "FAIL",
    ...(problems.length > 0 ? { note: problems.join("; ") } : {}),
  };
}

/**
 * Every ratio of the report with its verdict, in print order: the start-up
 * targets against the floor, cold verification against sequential openssl
 * (with two openssl at once, the 2-core limit, for scale), what hashing one
 * file costs parsd with and without the marker scan, and the programs a
 * checked start executes. Pure.
 */
export function ratioRows(f: BenchFigures): RatioRow[] {
  const s = f.series;
  const net = (x: Sample) => netMs(x, f.harnessMs);
  const noSsl = "openssl not found, no baseline";
  const hashRows = (Object.keys(HASHES) as Hash[]).map((h) =>
    ratioRow(
      `one ${f.coldMiB} MiB file: ${HASHES[h]} / openssl`,
      pairedRatios(f.hashes[h], f.oneFile, (x) => x.ms),
      undefined,
      noSsl,
    )
  );
  return [
    ratioRow(
      `${CONTENDERS.checked} / floor, wall`,
      pairedRatios(s.checked, s.floor, net),
      TARGET.checked,
    ),
    ratioRow(
      `${CONTENDERS.checked} / floor, peak RSS`,
      pairedRatios(s.checked, s.floor, (x) => x.rss),
      TARGET.checkedRss,
      "peak RSS unavailable",
    ),
    ratioRow(
      `${CONTENDERS.version} / floor, wall`,
      pairedRatios(s.version, s.floor, net),
      TARGET.version,
    ),
    ratioRow(`${CONTENDERS.help} / floor, wall`, pairedRatios(s.help, s.floor, net), TARGET.help),
    ratioRow(
      `cold verification / openssl A B, wall (2 × ${f.coldMiB} MiB)`,
      pairedRatios(s.cold, s.ssl, net),
      TARGET.cold,
      noSsl,
    ),
    ratioRow(
      `${CONTENDERS.ssl2} / openssl A B, wall`,
      pairedRatios(s.ssl2, s.ssl, net),
      undefined,
      noSsl,
    ),
    ...hashRows,
    spawnRow(f.spawns),
  ];
}

/** The header of {@linkcode ratioTable}. */
export const RATIO_HEADER = ["ratio", "median", "min", "max", "target", "verdict"] as const;

/** The one table of ratios and verdicts; notes follow their row, indented. */
export function ratioTable(rows: readonly RatioRow[]): string {
  const cell = (v: number, unit: RatioRow["unit"]) => unit === "x" ? `${v.toFixed(2)}x` : String(v);
  const lines = renderTable([
    [...RATIO_HEADER],
    ...rows.map((r) => [
      r.measure,
      r.spread ? cell(r.spread.median, r.unit) : "n/a",
      r.spread && r.unit === "x" ? cell(r.spread.min, r.unit) : "",
      r.spread && r.unit === "x" ? cell(r.spread.max, r.unit) : "",
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

/** The measurements table: each contender's net wall time (median, min, max), peak RSS, runs. */
export function measurementTable(f: BenchFigures): string {
  const label = (c: Contender) =>
    c === "checked"
      ? `${CONTENDERS[c]} (2 × ${f.startMiB} MiB)`
      : VERIFICATION.includes(c)
      ? `${CONTENDERS[c]} (2 × ${f.coldMiB} MiB)`
      : CONTENDERS[c];
  const row = (name: string, runs: readonly Sample[], ms: (x: Sample) => number) => {
    const wall = spread(runs.map(ms));
    const rss = spread(runs.flatMap((x) => x.rss === undefined ? [] : [x.rss]));
    return wall === undefined ? [name, "skipped", "", "", "", ""] : [
      name,
      wall.median.toFixed(1),
      wall.min.toFixed(1),
      wall.max.toFixed(1),
      formatMiB(rss?.median),
      String(runs.length),
    ];
  };
  const net = (x: Sample) => netMs(x, f.harnessMs);
  return renderTable([
    ["contender", "wall ms", "min", "max", "peak RSS", "runs"],
    ...[...STARTUP, ...VERIFICATION].map((c) => row(label(c), f.series[c], net)),
    row(`openssl dgst -sha256 A (one ${f.coldMiB} MiB file)`, f.oneFile, net),
    ...(Object.keys(HASHES) as Hash[]).map((h) =>
      row(`${HASHES[h]}, one file, timed inside`, f.hashes[h], (x) => x.ms)
    ),
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

/**
 * A program and its arguments as one line: each word shell-quoted when
 * needed, a newline in it shown as `\n`, a word over 60 characters cut with `…`.
 */
export function commandLine(e: Exec, maxArgs = 4): string {
  const rest = e.args.slice(1);
  const short = (w: string) => w.length > 60 ? w.slice(0, 59) + "…" : w;
  const shown = rest.slice(0, maxArgs).map((a) => short(shellWord(a).replaceAll("\n", "\\n")));
  const more = rest.length > maxArgs ? ` … (+${rest.length - maxArgs} args)` : "";
  return [e.path, ...shown].join(" ") + more;
}

/** What a checked start executed, one line each, and what was expected. */
export function spawnLines(s: SpawnReport): string[] {
  if ("skipped" in s) return [`Programs a checked start executes: not traced (${s.skipped}).`];
  return [
    "Programs a checked start executes (strace -f -e trace=execve; deno itself left out):",
    ...(s.execs.length === 0
      ? ["  (none)"]
      : s.execs.map((e) => `  ${commandLine(e)}${e.path === s.luxd ? "   <- luxd (stub)" : ""}`)),
    "  expected: /bin/sh -c 'ulimit -Hn' once, luxd once (no --help/--version probe: cached), " +
    "no plugin (cached)",
  ];
}
