/**
 * @module
 * `deno task bench`: is a checked start as cheap as Deno allows, and is cold
 * plugin verification as fast as two cores allow? Everything is measured in
 * one run, as whole processes, interleaved, and compared pairwise.
 *
 * Setup: a stub luxd that answers `--version-json`, `--version` and `--help`
 * with real luxd 1.22.18's output (from `tests/fixtures/luxd/`) and otherwise
 * exits 0 at once; two plugin files of random 1 MiB blocks pinned in a data
 * dir (256 MiB each, `--start-mib`), and one real `parsd run` on them, so the
 * verification cache holds both plugins and luxd's probe; two more pinned in
 * another data dir (512 MiB each, `--cold-mib`) for cold verification. Then
 * one untimed round and `--reps` rounds (default 11); each runs every
 * contender once, in an order that rotates from round to round, under
 * `/usr/bin/time -f %M` (wall time seen by the bench, peak RSS from the kernel):
 *
 * - the harness, `/bin/true` (its median is subtracted from every wall time);
 * - the floor: `deno run` of `floor.ts` with the start task's flags, which
 *   spawns the stub luxd and waits: what any Deno program that starts luxd pays;
 * - a checked start (`parsd run`, verification from the cache), `parsd
 *   version` and `parsd help`;
 * - `openssl dgst -sha256 A B`, two `openssl dgst -sha256` at once (the
 *   2-core limit), and parsd's cold verification of A and B (`run --dry-run
 *   --verify=full`).
 *
 * Each ratio is taken within a round (contender ÷ floor, or ÷ openssl, of the
 * same round), so a slow moment of the machine hits both sides; its median,
 * min and max over the rounds are reported. Then one file is hashed in a
 * child process by `lib/os/hash.ts`, with and without the marker scan
 * verification adds (timed inside), beside openssl on the same file; and one
 * checked start runs under `strace -f -e trace=execve` to list the programs
 * it executes. The report (`bench_report.ts`): the machine line, a table of
 * measurements, ONE table with every ratio and a verdict per target, and the
 * checked start's programs.
 *
 * Exit codes (lib's `ExitCode`): 0 whatever PASS/FAIL says (it is a report);
 * 64 a bad command line; 70 something failed to run (its stderr is shown);
 * 130/143 interrupted. The temp dir is always removed.
 */

import { fileURLToPath } from "node:url";
import { ExitCode, SoftwareError, UsageError } from "../lib/errors.ts";
import { ENGINE_ADDR_SUFFIX } from "../lib/network/pars.ts";
import { hashFile } from "../lib/os/hash.ts";
import { join } from "../lib/os/path.ts";
import { type Fixture, FLOOR_SOURCE, makeFixture, settled, stubLuxd } from "./bench_fixtures.ts";
import { exists, measure, type Meter, type Run, type RunIn, TIME, which } from "./bench_measure.ts";
import {
  type BenchFigures,
  type Contender,
  CONTENDERS,
  cpuModel,
  type Hash,
  HASHES,
  machineLine,
  measurementTable,
  median,
  parseStraceExecs,
  ratioRows,
  ratioTable,
  type Sample,
  spawnLines,
  type SpawnReport,
  STARTUP,
  VERIFICATION,
} from "./bench_report.ts";
import { noMorePositional, parseFlags, positiveInt } from "./flags.ts";
import {
  denoScriptSystem,
  parsdArgv,
  REPO_ROOT,
  runMain,
  type ScriptSystem,
  shellQuote,
  startFlags,
  tailLines,
  withTempDir,
} from "./kit.ts";

/** Bench options from the command line. */
export interface BenchOptions {
  /** Size of each plugin of the checked start, in MiB. */
  readonly startMiB: number;
  /** Size of each plugin of the cold verification, in MiB. */
  readonly coldMiB: number;
  /** Rounds: each contender runs once per round; medians are reported. */
  readonly reps: number;
}

