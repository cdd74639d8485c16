/**
 * The permission set in deno.json is the one definition: the start task,
 * the e2e tests and `deno compile` all use it, and every grant in it is
 * needed (removing one breaks a real run).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startFlags } from "../scripts/kit.ts";
import { DENO_JSON, makeNode, parsd, REPO } from "./helpers.ts";

const SET = DENO_JSON.permissions["parsd"]!;

Deno.test("the start task runs main.ts under the parsd permission set, never -A", () => {
  assert.deepEqual(startFlags(), [
    "-P=parsd",
    "--no-prompt",
    "--v8-flags=--min-semi-space-size=2",
  ]);
  for (const [name, task] of Object.entries(DENO_JSON.tasks)) {
    const runsParsd = /^deno (run|compile)\b.*\bmain\.ts\b/.test(task);
    assert.ok(!runsParsd || /-P=parsd/.test(task), `task ${name} runs main.ts without -P=parsd`);
    assert.doesNotMatch(task, /main\.ts.*(-A|--allow-all)\b|(-A|--allow-all)\b.*main\.ts/, name);
  }
});

Deno.test("the permission set grants network to loopback only, no FFI, no unscoped env", () => {
  assert.deepEqual(SET["net"], ["127.0.0.1", "localhost", "[::1]"]);
  assert.equal(SET["ffi"], false);
  assert.ok(Array.isArray(SET["env"]));
  assert.deepEqual(SET["sys"], ["uid", "gid"]);
});

Deno.test("every environment variable parsd reads is granted by name, and every granted one is read", async () => {
  const read = new Set<string>();
  async function scan(dir: string): Promise<void> {
    for await (const e of Deno.readDir(dir)) {
      const path = join(dir, e.name);
      if (e.isDirectory) await scan(path);
      if (!e.isFile || !e.name.endsWith(".ts")) continue;
      const text = await Deno.readTextFile(path);
      for (const m of text.matchAll(/\benv\(\s*"([A-Z_]+)"/g)) read.add(m[1]!);
      for (const m of text.matchAll(/env: "([A-Z_]+)"/g)) read.add(m[1]!);
      for (const m of text.matchAll(/"(PARS_[A-Z_]+)"/g)) read.add(m[1]!);
    }
  }
  await scan(join(REPO, "lib"));
  assert.ok(read.has("PARS_EVM_PLUGIN") && read.has("HOME"), "the scan finds nested files");
  assert.deepEqual([...read].sort(), [...(SET["env"] as string[])].sort());
});

/** A copy of deno.json whose parsd set has `change` applied, in a temp dir. */
async function configWith(
  dir: string,
  change: (set: Record<string, unknown>) => void,
): Promise<string> {
  const copy = structuredClone(DENO_JSON) as typeof DENO_JSON & { lock?: unknown };
  change(copy.permissions["parsd"]!);
  // The copy lives in a temp dir: its lock is still the repository's, frozen.
  copy.lock = { path: join(REPO, "deno.lock"), frozen: true };
  const path = join(dir, "deno.json");
  await Deno.writeTextFile(path, JSON.stringify(copy));
  return path;
}

Deno.test("removing any grant from the set makes a real run fail", async (t) => {
  const removals: [string, (s: Record<string, unknown>, dataDir: string) => void][] = [
    ["none (control: the full set works)", () => {}],
    ["read", (s) => delete s["read"]],
    ["write", (s) => delete s["write"]],
    ["run", (s) => delete s["run"]],
    ["sys", (s) => delete s["sys"]],
    ["net (the port check binds on loopback)", (s) => (s["net"] = false)],
    ["env HOME", (s) => (s["env"] = (s["env"] as string[]).filter((v) => v !== "HOME"))],
    ["env PARS_LUXD", (s) => (s["env"] = (s["env"] as string[]).filter((v) => v !== "PARS_LUXD"))],
    ["write scoped to the data dir (Deno.symlink needs it unscoped)", (s, d) => (s["write"] = [d])],
  ];
  for (const [name, change] of removals) {
    await t.step(name, async () => {
      const n = await makeNode();
      try {
        await n.pin();
        const config = await configWith(n.root, (s) => change(s, n.dataDir));
        const r = await parsd([], { env: n.env, config });
        if (name.startsWith("none")) {
          assert.equal(r.code, 0, r.stderr);
          assert.ok(await n.recordText(), "luxd must start with the full set");
        } else {
          assert.notEqual(r.code, 0, `${name} removed, yet parsd ran: ${r.stderr}`);
          assert.equal(await n.recordText(), undefined, "luxd must not start");
        }
      } finally {
        await n.cleanup();
      }
    });
  }
});
