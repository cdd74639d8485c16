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