/** The defaults: 2 × 256 MiB for the checked start, 2 × 512 MiB cold, 11 rounds (odd: the median is one run). */
export const DEFAULTS: BenchOptions = { startMiB: 256, coldMiB: 512, reps: 11 };

/** The `--help` text. */
export const USAGE = `usage: deno task bench [--start-mib N] [--cold-mib N] [--reps N]

Times a checked parsd start (verification cached), parsd version and parsd help against
a Deno process that spawns the same luxd (the floor), and parsd's cold verification of
two plugins against openssl dgst -sha256 on the same files, in one run: whole processes,
interleaved, with peak RSS. Prints every ratio with its target and a PASS/FAIL verdict,
and lists the programs a checked start executes (with strace).

  --start-mib N   size of each plugin of the checked start, MiB (default ${DEFAULTS.startMiB})
  --cold-mib N    size of each plugin of the cold verification, MiB (default ${DEFAULTS.coldMiB})
  --reps N        rounds; each contender runs once per round (default ${DEFAULTS.reps})
  -h, --help      this text

With PARSD_BENCH_NODE=1 it then also times a real node (avalanchego + subnet-evm, from
'deno task build:e2e-node'): time to healthy under parsd vs by hand, memory, shutdown;
then a new 3-node 'parsd devnet up': time to every node healthy, each node's and parsd's peak RSS.

Exit codes: 0 report printed (whatever PASS/FAIL says), 64 usage, 70 a run failed.`;

/**
 * Parses `--start-mib N`, `--cold-mib N` and `--reps N` (also `--flag=N`);
 * `"help"` for `-h`/`--help`.
 *
 * @throws {UsageError} (64) on an unknown flag or a value that is not a positive integer.
 */
export function parseBenchArgs(args: readonly string[]): BenchOptions | "help" {
  const { values, help, positional } = parseFlags(args, {
    values: ["start-mib", "cold-mib", "reps"],
  });
  if (help) return "help";
  noMorePositional(positional, 0);
  const int = (flag: keyof typeof values, fallback: number) => {
    const raw = values[flag];
    return raw === undefined ? fallback : positiveInt(flag, raw);
  };
  return {
    startMiB: int("start-mib", DEFAULTS.startMiB),
    coldMiB: int("cold-mib", DEFAULTS.coldMiB),
    reps: int("reps", DEFAULTS.reps),
  };
}

// ---------------------------------------------------------------- the bench, step by step

/** What every step of the bench uses. */
interface Bench {
  readonly o: BenchOptions;
  readonly sys: ScriptSystem;
  readonly meter: Meter;
  readonly deno: string;
  /** This script (for the hashing children). */
  readonly self: string;
  readonly openssl: string | undefined;
  readonly strace: string | undefined;
  /** The stub luxd ({@linkcode stubLuxd}). */
  readonly luxd: string;
  /** The floor ({@linkcode FLOOR_SOURCE}). */
  readonly floor: string;
  /** How parsd and the floor run: in the repo, with PATH, HOME and the deno dir only. */
  readonly inRepo: RunIn;
  readonly tmp: string;
}

/** Step: the stub luxd, the floor, and which tools there are. */
async function setUp(sys: ScriptSystem, o: BenchOptions, tmp: string): Promise<Bench> {
  const luxd = join(tmp, "luxd");
  await Deno.writeTextFile(luxd, stubLuxd(), { mode: 0o755 });
  await Deno.chmod(luxd, 0o755);
  const floor = join(tmp, "floor.ts");
  await Deno.writeTextFile(floor, FLOOR_SOURCE);
  const kept = ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME", "TMPDIR"].flatMap((k) => {
    const v = sys.env(k);
    return v === undefined ? [] : [[k, v] as const];
  });
  return {
    o,
    sys,
    meter: { sys, useTime: await exists(TIME), tmp },
    deno: sys.execPath(),
    self: fileURLToPath(import.meta.url),
    openssl: await which(sys.env("PATH"), "openssl"),
    strace: await which(sys.env("PATH"), "strace"),
    luxd,
    floor,
    inRepo: { cwd: REPO_ROOT, env: { ...Object.fromEntries(kept), NO_COLOR: "1" } },
    tmp,
  };
}

