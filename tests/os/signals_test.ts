import assert from "node:assert/strict";
import {
  exitCodeFor,
  forwardedSignals,
  forwardSignals,
  type SignalSource,
} from "../../lib/os/signals.ts";

function fakeSource() {
  const listeners = new Map<Deno.Signal, Set<() => void>>();
  const source: SignalSource = {
    add: (s, h) => void (listeners.get(s) ?? listeners.set(s, new Set()).get(s)!).add(h),
    remove: (s, h) => void listeners.get(s)?.delete(h),
  };
  const fire = (s: Deno.Signal) => listeners.get(s)?.forEach((h) => h());
  const count = () => [...listeners.values()].reduce((n, set) => n + set.size, 0);
  return { source, fire, count };
}

function fakeChild() {
  const sent: Deno.Signal[] = [];
  return { sent, kill: (s: Deno.Signal) => void sent.push(s) };
}

Deno.test("forwardSignals() forwards each signal and unsubscribes in the end", () => {
  const { source, fire, count } = fakeSource();
  const child = fakeChild();
  const stop = forwardSignals(child, source, {
    signals: forwardedSignals("linux"),
    graceMs: 10_000,
  });
  assert.equal(count(), 4);
  fire("SIGHUP");
  fire("SIGQUIT");
  fire("SIGINT");
  assert.deepEqual(child.sent, ["SIGHUP", "SIGQUIT", "SIGINT"]);
  stop();
  assert.equal(count(), 0);
  fire("SIGINT");
  assert.equal(child.sent.length, 3);
});

Deno.test("forwardSignals() escalates a second SIGINT to SIGKILL", () => {
  const { source, fire } = fakeSource();
  const child = fakeChild();
  const log: string[] = [];
  const stop = forwardSignals(child, source, {
    signals: ["SIGINT"],
    graceMs: 10_000,
    log: (m) => log.push(m),
  });
  fire("SIGINT");
  fire("SIGINT");
  stop();
  assert.deepEqual(child.sent, ["SIGINT", "SIGKILL"]);
  assert.match(log[0]!, /second SIGINT/);
});

Deno.test("forwardSignals() sends SIGKILL when the grace after SIGTERM runs out", async () => {
  const { source, fire } = fakeSource();
  const child = fakeChild();
  const stop = forwardSignals(child, source, { signals: ["SIGTERM"], graceMs: 30 });
  fire("SIGTERM");
  fire("SIGTERM");
  await new Promise((r) => setTimeout(r, 80));
  stop();
  assert.deepEqual(child.sent, ["SIGTERM", "SIGTERM", "SIGKILL"]);
});

Deno.test("forwardSignals() clears the grace timer when stopped before it fires", async () => {
  const { source, fire } = fakeSource();
  const child = fakeChild();
  const stop = forwardSignals(child, source, { signals: ["SIGTERM"], graceMs: 30 });
  fire("SIGTERM");
  stop();
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual(child.sent, ["SIGTERM"]);
});

Deno.test("forwardSignals() survives a child that has already exited", async () => {
  const { source, fire, count } = fakeSource();
  const tried: Deno.Signal[] = [];
  const stop = forwardSignals(
    {
      kill: (s) => {
        tried.push(s);
        throw new TypeError("Child process has already terminated");
      },
    },
    source,
    { signals: ["SIGINT", "SIGTERM"], graceMs: 1 },
  );
  assert.doesNotThrow(() => fire("SIGINT"));
  assert.doesNotThrow(() => fire("SIGTERM"));
  assert.doesNotThrow(() => fire("SIGINT"));
  // The grace timer's SIGKILL, too, meets the exited child without throwing.
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(tried, ["SIGINT", "SIGTERM", "SIGKILL", "SIGKILL"]);
  stop();
  assert.equal(count(), 0);
});

Deno.test("exitCodeFor() passes codes through and maps signal n to 128+n", () => {
  assert.equal(exitCodeFor({ code: 3, signal: null }), 3);
  assert.equal(exitCodeFor({ code: 143, signal: "SIGTERM" }), 143);
  assert.equal(exitCodeFor({ code: 0, signal: "SIGKILL" }), 137);
  assert.equal(exitCodeFor({ code: 0, signal: "SIGHUP" }), 129);
});

Deno.test("forwardedSignals() uses only the signals Windows delivers", () => {
  assert.deepEqual(forwardedSignals("windows"), ["SIGINT", "SIGBREAK"]);
});
