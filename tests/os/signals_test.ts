/**
 * Tests for lib/os/signals.ts: which signals parsd forwards, passes on and
 * ignores, the grace that ends in SIGKILL to luxd's whole group, and exit
 * codes for signal deaths — with a fake signal source and a fake child.
 */
import assert from "node:assert/strict";
import {
  exitCodeFor,
  forwardedSignals,
  forwardSignals,
  ignoredSignals,
  MAX_SHUTDOWN_GRACE_MS,
  passedSignals,
  signalNumber,
  type SignalSource,
} from "../../lib/os/signals.ts";

function fakeSource(refuse: readonly Deno.Signal[] = []) {
  const listeners = new Map<Deno.Signal, Set<() => void>>();
  const source: SignalSource = {
    add: (s, h) => {
      if (refuse.includes(s)) throw new TypeError(`Invalid signal: ${s}`);
      (listeners.get(s) ?? listeners.set(s, new Set()).get(s)!).add(h);
    },
    remove: (s, h) => void listeners.get(s)?.delete(h),
  };
  const fire = (s: Deno.Signal) => listeners.get(s)?.forEach((h) => h());
  const count = () => [...listeners.values()].reduce((n, set) => n + set.size, 0);
  const has = (s: Deno.Signal) => (listeners.get(s)?.size ?? 0) > 0;
  return { source, fire, count, has };
}

function fakeChild() {
  const sent: string[] = [];
  return {
    sent,
    kill: (s: Deno.Signal) => void sent.push(s),
    killGroup: (s: Deno.Signal) => void sent.push(`group ${s}`),
  };
}

const options = (graceMs: number, log?: (m: string) => void) => ({
  os: "linux",
  graceMs,
  now: () => Date.now(),
  ...(log ? { log } : {}),
});

Deno.test("forwardSignals() listens for every catchable signal that would end parsd, and stops listening", () => {
  const { source, count, has } = fakeSource();
  const f = forwardSignals(fakeChild(), source, options(10_000));
  const all = [...forwardedSignals("linux"), ...passedSignals("linux"), ...ignoredSignals("linux")];
  for (const s of all) assert.ok(has(s), s);
  assert.equal(count(), all.length);
  for (const s of ["SIGPIPE", "SIGKILL", "SIGSTOP", "SIGSEGV"] as const) assert.ok(!has(s), s);
  f.stop();
  assert.equal(count(), 0);
});

Deno.test("forwardSignals() sends stop signals and SIGUSR1/2 to luxd alone, ignores the rest", () => {
  const { source, fire } = fakeSource();
  const child = fakeChild();
  const log: string[] = [];
  const f = forwardSignals(child, source, options(10_000, (m) => log.push(m)));
  for (const s of ["SIGHUP", "SIGQUIT", "SIGINT", "SIGUSR1", "SIGUSR2"] as const) fire(s);
  fire("SIGALRM");
  fire("SIGALRM");
  fire("SIGXCPU");
  f.stop();
  assert.deepEqual(child.sent, ["SIGHUP", "SIGQUIT", "SIGINT", "SIGUSR1", "SIGUSR2"]);
  assert.deepEqual(log, [
    "ignoring SIGALRM; luxd keeps running (SIGTERM or SIGINT stops it)",
    "ignoring SIGXCPU; luxd keeps running (SIGTERM or SIGINT stops it)",
  ]);
});

Deno.test("forwardSignals() escalates a second SIGINT to SIGKILL for luxd's whole group", () => {
  const { source, fire } = fakeSource();
  const child = fakeChild();
  const log: string[] = [];
  const f = forwardSignals(child, source, options(10_000, (m) => log.push(m)));
  fire("SIGINT");
  fire("SIGINT");
  f.stop();
  assert.deepEqual(child.sent, ["SIGINT", "group SIGKILL"]);
  assert.deepEqual(log, ["second SIGINT; sending SIGKILL to luxd's process group"]);
});

Deno.test("forwardSignals() SIGKILLs luxd's group when the grace after the first stop signal runs out", async (t) => {
  for (const first of ["SIGTERM", "SIGHUP", "SIGQUIT"] as const) {
    await t.step(first, async () => {
      const { source, fire } = fakeSource();
      const child = fakeChild();
      const log: string[] = [];
      const before = Date.now();
      const f = forwardSignals(child, source, options(30, (m) => log.push(m)));
      fire(first);
      fire("SIGTERM");
      const deadline = f.deadline()!;
      assert.ok(deadline >= before + 30, "the deadline is the first signal's time plus the grace");
      await new Promise((r) => setTimeout(r, 80));
      f.stop();
      assert.deepEqual(child.sent, [first, "SIGTERM", "group SIGKILL"]);
      assert.deepEqual(log, [
        `luxd still running 30 ms after ${first}; sending SIGKILL to luxd's process group`,
      ]);
    });
  }
});

