/**
 * @module
 * A fake {@linkcode System} for in-process tests of parsd's commands: real
 * files (in temp dirs, through the real file system), everything else
 * faked — environment, output captured as strings, programs answered from
 * the luxd fixtures without a subprocess (a program's sealed copy in the
 * store answers as the program: found by its bytes), signals, locks, ports
 * and HTTP.
 */

import { createHash } from "node:crypto";
import { denoFiles, type LockResult, type Output, type System } from "../lib/os/system.ts";
import { main } from "../lib/cli/main.ts";
import { SPAWN_LIMITS_QUERY } from "../lib/luxd/spawn_limits.ts";
import { join } from "../lib/os/path.ts";
import { REPO } from "./helpers.ts";

/** How a fake program answers: argv → output, or `undefined` for "could not run". */
export type Program = (args: readonly string[]) => Output | undefined;

const FIXTURES = join(REPO, "tests", "fixtures", "luxd");

/** A luxd of one dialect answering `--help`, `--version` and `--version-json` from the fixtures. */
export function fixtureLuxd(dialect: "1.13.4" | "1.22.18"): Program {
  const read = (name: string) => Deno.readTextFileSync(join(FIXTURES, name));
  return (args) => {
    if (args[0] === "--help") {
      return { code: 0, stdout: "", stderr: read(`luxd-${dialect}-help.txt`) };
    }
    if (args[0] === "--version-json") {
      return { code: 0, stdout: read(`luxd-${dialect}-version.json`), stderr: "" };
    }
    if (args[0] === "--version") {
      return { code: 0, stdout: read(`luxd-${dialect}-version.txt`), stderr: "" };
    }
    return { code: 1, stdout: "", stderr: "" };
  };
}

/** A fake system and what it recorded. */
export interface Fake {
  readonly sys: System;
  readonly out: () => string;
  readonly err: () => string;
  /** Programs started with `spawn`, in order. */
  readonly spawned: { path: string; args: readonly string[] }[];
  /** Runs parsd (`lib/cli/main.ts`) with this system. */
  run(argv: readonly string[]): Promise<number>;
}

/** Options for {@linkcode fakeSystem}. */
export interface FakeOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** Programs by absolute path. Unknown programs cannot run. */
  programs?: Record<string, Program>;
  /** The exit code a spawned luxd returns. */
  exitCode?: number;
  /** The uid parsd runs as (default: this process's). */
  uid?: number;
  /** The hard open-files limit `ulimit -Hn` reports (default 20000, as on the test machines). */
  hardNofile?: number | "unlimited";
  /** Ports that cannot be bound. */
  busyPorts?: number[];
  /** A lock holder's pid: every lock attempt is refused. */
  lockHeldBy?: number;
  /** How far the fake clock is ahead of the real one (files then look older). */
  clockAheadMs?: number;
  /** Answers for fetch, by URL path. */
  fetch?: (url: string, init?: RequestInit) => Promise<Response>;
  /** What `getconf ARG_MAX; env | wc -lc` says (default 2097152, and 30 variables of 2000 bytes). */
  spawnLimits?: { argMax: number; envCount: number; envBytes: number } | "unknown";
}

/** The program whose file has the same bytes as `path`: a sealed copy answers as its source. */
function sameBytes(programs: Record<string, Program> | undefined, path: string) {
  const hash = (p: string) => {
    try {
      return createHash("sha256").update(Deno.readFileSync(p)).digest("hex");
    } catch {
      return undefined;
    }
  };
  const want = hash(path);
  if (want === undefined) return undefined;
  return Object.entries(programs ?? {}).find(([p]) => hash(p) === want)?.[1];
}

/** Builds a fake system. */
export function fakeSystem(o: FakeOptions = {}): Fake {
  let out = "";
  let err = "";
  const spawned: { path: string; args: readonly string[] }[] = [];
  const env = o.env ?? {};
  const sys: System = {
    ...denoFiles,
    env: (name) => env[name],
    cwd: () => o.cwd ?? "/",
    uid: () => o.uid ?? Deno.uid(),
    gid: () => Deno.gid(),
    os: Deno.build.os,
    arch: Deno.build.arch,
    pid: 4242,
    execPath: () => "/opt/deno/bin/deno",
    now: () => Date.now() + (o.clockAheadMs ?? 0),
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    spawn(path, args) {
      spawned.push({ path, args });
      return {
        pid: 5000 + spawned.length,
        kill: () => {},
        killGroup: () => {},
        reapGroup: () => Promise.resolve(),
        status: Promise.resolve({ code: o.exitCode ?? 0, signal: null }),
      };
    },
    kill: () => false,
    output: (path, args) => {
      const limits = o.spawnLimits ?? { argMax: 2097152, envCount: 30, envBytes: 2000 };
      const answer = path === "/bin/sh" && args.join(" ") === "-c ulimit -Hn"
        ? { code: 0, stdout: `${o.hardNofile ?? 20000}\n`, stderr: "" }
        : path === SPAWN_LIMITS_QUERY.path && args.join(" ") === SPAWN_LIMITS_QUERY.args.join(" ")
        ? limits === "unknown" ? { code: 127, stdout: "", stderr: "getconf: not found" } : {
          code: 0,
          stdout: `${limits.argMax}\n${limits.envCount} ${limits.envBytes}\n`,
          stderr: "",
        }
        : (o.programs?.[path] ?? sameBytes(o.programs, path))?.(args);
      return Promise.resolve(
        answer ?? { failure: "not-started" as const, reason: "could not be started (fake)" },
      );
    },
    signals: { add: () => {}, remove: () => {} },
    dropPermissions: () => Promise.resolve({}),
    lock: (): Promise<LockResult> =>
      Promise.resolve(
        o.lockHeldBy !== undefined
          ? { heldBy: o.lockHeldBy }
          : { announce: () => Promise.resolve(), release: () => {} },
      ),
    canBind: (_host, port) => Promise.resolve(o.busyPorts?.includes(port) ? "in use" : true),
    fetch: o.fetch ?? (() => Promise.reject(new TypeError("connection refused"))),
  };
  return {
    sys,
    out: () => out,
    err: () => err,
    spawned,
    run: (argv) => main(argv, sys),
  };
}
