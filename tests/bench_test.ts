/**
 * @module
 * Tests of `scripts/bench.ts`: its pure helpers, the ratio rows and their
 * verdicts drawn from the figures (case tables), strace parsing, and one real
 * run on tiny files whose report is read back for its shape: the machine
 * line, every contender, every ratio row with median/min/max, target and a
 * verdict that agrees with the printed median. No timing is asserted.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  type BenchFigures,
  commandLine,
  type Contender,
  CONTENDERS,
  cpuModel,
  type Exec,
  formatMiB,
  formatRatio,
  machineLine,
  median,
  moduleChain,
  netMs,
  pairedRatios,
  parseBenchArgs,
  parseStraceExecs,
  PLUGIN_HEADER,
  RATIO_HEADER,
  ratioRows,
  ratioTable,
  renderTable,
  roughlyMatches,
  type Sample,
  smallSizeFor,
  spawnProblems,
  spread,
  STARTUP,
  stubLuxd,
  VERIFICATION,
  writePlugin,
} from "../scripts/bench.ts";
import { staticModules } from "../scripts/import_graph.ts";
import { REPO_ROOT } from "../scripts/kit.ts";
import { withTempDir } from "./helpers.ts";

const MiB = 1 << 20;

Deno.test("bench helpers", async (t) => {
  await t.step("median", () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.throws(() => median([]), RangeError);
  });
  await t.step("formatRatio and formatMiB", () => {
    assert.equal(formatRatio(3, 2), "1.50x");
    assert.equal(formatRatio(1, 0), "n/a");
    assert.equal(formatRatio(undefined, 2), "n/a");
    assert.equal(formatMiB(3 * MiB), "3.0 MiB");
    assert.equal(formatMiB(undefined), "n/a");
  });
  await t.step("sizes and claims", () => {
    assert.equal(smallSizeFor(512), 64);
    assert.equal(smallSizeFor(256), 32);
    assert.equal(smallSizeFor(16), 2);
    assert.equal(smallSizeFor(4), 1);
    assert.ok(roughlyMatches(3.6, 3));
    assert.ok(!roughlyMatches(5, 10));
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
  assert.deepEqual(parseBenchArgs([]), { sizeMiB: 256, smallMiB: 32, reps: 11 });
  assert.deepEqual(parseBenchArgs(["--size-mib", "16", "--reps=1"]), {
    sizeMiB: 16,
    smallMiB: 2,
    reps: 1,
  });
  assert.deepEqual(parseBenchArgs(["--size-mib=8", "--small-mib", "3"]), {
    sizeMiB: 8,
    smallMiB: 3,
    reps: 11,
  });
  assert.equal(parseBenchArgs(["-h"]), "help");
  const bad: [string[], string][] = [
    [["--size-mib", "0"], "--size-mib needs a positive integer, got '0'"],
    [["--reps=1.5"], "--reps needs a positive integer, got '1.5'"],
    [["--size-mib"], "flag --size-mib needs a value"],
    [["--fast"], "unknown flag '--fast'"],
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
  assert.equal(
    commandLine({ path: "/l", args: ["/l", "a", "b", "c"] }, 2),
    "/l a b … (+1 args)",
  );
});

Deno.test("spawnProblems: a warm run may execute /bin/sh once and luxd once, nothing else", () => {
  const expect = { luxd: "/t/luxd", plugins: ["/t/a", "/t/b"] };
  const sh: Exec = { path: "/bin/sh", args: ["/bin/sh", "-c", "ulimit -Hn"] };
  const luxd: Exec = { path: "/t/luxd", args: ["/t/luxd", "--network-id=7070"] };
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

/** Figures where every target passes: floor 40 ms / 30 MiB. */
function figures(
  over: Partial<Record<Contender, Sample[]>> = {},
  rest: Partial<BenchFigures> = {},
) {
  const series: Record<Contender, Sample[]> = {
    empty: runs(30, 27),
    floor: runs(40, 30),
    run: runs(50, 38),
    sketch: runs(45, 36),
    modules: runs(43, 31),
    checked: runs(80, 45),
    version: runs(46, 33),
    help: runs(44, 31),
    doctor: runs(60, 39),
    ssl: runs(1000, 6),
    cold: runs(1080, 120),
    small: runs(200, 110),
    ...over,
  };
  const f: BenchFigures = {
    sizeMiB: 256,
    smallMiB: 32,
    harnessMs: 2,
    series,
    oneFile: runs(500, 6).map((s) => ({ ...s, ms: 500 })),
    strategies: {
      "lib": runs(520, 40).map((s) => ({ ...s, ms: 520 })),
      "stream": runs(1000, 80).map((s) => ({ ...s, ms: 1000 })),
      "subtle": runs(2000, 600).map((s) => ({ ...s, ms: 2000 })),
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
  return f;
}

const verdicts = (f: BenchFigures) =>
  Object.fromEntries(ratioRows(f).map((r) => [r.measure, r.verdict]));

Deno.test("ratioRows: every ratio, in order, with PASS/FAIL on the median", async (t) => {
  await t.step("all within target", () => {
    assert.deepEqual(verdicts(figures()), {
      "deno run empty.ts / floor, wall": "INFO",
      "parsd run (warm start) / floor, wall": "PASS",
      "sketch: a warm start's calls in one module (lower bound) / floor, wall": "INFO",
      "modules: the floor in as many modules as a warm start, empty / floor, wall": "INFO",
      "parsd run (checked, caches warm) / floor, wall": "INFO",
      "parsd version / floor, wall": "PASS",
      "parsd help / floor, wall": "PASS",
      "parsd doctor (warm) / floor, wall": "INFO",
      "parsd run (warm start) / floor, peak RSS": "PASS",
      "sketch: a warm start's calls in one module (lower bound) / floor, peak RSS": "INFO",
      "modules: the floor in as many modules as a warm start, empty / floor, peak RSS": "INFO",
      "parsd run (checked, caches warm) / floor, peak RSS": "INFO",
      "parsd version / floor, peak RSS": "PASS",
      "parsd help / floor, peak RSS": "PASS",
      "parsd doctor (warm) / floor, peak RSS": "PASS",
      "cold verification / openssl, wall (2 × 256 MiB)": "PASS",
      "cold verification, peak RSS": "PASS",
      "peak RSS growth, 2 × 32 -> 2 × 256 MiB": "PASS",
      "claim: node:crypto, 256 KiB reads, read-ahead (lib/hash.ts) / openssl (one file)": "HOLDS",
      "claim: file.readable piped into createHash / openssl (one file)": "HOLDS",
      "claim: crypto.subtle.digest(whole file) / openssl (one file)": "HOLDS",
      "programs a warm run executes": "PASS",
    });
  });
  await t.step("each target's edge is a PASS, just past it a FAIL", () => {
    const cases: [Contender, number, number, string][] = [
      ["run", 52, 53, "parsd run (warm start) / floor, wall"], // 1.30x of 40
      ["version", 48, 49, "parsd version / floor, wall"], // 1.20x
      ["help", 48, 49, "parsd help / floor, wall"],
      ["cold", 1100, 1101, "cold verification / openssl, wall (2 × 256 MiB)"], // 1.10x of 1000
    ];
    for (const [c, edge, past, measure] of cases) {
      assert.equal(verdicts(figures({ [c]: runs(edge, 30) }))[measure], "PASS", `${c} ${edge}`);
      assert.equal(verdicts(figures({ [c]: runs(past, 30) }))[measure], "FAIL", `${c} ${past}`);
    }
    const mem = "parsd run (warm start) / floor, peak RSS";
    assert.equal(verdicts(figures({ run: runs(50, 39) }))[mem], "PASS"); // 1.30x of 30 MiB
    assert.equal(verdicts(figures({ run: runs(50, 39.5) }))[mem], "FAIL");
  });
  await t.step("the median decides; min and max are shown", () => {
    const run = [...runs(40, 30, 1), ...runs(50, 30, 1), ...runs(80, 30, 1)];
    const row = ratioRows(figures({ run })).find((r) =>
      r.measure.startsWith("parsd run (warm start)")
    )!;
    assert.deepEqual(row.spread, { median: 1.25, min: 1, max: 2 });
    assert.equal(row.verdict, "PASS");
  });
  await t.step("no openssl, no RSS, no strace: SKIP says why", () => {
    const noRss = Object.fromEntries(
      Object.entries(figures().series).map((
        [c, s],
      ) => [c, s.map((x) => ({ ...x, rss: undefined }))]),
    ) as Record<Contender, Sample[]>;
    const rows = ratioRows(
      figures({ ...noRss, ssl: [] }, { oneFile: [], spawns: { skipped: "strace not found" } }),
    );
    const skipped = rows.filter((r) => r.verdict === "SKIP").map((r) => [r.measure, r.note]);
    assert.deepEqual(skipped, [
      ["parsd run (warm start) / floor, peak RSS", "peak RSS unavailable"],
      [
        "sketch: a warm start's calls in one module (lower bound) / floor, peak RSS",
        "peak RSS unavailable",
      ],
      [
        "modules: the floor in as many modules as a warm start, empty / floor, peak RSS",
        "peak RSS unavailable",
      ],
      ["parsd run (checked, caches warm) / floor, peak RSS", "peak RSS unavailable"],
      ["parsd version / floor, peak RSS", "peak RSS unavailable"],
      ["parsd help / floor, peak RSS", "peak RSS unavailable"],
      ["parsd doctor (warm) / floor, peak RSS", "peak RSS unavailable"],
      ["cold verification / openssl, wall (2 × 256 MiB)", "openssl not found, no baseline"],
      ["cold verification, peak RSS", undefined],
      ["peak RSS growth, 2 × 32 -> 2 × 256 MiB", undefined],
      [
        "claim: node:crypto, 256 KiB reads, read-ahead (lib/hash.ts) / openssl (one file)",
        undefined,
      ],
      ["claim: file.readable piped into createHash / openssl (one file)", undefined],
      ["claim: crypto.subtle.digest(whole file) / openssl (one file)", undefined],
      ["programs a warm run executes", "strace not found"],
    ]);
  });
  await t.step("a warm run that probes luxd fails, and the table says why", () => {
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
    assert.match(table, /^programs a warm run executes +2 +sh \+ luxd +FAIL$/m);
    assert.match(table, /^ {4}why: luxd executed 2 times, expected once; luxd probed with --help/m);
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
  String.raw`^(?<measure>\S.*?)  +(?<median>n/a|[+-]?[\d.]+(?:x| MiB)|\d+)` +
    String.raw`(?:  +(?<min>[+-]?[\d.]+(?:x| MiB))  +(?<max>[+-]?[\d.]+(?:x| MiB)))?` +
    String.raw`(?:  +(?<target>(?:<=|<|~) ?\+?[\d.]+(?:x| MiB)|sh \+ luxd))?` +
    String.raw`  +(?<verdict>PASS|FAIL|SKIP|INFO|HOLDS|OFF)$`,
);

Deno.test("bench runs end to end on tiny files; its one ratio table has every row", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      join(REPO_ROOT, "scripts", "bench.ts"),
      "--size-mib",
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
  assert.match(lines[0]!, /^parsd bench: 2 × 2 MiB plugins \(random 1 MiB blocks\), 2 rounds$/);
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

  // The modules contender loads as many modules as a warm start, and says how many.
  const count = /^A warm start loads (\d+) modules \(deno info main\.ts\)/m.exec(stdout);
  assert.ok(count, stdout);
  assert.equal(Number(count[1]), (await staticModules(REPO_ROOT, "main.ts")).length);

  // The measurements: every contender once, with its run count (openssl skipped without it).
  const ssl = await onPath("openssl");
  for (const c of [...STARTUP, ...VERIFICATION]) {
    const label = CONTENDERS[c].replace(/[().*+?]/g, "\\$&");
    const row = new RegExp(`^${label}.*?  +(\\d+\\.\\d|skipped)(?:  .*  (\\d+))?$`, "m").exec(
      stdout,
    );
    assert.ok(row, `no measurement row for ${c}\n${stdout}`);
    if (c !== "ssl" || ssl) assert.equal(row[2], "2", `${c} ran twice`);
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
    "deno run empty.ts / floor, wall",
    "parsd run (warm start) / floor, wall",
    "sketch: a warm start's calls in one module (lower bound) / floor, wall",
    "modules: the floor in as many modules as a warm start, empty / floor, wall",
    "parsd run (checked, caches warm) / floor, wall",
    "parsd version / floor, wall",
    "parsd help / floor, wall",
    "parsd doctor (warm) / floor, wall",
    "parsd run (warm start) / floor, peak RSS",
    "sketch: a warm start's calls in one module (lower bound) / floor, peak RSS",
    "modules: the floor in as many modules as a warm start, empty / floor, peak RSS",
    "parsd run (checked, caches warm) / floor, peak RSS",
    "parsd version / floor, peak RSS",
    "parsd help / floor, peak RSS",
    "parsd doctor (warm) / floor, peak RSS",
    "cold verification / openssl, wall (2 × 2 MiB)",
    "cold verification, peak RSS",
    "peak RSS growth, 2 × 1 -> 2 × 2 MiB",
    "claim: node:crypto, 256 KiB reads, read-ahead (lib/hash.ts) / openssl (one file)",
    "claim: file.readable piped into createHash / openssl (one file)",
    "claim: crypto.subtle.digest(whole file) / openssl (one file)",
    "programs a warm run executes",
  ]);
  // Each verdict agrees with the median printed beside it.
  const targets: Record<string, number> = {
    "parsd run (warm start) / floor, wall": 1.3,
    "parsd version / floor, wall": 1.2,
    "parsd help / floor, wall": 1.2,
    "parsd run (warm start) / floor, peak RSS": 1.3,
    "parsd version / floor, peak RSS": 1.3,
    "parsd help / floor, peak RSS": 1.3,
    "parsd doctor (warm) / floor, peak RSS": 1.3,
    "cold verification / openssl, wall (2 × 2 MiB)": 1.1,
  };
  for (const r of rows) {
    const limit = targets[r.measure!];
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

  // What a warm run executes: listed with strace, else said plainly.
  if (await onPath("strace")) {
    assert.match(stdout, /^Programs a warm parsd run executes \(strace -f -e trace=execve;/m);
    assert.match(stdout, /^ {2}\/bin\/sh -c 'ulimit -Hn'$/m);
    assert.match(stdout, /^ {2}\S+\/luxd .*<- luxd \(stub\)$/m);
    assert.match(stdout, /^ {2}expected: /m);
    assert.ok(["PASS", "FAIL"].includes(rows.at(-1)!.verdict!));
  } else {
    assert.match(stdout, /^Programs a warm parsd run executes: not traced \(strace not found/m);
    assert.equal(rows.at(-1)!.verdict, "SKIP");
  }
});

Deno.test("writePlugin: a bench plugin is a script that exits at once, so running it runs none of its random bytes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "parsd-bench-plugin-" });
  try {
    const path = join(dir, "plugin");
    const sha = await writePlugin(path, 2);
    const bytes = await Deno.readFile(path);
    assert.equal(bytes.length, 2 << 20);
    assert.equal(new TextDecoder().decode(bytes.subarray(0, PLUGIN_HEADER.length)), PLUGIN_HEADER);
    assert.match(sha, /^[0-9a-f]{64}$/);
    // Run as parsd's probe runs it; the random bytes would otherwise be read as shell commands
    // (an unexecutable file is handed to /bin/sh), creating files named by them.
    const out = await new Deno.Command(path, { args: ["--version"], cwd: dir }).output();
    assert.equal(out.code, 0);
    assert.equal(out.stdout.length + out.stderr.length, 0);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["plugin"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
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

Deno.test("moduleChain(n): deno loads exactly n modules, and the root still runs the floor", async () => {
  assert.throws(() => moduleChain(0), RangeError);
  await withTempDir(async (dir) => {
    for (const n of [1, 2, 15]) {
      const sub = join(dir, `n${n}`);
      await Deno.mkdir(sub);
      for (const f of moduleChain(n)) await Deno.writeTextFile(join(sub, f.name), f.text);
      const loaded = await staticModules(sub, "modules.ts");
      assert.equal(loaded.length, n, loaded.join(" "));
      assert.equal(loaded[0], "modules.ts");
    }
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-run=/bin/true", join(dir, "n15", "modules.ts")],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  });
});