Deno.test("forwardSignals() has no deadline before a stop signal, and none from SIGUSR1", () => {
  const { source, fire } = fakeSource();
  const f = forwardSignals(fakeChild(), source, options(10_000));
  assert.equal(f.deadline(), undefined);
  fire("SIGUSR1");
  assert.equal(f.deadline(), undefined);
  f.stop();
});

Deno.test("forwardSignals() clears the grace timer when stopped before it fires", async () => {
  const { source, fire } = fakeSource();
  const child = fakeChild();
  const f = forwardSignals(child, source, options(30));
  fire("SIGTERM");
  f.stop();
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual(child.sent, ["SIGTERM"]);
});

Deno.test("forwardSignals() survives a child that has already exited and a log that throws", async () => {
  const { source, fire, count } = fakeSource();
  const tried: string[] = [];
  const f = forwardSignals(
    {
      kill: (s) => {
        tried.push(s);
        throw new TypeError("Child process has already terminated");
      },
      killGroup: (s) => void tried.push(`group ${s}`),
    },
    source,
    options(1, () => {
      throw new Error("EPIPE: stderr is gone");
    }),
  );
  assert.doesNotThrow(() => fire("SIGINT"));
  assert.doesNotThrow(() => fire("SIGALRM"));
  assert.doesNotThrow(() => fire("SIGINT"));
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(tried, ["SIGINT", "group SIGKILL", "group SIGKILL"]);
  f.stop();
  assert.equal(count(), 0);
});

Deno.test("forwardSignals() skips a signal the source refuses (one this OS or Deno lacks)", () => {
  const { source, has, count } = fakeSource(["SIGPWR", "SIGSTKFLT"]);
  const f = forwardSignals(fakeChild(), source, options(10));
  assert.ok(!has("SIGPWR") && has("SIGTERM"));
  f.stop();
  assert.equal(count(), 0);
});

Deno.test("forwardSignals() refuses a grace a timer cannot hold", async (t) => {
  for (const graceMs of [MAX_SHUTDOWN_GRACE_MS + 1, 2 ** 31, -1, NaN, Infinity]) {
    await t.step(String(graceMs), () => {
      assert.throws(
        () => forwardSignals(fakeChild(), fakeSource().source, options(graceMs)),
        RangeError,
      );
    });
  }
  await t.step("the maximum itself is accepted", () => {
    forwardSignals(fakeChild(), fakeSource().source, options(MAX_SHUTDOWN_GRACE_MS)).stop();
  });
});

Deno.test("the signal lists: forwarded, passed on and ignored never overlap; SIGPIPE never listened for", () => {
  for (const os of ["linux", "darwin", "windows"]) {
    const lists = [forwardedSignals(os), passedSignals(os), ignoredSignals(os)].flat();
    assert.equal(new Set(lists).size, lists.length, os);
    assert.ok(!lists.includes("SIGPIPE"), os);
  }
  assert.deepEqual(forwardedSignals("windows"), ["SIGINT", "SIGBREAK"]);
  assert.deepEqual([...passedSignals("windows"), ...ignoredSignals("windows")], []);
});

Deno.test("every listed Linux signal is one Deno 2.9 lets a program listen for", async (t) => {
  if (Deno.build.os !== "linux") {
    await t.step({ name: "skipped: not Linux", ignore: true, fn: () => {} });
    return;
  }
  const all = [...forwardedSignals("linux"), ...passedSignals("linux"), ...ignoredSignals("linux")];
  // In a process of its own: a listener for SIGSTKFLT or SIGPWR must never be removed.
  const script = `for (const s of ${JSON.stringify(all)}) {
    try { Deno.addSignalListener(s, () => {}); } catch (e) { console.log(s, e.message); }
  }
  Deno.exit(0);`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  await t.step("all of them", () => {
    assert.equal(new TextDecoder().decode(out.stdout), "", "signals Deno refused");
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  });
});

Deno.test("exitCodeFor() passes codes through and maps signal n to 128+n, by the OS's numbers", () => {
  const cases: [number | string, Deno.Signal | null, string, number][] = [
    [3, null, "linux", 3],
    [143, "SIGTERM", "linux", 143],
    [0, "SIGKILL", "linux", 137],
    [0, "SIGHUP", "linux", 129],
    [0, "SIGUSR2", "linux", 140],
    [0, "SIGALRM", "linux", 142],
    [0, "SIGSYS", "linux", 159],
    [0, "SIGUSR2", "darwin", 159],
    [0, "SIGBUS", "darwin", 138],
  ];
  for (const [code, signal, os, want] of cases) {
    assert.equal(exitCodeFor({ code: Number(code), signal }, os), want, `${signal} on ${os}`);
  }
  assert.equal(signalNumber("SIGNOPE"), undefined);
});
