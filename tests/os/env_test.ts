/**
 * Tests for lib/env.ts: the user's home, PATH, GOPATH and ids as read
 * through a fake System, and the search environments derived from them.
 */
import assert from "node:assert/strict";
import { type Env, envOf, homeOf, searchEnvs } from "../../lib/os/env.ts";
import { ConfigError, ExitCode } from "../../lib/errors.ts";
import type { System } from "../../lib/os/system.ts";
import { fakeSystem } from "../fake_system.ts";

/** A fake system with exactly these variables, on `os`, as uid/gid 1000 (null on Windows). */
function sysWith(env: Record<string, string>, os = "linux"): System {
  const id = () => (os === "windows" ? null : 1000);
  return { ...fakeSystem({ env }).sys, os, uid: id, gid: id };
}

Deno.test("homeOf() is HOME, or USERPROFILE on Windows only", async (t) => {
  const cases: [string, Record<string, string>, string, string | undefined][] = [
    ["HOME", { HOME: "/home/u" }, "linux", "/home/u"],
    [
      "HOME over USERPROFILE on Windows",
      { HOME: "C:\\h", USERPROFILE: "C:\\u" },
      "windows",
      "C:\\h",
    ],
    ["USERPROFILE on Windows", { USERPROFILE: "C:\\Users\\u" }, "windows", "C:\\Users\\u"],
    ["an empty HOME on Windows falls back", { HOME: "", USERPROFILE: "C:\\u" }, "windows", "C:\\u"],
    ["USERPROFILE is not read elsewhere", { USERPROFILE: "/x" }, "linux", undefined],
    ["an empty HOME is unset", { HOME: "" }, "darwin", undefined],
    ["nothing set", {}, "linux", undefined],
    ["nothing set on Windows", {}, "windows", undefined],
  ];
  for (const [what, env, os, want] of cases) {
    await t.step(`${what} → ${want ?? "ConfigError 78"}`, () => {
      if (want !== undefined) {
        assert.equal(homeOf(sysWith(env, os)), want);
        return;
      }
      assert.throws(() => homeOf(sysWith(env, os)), (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.equal(e.exitCode, ExitCode.config);
        assert.match(e.message, /^HOME is not set; set HOME, or give --data-dir/);
        return true;
      });
    });
  }
});

Deno.test("envOf() reads home, PATH, GOPATH, OS and ids", async (t) => {
  await t.step("everything set", () => {
    const env = envOf(sysWith({ HOME: "/h", PATH: "/bin:/usr/bin", GOPATH: "/go" }));
    assert.deepEqual(env, {
      home: "/h",
      os: "linux",
      uid: 1000,
      gid: 1000,
      path: "/bin:/usr/bin",
      gopath: "/go",
    });
  });
  await t.step("unset PATH and GOPATH leave no keys", () => {
    const env = envOf(sysWith({ HOME: "/h" }));
    assert.deepEqual(Object.keys(env).sort(), ["gid", "home", "os", "uid"]);
  });
  await t.step("an empty PATH is kept (no dirs), an empty GOPATH is dropped", () => {
    const env = envOf(sysWith({ HOME: "/h", PATH: "", GOPATH: "" }));
    assert.equal(env.path, "");
    assert.ok(!("gopath" in env));
  });
  await t.step("Windows has no ids", () => {
    const env = envOf(sysWith({ USERPROFILE: "C:\\u" }, "windows"));
    assert.deepEqual([env.home, env.uid, env.gid], ["C:\\u", null, null]);
  });
  await t.step("no home → ConfigError", () => {
    assert.throws(() => envOf(sysWith({ PATH: "/bin" })), ConfigError);
  });
});

Deno.test("searchEnvs() hands each search only what it uses", async (t) => {
  const base: Env = { home: "/h", os: "linux", uid: 1, gid: 1 };
  await t.step("everything given", () => {
    assert.deepEqual(searchEnvs({ ...base, path: "/bin", gopath: "/go" }), {
      plugins: { home: "/h", gopath: "/go" },
      luxd: { home: "/h", os: "linux", gopath: "/go", path: "/bin" },
    });
  });
  await t.step("no PATH or GOPATH: no such keys at all", () => {
    const s = searchEnvs(base);
    assert.deepEqual(s, { plugins: { home: "/h" }, luxd: { home: "/h", os: "linux" } });
    assert.ok(!("gopath" in s.plugins) && !("path" in s.luxd) && !("gopath" in s.luxd));
  });
});

Deno.test("homeOf() refuses a relative home (78): defaults would follow the cwd", async (t) => {
  const cases: [Record<string, string>, string, string][] = [
    [{ HOME: "rel" }, "linux", "HOME is 'rel', not an absolute path"],
    [{ HOME: "./home/u" }, "darwin", "HOME is './home/u', not an absolute path"],
    [{ HOME: "C:\\Users\\u" }, "linux", "HOME is 'C:\\Users\\u', not an absolute path"],
    [{ USERPROFILE: "Users\\u" }, "windows", "USERPROFILE is 'Users\\u', not an absolute path"],
    [{ HOME: "C:h" }, "windows", "HOME is 'C:h', not an absolute path"],
  ];
  for (const [env, os, message] of cases) {
    await t.step(`${JSON.stringify(env)} on ${os}`, () => {
      assert.throws(() => homeOf(sysWith(env, os)), (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.equal(e.exitCode, ExitCode.config);
        assert.ok(e.message.startsWith(`${message}; set it to your home directory's full path`));
        return true;
      });
    });
  }
  await t.step("absolute homes pass: /h, C:\\h and \\\\server\\h on Windows", () => {
    assert.equal(homeOf(sysWith({ HOME: "/h" })), "/h");
    assert.equal(homeOf(sysWith({ USERPROFILE: "C:\\h" }, "windows")), "C:\\h");
    assert.equal(homeOf(sysWith({ USERPROFILE: "\\\\server\\h" }, "windows")), "\\\\server\\h");
  });
});
