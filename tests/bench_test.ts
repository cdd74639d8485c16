/**
 * @module
 * Tests of `scripts/bench.ts` and `scripts/bench_report.ts`: the pure
 * helpers, the ratio rows and their verdicts drawn from the figures (case
 * tables), strace parsing, the stub luxd and the bench's plugins, the
 * hashing the bench measures (`System.hashAndScan`, on this thread and in a
 * worker at once), and one real run on tiny files whose report is read back
 * for its shape: the machine line, every contender, every ratio row with
 * median/min/max, target and a verdict that agrees with the printed median.
 * No timing is asserted.
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { FileAccessError } from "../lib/os/files.ts";
import { denoSystem } from "../lib/os/system.ts";
import { DEFAULTS, parseBenchArgs } from "../scripts/bench.ts";
import { PLUGIN_HEADER, stubLuxd, writePlugin } from "../scripts/bench_fixtures.ts";
import {
  type BenchFigures,
  commandLine,
  type Contender,
  CONTENDERS,
  cpuModel,
  type Exec,
  formatMiB,
  HASHES,
  machineLine,
  median,
  netMs,
  pairedRatios,
  parseStraceExecs,
  RATIO_HEADER,
  ratioRows,
  ratioTable,
  renderTable,
  type Sample,
  spawnProblems,
  spread,
  STARTUP,
  TARGET,
  VERIFICATION,
} from "../scripts/bench_report.ts";
import { REPO_ROOT } from "../scripts/kit.ts";
import { withTempDir } from "./helpers.ts";

const MiB = 1 << 20;

Deno.test("bench helpers", async (t) => {
  await t.step("median", () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.throws(() => median([]), RangeError);
  });
  await t.step("formatMiB", () => {
    assert.equal(formatMiB(3 * MiB), "3.0 MiB");
    assert.equal(formatMiB(undefined), "n/a");
  });
  await t.step("renderTable aligns columns", () => {
    assert.equal(renderTable([["a", "1"], ["bbb", "22"]]), "a     1\nbbb  22");
  });
  await t.step("spread, netMs and pairedRatios (round by round; missing pairs left out)", () => {
    assert.deepEqual(spread([3, 1, 2]), { median: 2, min: 1, max: 3 });
    assert.equal(spread([]), undefined);
    assert.equal(netMs({ ms: 10, rss: undefined }, 4), 6);
    assert.equal(netMs({ ms: 3, rss: undefined }, 4), 0.1);
    const a: Sample[] = [{ ms: 20, rss: 4 }, { ms: 30, rss: undefined }, { ms: 40, rss: 9 }];
    const b: Sample[] = [{ ms: 10, rss: 2 }, { ms: 10, rss: 3 }, { ms: 20, rss: 3 }];
    assert.deepEqual(pairedRatios(a, b, (s) => s.ms), { median: 2, min: 2, max: 3 });
    assert.deepEqual(pairedRatios(a, b, (s) => s.rss), { median: 2.5, min: 2, max: 3 });
    assert.equal(pairedRatios([], b, (s) => s.ms), undefined);
  });
  await t.step("cpuModel and machineLine", () => {
    assert.equal(cpuModel("processor\t: 0\nmodel name\t: AMD EPYC 7B13\n"), "AMD EPYC 7B13");
    assert.equal(cpuModel("Hardware\t: BCM2835\n"), "BCM2835");
    assert.equal(cpuModel(""), "unknown");
    assert.equal(
      machineLine({ nproc: 2, cpu: "X", deno: "deno 2.9.6", openssl: undefined, useTime: false }),
      "machine: nproc 2; CPU X; deno 2.9.6; openssl: not found; " +
        "peak RSS from VmHWM polled every 5 ms (no /usr/bin/time)",
    );
  });
});

Deno.test("parseBenchArgs: defaults, values, help; mistakes are usage errors (64)", () => {
  assert.deepEqual(parseBenchArgs([]), { startMiB: 256, coldMiB: 512, reps: 11 });
  assert.deepEqual(parseBenchArgs([]), DEFAULTS);
  assert.deepEqual(parseBenchArgs(["--start-mib", "16", "--reps=1"]), {
    startMiB: 16,
    coldMiB: 512,
    reps: 1,
  });
  assert.deepEqual(parseBenchArgs(["--cold-mib=8"]), { startMiB: 256, coldMiB: 8, reps: 11 });
  assert.equal(parseBenchArgs(["-h"]), "help");
  const bad: [string[], string][] = [
    [["--start-mib", "0"], "--start-mib needs a positive integer, got '0'"],
    [["--reps=1.5"], "--reps needs a positive integer, got '1.5'"],
    [["--cold-mib"], "flag --cold-mib needs a value"],
    [["--size-mib", "16"], "unknown flag '--size-mib'"],
    [["16"], "unexpected argument '16'"],
  ];
  for (const [argv, message] of bad) {
    assert.throws(() => parseBenchArgs(argv), { exitCode: 64, message }, argv.join(" "));
  }
});

Deno.test("parseStraceExecs: successful execve calls, arguments unescaped", () => {
  const text = [
    'execve("/usr/local/bin/deno", ["deno", "run", "main.ts"], 0x7ffd /* 30 vars */) = 0',
    'execve("/usr/bin/luxd", ["luxd"], 0x55 /* 35 vars */) = -1 ENOENT (No such file or directory)',
    'execve("/bin/sh", ["/bin/sh", "-c", "ulimit -Hn"], 0x5591 /* 35 vars */) = 0',
    '1214 execve("/tmp/x/luxd", ["/tmp/x/luxd", "--say=\\"hi\\""], 0x55 /* 35 vars */) = 0',
    "--- SIGCHLD {si_signo=SIGCHLD} ---",
    "",
  ].join("\n");
  assert.deepEqual(parseStraceExecs(text), [
    { path: "/usr/local/bin/deno", args: ["deno", "run", "main.ts"] },
    { path: "/bin/sh", args: ["/bin/sh", "-c", "ulimit -Hn"] },
    { path: "/tmp/x/luxd", args: ["/tmp/x/luxd", '--say="hi"'] },
  ]);
  assert.equal(
    commandLine({ path: "/bin/sh", args: ["/bin/sh", "-c", "ulimit -Hn"] }),
    "/bin/sh -c 'ulimit -Hn'",
  );
  assert.equal(commandLine({ path: "/l", args: ["/l", "a", "b", "c"] }, 2), "/l a b … (+1 args)");
  assert.equal(
    commandLine({ path: "/bin/sh", args: ["/bin/sh", "-c", "a\nb", "x".repeat(70)] }),
    `/bin/sh -c 'a\\nb' ${"x".repeat(59)}…`,
  );
});

