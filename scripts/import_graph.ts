/**
 * @module
 * parsd's module graph as `deno info --json` reports it: each module's
 * static and dynamic imports, and what a module loads statically (all of it
 * is read and evaluated before its first line runs). The import-graph tests
 * guard start-up with it; the bench counts the modules a warm start loads.
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { EXIT, ScriptError } from "./kit.ts";

/** One module of `deno info --json`'s answer (the parts read here). */
interface InfoModule {
  readonly specifier: string;
  readonly dependencies?: readonly {
    readonly code?: { readonly specifier: string };
    readonly isDynamic?: boolean;
  }[];
}

/** A module graph: each module's static and dynamic code imports, as repo-relative names. */
export interface Graph {
  readonly static: ReadonlyMap<string, readonly string[]>;
  readonly dynamic: ReadonlyMap<string, readonly string[]>;
}

/** A module's name: its path relative to `repo` for a local file, else its specifier. */
function nameOf(specifier: string, repo: string): string {
  if (!specifier.startsWith("file://")) return specifier;
  const path = fileURLToPath(specifier);
  return path.startsWith(repo + "/") ? path.slice(repo.length + 1) : path;
}

/**
 * `deno info --json` of one module of `repo` (run in `repo`, so its
 * deno.json applies). A static edge is a `code` dependency that is not
 * dynamic; `deno info` reports `import { type X }` as code (Deno elides it
 * at run time, but write `import type` and the graph says so).
 *
 * @throws {ScriptError} (1) when `deno info` fails.
 */
export async function graphOf(repo: string, module: string): Promise<Graph> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", join(repo, module)],
    cwd: repo,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (out.code !== 0) {
    const stderr = new TextDecoder().decode(out.stderr).trim();
    throw new ScriptError(EXIT.failure, `deno info ${module} failed: ${stderr}`);
  }
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as { modules: InfoModule[] };
  const stat = new Map<string, string[]>();
  const dyn = new Map<string, string[]>();
  for (const m of info.modules) {
    const code = (m.dependencies ?? []).filter((d) => d.code !== undefined);
    const names = (dynamic: boolean) =>
      code.filter((d) => (d.isDynamic === true) === dynamic).map((d) =>
        nameOf(d.code!.specifier, repo)
      );
    stat.set(nameOf(m.specifier, repo), names(false));
    dyn.set(nameOf(m.specifier, repo), names(true));
  }
  return { static: stat, dynamic: dyn };
}

/** Every module `root` loads statically, each with the chain of imports that pulls it in. */
export function staticClosure(g: Graph, root: string): Map<string, string[]> {
  const chains = new Map<string, string[]>([[root, [root]]]);
  const queue = [root];
  while (queue.length > 0) {
    const m = queue.shift()!;
    for (const dep of g.static.get(m) ?? []) {
      if (chains.has(dep)) continue;
      chains.set(dep, [...chains.get(m)!, dep]);
      queue.push(dep);
    }
  }
  return chains;
}

/**
 * The source modules `root` of `repo` loads statically (built-ins such as
 * `node:` ones left out): for `main.ts`, everything a warm start loads.
 *
 * @throws {ScriptError} (1) when `deno info` fails.
 */
export async function staticModules(repo: string, root: string): Promise<string[]> {
  const closure = staticClosure(await graphOf(repo, root), root);
  return [...closure.keys()].filter((m) => !/^[a-z]+:/.test(m));
}
