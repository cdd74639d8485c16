/**
 * @module
 * Tests of lib/devnet/supervise.ts with real processes (small shell
 * scripts standing in for a node's parsd) and a fake HTTP answer for
 * health: output lines behind the node's name, exit codes, SIGTERM on stop,
 * and each way waiting for health can end.
 */

import assert from "node:assert/strict";
import { denoSystem, type System } from "../../lib/os/system.ts";
import {
  nodeHealthy,
  type RunningNode,
  startNode,
  stopNodes,
  stopOnSignals,
  type StopRequest,
  untilStopOrExit,
  waitHealthy,
} from "../../lib/devnet/supervise.ts";

/** The real system, with stderr captured and HTTP answered by `healthy(port)`. */
function system(healthy: (port: number) => boolean = () => false) {
  let err = "";
  const sys: System = {
    ...denoSystem,
    err: (t) => void (err += t),
    fetch: (url) => {
      const port = Number(new URL(url).port);
      return Promise.resolve(Response.json({ healthy: healthy(port) }));
    },
  };
  return { sys, err: () => err };
}

const sh = (script: string) => ({ path: "/bin/sh", args: ["-c", script, "sh"] });

/** A stop request that never comes, unless `ask()` is called. */
function manualStop(): StopRequest & { ask(): void } {
  let resolve!: (s: string) => void;
  let asked = false;
  const requested = new Promise<string>((r) => resolve = r);
  return {
    requested,
    asked: () => asked,
    dispose: () => {},
    ask: () => {
      asked = true;
      resolve("SIGINT");
    },
  };
}

Deno.test("startNode shows each stderr line behind the node's name, drops deno's warning, returns the exit code", async () => {
  const { sys, err } = system();
  const node = startNode(
    sys,
    sh(
      'echo "to stdout"; echo "parsd: starting" >&2; echo "Warning Permissions in the config file is an experimental feature" >&2; printf "last" >&2; exit 7',
    ),
    "node-2",
    [],
  );
  assert.equal(await node.exited, 7);
  assert.equal(node.done(), true);
  assert.equal(err(), "node-2 | parsd: starting\nnode-2 | last\n");
});

Deno.test("stopNodes sends SIGTERM to each running node and waits for all", async () => {
  const { sys } = system();
  const trapping = startNode(
    sys,
    sh('trap "exit 3" TERM; while :; do sleep 0.05; done'),
    "node-1",
    [],
  );
  const plain = startNode(sys, sh("exec sleep 30"), "node-2", []);
  const finished = startNode(sys, sh("exit 0"), "node-3", []);
  await finished.exited;
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(await stopNodes([trapping, plain, finished]), [3, 143, 0]);
});

Deno.test("waitHealthy reports each node once as it turns healthy, then that all are", async () => {
  let calls = 0;
  const { sys } = system((port) => port === 1 || ++calls > 3);
  const nodes = [1, 2].map((i) => startNode(sys, sh("exec sleep 30"), `node-${i}`, []));
  const seen: number[] = [];
  try {
    const outcome = await waitHealthy(sys, nodes, manualStop(), {
      ports: [1, 2],
      timeoutMs: 10_000,
      everyMs: 10,
      onHealthy: (i) => seen.push(i),
    });
    assert.deepEqual(outcome, { kind: "healthy" });
    assert.deepEqual(seen, [0, 1]);
  } finally {
    await stopNodes(nodes);
  }
});

Deno.test("waitHealthy ends when a node exits, a stop is asked, or time is up", async (t) => {
  const { sys } = system();
  await t.step("a node exits", async () => {
    const nodes = [
      startNode(sys, sh("exec sleep 30"), "node-1", []),
      startNode(sys, sh("exit 78"), "node-2", []),
    ];
    try {
      const outcome = await waitHealthy(sys, nodes, manualStop(), {
        ports: [1, 2],
        timeoutMs: 10_000,
        everyMs: 10,
        onHealthy: () => {},
      });
      assert.equal(outcome.kind, "exited");
      assert.equal((outcome as { node: RunningNode }).node.name, "node-2");
      assert.equal((outcome as { code: number }).code, 78);
    } finally {
      await stopNodes(nodes);
    }
  });
  await t.step("a stop is asked", async () => {
    const nodes = [startNode(sys, sh("exec sleep 30"), "node-1", [])];
    const stop = manualStop();
    setTimeout(() => stop.ask(), 50);
    try {
      assert.deepEqual(
        await waitHealthy(sys, nodes, stop, { ports: [1], timeoutMs: 10_000, onHealthy: () => {} }),
        { kind: "stopped", signal: "SIGINT" },
      );
    } finally {
      await stopNodes(nodes);
    }
  });
  await t.step("time is up", async () => {
    let now = 0;
    const clock: System = { ...sys, now: () => (now += 1000) };
    const nodes = [startNode(sys, sh("exec sleep 30"), "node-1", [])];
    try {
      assert.deepEqual(
        await waitHealthy(clock, nodes, manualStop(), {
          ports: [1],
          timeoutMs: 3_000,
          everyMs: 1,
          onHealthy: () => {},
        }),
        { kind: "timeout", waiting: ["node-1"] },
      );
    } finally {
      await stopNodes(nodes);
    }
  });
});

Deno.test("untilStopOrExit returns the first node to exit", async () => {
  const { sys } = system();
  const nodes = [
    startNode(sys, sh("exec sleep 30"), "node-1", []),
    startNode(sys, sh("exit 5"), "node-2", []),
  ];
  try {
    const end = await untilStopOrExit(nodes, manualStop());
    assert.ok("node" in end);
    assert.equal(end.node.name, "node-2");
    assert.equal(end.code, 5);
  } finally {
    await stopNodes(nodes);
  }
});

Deno.test("stopOnSignals turns the first signal into a stop request and unsubscribes", async () => {
  const handlers = new Map<string, () => void>();
  const sys: System = {
    ...denoSystem,
    os: "linux",
    signals: {
      add: (s, h) => void handlers.set(s, h),
      remove: (s) => void handlers.delete(s),
    },
  };
  const stop = stopOnSignals(sys);
  assert.deepEqual([...handlers.keys()].sort(), ["SIGHUP", "SIGINT", "SIGQUIT", "SIGTERM"]);
  assert.equal(stop.asked(), false);
  handlers.get("SIGTERM")!();
  assert.equal(await stop.requested, "SIGTERM");
  assert.equal(stop.asked(), true);
  stop.dispose();
  assert.equal(handlers.size, 0);
});

Deno.test("nodeHealthy: true only for a JSON body with healthy true", async (t) => {
  const cases: [string, () => Promise<Response>, boolean][] = [
    ["healthy", () => Promise.resolve(Response.json({ healthy: true })), true],
    ["unhealthy", () => Promise.resolve(Response.json({ healthy: false })), false],
    ["not JSON", () => Promise.resolve(new Response("<html>")), false],
    ["refused", () => Promise.reject(new TypeError("connection refused")), false],
  ];
  for (const [name, answer, want] of cases) {
    await t.step(name, async () => {
      assert.equal(await nodeHealthy({ ...denoSystem, fetch: answer }, 1), want);
    });
  }
});