Deno.test("spawnProblems: a checked start may execute one /bin/sh query, luxd's group keeper and luxd, nothing else", () => {
  const expect = { luxd: "/t/luxd", plugins: ["/t/a", "/t/b"] };
  const sh: Exec = { path: "/bin/sh", args: ["/bin/sh", "-c", "ulimit -Hn"] };
  const luxd: Exec = { path: "/t/luxd", args: ["/t/luxd", "--network-id=7070"] };
  const keeper: Exec = {
    path: "/bin/sh",
    args: ["/bin/sh", "-c", "…", "parsd-group-keeper", "300"],
  };
  const cases: [string, Exec[], string[]][] = [
    ["sh and luxd", [sh, luxd], []],
    ["luxd only", [luxd], []],
    ["no luxd", [sh], ["luxd executed 0 times, expected once"]],
    [
      "a probe",
      [sh, { path: "/t/luxd", args: ["/t/luxd", "--help"] }, luxd],
      ["luxd executed 2 times, expected once", "luxd probed with --help (its probe is cached)"],
    ],
    [
      "a plugin and a stranger",
      [sh, { path: "/t/a", args: ["/t/a", "--version"] }, luxd, { path: "/bin/cat", args: [] }],
      ["plugin /t/a executed (it is cached)", "unexpected program /bin/cat"],
    ],
    ["sh twice", [sh, sh, luxd], ["/bin/sh executed 2 times, expected at most once"]],
    ["sh, the keeper and luxd", [sh, luxd, keeper], []],
    ["two keepers", [sh, luxd, keeper, keeper], ["2 group keepers, expected one"]],
  ];
  for (const [what, execs, problems] of cases) {
    assert.deepEqual(spawnProblems(execs, expect), problems, what);
  }
});

