/**
 * @module
 * Start-up guards on parsd's static import graph, read with
 * `deno info --json`: what a command's module imports statically is
 * evaluated before the command runs, so every such import is paid on every
 * start of that command (`node:crypto` alone costs ~40 ms, more than Deno's
 * own start; see `deno task bench`).
 *
 * - No command module statically imports `node:crypto` (but `node_id`, which
 *   needs RIPEMD-160), `node:fs*` or `node:path*` (lib has `lib/path.ts`).
 * - A module that only some commands use is imported only by them (the
 *   {@linkcode ONLY} table): `version`, `help` and `vmid` pull no plugin,
 *   facts, plan, status, service or luxd-probe code.
 * - `main.ts` and `lib/main.ts` import no command module and no `node:`
 *   built-in statically (every command pays for those).
 * - `lib/system.ts` imports `lib/hash.ts` only dynamically.
 *
 * The commands are the modules `lib/main.ts` imports dynamically, so a new
 * command is checked without editing this file. A static edge is a `code`
 * dependency that is not dynamic; `deno info` reports `import { type X }` as
 * code (Deno elides it at run time, but write `import type` and the graph
 * says so). The last test proves the checks bite: it adds such imports to a
 * scratch copy of `lib/` and expects each to be reported.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { COMMAND_FILES } from "../lib/main.ts";
import { type Graph, graphOf, staticClosure, staticModules } from "../scripts/import_graph.ts";
import { REPO_ROOT } from "../scripts/kit.ts";

/** Built-ins no command may import statically, with the commands that may. */
const BUILTINS: readonly {
  readonly match: RegExp;
  readonly why: string;
  readonly except: readonly string[];
}[] = [
  {
    match: /^node:crypto$/,
    why:
      "~40 ms at start; hash files via System.sha256 (lazy lib/hash.ts), short inputs without it",
    except: ["node_id"],
  },
  { match: /^node:fs(\/|$)/, why: "files go through System (lib/files.ts)", except: [] },
  { match: /^node:path(\/|$)/, why: "use lib/path.ts", except: [] },
];

/**
 * Modules (or folders, ending in `/`) that only some commands use, and
 * those commands: any other command that pulls one in statically pays for
 * code it never runs. Modules every command may load are not listed.
 */
export const ONLY: Readonly<Record<string, readonly string[]>> = {
  "lib/facts.ts": ["run", "doctor"],
  "lib/plan.ts": ["run", "doctor"],
  "lib/luxd_probe.ts": ["run", "doctor"],
  "lib/luxd_args.ts": ["run", "doctor"],
  "lib/chain_config.ts": ["run", "doctor"],
  "lib/chain_config_files.ts": ["run", "doctor"],
  "lib/plugins/": ["run", "doctor", "plugins"],
  "lib/links.ts": ["run", "doctor", "plugins"],
  "lib/apply.ts": ["run", "init"],
  "lib/luxd.ts": ["run", "doctor", "version"],
  "lib/config.ts": ["run", "init", "doctor", "status", "plugins", "node_id", "service", "version"],
  "lib/status.ts": ["status"],
  "lib/service.ts": ["service"],
  "lib/node_id.ts": ["node_id"],
  "lib/cb58.ts": ["node_id", "vmid"],
  "lib/vmid.ts": ["vmid"],
  "lib/help.ts": ["help"],
  // Loaded by lib/system.ts on demand, never statically by a command.
  "lib/hash.ts": [],
  "lib/marker.ts": [],
  "lib/lock.ts": [],
  "lib/ports.ts": [],
};

/**
 * What the warm start (main.ts's static graph) must not load, and why: each
 * module costs a start about 0.2 ms.
 */
const WARM_PATH_EXCLUDES: Readonly<Record<string, string>> = {
  "lib/main.ts": "the dispatcher (lib/start.ts loads it by computed URL)",
  "lib/args.ts": "the option table",
  "lib/options.ts": "the option table",
  "lib/usage.ts": "the option table",
  "lib/network.ts": "the network defaults",
  "lib/code_identity.ts": "the code identity (lib/system.ts loads it by computed URL to record)",
};

/** The command modules: the files `lib/main.ts` loads by computed URL ({@linkcode COMMAND_FILES}). */
function commandModules(): string[] {
  return Object.values(COMMAND_FILES).map((f) => `lib/commands/${f}.ts`).sort();
}

