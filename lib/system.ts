/**
 * @module
 * The one seam between parsd and the OS for environment, processes,
 * signals, output and permissions. {@linkcode denoSystem} is the real one;
 * tests hand in fakes. (File-system work uses Deno's APIs directly and is
 * tested on real files in temp dirs, which costs little and proves more.)
 */

import { type SignalSource } from "./signals.ts";

/** A running luxd. */
export interface ChildProcess {
  readonly pid: number;
  kill(signal: Deno.Signal): void;
  readonly status: Promise<{ code: number; signal: Deno.Signal | null }>;
}

/** Everything parsd asks of the OS besides files. */
export interface System {
  /** An environment variable parsd's permission set grants; throws for any other. */
  env(name: string): string | undefined;
  readonly cwd: () => string;
  /** The current user's uid, or `null` where there is none (Windows). */
  readonly uid: () => number | null;
  readonly os: string;
  readonly arch: string;
  out(text: string): void;
  err(text: string): void;
  /** Starts a program with inherited stdio. */
  spawn(path: string, args: readonly string[]): ChildProcess;
  /** Runs a program to completion, capturing stdout; `undefined` if it cannot run or takes over `timeoutMs`. */
  output(
    path: string,
    args: readonly string[],
    timeoutMs: number,
  ): Promise<{ code: number; stdout: string } | undefined>;
  readonly signals: SignalSource;
  /** Revokes every permission parsd holds; returns each one's state afterwards. */
  dropPermissions(): Promise<Record<string, string>>;
}

const encoder = new TextEncoder();

/** The permissions parsd may hold; all are revoked once luxd runs. */
export const PERMISSION_NAMES = [
  "read",
  "write",
  "env",
  "run",
  "sys",
  "net",
  "ffi",
  "import",
] as const;

/** The real system, through Deno's APIs. */
export const denoSystem: System = {
  env: (name) => Deno.env.get(name),
  cwd: () => Deno.cwd(),
  uid: () => Deno.uid(),
  os: Deno.build.os,
  arch: Deno.build.arch,
  out: (text) => void Deno.stdout.writeSync(encoder.encode(text)),
  err: (text) => void Deno.stderr.writeSync(encoder.encode(text)),
  spawn(path, args) {
    const child = new Deno.Command(path, {
      args: [...args],
      stdin: "inherit",
      stdout: "inherit",
      stderr: "inherit",
    })
      .spawn();
    return { pid: child.pid, kill: (s) => child.kill(s), status: child.status };
  },
  async output(path, args, timeoutMs) {
    try {
      const out = await new Deno.Command(path, {
        args: [...args],
        stdin: "null",
        stdout: "piped",
        stderr: "null",
        signal: AbortSignal.timeout(timeoutMs),
      }).output();
      return { code: out.code, stdout: new TextDecoder().decode(out.stdout) };
    } catch {
      return undefined;
    }
  },
  signals: {
    add: (signal, handler) => Deno.addSignalListener(signal, handler),
    remove: (signal, handler) => Deno.removeSignalListener(signal, handler),
  },
  async dropPermissions() {
    const states: Record<string, string> = {};
    for (const name of PERMISSION_NAMES) {
      const status = await Deno.permissions.revoke({ name } as Deno.PermissionDescriptor);
      states[name] = status.state;
    }
    return states;
  },
};
