import assert from "node:assert/strict";
import { absolutePath } from "../../lib/os/path.ts";
import { dataDirFromFlagOrEnv, defaultDataDir } from "../../lib/data_dir/locate.ts";

Deno.test("absolutePath() expands ~ and resolves against the base", async (t) => {
  const cases: [string, string][] = [
    ["~", "/home/v"],
    ["~/p", "/home/v/p"],
    ["~user", "/base/~user"],
    ["rel", "/base/rel"],
    ["../up", "/up"],
    ["/abs/./x/..", "/abs"],
    ["/", "/"],
  ];
  for (const [path, expected] of cases) {
    await t.step(path, () => assert.equal(absolutePath(path, "/home/v", "/base"), expected));
  }
});

Deno.test("dataDirFromFlagOrEnv() takes the flag, then the env, else nothing", async (t) => {
  const cases: [string | undefined, string | undefined, string | undefined][] = [
    [undefined, undefined, undefined],
    ["", "", undefined],
    ["/f", "/e", "/f"],
    ["", "/e", "/e"],
    [undefined, "~/e", "/home/v/e"],
    ["rel", undefined, "/cwd/rel"],
  ];
  for (const [flag, env, expected] of cases) {
    await t.step(`${flag} ${env}`, () => {
      assert.equal(dataDirFromFlagOrEnv(flag, env, "/home/v", "/cwd"), expected);
    });
  }
});

Deno.test("defaultDataDir() is ~/.pars", () => {
  assert.equal(defaultDataDir("/home/v"), "/home/v/.pars");
});