const commandName = (module: string) => module.replace(/^lib\/commands\//, "").replace(/\.ts$/, "");
const via = (chain: readonly string[]) =>
  chain.length > 2 ? ` (via ${chain.slice(1, -1).join(" -> ")})` : "";

/** What is wrong with one command's static graph. */
function commandProblems(module: string, g: Graph): string[] {
  const name = commandName(module);
  const closure = staticClosure(g, module);
  const problems: string[] = [];
  for (const [dep, chain] of closure) {
    for (const b of BUILTINS) {
      if (b.match.test(dep) && !b.except.includes(name)) {
        problems.push(`${module} statically imports ${dep}${via(chain)}: ${b.why}`);
      }
    }
    for (const [only, users] of Object.entries(ONLY)) {
      const hit = only.endsWith("/") ? dep.startsWith(only) : dep === only;
      if (hit && !users.includes(name)) {
        problems.push(
          `${module} statically imports ${dep}${via(chain)}, which only ${
            users.length > 0 ? users.join(", ") : "lazy loaders"
          } use`,
        );
      }
    }
  }
  return problems;
}

/** Every import-graph problem of the parsd tree at `repo` (an empty list when all is well). */
async function graphProblems(repo: string): Promise<string[]> {
  const commands = commandModules();
  const problems: string[] = [];
  // Every start loads main.ts's static graph (all a warm start loads); every cold start and
  // every other command also loads lib/main.ts's.
  for (const root of ["main.ts", "lib/main.ts"]) {
    const g = await graphOf(repo, root);
    const closure = staticClosure(g, root);
    for (const [dep, chain] of closure) {
      if (dep.startsWith("lib/commands/")) {
        problems.push(`${root} statically imports ${dep}${via(chain)}: load commands lazily`);
      }
      if (dep.startsWith("node:")) {
        problems.push(`${root} statically imports ${dep}${via(chain)}: every command pays for it`);
      }
      for (const [only, users] of Object.entries(ONLY)) {
        const hit = only.endsWith("/") ? dep.startsWith(only) : dep === only;
        if (hit && users.length > 0) {
          problems.push(
            `${root} statically imports ${dep}${via(chain)}, which only ${
              users.join(", ")
            } use: every start pays for it`,
          );
        }
      }
      const excluded = root === "main.ts" ? WARM_PATH_EXCLUDES[dep] : undefined;
      if (excluded !== undefined) {
        problems.push(
          `main.ts statically imports ${dep}${via(chain)}: a warm start does not load ${excluded}`,
        );
      }
    }
    for (const m of closure.keys()) {
      for (const dep of g.dynamic.get(m) ?? []) {
        if (dep.startsWith("lib/commands/") || dep === "lib/main.ts") {
          problems.push(
            `${m} imports ${dep} by a literal specifier: deno run then reads its whole ` +
              `graph at start; load it by computed URL (lib/main.ts loadCommand)`,
          );
        }
      }
    }
  }
  const system = await graphOf(repo, "lib/system.ts");
  if (!(system.dynamic.get("lib/system.ts") ?? []).includes("lib/hash.ts")) {
    problems.push("lib/system.ts does not import lib/hash.ts dynamically");
  }
  for (const m of ["lib/hash.ts", "node:crypto"]) {
    const chain = staticClosure(system, "lib/system.ts").get(m);
    if (chain) problems.push(`lib/system.ts statically imports ${m}${via(chain)}`);
  }
  const graphs = await Promise.all(commands.map((c) => graphOf(repo, c)));
  commands.forEach((c, i) => problems.push(...commandProblems(c, graphs[i]!)));
  return problems;
}

Deno.test("every module named in the ONLY table exists", async () => {
  for (const path of Object.keys(ONLY)) {
    const f = await Deno.stat(join(REPO_ROOT, path)).catch(() => undefined);
    assert.ok(f, `${path} is in the ONLY table but does not exist; update the table`);
    assert.equal(f.isDirectory, path.endsWith("/"), path);
  }
});

Deno.test("every command module lib/main.ts names exists and exports its command", async () => {
  for (const m of commandModules()) {
    const mod = await import(new URL(`../${m}`, import.meta.url).href);
    assert.equal(typeof mod.command, "function", m);
  }
  const files = [...Deno.readDirSync(join(REPO_ROOT, "lib", "commands"))].map((e) => e.name);
  const helpers = ["context.ts", "lock.ts", "plugins_pin.ts"];
  assert.deepEqual(
    files.filter((f) => !helpers.includes(f)).sort(),
    commandModules().map((m) => m.replace("lib/commands/", "")),
    "a module in lib/commands/ that is not a command is a helper: list it here",
  );
});

Deno.test("every module a warm start loads carries V8's compile hint (see lib/start.ts)", async () => {
  const modules = await staticModules(REPO_ROOT, "main.ts");
  assert.ok(modules.includes("lib/warm_start.ts") && modules.length > 10, modules.join(" "));
  for (const m of modules) {
    const first = (await Deno.readTextFile(join(REPO_ROOT, m))).split("\n", 1)[0];
    assert.equal(first, "//# allFunctionsCalledOnLoad", `${m} lacks the hint on its first line`);
  }
});

Deno.test("start-up import graph: commands load only what they use", async () => {
  const problems = await graphProblems(REPO_ROOT);
  assert.deepEqual(problems, [], `\n${problems.join("\n")}`);
});

async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    if (e.isDirectory) await copyTree(join(from, e.name), join(to, e.name));
    else if (e.isFile) await Deno.copyFile(join(from, e.name), join(to, e.name));
  }
}

