/**
 * @module
 * Test helpers about processes: whether a pid is gone (a zombie counts as
 * gone: it runs nothing, and its new parent reaps it in its own time), and
 * waiting for that.
 */

/** Whether process `pid` no longer runs: no /proc entry, or a zombie. */
export function gone(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // pid (comm) state …: comm may hold spaces and parentheses; the state follows the last ')'.
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "Z";
  } catch {
    return true;
  }
}

/** Polls {@linkcode gone} every 25 ms; throws naming `what` after `ms`. */
export async function waitGone(pid: number, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (gone(pid)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${what} (pid ${pid}) is still running after ${ms} ms`);
}

/** The pids a record file names on lines `<word> <pid>` (e.g. `child 123`). */
export function recordedPids(text: string, word: string): number[] {
  return [...text.matchAll(new RegExp(`^${word} (\\d+)$`, "gm"))].map((m) => Number(m[1]));
}
