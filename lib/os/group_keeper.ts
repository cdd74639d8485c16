/**
 * @module
 * luxd's group keeper: a few lines of `/bin/sh`, started in a session of
 * its own just before luxd, reading commands from a pipe that only parsd
 * holds. It exists for two reasons:
 *
 * - `Deno.kill(-pgid, …)` needs the unscoped run permission, which parsd
 *   drops once luxd runs; the keeper signals luxd's process group for it
 *   (`signal`), and after luxd's exit stops what is left of the group
 *   (`finish`: SIGTERM, then SIGKILL after a grace, polling every 0.1 s);
 * - when parsd dies, whatever the cause (SIGKILL and the signals Deno cannot
 *   catch included), the pipe reaches EOF and the keeper does the same with
 *   the grace it was started with. So nothing of luxd's group outlives
 *   parsd, unless the keeper itself is SIGKILLed (it ignores the other
 *   signals, and no terminal or process-group kill of parsd reaches it).
 *
 * The keeper probes the group with SIGCONT (as systemd follows its SIGTERM
 * with one): a stopped process could not act on SIGTERM. A zombie still
 * counts as a member until its new parent reaps it, so the wait may run to
 * its end; the final SIGKILL is then harmless.
 */

/** The name the keeper runs under (its `$0`), as `ps` and the bench see it. */
export const GROUP_KEEPER_NAME = "parsd-group-keeper";

/** The keeper's script: `$1` is the grace, in tenths of a second, for when parsd is gone. */
export const KEEPER_SCRIPT = `trap '' INT HUP QUIT TERM USR1 USR2 ALRM
g=
alive() { kill -s CONT -- "-$g" 2>/dev/null; }
reap() {
  [ -n "$g" ] && alive || return 0
  kill -s TERM -- "-$g" 2>/dev/null
  i=0
  while [ "$i" -lt "$1" ] && alive; do sleep 0.1; i=$((i + 1)); done
  kill -s KILL -- "-$g" 2>/dev/null
  return 0
}
while read -r word arg; do
  case $word in
  keep) g=$arg ;;
  signal) [ -n "$g" ] && kill -s "$arg" -- "-$g" 2>/dev/null ;;
  finish) reap "$arg"; exit 0 ;;
  esac
done
reap "$1"
`;

/** A running keeper. */
export interface GroupKeeper {
  /** Names the group to keep: luxd's pid, luxd being its leader. */
  keep(pgid: number): void;
  /** Signals the whole group; never throws. */
  signal(signal: Deno.Signal): void;
  /**
   * Ends what is left of the group (SIGTERM, then SIGKILL after `graceMs` if
   * anything is left) and lets the keeper exit; resolves when it has. Call
   * once, after luxd's exit (or without `keep` when luxd never started).
   */
  finish(graceMs: number): Promise<void>;
}

const encoder = new TextEncoder();
const tenths = (ms: number) => Math.max(0, Math.ceil(ms / 100));

/**
 * Starts a keeper that, should parsd die, gives the group `graceMs` between
 * SIGTERM and SIGKILL. Needs the run permission (only to start).
 *
 * @returns `undefined` where there is no `/bin/sh` to run it (Windows).
 */
export function startKeeper(graceMs: number): GroupKeeper | undefined {
  if (Deno.build.os === "windows") return undefined;
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("/bin/sh", {
      args: ["-c", KEEPER_SCRIPT, GROUP_KEEPER_NAME, String(tenths(graceMs))],
      stdin: "piped",
      stdout: "null",
      stderr: "null",
      detached: true,
    }).spawn();
  } catch {
    return undefined;
  }
  const writer = child.stdin.getWriter();
  let open = true;
  const say = (line: string) => {
    if (!open) return;
    writer.write(encoder.encode(line + "\n")).catch(() => {
      open = false; // The keeper is gone; nothing to tell.
    });
  };
  return {
    keep: (pgid) => say(`keep ${pgid}`),
    signal: (signal) => say(`signal ${signal.replace(/^SIG/, "")}`),
    async finish(ms) {
      say(`finish ${tenths(ms)}`);
      open = false;
      await writer.close().catch(() => {});
      // The keeper waits at most `ms` and a poll; past that, it is stuck: stop it.
      const stuck = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch {
          // It has just exited.
        }
      }, ms + 5_000);
      try {
        await child.status;
      } finally {
        clearTimeout(stuck);
      }
    },
  };
}