/** Step: the first lines of the report: sizes, the machine, how things are measured. */
async function printHeader(b: Bench): Promise<void> {
  const plain: Meter = { ...b.meter, useTime: false };
  const say = (line: string) => b.sys.out(line + "\n");
  const deno = (await measure(plain, b.deno, ["--version"])).stdout.split("\n")[0]!;
  const openssl = b.openssl
    ? (await measure(plain, b.openssl, ["version"])).stdout.trim()
    : undefined;
  const cpu = cpuModel(await Deno.readTextFile("/proc/cpuinfo").catch(() => ""));
  say(
    `parsd bench: checked start with 2 × ${b.o.startMiB} MiB plugins, cold verification of ` +
      `2 × ${b.o.coldMiB} MiB (random 1 MiB blocks), ${b.o.reps} rounds`,
  );
  say(
    machineLine({
      nproc: navigator.hardwareConcurrency,
      cpu,
      deno,
      openssl,
      useTime: b.meter.useTime,
    }),
  );
  if (!b.meter.useTime) {
    say("/usr/bin/time is MISSING (apt-get install -y time): peak RSS is polled, a lower bound.");
  }
  if (!b.strace) {
    say(
      "strace is MISSING (apt-get install -y strace): a checked start's programs are not listed.",
    );
  }
  say(
    "All files are page-cache warm for every contender (just written, and read once before " +
      "timing;\ndropping the cache needs root): a fair comparison of hashing, not of the disk.\n",
  );
}

/** The parsd argv for a command; the fixture's flags for commands that take them. */
function parsdArgs(b: Bench, command: string, f?: Fixture, extra: readonly string[] = []) {
  const luxd = f ? ["--luxd", b.luxd, "--data-dir", f.dataDir] : [];
  const plugins = f && command !== "version"
    ? ["--evm-plugin", f.a, "--sessionvm-plugin", f.b]
    : [];
  return parsdArgv([command, ...luxd, ...plugins, ...extra]);
}

/** Checks a `--dry-run` plan names both plugins with the pinned hashes. */
function checkPlan(stdout: string, f: Fixture): void {
  const plan = JSON.parse(stdout) as { plugins?: { source?: string; sha256?: string }[] };
  const got = new Map((plan.plugins ?? []).map((p) => [p.source, p.sha256]));
  if (got.get(f.a) !== f.sha.a || got.get(f.b) !== f.sha.b) {
    throw new SoftwareError(`parsd's plan does not show the pinned hashes`, {
      details: stdout.trimEnd().split("\n"),
    });
  }
}

/** Each contender as a function of the bench (fixtures: the checked start's and the cold one). */
function contenders(
  b: Bench,
  start: Fixture,
  cold: Fixture,
): Record<Contender, () => Promise<Run>> {
  const deno = (args: string[]) => measure(b.meter, b.deno, args, b.inRepo);
  const ssl = b.openssl!;
  const sslBoth = `${shellQuote(ssl)} dgst -sha256 ${shellQuote(cold.a)} & ` +
    `${shellQuote(ssl)} dgst -sha256 ${shellQuote(cold.b)} & wait`;
  return {
    floor: () =>
      deno(["run", ...startFlags(), "--config", join(REPO_ROOT, "deno.json"), b.floor, b.luxd]),
    checked: () => deno(parsdArgs(b, "run", start)),
    version: () => deno(parsdArgs(b, "version", start)),
    help: () => deno(parsdArgs(b, "help")),
    ssl: () => measure(b.meter, ssl, ["dgst", "-sha256", cold.a, cold.b]),
    ssl2: () => measure(b.meter, "/bin/sh", ["-c", sslBoth]),
    cold: async () => {
      const r = await deno(parsdArgs(b, "run", cold, ["--dry-run", "--verify=full"]));
      checkPlan(r.stdout, cold);
      return r;
    },
  };
}

