import assert from "node:assert/strict";
import { join } from "node:path";
import { codeFiles } from "../lib/code_identity.ts";
import { REPO_ROOT } from "../scripts/kit.ts";

Deno.test("codeFiles: the executable, every module under lib/ and main.ts (from sources)", () => {
  const files = codeFiles();
  assert.equal(files[0], Deno.execPath());
  for (const m of ["lib/start.ts", "lib/plan.ts", "lib/commands/run.ts", "lib/plugins/trust.ts"]) {
    assert.ok(files.includes(join(REPO_ROOT, m)), m);
  }
  assert.ok(files.includes(join(REPO_ROOT, "main.ts")));
  const libFiles: string[] = [];
  const walk = (dir: string) => {
    for (const e of Deno.readDirSync(dir)) {
      if (e.isDirectory) walk(join(dir, e.name));
      else libFiles.push(join(dir, e.name));
    }
  };
  walk(join(REPO_ROOT, "lib"));
  assert.equal(files.length, libFiles.length + 2);
});
