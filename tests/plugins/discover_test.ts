import assert from "node:assert/strict";
import { join } from "node:path";
import { PLUGINS } from "../../lib/network/pars.ts";
import { discover, flagName, searchPaths } from "../../lib/plugins/discover.ts";
import { denoFiles } from "../../lib/os/system.ts";
import { withTempDir } from "../helpers.ts";
import { exe, settings } from "./kit.ts";

Deno.test("searchPaths() lists the PIP-7 places, then $GOPATH/bin (or ~/go/bin)", () => {
  const spec = PLUGINS.sessionvm;
  assert.deepEqual(searchPaths(spec, { home: "/h" }), [
    `/h/.lux/plugins/${spec.vmid}`,
    `/h/.lux/plugins/current/${spec.vmid}`,
    `/usr/local/lib/lux/plugins/${spec.vmid}`,
    `/usr/local/lib/pars/plugins/${spec.vmid}`,
    "/h/go/bin/sessionvm",
  ]);
  assert.equal(searchPaths(spec, { home: "/h", gopath: "/g1:/g2" }).at(-1), "/g1/bin/sessionvm");
  assert.equal(searchPaths(spec, { home: "/h", gopath: "" }).at(-1), "/h/go/bin/sessionvm");
});

Deno.test("discover() takes flag > env > config > search paths, first match wins", async () => {
  await withTempDir(async (home) => {
    const spec = PLUGINS.sessionvm;
    const none = await discover("sessionvm", settings(home, {}), { home }, denoFiles);
    assert.equal(none.found, false);
    assert.equal(none.searched[0], join(home, ".lux", "plugins", spec.vmid));
    assert.equal(none.searched.at(-1), join(home, "go", "bin", "sessionvm"));
    await Deno.mkdir(join(home, "go", "bin"), { recursive: true });
    await exe(join(home, "go", "bin", "sessionvm"), "#!/bin/sh\n");
    const gp = await discover("sessionvm", settings(home, {}), { home }, denoFiles);
    assert.deepEqual([gp.found, gp.found && gp.rule], [true, "search"]);
    await Deno.mkdir(join(home, ".lux", "plugins"), { recursive: true });
    await exe(join(home, ".lux", "plugins", spec.vmid), "#!/bin/sh\n");
    const lux = await discover("sessionvm", settings(home, {}), { home }, denoFiles);
    assert.equal(lux.found && lux.path, join(home, ".lux", "plugins", spec.vmid));
    const cfg = await discover(
      "sessionvm",
      settings(home, { plugins: { sessionvm: { path: "/c" } } }),
      { home },
      denoFiles,
    );
    assert.deepEqual(cfg.found && [cfg.path, cfg.rule], ["/c", "config"]);
    const env = await discover(
      "sessionvm",
      settings(home, { plugins: { sessionvm: { path: "/c" } } }, {}, {
        PARS_SESSIONVM_PLUGIN: "/e",
      }),
      { home },
      denoFiles,
    );
    assert.deepEqual(env.found && [env.path, env.rule], ["/e", "env"]);
    const flag = await discover(
      "sessionvm",
      settings(home, { plugins: { sessionvm: { path: "/c" } } }, { "sessionvm-plugin": "/f" }),
      { home },
      denoFiles,
    );
    assert.deepEqual(flag.found && [flag.path, flag.rule], ["/f", "flag"]);
  });
});

Deno.test("discover() takes a dangling link on a search path (the target check reports it)", async () => {
  await withTempDir(async (home) => {
    const spec = PLUGINS.evm;
    await Deno.mkdir(join(home, ".lux", "plugins"), { recursive: true });
    const link = join(home, ".lux", "plugins", spec.vmid);
    await Deno.symlink(join(home, "gone"), link);
    const d = await discover("evm", settings(home, {}), { home }, denoFiles);
    assert.deepEqual(d.found && [d.path, d.rule], [link, "search"]);
  });
});

Deno.test("flagName() names where the user gave a plugin path", () => {
  assert.equal(flagName(PLUGINS.evm, "flag"), "--evm-plugin");
  assert.equal(flagName(PLUGINS.evm, "env"), "PARS_EVM_PLUGIN");
  assert.equal(flagName(PLUGINS.sessionvm, "config"), "plugins.sessionvm.path in config.json");
});
