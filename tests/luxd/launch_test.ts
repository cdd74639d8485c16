/**
 * Tests for lib/luxd/launch.ts with a fake system: signal listeners are in
 * place before luxd is spawned, what is left of luxd's group is reaped with
 * the rest of the grace, and every way the spawn can fail is a documented
 * exit code, never 1.
 */
import assert from "node:assert/strict";
import { launch, spawnError } from "../../lib/luxd/launch.ts";
import { ExitCode, ParsdError } from "../../lib/errors.ts";
import { NotExecutableError } from "../../lib/os/files.ts";
import type { ChildProcess, System } from "../../lib/os/system.ts";
import type { SignalSource } from "../../lib/os/signals.ts";
import { fakeSystem } from "../fake_system.ts";

/** A fake system whose luxd exits when told, recording what happened in order. */
function scripted() {
  const events: string[] = [];
  const handlers = new Map<Deno.Signal, () => void>();
  const signals: SignalSource = {
    add: (s, h) => {
      handlers.set(s, h);
      events.push(`listen ${s}`);
    },
    remove: (s) => void handlers.delete(s),
  };
  let exit!: (status: { code: number; signal: Deno.Signal | null }) => void;
  const status = new Promise<{ code: number; signal: Deno.Signal | null }>((r) => exit = r);
  let clock = 1_000_000;
  const child: ChildProcess = {
    pid: 77,
    kill: (s) => void events.push(`kill ${s}`),
    killGroup: (s) => void events.push(`killGroup ${s}`),
    reapGroup: (ms) => Promise.resolve(void events.push(`reapGroup ${ms}`)),
    status,
  };
  const sys: System = {
    ...fakeSystem().sys,
    now: () => clock,
    signals,
    spawn: (path, _args, o) => {
      events.push(`spawn ${path} grace ${o?.graceMs}`);
      return child;
    },
    dropPermissions: () => {
      events.push("drop");
      return Promise.resolve({});
    },
  };
  return {
    sys,
    events,
    fire: (s: Deno.Signal) => handlers.get(s)?.(),
    exit,
    advance: (ms: number) => void (clock += ms),
    listening: () => handlers.size,
  };
}

Deno.test("launch() listens before it spawns, drops permissions, and reaps luxd's group with the full grace", async () => {
  const f = scripted();
  const done = launch(f.sys, { luxd: "/l/luxd", args: [], graceMs: 30_000 });
  await Promise.resolve();
  const spawnAt = f.events.findIndex((e) => e.startsWith("spawn"));
  assert.ok(spawnAt > 0 && f.events.slice(0, spawnAt).every((e) => e.startsWith("listen")));
  assert.ok(f.events.includes("listen SIGALRM") && f.events.includes("listen SIGUSR2"));
  assert.equal(f.events[spawnAt], "spawn /l/luxd grace 30000");
  f.exit({ code: 3, signal: null });
  assert.equal(await done, 3);
  assert.deepEqual(f.events.slice(spawnAt + 1), ["drop", "reapGroup 30000"]);
  assert.equal(f.listening(), 0, "every listener removed");
});

Deno.test("launch() after SIGTERM: luxd's group gets only what is left of the grace; 143 passes through", async () => {
  const f = scripted();
  const done = launch(f.sys, { luxd: "/l/luxd", args: [], graceMs: 10_000 });
  await Promise.resolve();
  f.fire("SIGTERM");
  f.advance(4_000);
  f.exit({ code: 143, signal: "SIGTERM" });
  assert.equal(await done, 143);
  assert.deepEqual(f.events.filter((e) => !e.startsWith("listen")), [
    "spawn /l/luxd grace 10000",
    "drop",
    "kill SIGTERM",
    "reapGroup 6000",
  ]);
});

Deno.test("launch() sends a second SIGINT to luxd's whole group as SIGKILL", async () => {
  const f = scripted();
  const done = launch(f.sys, { luxd: "/l/luxd", args: [], graceMs: 10_000 });
  await Promise.resolve();
  f.fire("SIGINT");
  f.fire("SIGINT");
  f.exit({ code: 0, signal: "SIGKILL" });
  assert.equal(await done, 137);
  assert.ok(f.events.includes("killGroup SIGKILL"));
});

Deno.test("launch() maps every spawn failure to a documented code, never 1", async (t) => {
  const cases: [string, unknown, number, RegExp][] = [
    [
      "vanished",
      new Deno.errors.NotFound("No such file or directory (os error 2)"),
      127,
      /could not be started: No such file/,
    ],
    ["not executable", new Deno.errors.PermissionDenied("denied"), 126, /permission denied/],
    ["no program", new NotExecutableError("/l/luxd"), 126, /is not a program/],
    [
      "E2BIG",
      new Error("Failed to spawn '/l/luxd': Argument list too long (os error 7)"),
      126,
      /Argument list too long.*shorten 'luxd-args'/,
    ],
    [
      "a NUL byte",
      new TypeError("Failed to spawn '/l/luxd': nul byte found in provided data"),
      126,
      /nul byte found/,
    ],
    [
      "anything else",
      new Error("Resource temporarily unavailable (os error 11)"),
      126,
      /could not be started: Resource temporarily unavailable/,
    ],
  ];
  for (const [what, error, code, message] of cases) {
    await t.step(what, async () => {
      const f = scripted();
      const sys: System = {
        ...f.sys,
        spawn: () => {
          throw error;
        },
      };
      await assert.rejects(
        launch(sys, { luxd: "/l/luxd", args: [], graceMs: 1000 }),
        (e: unknown) => e instanceof ParsdError && e.exitCode === code && message.test(e.message),
      );
      assert.equal(f.listening(), 0, "listeners removed after a failed spawn");
      const mapped = spawnError("/l/luxd", error);
      assert.ok(mapped instanceof ParsdError && mapped.exitCode !== ExitCode.failure);
    });
  }
});