/** `n` samples of `ms` (net of a 2 ms harness) and `rssMiB`. */
const runs = (ms: number, rssMiB: number | undefined, n = 3): Sample[] =>
  Array.from({ length: n }, () => ({
    ms: ms + 2,
    rss: rssMiB === undefined ? undefined : rssMiB * MiB,
  }));

/** Figures where every target passes: floor 40 ms / 30 MiB, openssl A B 1000 ms. */
function figures(
  over: Partial<Record<Contender, Sample[]>> = {},
  rest: Partial<BenchFigures> = {},
): BenchFigures {
  return {
    startMiB: 256,
    coldMiB: 512,
    harnessMs: 2,
    series: {
      floor: runs(40, 30),
      checked: runs(56, 37),
      version: runs(46, 33),
      help: runs(44, 31),
      ssl: runs(1000, 6),
      ssl2: runs(530, 6),
      cold: runs(580, 90),
      ...over,
    },
    oneFile: runs(500, 6).map((s) => ({ ...s, ms: 500 })),
    hashes: {
      hash: runs(400, 40).map((s) => ({ ...s, ms: 400 })),
      scan: runs(600, 40).map((s) => ({ ...s, ms: 600 })),
    },
    spawns: {
      execs: [
        { path: "/bin/sh", args: ["/bin/sh", "-c", "ulimit -Hn"] },
        { path: "/t/luxd", args: ["/t/luxd"] },
      ],
      luxd: "/t/luxd",
      plugins: ["/t/a", "/t/b"],
    },
    ...rest,
  };
}

const verdicts = (f: BenchFigures) =>
  Object.fromEntries(ratioRows(f).map((r) => [r.measure, r.verdict]));

const MEASURES = {
  checked: "parsd run, checked (verification cached) / floor, wall",
  checkedRss: "parsd run, checked (verification cached) / floor, peak RSS",
  version: "parsd version / floor, wall",
  help: "parsd help / floor, wall",
  cold: "cold verification / openssl A B, wall (2 × 512 MiB)",
  ssl2: "two openssl dgst -sha256 at once / openssl A B, wall",
  hash: "one 512 MiB file: parsd's hash (lib/os/hash.ts hashFile) / openssl",
  scan: "one 512 MiB file: parsd's hash + marker scan (what verification does) / openssl",
  spawns: "programs a checked start executes",
} as const;

