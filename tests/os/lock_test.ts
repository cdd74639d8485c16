/**
 * @module
 * Tests of lib/lock.ts with real processes: a child `deno eval` that takes
 * or tries the data dir's lock, and this test process.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { acquireLock, type HeldLock, type LockRefusal } from "../../lib/os/lock.ts";
import { FileAccessError } from "../../lib/os/files.ts";
import { fifoTestName, makeFifos, withFifoRescue } from "../fifo.ts";

const LOCK_MODULE = new URL("../../lib/os/lock.ts", import.meta.url).href;

/**
 * The child: `hold` takes the lock, announces its pid and keeps the lock
 * until stdin closes; `try` reports and exits; `revoke` revokes read and
 * write (as parsd does once luxd runs) before releasing.
 */
const CHILD = `
import { acquireLock } from ${JSON.stringify(LOCK_MODULE)};
const [dir, pidFile, mode] = Deno.args;
const r = await acquireLock(dir, pidFile, Deno.pid);
if ("release" in r) {
  await r.announce();
  console.log("locked " + Deno.pid);
  if (mode === "hold") {
    for await (const _ of Deno.stdin.readable) { /* wait for EOF */ }
  }
  if (mode === "revoke") {
    await Deno.permissions.revoke({ name: "write" });
    await Deno.permissions.revoke({ name: "read" });
  }
  r.release();
  console.log("released");
} else {
  console.log("refused " + (r.heldBy ?? "unknown"));
}
`;

function child(dir: string, mode: "hold" | "try" | "revoke") {
  return new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-config", CHILD, dir, join(dir, "parsd.pid"), mode],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
}

/** Reads a child's stdout until its first line. */
async function firstLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  try {
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
  } finally {
    await reader.cancel();
  }
  return text.split("\n")[0]!;
}

const isHeld = (r: HeldLock | LockRefusal): r is HeldLock => "release" in r;

async function withTempDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "parsd-lock-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const pidFile = (dir: string) => join(dir, "parsd.pid");

Deno.test("acquireLock() refuses a second process and names the announced holder", async () => {
  await withTempDir(async (dir) => {
    const holder = child(dir, "hold");
    try {
      assert.equal(await firstLine(holder.stdout), `locked ${holder.pid}`);
      assert.deepEqual(await acquireLock(dir, pidFile(dir), Deno.pid), { heldBy: holder.pid });
    } finally {
      await holder.stdin.close();
      await holder.status;
    }
    const r = await acquireLock(dir, pidFile(dir), Deno.pid);
    assert.ok(isHeld(r));
    r.release();
  });
});

Deno.test("acquireLock(): taking or being refused the lock creates no file", async () => {
  await withTempDir(async (dir) => {
    const r = await acquireLock(dir, pidFile(dir), 1);
    assert.ok(isHeld(r));
    assert.deepEqual(await acquireLock(dir, pidFile(dir), 2), { heldBy: undefined });
    assert.deepEqual([...Deno.readDirSync(dir)], []);
    await r.announce();
    assert.equal(await Deno.readTextFile(pidFile(dir)), "1\n");
    assert.deepEqual(await acquireLock(dir, pidFile(dir), 2), { heldBy: 1 });
    r.release();
    r.release();
    assert.equal(await Deno.readTextFile(pidFile(dir)), "");
  });
});

Deno.test("acquireLock(): a SIGKILLed holder leaves no lock that blocks", async () => {
  await withTempDir(async (dir) => {
    const holder = child(dir, "hold");
    assert.equal(await firstLine(holder.stdout), `locked ${holder.pid}`);
    holder.kill("SIGKILL");
    await holder.status;
    await holder.stdin.close().catch(() => {});
    const r = await acquireLock(dir, pidFile(dir), Deno.pid);
    assert.ok(isHeld(r), "the lock died with its holder");
    r.release();
  });
});

Deno.test("acquireLock(): a child is refused while this process holds the lock", async () => {
  await withTempDir(async (dir) => {
    const lock = await acquireLock(dir, pidFile(dir), 4242);
    assert.ok(isHeld(lock));
    await lock.announce();
    const refused = child(dir, "try");
    assert.equal(await firstLine(refused.stdout), "refused 4242");
    await refused.stdin.close();
    await refused.status;
    lock.release();
    const taken = child(dir, "try");
    assert.equal(await firstLine(taken.stdout), `locked ${taken.pid}`);
    await taken.stdin.close();
    await taken.status;
  });
});

Deno.test("release() still works after the holder revoked its read and write permissions", async () => {
  await withTempDir(async (dir) => {
    const c = child(dir, "revoke");
    const out = new TextDecoder().decode((await c.output()).stdout);
    assert.match(out, /^locked \d+\nreleased\n$/);
    const r = await acquireLock(dir, pidFile(dir), 1);
    assert.ok(isHeld(r));
    r.release();
  });
});

Deno.test("acquireLock() on a missing directory throws an error naming it", async () => {
  await withTempDir(async (dir) => {
    const missing = join(dir, "nope");
    await assert.rejects(
      acquireLock(missing, pidFile(missing), 1),
      /cannot open .*nope to lock it/,
    );
  });
});

Deno.test(
  fifoTestName("a pid file that is a FIFO is never opened: no holder named, no announce"),
  async () => {
    await withTempDir(async (dir) => {
      const fifo = pidFile(dir);
      makeFifos(fifo);
      await withFifoRescue([fifo], async () => {
        const held = await acquireLock(dir, fifo, 1);
        assert.ok(isHeld(held));
        try {
          const second = await acquireLock(dir, fifo, 2);
          assert.deepEqual(
            second,
            { heldBy: undefined },
            "the holder is unknown, not read from a FIFO",
          );
          await assert.rejects(
            held.announce(),
            (e: unknown) =>
              e instanceof FileAccessError && e.problem === "special" &&
              e.message === `${fifo}: is a FIFO, not a regular file`,
          );
        } finally {
          held.release();
        }
      });
      assert.ok(Deno.lstatSync(fifo).isFifo, "left as it was");
    });
  },
);
