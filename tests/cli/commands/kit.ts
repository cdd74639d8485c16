/**
 * @module
 * In-process test kit for parsd's commands: a throwaway node in a temp dir
 * (home, an executable luxd file answered from the fixtures, two plugin
 * binaries) and a fake system around it. No subprocess.
 */

import { join } from "../../../lib/os/path.ts";
import { type Fake, type FakeOptions, fakeSystem, fixtureLuxd } from "../../fake_system.ts";
import { pinPlugins, pluginBody } from "../../helpers.ts";

/** A temp node and the fake system pointed at it. */
export interface InProcessNode {
  readonly root: string;
  readonly home: string;
  readonly dataDir: string;
  readonly luxd: string;
  readonly evm: string;
  readonly sessionvm: string;
  readonly env: Record<string, string>;
  /** A fake system for this node (options merged over the node's env and luxd). */
  fake(o?: FakeOptions & { dialect?: "1.13.4" | "1.22.18" }): Fake;
  /** Pins both plugins and luxd in `<dataDir>/config.json`, with extra keys. */
  pin(extra?: Record<string, unknown>): Promise<void>;
}

/** Runs `f` with a fresh node, removed afterwards. */
export async function withInProcessNode(f: (n: InProcessNode) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "parsd-cmd-" });
  try {
    const home = join(root, "home");
    const bin = join(root, "bin");
    await Deno.mkdir(home);
    await Deno.mkdir(bin);
    const luxd = join(bin, "luxd");
    await Deno.writeTextFile(luxd, "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    const evm = join(bin, "evm");
    const sessionvm = join(bin, "sessionvm");
    for (const [p, name] of [[evm, "evm"], [sessionvm, "sessionvm"]] as const) {
      await Deno.writeTextFile(p, pluginBody(name), { mode: 0o755 });
      await Deno.chmod(p, 0o755);
    }
    const dataDir = join(home, ".pars");
    const env = {
      HOME: home,
      PARS_LUXD: luxd,
      PARS_EVM_PLUGIN: evm,
      PARS_SESSIONVM_PLUGIN: sessionvm,
    };
    await f({
      root,
      home,
      dataDir,
      luxd,
      evm,
      sessionvm,
      env,
      fake: (o = {}) =>
        fakeSystem({
          cwd: root,
          ...o,
          env: { ...env, ...o.env },
          programs: { [luxd]: fixtureLuxd(o.dialect ?? "1.22.18"), ...o.programs },
        }),
      pin: (extra = {}) => pinPlugins(dataDir, evm, sessionvm, extra, luxd),
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}
