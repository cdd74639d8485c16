/**
 * @module
 * Tests of `scripts/bench.ts`: its pure helpers, the verdicts drawn from
 * the figures (case tables), and one real run on tiny files whose report is
 * read back: every verdict must agree with the number printed beside it.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  type BenchFigures,
  formatMiB,
  formatRatio,
  median,
  parseBenchArgs,
  renderTable,
  roughlyMatches,
  smallSizeFor,
  type Summary,
  verdictLines,
} from "../scripts/bench.ts";
import { REPO_ROOT } from "../scripts/kit.ts";

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
    assert.equal(smallSizeFor(16), 2);
    assert.equal(smallSizeFor(4), 1);
    assert.ok(roughlyMatches(3.6, 3));
    assert.ok(!roughlyMatches(5, 10));
  });
  await t.step("renderTable aligns columns", () => {
    assert.equal(renderTable([["a", "1"], ["bbb", "22"]]), "a     1\nbbb  22");
  });
});

Deno.test("parseBenchArgs: defaults, values, help; mistakes are usage errors (64)", () => {
  assert.deepEqual(parseBenchArgs([]), { sizeMiB: 512, smallMiB: 64, reps: 3 });
  assert.deepEqual(parseBenchArgs(["--size-mib", "16", "--reps=1"]), {
    sizeMiB: 16,
    smallMiB: 2,
    reps: 1,
  });
  assert.deepEqual(parseBenchArgs(["--size-mib=8", "--small-mib", "3"]), {
    sizeMiB: 8,
    smallMiB: 3,
    reps: 3,
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

const s = (ms: number, rssMiB?: number): Summary => ({
  ms,
  range: `${ms}–${ms}`,
  rss: rssMiB === undefined ? undefined : rssMiB * MiB,
});

/** Figures for 2 × 512 MiB: openssl 1000 ms, floor 50 ms, cold `cold` ms with `rss` MiB. */
function figures(over: Partial<BenchFigures> = {}): BenchFigures {
  return {
    sizeMiB: 512,
    smallMiB: 64,
    ssl: s(1000, 8),
    floor: s(50, 40),
    cold: s(1100, 55),
    small: s(200, 51),
    warm: s(60, 42),
    oneFile: s(500, 8),
    strategies: {
      "read-1m": s(520),
      "stream": s(1500),
      "subtle": s(5000),
    },
    ...over,
  };
}

Deno.test("verdictLines: PASS/FAIL follow the numbers; SKIP says what is missing", async (t) => {
  await t.step("all within target", () => {
    assert.deepEqual(verdictLines(figures()), [
      "PASS speed: cold verification 1.10x openssl (1.05x without deno startup); target <= 1.25x",
      "PASS memory: cold verification peak RSS 55.0 MiB; target < 200 MiB",
      "PASS flat memory: 55.0 MiB at 2 × 512 MiB vs 51.0 MiB at 2 × 64 MiB (+4.0 MiB); " +
      "target < +16 MiB",
      'HOLDS claim "node:crypto with 1 MiB reads ≈ openssl": 1.04x',
      'HOLDS claim "streams ~3x slower": 3.00x',
      'HOLDS claim "subtle ~10x slower": 10.00x',
    ]);
  });
  await t.step("slow, big and growing", () => {
    const lines = verdictLines(
      figures({ cold: s(1300, 250), small: s(200, 60), strategies: { stream: s(600) } }),
    );
    assert.deepEqual(lines.slice(0, 3), [
      "FAIL speed: cold verification 1.30x openssl (1.25x without deno startup); target <= 1.25x",
      "FAIL memory: cold verification peak RSS 250.0 MiB; target < 200 MiB",
      "FAIL flat memory: 250.0 MiB at 2 × 512 MiB vs 60.0 MiB at 2 × 64 MiB (+190.0 MiB); " +
      "target < +16 MiB",
    ]);
    assert.deepEqual(lines.slice(3), [
      'SKIP claim "node:crypto with 1 MiB reads ≈ openssl": not run',
      'OFF   claim "streams ~3x slower": 1.20x',
      'SKIP claim "subtle ~10x slower": not run',
    ]);
  });
  await t.step("the speed target's edge is a PASS", () => {
    assert.match(
      verdictLines(figures({ cold: s(1250, 55) }))[0]!,
      /^PASS speed: .* 1\.25x openssl/,
    );
  });
  await t.step("no openssl, no RSS", () => {
    assert.deepEqual(
      verdictLines(figures({ ssl: undefined, oneFile: undefined, cold: s(1100), small: s(200) })),
      ["SKIP speed: openssl not found, no baseline", "SKIP memory: peak RSS unavailable"],
    );
  });
});

async function onPath(name: string): Promise<boolean> {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir !== "" && await Deno.stat(join(dir, name)).then(() => true, () => false)) return true;
  }
  return false;
}

Deno.test("bench runs end to end on tiny files; every verdict agrees with its number", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      join(REPO_ROOT, "scripts", "bench.ts"),
      "--size-mib",
      "4",
      "--reps",
      "1",
    ],
    env: { NO_COLOR: "1", INIT_CWD: "" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.match(
    stdout,
    /^parsd bench: 2 × 4 MiB plugins \(random 1 MiB blocks\), median of 1; deno /,
  );

  const row = /^parsd --dry-run --verify=full \(cold\)\s+(\d+)\s+\d+–\d+\s+([\d.]+) MiB/m.exec(
    stdout,
  );
  assert.ok(row, stdout);
  const coldMs = Number(row[1]);
  const coldRss = Number(row[2]);
  assert.ok(coldMs > 0, `cold verification took ${coldMs} ms`);
  // A Deno process: tens of MiB, far from a GiB.
  assert.ok(coldRss > 10 && coldRss < 1024, `peak RSS ${coldRss} MiB`);

  // Peak RSS is always measurable on Linux (/usr/bin/time or /proc), so memory is judged.
  const mem = /^(PASS|FAIL) memory: cold verification peak RSS ([\d.]+) MiB; target < 200 MiB$/m
    .exec(stdout);
  assert.ok(mem, stdout);
  assert.equal(Number(mem[2]), coldRss, "the verdict's RSS is the table's");
  assert.equal(mem[1], coldRss < 200 ? "PASS" : "FAIL");
  const flat = /^(PASS|FAIL) flat memory: .* \(([+-][\d.]+) MiB\); target < \+16 MiB$/m.exec(
    stdout,
  );
  assert.ok(flat, stdout);
  assert.equal(flat[1], Number(flat[2]) < 16 ? "PASS" : "FAIL");

  const speed = /^(PASS|FAIL|SKIP) speed: (.*)$/m.exec(stdout);
  assert.ok(speed, stdout);
  if (await onPath("openssl")) {
    const ratio = /^cold verification ([\d.]+)x openssl /.exec(speed[2]!);
    assert.ok(ratio, speed[0]);
    assert.equal(speed[1], Number(ratio[1]) <= 1.25 ? "PASS" : "FAIL");
    for (const claim of ["node:crypto with 1 MiB reads ≈ openssl", "streams ~3x slower"]) {
      assert.match(stdout, new RegExp(`^(HOLDS|OFF  ) claim "${claim}": \\d+\\.\\d\\dx$`, "m"));
    }
  } else {
    assert.equal(speed[0], "SKIP speed: openssl not found, no baseline");
  }
});