Deno.test("ratioRows: every ratio, in order, with PASS/FAIL on the median", async (t) => {
  await t.step("all within target; figures without a target are INFO", () => {
    assert.deepEqual(verdicts(figures()), {
      [MEASURES.checked]: "PASS",
      [MEASURES.checkedRss]: "PASS",
      [MEASURES.version]: "PASS",
      [MEASURES.help]: "PASS",
      [MEASURES.cold]: "PASS",
      [MEASURES.ssl2]: "INFO",
      [MEASURES.hash]: "INFO",
      [MEASURES.scan]: "INFO",
      [MEASURES.spawns]: "PASS",
    });
  });
  await t.step("each target's edge is a PASS, just past it a FAIL", () => {
    const cases: [Contender, number, number, string][] = [
      ["checked", 60, 61, MEASURES.checked], // 1.50x of 40
      ["version", 48, 49, MEASURES.version], // 1.20x
      ["help", 48, 49, MEASURES.help],
      ["cold", 600, 601, MEASURES.cold], // 0.60x of 1000
    ];
    for (const [c, edge, past, measure] of cases) {
      assert.equal(verdicts(figures({ [c]: runs(edge, 30) }))[measure], "PASS", `${c} ${edge}`);
      assert.equal(verdicts(figures({ [c]: runs(past, 30) }))[measure], "FAIL", `${c} ${past}`);
    }
    assert.equal(verdicts(figures({ checked: runs(50, 39) }))[MEASURES.checkedRss], "PASS"); // 1.30x
    assert.equal(verdicts(figures({ checked: runs(50, 39.5) }))[MEASURES.checkedRss], "FAIL");
    assert.deepEqual(TARGET, { checked: 1.5, checkedRss: 1.3, version: 1.2, help: 1.2, cold: 0.6 });
  });
  await t.step("the median decides; min and max are shown", () => {
    const checked = [...runs(40, 30, 1), ...runs(50, 30, 1), ...runs(80, 30, 1)];
    const row = ratioRows(figures({ checked })).find((r) => r.measure === MEASURES.checked)!;
    assert.deepEqual(row.spread, { median: 1.25, min: 1, max: 2 });
    assert.equal(row.verdict, "PASS");
  });
  await t.step("no openssl, no RSS, no strace: SKIP says why", () => {
    const noRss = Object.fromEntries(
      Object.entries(figures().series).map((
        [c, s],
      ) => [c, s.map((x) => ({ ...x, rss: undefined }))]),
    ) as Record<Contender, Sample[]>;
    const rows = ratioRows(figures(
      { ...noRss, ssl: [], ssl2: [] },
      { oneFile: [], spawns: { skipped: "strace not found" } },
    ));
    const skipped = rows.filter((r) => r.verdict === "SKIP").map((r) => [r.measure, r.note]);
    const noSsl = "openssl not found, no baseline";
    assert.deepEqual(skipped, [
      [MEASURES.checkedRss, "peak RSS unavailable"],
      [MEASURES.cold, noSsl],
      [MEASURES.ssl2, noSsl],
      [MEASURES.hash, noSsl],
      [MEASURES.scan, noSsl],
      [MEASURES.spawns, "strace not found"],
    ]);
  });
  await t.step("a checked start that probes luxd fails, and the table says why", () => {
    const f = figures({}, {
      spawns: {
        execs: [{ path: "/t/luxd", args: ["/t/luxd", "--help"] }, {
          path: "/t/luxd",
          args: ["/t/luxd"],
        }],
        luxd: "/t/luxd",
        plugins: [],
      },
    });
    const table = ratioTable(ratioRows(f));
    assert.match(table, /^programs a checked start executes +2 +sh \+ keeper \+ luxd +FAIL$/m);
    assert.match(table, /^ {4}why: luxd executed 2 times, expected once; luxd probed with --help/m);
  });
});

Deno.test("hashAndScan: two files at once (this thread and a worker) each get their own digest; a missing one is a FileAccessError", async () => {
  await withTempDir(async (dir) => {
    const marker = "_VM_RUNTIME_ENGINE_ADDR";
    const files = [
      { path: join(dir, "a"), text: `x${marker}y`.repeat(1000) },
      { path: join(dir, "b"), text: "no marker here\n".repeat(1000) },
    ];
    for (const f of files) await Deno.writeTextFile(f.path, f.text);
    const got = await Promise.all(files.map((f) => denoSystem.hashAndScan(f.path, marker)));
    assert.deepEqual(got, [
      { sha256: createHash("sha256").update(files[0]!.text).digest("hex"), contains: true },
      { sha256: createHash("sha256").update(files[1]!.text).digest("hex"), contains: false },
    ]);
    const missing = join(dir, "missing");
    const both = await Promise.allSettled([
      denoSystem.hashAndScan(missing, marker),
      denoSystem.hashAndScan(missing, marker),
    ]);
    for (const r of both) {
      assert.equal(r.status, "rejected");
      assert.ok(r.reason instanceof FileAccessError, String(r.reason));
      assert.equal(r.reason.path, missing);
    }
  });
});

async function onPath(name: string): Promise<boolean> {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir !== "" && await Deno.stat(join(dir, name)).then(() => true, () => false)) return true;
  }
  return false;
}

/** A ratio-table row as printed: measure, median, min, max, target, verdict. */
const ROW = new RegExp(
  String.raw`^(?<measure>\S.*?)  +(?<median>n/a|[\d.]+x|\d+)` +
    String.raw`(?:  +(?<min>[\d.]+x)  +(?<max>[\d.]+x))?` +
    String.raw`(?:  +(?<target><= [\d.]+x|sh \+ keeper \+ luxd))?` +
    String.raw`  +(?<verdict>PASS|FAIL|SKIP|INFO)$`,
);