Deno.test("the import-graph checks catch an added import (in a scratch copy of lib/)", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "parsd-import-graph-" });
  try {
    for (const f of ["main.ts", "deno.json"]) await Deno.copyFile(join(REPO_ROOT, f), join(dir, f));
    await copyTree(join(REPO_ROOT, "lib"), join(dir, "lib"));
    const prepend = async (file: string, line: string) => {
      const path = join(dir, file);
      await Deno.writeTextFile(path, `${line}\n${await Deno.readTextFile(path)}`);
    };
    const before = new Set(await graphProblems(dir));
    await prepend("lib/commands/version.ts", 'import "node:crypto";');
    await prepend("lib/commands/vmid.ts", 'import "node:path";');
    await prepend("lib/commands/help.ts", 'import "../plan.ts";');
    await prepend("lib/errors.ts", 'import "./status.ts";'); // reaches every command
    await prepend("lib/main.ts", 'import "./commands/vmid.ts";');
    await prepend("lib/main.ts", 'export const lazy = () => import("./commands/status.ts");');
    await prepend("lib/warm_start.ts", 'import "./facts.ts";');
    await prepend("lib/start.ts", 'import "./options.ts";');
    await prepend("lib/system.ts", 'import "./hash.ts";');
    const added = (await graphProblems(dir)).filter((p) => !before.has(p));
    const expect: [string, RegExp][] = [
      ["node:crypto in version", /^lib\/commands\/version\.ts statically imports node:crypto: /],
      ["node:path in vmid", /^lib\/commands\/vmid\.ts statically imports node:path: /],
      ["plan in help", /^lib\/commands\/help\.ts statically imports lib\/plan\.ts, /],
      [
        "status via errors.ts in help",
        /^lib\/commands\/help\.ts statically imports lib\/status\.ts \(via lib\/errors\.ts\), /,
      ],
      ["a command in lib/main.ts", /^lib\/main\.ts statically imports lib\/commands\/vmid\.ts: /],
      [
        "a literal command import in lib/main.ts",
        /^lib\/main\.ts imports lib\/commands\/status\.ts by a literal specifier/,
      ],
      [
        "facts on the warm start path",
        /^main\.ts statically imports lib\/facts\.ts \(via lib\/start\.ts -> lib\/warm_start\.ts\), /,
      ],
      [
        "the option table on the warm start path",
        /^main\.ts statically imports lib\/options\.ts \(via lib\/start\.ts\): a warm start /,
      ],
      ["hash.ts in system.ts", /^lib\/system\.ts statically imports lib\/hash\.ts$/],
    ];
    for (const [what, pattern] of expect) {
      await t.step(what, () => {
        assert.ok(added.some((p) => pattern.test(p)), `not reported:\n${added.join("\n")}`);
      });
    }
    await t.step("status via errors.ts is reported for every command but status", () => {
      const hit = added.filter((p) =>
        / statically imports lib\/status\.ts \(via lib\/errors\.ts/.test(p)
      );
      assert.ok(hit.length >= 5, hit.join("\n"));
      assert.ok(!hit.some((p) => p.startsWith("lib/commands/status.ts ")), hit.join("\n"));
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
