/**
 * @module
 * Shared test helpers: run parsd's `main.ts` exactly as the `start` task
 * does (same permission set), and build a throwaway node — home dir, fake
 * luxd, two plugin binaries — in a temp dir.
 */

import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startFlags } from "../scripts/kit.ts";

/** The repository root. */
export const REPO = dirname(dirname(fileURLToPath(import.meta.url)));

/** deno.json, parsed. */
export const DENO_JSON = JSON.parse(Deno.readTextFileSync(join(REPO, "deno.json"))) as {
  tasks: Record<string, string>;
  permissions: Record<string, Record<string, unknown>>;
};

/** Deno's own warning about config-file permissions; not parsd's output. */
const DENO_WARNING = /^.*Permissions in the config file is an experimental feature.*\n?/gm;

/** The result of running parsd. */
export interface Result {
  code: number;
  signal: Deno.Signal | null;
  stdout: string;
  stderr: string;
}

/** Options for {@linkcode parsd}. */
export interface RunOptions {
  env?: Record<string, string>;
  /** Use this deno.json instead of the repo's (for permission drift tests). */
  config?: string;
  /** V8 flags on top of the start task's (deno merges every --v8-flags). */
  v8Flags?: readonly string[];
  cwd?: string;
}

function command(args: readonly string[], o: RunOptions, stdio: "piped" | "null" = "piped") {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--config",
      o.config ?? join(REPO, "deno.json"),
      // The start task's flags: every end-to-end test runs parsd with exactly these.
      ...startFlags(),
      ...(o.v8Flags ?? []).map((f) => `--v8-flags=${f}`),
      join(REPO, "main.ts"),
      ...args,
    ],
    cwd: o.cwd ?? REPO,
    clearEnv: true,
    env: { PATH: "/usr/bin:/bin", NO_COLOR: "1", DENO_DIR: denoDir(), ...o.env },
    stdin: "null",
    stdout: stdio,
    stderr: "piped",
  });
}

let cachedDenoDir: string | undefined;
function denoDir(): string {
  if (cachedDenoDir) return cachedDenoDir;
  const out = new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdout: "piped",
    stderr: "null",
  })
    .outputSync();
  cachedDenoDir = JSON.parse(new TextDecoder().decode(out.stdout)).denoDir as string;
  return cachedDenoDir;
}

/** Runs parsd (`main.ts` under the start task's permissions) to completion. */
export async function parsd(args: readonly string[], o: RunOptions = {}): Promise<Result> {
  const out = await command(args, o).output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    signal: out.signal,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr).replace(DENO_WARNING, ""),
  };
}

/** Starts parsd without waiting, for signal tests. */
export function spawnParsd(args: readonly string[], o: RunOptions = {}): Deno.ChildProcess {
  return command(args, o).spawn();
}

/** Hex SHA-256 of bytes or a string. */
export const sha256 = (data: string | Uint8Array) =>
  createHash("sha256").update(data).digest("hex");

/** A throwaway node: home, data dir, fake luxd, two plugins. */
export interface Node {
  root: string;
  home: string;
  dataDir: string;
  luxd: string;
  record: string;
  evm: string;
  sessionvm: string;
  /** Env for parsd: HOME and the paths of luxd and both plugins. */
  env: Record<string, string>;
  /** Pins both plugins and luxd in `<dataDir>/config.json` (creating the data dir). */
  pin(extra?: Record<string, unknown>): Promise<void>;
  /** The recorded luxd argv, or `undefined` if luxd never started. */
  recordedArgs(): Promise<string[] | undefined>;
  recordText(): Promise<string | undefined>;
  cleanup(): Promise<void>;
}

/** Plugin binary content: a tiny executable script, distinct per name. */
export const pluginBody = (name: string) => `#!/bin/sh\n# fake ${name} plugin\nexit 0\n`;

/** Creates a {@linkcode Node} in a fresh temp dir. */
export async function makeNode(): Promise<Node> {
  const root = await Deno.makeTempDir({ prefix: "parsd-test-" });
  const home = join(root, "home");
  const bin = join(root, "bin");
  await Deno.mkdir(home, { recursive: true });
  await Deno.mkdir(bin);
  const luxd = join(bin, "luxd");
  await Deno.copyFile(join(REPO, "tests", "luxd_standin.sh"), luxd);
  await Deno.chmod(luxd, 0o755);
  const evm = join(bin, "evm");
  const sessionvm = join(bin, "sessionvm");
  for (const [path, name] of [[evm, "evm"], [sessionvm, "sessionvm"]] as const) {
    await Deno.writeTextFile(path, pluginBody(name), { mode: 0o755 });
    await Deno.chmod(path, 0o755);
  }
  const dataDir = join(home, ".pars");
  const record = join(root, "luxd-record.txt");
  const node: Node = {
    root,
    home,
    dataDir,
    luxd,
    record,
    evm,
    sessionvm,
    env: {
      HOME: home,
      PARS_LUXD: luxd,
      PARS_EVM_PLUGIN: evm,
      PARS_SESSIONVM_PLUGIN: sessionvm,
      FAKE_LUXD_RECORD: record,
      FAKE_LUXD_FIXTURES: join(REPO, "tests", "fixtures", "luxd"),
    },
    pin: (extra = {}) => pinPlugins(dataDir, evm, sessionvm, extra, luxd),
    async recordText() {
      try {
        return await Deno.readTextFile(record);
      } catch {
        return undefined;
      }
    },
    async recordedArgs() {
      const text = await node.recordText();
      return text?.split("\n").filter((l) => l.startsWith("arg ")).map((l) => l.slice(4));
    },
    cleanup: () => Deno.remove(root, { recursive: true }),
  };
  return node;
}

/** A sorted listing of every path under dir with its type and mode, to prove "no change". */
export async function snapshot(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string) {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(d)];
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      const s = await Deno.lstat(p);
      const extra = e.isSymlink
        ? ` -> ${await Deno.readLink(p)}`
        : e.isFile
        ? ` ${sha256(await Deno.readFile(p))}`
        : "";
      out.push(`${p} ${(s.mode ?? 0).toString(8)}${extra}`);
      if (e.isDirectory) await walk(p);
    }
  }
  await walk(dir);
  return out.sort();
}

/** Runs `f` with a fresh temp dir, removed afterwards. */
export async function withTempDir(f: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "parsd-test-" });
  try {
    await f(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Polls `f` every 25 ms until it is true; throws naming `what` after `ms`. */
export async function waitFor(f: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await f()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Writes `<dataDir>/config.json` pinning both plugin files and, when given, the
 * luxd file (`luxd-sha256`), creating the data dir, plus `extra` keys. Nothing is
 * sealed: the first run copies the pinned files into the store.
 */
export async function pinPlugins(
  dataDir: string,
  evm: string,
  sessionvm: string,
  extra: Record<string, unknown> = {},
  luxd?: string,
): Promise<void> {
  await Deno.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const config = {
    plugins: {
      evm: { sha256: sha256(await Deno.readFile(evm)) },
      sessionvm: { sha256: sha256(await Deno.readFile(sessionvm)) },
    },
    ...(luxd === undefined ? {} : { "luxd-sha256": sha256(await Deno.readFile(luxd)) }),
    ...extra,
  };
  await Deno.writeTextFile(join(dataDir, "config.json"), JSON.stringify(config, null, 2));
}
