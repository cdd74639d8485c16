/**
 * @module
 * FIFOs for tests of "parsd never opens a special file". A FIFO opened
 * blocking waits for a peer forever, and in process that would stall the
 * whole test run; so each FIFO comes with a rescuer, a Worker that opens it
 * read-write after a generous delay, which lets any blocked open return. A
 * test whose code wrongly opened one then fails on its result, not hangs.
 */

/** Whether FIFOs can be made here (`mkfifo`, not on Windows). */
export const CAN_MKFIFO: boolean = Deno.build.os !== "windows" && (() => {
  try {
    return new Deno.Command("mkfifo", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

/** A test name, marked as skipped where FIFOs cannot be made. */
export const fifoTestName = (name: string): string =>
  CAN_MKFIFO ? name : `${name} [skipped: needs mkfifo]`;

/** How long a blocked open waits before the rescuer frees it. */
const RESCUE_AFTER_S = 20;

/** Makes FIFOs at `paths` (synchronously). */
export function makeFifos(...paths: string[]): void {
  if (paths.length === 0) return;
  const out = new Deno.Command("mkfifo", { args: paths, stdout: "null", stderr: "piped" })
    .outputSync();
  if (!out.success) throw new Error(`mkfifo failed: ${new TextDecoder().decode(out.stderr)}`);
}

/** The rescuer, run in a Worker: its thread runs on while the test's thread is blocked. */
const RESCUER = `
self.onmessage = (e) => {
  setTimeout(() => {
    Atomics.store(e.data.rescued, 0, 1);
    for (const p of e.data.paths) {
      try {
        Deno.openSync(p, { read: true, write: true }).close();
      } catch {
        // Gone already.
      }
    }
  }, e.data.ms);
};
`;

/**
 * Runs `f` with the FIFOs at `paths` guarded: should `f` block opening one,
 * the rescuer opens them all (read-write, which never blocks on Linux) after
 * {@linkcode RESCUE_AFTER_S} seconds, and this throws once `f` is done.
 *
 * @throws {Error} when the rescuer had to free a blocked open: what `f` did hung.
 */
export async function withFifoRescue<T>(paths: readonly string[], f: () => Promise<T>): Promise<T> {
  if (paths.length === 0) return await f();
  const url = URL.createObjectURL(new Blob([RESCUER], { type: "application/javascript" }));
  const rescuer = new Worker(url, { type: "module" });
  const rescued = new Int32Array(new SharedArrayBuffer(4));
  rescuer.postMessage({ paths, ms: RESCUE_AFTER_S * 1000, rescued });
  let result: T;
  try {
    result = await f();
  } finally {
    rescuer.terminate();
    URL.revokeObjectURL(url);
  }
  if (Atomics.load(rescued, 0) === 1) {
    throw new Error(`blocked opening a FIFO (${paths.join(", ")}) until rescued: it would hang`);
  }
  return result;
}