Deno.test("bench runs end to end on tiny files; its one ratio table has every row", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      join(REPO_ROOT, "scripts", "bench.ts"),
      "--start-mib",
      "1",
      "--cold-mib",
      "2",
      "--reps",
      "2",
    ],
    env: { NO_COLOR: "1", INIT_CWD: "" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const lines = stdout.split("\n");
  assert.equal(
    lines[0],
    "parsd bench: checked start with 2 × 1 MiB plugins, cold verification of 2 × 2 MiB " +
      "(random 1 MiB blocks), 2 rounds",
  );
  assert.match(
    lines[1]!,
    /^machine: nproc \d+; CPU .+; deno \d+\.\d+\.\d+ .*; (OpenSSL .*|openssl: not found); peak RSS from /,
  );
  const hasTime = await Deno.stat("/usr/bin/time").then(() => true, () => false);
  assert.equal(
    lines.includes(
      "/usr/bin/time is MISSING (apt-get install -y time): peak RSS is polled, a lower bound.",
    ),
    !hasTime,
  );

  // The measurements: every contender once, with its run count (openssl's skipped without it).
  const ssl = await onPath("openssl");
  for (const c of [...STARTUP, ...VERIFICATION]) {
    const label = CONTENDERS[c].replace(/[().*+?]/g, "\\$&");
    const row = new RegExp(`^${label}.*?  +(\\d+\\.\\d|skipped)(?:  .*  (\\d+))?$`, "m").exec(
      stdout,
    );
    assert.ok(row, `no measurement row for ${c}\n${stdout}`);
    if (!c.startsWith("ssl") || ssl) assert.equal(row[2], "2", `${c} ran twice`);
  }
  for (const h of Object.values(HASHES)) {
    assert.match(
      stdout,
      new RegExp(`^${h.replace(/[().*+?]/g, "\\$&")}, one file, timed inside `, "m"),
    );
  }

  // The one ratio table: its header, then one row per ratio, in order.
  const header = lines.findIndex((l) => l.startsWith("ratio "));
  assert.ok(header > 0, stdout);
  assert.deepEqual(lines[header]!.split(/ {2,}/), [...RATIO_HEADER]);
  const table = lines.slice(header + 1, lines.indexOf("", header));
  const rows = table.filter((l) => !l.startsWith("    ")).map((l) => {
    const m = ROW.exec(l);
    assert.ok(m?.groups, `not a ratio row: '${l}'`);
    return m.groups as Record<string, string | undefined>;
  });
  assert.deepEqual(rows.map((r) => r.measure), [
    MEASURES.checked,
    MEASURES.checkedRss,
    MEASURES.version,
    MEASURES.help,
    "cold verification / openssl A B, wall (2 × 2 MiB)",
    MEASURES.ssl2,
    "one 2 MiB file: parsd's hash (lib/os/hash.ts hashFile) / openssl",
    "one 2 MiB file: parsd's hash + marker scan (what verification does) / openssl",
    MEASURES.spawns,
  ]);
  // Each verdict agrees with the median printed beside it.
  const limits: Record<string, number> = {
    [MEASURES.checked]: TARGET.checked,
    [MEASURES.checkedRss]: TARGET.checkedRss,
    [MEASURES.version]: TARGET.version,
    [MEASURES.help]: TARGET.help,
    "cold verification / openssl A B, wall (2 × 2 MiB)": TARGET.cold,
  };
  for (const r of rows) {
    const limit = limits[r.measure!];
    if (limit === undefined) continue;
    if (r.median === "n/a") {
      assert.equal(r.verdict, "SKIP", r.measure);
      continue;
    }
    assert.equal(r.target, `<= ${limit.toFixed(2)}x`, r.measure);
    assert.ok(r.min !== undefined && r.max !== undefined, `${r.measure} shows min and max`);
    assert.ok(parseFloat(r.min) <= parseFloat(r.median!), r.measure);
    assert.ok(parseFloat(r.median!) <= parseFloat(r.max), r.measure);
    // The verdict is taken on the unrounded median: at the limit, the two decimals shown decide nothing.
    if (parseFloat(r.median!) !== limit) {
      assert.equal(r.verdict, parseFloat(r.median!) <= limit ? "PASS" : "FAIL", r.measure);
    } else assert.ok(r.verdict === "PASS" || r.verdict === "FAIL", r.measure);
  }
  const cold = rows.find((r) => r.measure?.startsWith("cold verification / openssl"));
  assert.equal(cold?.verdict === "SKIP", !ssl, "cold vs openssl is skipped only without it");

  // What a checked start executes: listed with strace, else said plainly.
  if (await onPath("strace")) {
    assert.match(stdout, /^Programs a checked start executes \(strace -f -e trace=execve;/m);
    assert.match(stdout, /^ {2}\/bin\/sh -c 'ulimit -Hn'$/m);
    assert.match(stdout, /^ {2}\S+\/luxd .*<- luxd \(stub\)$/m);
    assert.match(stdout, /^ {2}expected: /m);
    // Shape only: what parsd may execute is spawnProblems' to judge (tested above), not the run's.
    assert.ok(["PASS", "FAIL"].includes(rows.at(-1)!.verdict!), stdout);
  } else {
    assert.match(stdout, /^Programs a checked start executes: not traced \(strace not found/m);
    assert.equal(rows.at(-1)!.verdict, "SKIP");
  }
});

Deno.test("writePlugin: a bench plugin is a script that exits at once, so running it runs none of its random bytes", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "plugin");
    const sha = await writePlugin(path, 2);
    const bytes = await Deno.readFile(path);
    assert.equal(bytes.length, 2 << 20);
    assert.equal(new TextDecoder().decode(bytes.subarray(0, PLUGIN_HEADER.length)), PLUGIN_HEADER);
    assert.equal(sha, createHash("sha256").update(bytes).digest("hex"));
    // Run as parsd's probe runs it; the random bytes would otherwise be read as shell commands
    // (an unexecutable file is handed to /bin/sh), creating files named by them.
    const out = await new Deno.Command(path, { args: ["--version"], cwd: dir }).output();
    assert.equal(out.code, 0);
    assert.equal(out.stdout.length + out.stderr.length, 0);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["plugin"]);
  });
});

