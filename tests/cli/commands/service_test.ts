/** In-process tests of `parsd service`. */
import assert from "node:assert/strict";
import { join } from "../../../lib/os/path.ts";
import { withInProcessNode } from "./kit.ts";

Deno.test("service: the unit starts the parsd on PATH; no parsd found is 66 with the fix", async () => {
  await withInProcessNode(async (n) => {
    const bin = join(n.root, "pathbin");
    await Deno.mkdir(bin);
    await Deno.writeTextFile(join(bin, "parsd"), "#!/bin/sh\n", { mode: 0o755 });
    await Deno.chmod(join(bin, "parsd"), 0o755);
    const f = n.fake({ env: { PATH: bin } });
    assert.equal(await f.run(["service", "systemd", "--shutdown-grace=1m"]), 0, f.err());
    assert.match(
      f.out(),
      new RegExp(`^ExecStart=${bin}/parsd --data-dir=${n.dataDir} --shutdown-grace=1m$`, "m"),
    );
    assert.match(f.out(), /^TimeoutStopSec=70$/m);
    const g = n.fake({ env: { PATH: "/nonexistent" } });
    assert.equal(await g.run(["service", "systemd"]), 66);
    assert.match(g.err(), /deno task install/);
    assert.equal(await n.fake().run(["service", "upstart"]), 64);
  });
});

Deno.test("service: a grace over an hour is refused naming where it came from (flag 64, variable 78)", async () => {
  await withInProcessNode(async (n) => {
    const bin = join(n.root, "pathbin");
    await Deno.mkdir(bin);
    await Deno.writeTextFile(join(bin, "parsd"), "#!/bin/sh\n", { mode: 0o755 });
    await Deno.chmod(join(bin, "parsd"), 0o755);
    const flag = n.fake({ env: { PATH: bin } });
    assert.equal(await flag.run(["service", "systemd", "--shutdown-grace=600h"]), 64);
    assert.match(flag.err(), /--shutdown-grace "600h": must be at most 1h/);
    const env = n.fake({ env: { PATH: bin, PARS_SHUTDOWN_GRACE: "600h" } });
    assert.equal(await env.run(["service", "systemd"]), 78);
    assert.match(env.err(), /PARS_SHUTDOWN_GRACE "600h": must be at most 1h/);
    assert.equal(flag.out() + env.out(), "", "no unit printed");
  });
});

Deno.test("service: a relative PATH entry never names the installed parsd", async () => {
  await withInProcessNode(async (n) => {
    // A 'parsd' in the directory the command runs in, reachable only through "." or "".
    await Deno.writeTextFile(join(n.root, "parsd"), "#!/bin/sh\n", { mode: 0o755 });
    await Deno.chmod(join(n.root, "parsd"), 0o755);
    const cwd = Deno.cwd();
    Deno.chdir(n.root);
    try {
      const f = n.fake({ env: { PATH: ".::/nonexistent" }, cwd: n.root });
      assert.equal(await f.run(["service", "systemd"]), 66, f.out());
      assert.doesNotMatch(f.out(), /ExecStart/);
    } finally {
      Deno.chdir(cwd);
    }
  });
});
