/**
 * Tests for lib/layout.ts: every path under the data dir, computed purely
 * from the data dir's path, and the dirs init and run create.
 */
import assert from "node:assert/strict";
import { layout, layoutDirs } from "../../lib/data_dir/layout.ts";

Deno.test("layout() puts every path under the data dir", () => {
  assert.deepEqual(layout("/home/u/.pars"), {
    dataDir: "/home/u/.pars",
    pluginDir: "/home/u/.pars/plugins",
    dbDir: "/home/u/.pars/db",
    stakingDir: "/home/u/.pars/staking",
    stakingKey: "/home/u/.pars/staking/staker.key",
    stakingCert: "/home/u/.pars/staking/staker.crt",
    signerKey: "/home/u/.pars/staking/signer.key",
    verifyCache: "/home/u/.pars/verify-cache.json",
    binDir: "/home/u/.pars/bin",
    pidFile: "/home/u/.pars/parsd.pid",
    chainConfigDir: "/home/u/.pars/configs/chains",
    logDir: "/home/u/.pars/logs",
  });
});

Deno.test("layout() depends on the data dir only", () => {
  const a = layout("/srv/pars");
  const b = layout("/srv/pars");
  assert.deepEqual(a, b);
  for (const [key, path] of Object.entries(a)) {
    assert.ok(path === "/srv/pars" || path.startsWith("/srv/pars/"), `${key}: ${path}`);
  }
  const names = Object.values(a);
  assert.equal(new Set(names).size, names.length, "no two roles share a path");
});

Deno.test("layoutDirs() lists the data dir, then plugins, db and staking", () => {
  const l = layout("/d");
  assert.deepEqual(layoutDirs(l), ["/d", "/d/plugins", "/d/db", "/d/staking"]);
  assert.equal(layoutDirs(l)[0], l.dataDir, "the parent comes first");
});