Deno.test("the stub luxd answers --version from the shell alone, with the fixture's line", async () => {
  await withTempDir(async (dir) => {
    const luxd = join(dir, "luxd");
    await Deno.writeTextFile(luxd, stubLuxd(), { mode: 0o755 });
    await Deno.chmod(luxd, 0o755);
    const fixture = await Deno.readTextFile(
      join(REPO_ROOT, "tests", "fixtures", "luxd", "luxd-1.22.18-version.txt"),
    );
    // With PATH holding only the stub's own dir, the shell finds no other program (no cat):
    // only its builtins can answer.
    const out = await new Deno.Command(luxd, {
      args: ["--version"],
      clearEnv: true,
      env: { PATH: dir },
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.equal(new TextDecoder().decode(out.stdout), fixture);
    const json = await new Deno.Command(luxd, { args: ["--version-json"] }).output();
    assert.equal(JSON.parse(new TextDecoder().decode(json.stdout)).application, "node/1.22.18");
  });
});

Deno.test("devnetBenchTable: the time to healthy, and each node's luxd and parsd peak RSS", async () => {
  const { devnetBenchTable } = await import("../scripts/bench_devnet.ts");
  const text = devnetBenchTable({
    nodes: 2,
    healthyMs: 21_160,
    perNode: [{ luxd: 91 * 2 ** 20, parsd: 83 * 2 ** 20 }, { luxd: 89 * 2 ** 20 }],
    up: 107 * 2 ** 20,
  });
  assert.deepEqual(text.split("\n"), [
    "devnet bench: 2 nodes healthy 21.2 s after 'parsd devnet up' (its own peak RSS 107 MiB)",
    "| node | luxd peak RSS (VmHWM) | its parsd run's peak RSS |",
    "|------|------------------------|--------------------------|",
    "| node-1 | 91 MiB | 83 MiB |",
    "| node-2 | 89 MiB | - |",
  ]);
});