/**
 * Step: one real start, so the verification cache holds both plugins and
 * luxd's probe. parsd caches only files whose ctime is over 2 s old
 * (racily-clean rule), so it waits for that first.
 *
 * @throws {SoftwareError} (70) when the start did not cache both plugins.
 */
async function warmCache(b: Bench, f: Fixture): Promise<void> {
  await settled([f.a, f.b, b.luxd]);
  // The first run seals the pinned files into the store; the second, once the sealed
  // copies' ctimes are 2 s old too, caches those copies (what every later start checks).
  await measure(b.meter, b.deno, parsdArgs(b, "run", f), b.inRepo);
  const sealed = [f.sha.a, f.sha.b].map((h) => join(f.dataDir, "store", `sha256-${h}`));
  await settled(sealed);
  await measure(b.meter, b.deno, parsdArgs(b, "run", f), b.inRepo);
  const cache = JSON.parse(await Deno.readTextFile(join(f.dataDir, "verify-cache.json")));
  if (!sealed.every((p) => Object.hasOwn(cache, p))) {
    throw new SoftwareError("the first parsd runs did not cache both plugins' sealed copies");
  }
}

/** Rotates a list left by `n`. */
const rotate = <T>(xs: readonly T[], n: number): T[] => {
  const k = xs.length === 0 ? 0 : n % xs.length;
  return [...xs.slice(k), ...xs.slice(0, k)];
};

/**
 * Step: one untimed round (page cache, Deno's caches), then `reps` rounds;
 * each runs the harness and every contender once, the start-up ones first,
 * each group in an order rotated by the round number.
 */
