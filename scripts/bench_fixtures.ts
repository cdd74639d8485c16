/**
 * @module
 * What the bench runs parsd on: plugin files of random 1 MiB blocks that
 * are also harmless shell scripts, data dirs that pin them, a stub luxd
 * answering as real luxd 1.22.18 does, and the floor program.
 */

import { createHash } from "node:crypto";
import { join } from "../lib/os/path.ts";
import { REPO_ROOT, shellQuote } from "./kit.ts";

const MiB = 1 << 20;

/** How every bench plugin file begins: a shell script that exits before its random bytes. */
export const PLUGIN_HEADER = "#!/bin/sh\nexit 0\n";

/**
 * Writes a plugin of `sizeMiB` MiB: {@linkcode PLUGIN_HEADER}, then random
 * bytes, each 1 MiB block different; fsynced. Returns its SHA-256.
 */
export async function writePlugin(path: string, sizeMiB: number): Promise<string> {
  const block = new Uint8Array(MiB);
  for (let i = 0; i < MiB; i += 65536) crypto.getRandomValues(block.subarray(i, i + 65536));
  // parsd asks a plugin for its --version. A file the kernel cannot execute is run by /bin/sh
  // (execvp's ENOEXEC rule), which would read random bytes as commands (and create files named
  // by them): make it a script that exits at once.
  block.set(new TextEncoder().encode(PLUGIN_HEADER));
  const hash = createHash("sha256");
  const file = await Deno.open(path, { write: true, createNew: true, mode: 0o755 });
  try {
    for (let i = 0; i < sizeMiB; i++) {
      new DataView(block.buffer).setUint32(PLUGIN_HEADER.length, i); // every block differs
      hash.update(block);
      for (let off = 0; off < block.length;) off += await file.write(block.subarray(off));
    }
    await file.syncData(); // so background writeback does not disturb the timings
  } finally {
    file.close();
  }
  await Deno.chmod(path, 0o755);
  return hash.digest("hex");
}

/** A data dir with two pinned plugins. */
export interface Fixture {
  readonly dataDir: string;
  readonly a: string;
  readonly b: string;
  readonly sha: { readonly a: string; readonly b: string };
}

/**
 * Writes two plugins of `sizeMiB` MiB and a data dir whose config.json pins them
 * and, when given, the `luxd` file (parsd refuses an unpinned luxd).
 */
export async function makeFixture(
  tmp: string,
  label: string,
  sizeMiB: number,
  luxd?: string,
): Promise<Fixture> {
  const dir = join(tmp, label);
  const dataDir = join(dir, "data");
  await Deno.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const a = join(dir, "evm-plugin");
  const b = join(dir, "sessionvm-plugin");
  const sha = { a: await writePlugin(a, sizeMiB), b: await writePlugin(b, sizeMiB) };
  const luxdPin = luxd === undefined
    ? {}
    : { "luxd-sha256": createHash("sha256").update(await Deno.readFile(luxd)).digest("hex") };
  const config = { plugins: { evm: { sha256: sha.a }, sessionvm: { sha256: sha.b } }, ...luxdPin };
  await Deno.writeTextFile(join(dataDir, "config.json"), JSON.stringify(config, null, 2) + "\n");
  return { dataDir, a, b, sha };
}

/**
 * A stub luxd that exits 0 at once. parsd probes luxd before it starts it
 * (and caches the probe), so the stub answers `--version-json`, `--version`
 * and `--help` (on stderr, as luxd does) with real luxd 1.22.18's output,
 * copied in the repository's test fixtures. `--version`, which `parsd
 * version` runs in every timed round, is printed by the shell itself, as one
 * process, like luxd's own answer (a `cat` would add a second program to
 * parsd's time that the floor does not run).
 */
export function stubLuxd(): string {
  const fixture = (name: string) =>
    join(REPO_ROOT, "tests", "fixtures", "luxd", `luxd-1.22.18-${name}`);
  const version = Deno.readTextFileSync(fixture("version.txt")).replace(/\n$/, "");
  return [
    "#!/bin/sh",
    'case "${1:-}" in',
    `  --version-json) cat ${shellQuote(fixture("version.json"))} ;;`,
    `  --version) printf '%s\\n' ${shellQuote(version)} ;;`,
    `  --help) cat ${shellQuote(fixture("help.txt"))} >&2 ;;`,
    "esac",
    "exit 0",
    "",
  ].join("\n");
}

/** The floor: what any Deno program that starts luxd pays (start, spawn luxd as parsd does, wait). */
export const FLOOR_SOURCE = "await new Deno.Command(Deno.args[0]!).spawn().status;\n";

/** Waits until every file's last change is over 3 s old (parsd caches only such files). */
export async function settled(paths: readonly string[]): Promise<void> {
  for (const p of paths) {
    const ctime = (await Deno.stat(p)).ctime?.getTime() ?? Date.now();
    const wait = ctime + 3000 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
