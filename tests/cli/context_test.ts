/**
 * Tests for lib/cli/context.ts: every way a file parsd reads can be wrong is
 * one line naming it and the fix, with the input's code (77 when it cannot
 * be read). Deno's own refusal of `/proc`, `/dev` and `/sys` files under
 * parsd's permissions is checked with the real parsd process.
 */
import assert from "node:assert/strict";
import { readConfig, readInput } from "../../lib/cli/context.ts";
import { ConfigError, ExitCode, NoInputError, PermissionError } from "../../lib/errors.ts";
import { FileAccessError } from "../../lib/os/files.ts";
import type { System } from "../../lib/os/system.ts";
import { join } from "../../lib/os/path.ts";
import { fakeSystem } from "../fake_system.ts";
import { parsd, withTempDir } from "../helpers.ts";

/** A system whose readText fails with `problem`. */
const failing = (problem: FileAccessError["problem"], reason: string): System => ({
  ...fakeSystem().sys,
  readText: (path) => Promise.reject(new FileAccessError(path, problem, reason)),
});

Deno.test("readConfig() names the file, the problem and the fix; a denial is 77", async (t) => {
  const cases: [FileAccessError["problem"], string, number, string][] = [
    ["denied", "permission denied", 77, "fix its owner or mode, or run parsd as its owner"],
    ["special", "is a FIFO, not a regular file", 78, "give the config file's path with --config"],
    ["directory", "is a directory", 78, "give the config file's path with --config"],
    ["not-utf8", "is not UTF-8 text", 78, "save it as UTF-8 JSON"],
    ["loop", "a symlink loop", 78, "point the link at the real file"],
  ];
  for (const [problem, reason, code, fix] of cases) {
    await t.step(problem, async () => {
      await assert.rejects(readConfig(failing(problem, reason), "/c.json"), (e: unknown) => {
        assert.ok(code === 77 ? e instanceof PermissionError : e instanceof ConfigError);
        assert.equal((e as ConfigError).exitCode, code);
        assert.equal((e as Error).message, `config /c.json: ${reason}; ${fix}`);
        return true;
      });
    });
  }
});

Deno.test("readInput() uses the caller's error and fixes", async () => {
  await assert.rejects(
    readInput(failing("special", "is a FIFO, not a regular file"), "/s", {
      what: "checksum file",
      fixes: { special: "give a SHA256SUMS file" },
      otherwise: NoInputError,
    }),
    (e: unknown) =>
      e instanceof NoInputError && e.exitCode === ExitCode.noInput &&
      e.message === "checksum file /s: is a FIFO, not a regular file; give a SHA256SUMS file",
  );
  const sys = fakeSystem().sys;
  await withTempDir(async (dir) => {
    assert.equal(
      await readInput(sys, join(dir, "none"), { what: "x", otherwise: NoInputError }),
      undefined,
    );
  });
});

Deno.test({
  name: "parsd refuses /proc/self/environ and /dev/stdin as a config with its own message (78)",
  ignore: Deno.build.os !== "linux",
  fn: async (t) => {
    for (const path of ["/proc/self/environ", "/dev/stdin"]) {
      await t.step(path, async () => {
        const r = await parsd(["version", "--config", path], { env: { HOME: "/tmp" } });
        assert.equal(r.code, 78, r.stderr);
        assert.match(
          r.stderr,
          new RegExp(
            `^parsd: error: config ${path}: is a special file \\(under /dev, /proc or /sys\\), not a regular file; give the config file's path with --config$`,
            "m",
          ),
        );
        assert.doesNotMatch(r.stderr, /Requires|--allow-all/);
      });
    }
  },
});