async function measureRounds(b: Bench, start: Fixture, cold: Fixture) {
  const run = contenders(b, start, cold);
  const verification = b.openssl === undefined ? ["cold" as const] : VERIFICATION;
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

/** Step: one cold-size file hashed by openssl, then by lib in a child each way (timed inside). */
async function measureHashes(b: Bench, f: Fixture) {
  const oneFile: Sample[] = [];
  const hashes: Record<Hash, Sample[]> = { hash: [], scan: [] };
  for (let i = 0; i < b.o.reps; i++) {
    if (b.openssl) {
      const r = await measure(b.meter, b.openssl, ["dgst", "-sha256", f.a]);
      oneFile.push({ ms: r.ms, rss: r.rss });
    }
    for (const h of rotate(Object.keys(HASHES) as Hash[], i)) {
      const args = ["run", `--allow-read=${b.tmp}`, b.self, "--child-hash", h, f.a];
      const r = await measure(b.meter, b.deno, args);
      const res = JSON.parse(r.stdout) as { sha256: string; ms: number };
      if (res.sha256 !== f.sha.a) throw new SoftwareError(`${HASHES[h]}: wrong digest`);
      hashes[h].push({ ms: res.ms, rss: r.rss });
    }
  }
  return { oneFile, hashes };
}

/**
 * Step: one checked start under `strace -f -e trace=execve`, one output file
 * per process; the programs it executed, deno itself left out.
 */
async function traceSpawns(b: Bench, f: Fixture): Promise<SpawnReport> {
  if (!b.strace) return { skipped: "strace not found (apt-get install -y strace)" };
  const dir = join(b.tmp, "strace");
  await Deno.mkdir(dir);
  const trace = ["-f", "-ff", "-qq", "-s", "256", "-e", "trace=execve", "-o", join(dir, "t")];
  const r = await b.sys.run({
    cmd: b.strace,
    args: [...trace, b.deno, ...parsdArgs(b, "run", f)],
    cwd: REPO_ROOT,
    ...(b.inRepo.env ? { env: b.inRepo.env, clearEnv: true } : {}),
  });
  if (r.code !== 0) {
    return { skipped: `strace failed (exit ${r.code}): ${tailLines(r.stderr, 1).join("")}` };
  }
  const files: { pid: number; text: string }[] = [];
  for await (const e of Deno.readDir(dir)) {
    const text = await Deno.readTextFile(join(dir, e.name));
    files.push({ pid: Number(e.name.split(".").pop()), text });
  }
  files.sort((x, y) => x.pid - y.pid);
  const execs = files.flatMap((x) => parseStraceExecs(x.text)).filter((e) => e.path !== b.deno);
  // parsd runs luxd by <data-dir>/bin/luxd, a link to its sealed copy.
  return { execs, luxd: join(f.dataDir, "bin", "luxd"), plugins: [f.a, f.b] };
}

/**
 * Runs the whole bench and prints the report: set up, write the fixtures,
 * warm the cache, measure the rounds, one file's hashing and the checked
 * start's programs, then the tables. The temp dir is always removed.
 *
 * @throws {SoftwareError} (70) when a run fails.
 */
export async function bench(sys: ScriptSystem, o: BenchOptions): Promise<void> {
  await withTempDir("parsd-bench-", async (tmp) => {
    const b = await setUp(sys, o, tmp);
    const start = await makeFixture(tmp, "start", o.startMiB, b.luxd);
    const cold = await makeFixture(tmp, "cold", o.coldMiB, b.luxd);
    await printHeader(b);
    await warmCache(b, start);
    const { series, harnessMs } = await measureRounds(b, start, cold);
    const figures: BenchFigures = {
      startMiB: o.startMiB,
      coldMiB: o.coldMiB,
      harnessMs,
      series,
      ...await measureHashes(b, cold),
      spawns: await traceSpawns(b, start),
    };
    sys.out(
      `Wall ms: each process's wall time as the bench sees it, minus the harness's ` +
        `(/usr/bin/time /bin/true, median ${harnessMs.toFixed(1)} ms).\n`,
    );
    sys.out(measurementTable(figures) + "\n");
    sys.out(
      "\nRatios, taken round by round (contender ÷ floor, or ÷ openssl, of the same round); " +
        "verdicts on the median:\n",
    );
    sys.out(ratioTable(ratioRows(figures)) + "\n\n");
    sys.out(spawnLines(figures.spawns).join("\n") + "\n");
  });
}

/** The script's body: `--help`, or the bench (and the node bench with PARSD_BENCH_NODE=1). */
async function benchMain(sys: ScriptSystem, argv: readonly string[]): Promise<number> {
  const o = parseBenchArgs(argv);
  if (o === "help") {
    sys.out(USAGE + "\n");
    return ExitCode.ok;
  }
  await bench(sys, o);
  // The real node (avalanchego + subnet-evm) takes minutes: only when asked for.
  if (sys.env("PARSD_BENCH_NODE") === "1") {
    await (await import("./bench_node.ts")).benchNode({ sys });
    await (await import("./bench_devnet.ts")).benchDevnet((text) => sys.out(text));
  }
  return ExitCode.ok;
}

/** Runs the script with `argv`; returns the exit code. */
export function main(argv: readonly string[], sys = denoScriptSystem()): Promise<number> {
  return runMain("bench", sys, (s) => benchMain(s, argv));
}

/**
 * The hashing child (`--child-hash hash|scan FILE`, internal): hashes FILE
 * with `lib/os/hash.ts` (with the marker scan for `scan`) and prints
 * `{sha256, ms}`. It runs with `--allow-read` only.
 *
 * @throws {UsageError} (64) on bad arguments.
 */
export async function hashChild(argv: readonly string[]): Promise<string> {
  const [, how, file] = argv;
  if ((how !== "hash" && how !== "scan") || file === undefined) {
    throw new UsageError("bad --child-hash arguments: expected hash|scan FILE");
  }
  const start = performance.now();
  const { sha256 } = await hashFile(file, how === "scan" ? ENGINE_ADDR_SUFFIX : undefined);
  return JSON.stringify({ sha256, ms: performance.now() - start });
}

if (import.meta.main) {
  if (Deno.args[0] === "--child-hash") console.log(await hashChild(Deno.args));
  else Deno.exit(await main(Deno.args));
}
