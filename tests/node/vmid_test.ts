import assert from "node:assert/strict";
import { cb58Decode, cb58Encode } from "../../lib/node/cb58.ts";
import { isVmid, vmid } from "../../lib/node/vmid.ts";
import { PLUGINS } from "../../lib/network/pars.ts";

Deno.test("vmid() gives the VMIDs luxd derives from VM names", async (t) => {
  const cases: [string, string][] = [
    ["subnetevm", "srEXiWaHuhNyGwPUi444Tu47ZEDwxTWrbQiuD7FmgSAQ6X7Dy"],
    ["sessionvm", "speKUgLBX6WRD5cfGeEfLa43LxTXUBckvtv4td6F3eTXvRP48"],
    ["evm", "mgj786NP7uDwBCcq6YwThhaN8FLyybkCa4zBWTQbNgmK6k9A6"],
  ];
  for (const [name, id] of cases) {
    await t.step(name, () => assert.equal(vmid(name), id));
  }
});

Deno.test("vmid() rejects empty and over-long names", () => {
  assert.throws(() => vmid(""), RangeError);
  assert.throws(() => vmid("x".repeat(33)), RangeError);
  assert.equal(isVmid(vmid("x".repeat(32))), true);
});

Deno.test("cb58 round-trips and rejects a bad checksum", () => {
  const bytes = new Uint8Array([0, 0, 1, 2, 3, 255]);
  assert.deepEqual(cb58Decode(cb58Encode(bytes)), bytes);
  const id = vmid("sessionvm");
  const broken = id.slice(0, -1) + (id.endsWith("8") ? "9" : "8");
  assert.equal(isVmid(broken), false);
  assert.equal(isVmid("README"), false);
  assert.equal(isVmid("0OIl"), false);
});

Deno.test("PLUGINS' written-out VMIDs are the ones vmid() derives from their VM names", async (t) => {
  for (const spec of Object.values(PLUGINS)) {
    await t.step(spec.name, () => {
      assert.equal(spec.vmid, vmid(spec.vmName));
      assert.equal(isVmid(spec.vmid), true);
    });
  }
});
