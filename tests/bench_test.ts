import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  formatMiB,
  formatRatio,
  median,
  parseBenchArgs,
  renderTable,
  roughlyMatches,
  smallSizeFor,
} from "../scripts/bench.ts";

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
    assert.equal(formatMiB(3 * 1024 * 1024), "3.0 MiB");
    assert.equal(formatMiB(undefined), "n/a");
  });
  await t.step("sizes and claims", () => {
    assert.equal(smallSizeFor(512), 64);
    assert.equal(smallSizeFor(16), 2);
    assert.equal(smallSizeFor(4), 1);
    assert.ok(roughlyMatches(3.6, 3));
    assert.ok(!roughlyMatches(5, 10));
  });
  await t.step("parseBenchArgs", () => {
    assert.deepEqual(parseBenchArgs([]), { sizeMiB: 512, smallMiB: 64, reps: 3 });
    assert.deepEqual(parseBenchArgs(["--size-mib", "16", "--reps=1"]), {
      sizeMiB: 16,
      smallMiB: 2,
      reps: 1,
    });
    assert.throws(() => parseBenchArgs(["--size-mib", "0"]), /positive integer/);
    assert.throws(() => parseBenchArgs(["--size-mib"]), /positive integer/);
    assert.throws(() => parseBenchArgs(["--fast"]), /unknown argument/);
  });
  await t.step("renderTable aligns columns", () => {
    assert.equal(renderTable([["a", "1"], ["bbb", "22"]]), "a     1\nbbb  22");
  });
});

Deno.test("bench runs end to end on tiny files", async () => {
  const script = fileURLToPath(new URL("../scripts/bench.ts", import.meta.url));
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", script, "--size-mib", "4", "--reps", "1"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.match(stdout, /parsd --dry-run --verify=full \(cold\)/);
  assert.match(stdout, /(PASS|FAIL) memory: cold verification peak RSS/);
  assert.match(stdout, /(PASS|FAIL|SKIP) speed:/);
});
