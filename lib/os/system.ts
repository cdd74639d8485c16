/**
 * @module
 * The one seam between parsd and the OS: environment, files, processes,
 * signals, output and permissions. {@linkcode denoSystem} is the real one;
 * in-process tests hand in `tests/fake_system.ts`. Nothing else in `lib/`
 * touches `Deno.*` for files or processes.
 */

import { denoSignals, type SignalSource } from "./signals.ts";
import { answered, boundedOutput, type NoAnswer, type Output } from "./bounded_output.ts";
import { startKeeper } from "./group_keeper.ts";
import { signalGroup } from "./process_group.ts";
import { acquireLock } from "./lock.ts";
import { canBind } from "./ports.ts";
import {
  accessError,
  changeMode,
  copyNewFile,
  createNewFile,
  type DirEntry,
  type FileFacts,
  looksExecutable,
  lstatFacts,
  makeDir,
  NotExecutableError,
  readDir,
  readLink,
  readTextFile,
  realPath,
  removeFile,
  removeTree,
  renameDurable,
  replaceSymlink,
  statFacts,
  writeFileAtomic,
} from "./files.ts";
import { rewriteFile } from "./rewrite.ts";

export { answered, type NoAnswer, type Output };

/**
 * A running luxd (or, for `devnet up`, a child parsd): the leader of a
 * process group of its own, which a keeper watches (`group_keeper.ts`).
 */
export interface ChildProcess {
  readonly pid: number;
  /** Signals the program alone; may throw once it has exited. */
  kill(signal: Deno.Signal): void;
  /** Signals every process of its group; never throws, needs no permission. */
  killGroup(signal: Deno.Signal): void;
  /**
   * After its exit: SIGTERM to what is left of its group, SIGKILL after
   * `graceMs` if anything still is; resolves when done. Call once, after
   * `status` resolved.
   */
  reapGroup(graceMs: number): Promise<void>;
  readonly status: Promise<{ code: number; signal: Deno.Signal | null }>;
  /** Its stderr, when spawned with `stderr: "piped"` (it must then be read to the end). */
  readonly stderr?: ReadableStream<Uint8Array>;
}

/** How a spawned program's output goes: inherited (the default), discarded or piped. */
export interface SpawnOptions {
  readonly stdout?: "inherit" | "null";
  readonly stderr?: "inherit" | "piped";
  /**
   * Should parsd die while the program runs, how long its keeper gives the
   * program's group between SIGTERM and SIGKILL (default 30 s).
   */
  readonly graceMs?: number;
}

/** Files, as parsd reads and writes them (see `files.ts` for the error rules). */
export interface FileSystem {
  /** stat(2) following links; `undefined` when missing. */
  stat(path: string): Promise<FileFacts | undefined>;
  /** lstat(2); `undefined` when missing. */
  lstat(path: string): Promise<FileFacts | undefined>;
  realPath(path: string): Promise<string>;
  readLink(path: string): Promise<string>;
  /** `[]` when the directory is missing. */
  readDir(path: string): Promise<DirEntry[]>;
  /** UTF-8 text of at most `maxBytes`; `undefined` when missing. */
  readText(path: string, maxBytes?: number): Promise<string | undefined>;
  /** Writes text or bytes to a file in one rename (a reader sees the old or the new content). */
  writeAtomic(path: string, data: string | Uint8Array, mode?: number): Promise<void>;
  /**
   * Replaces a file's content atomically, keeping it the file it was: through
   * a symlink to its target, with its mode, owner and group; refuses a
   * hard-linked file (see `rewrite.ts`). A missing file is created with `mode`.
   */
  rewrite(path: string, data: string | Uint8Array, mode?: number): Promise<void>;
  /** Creates a file that must not exist yet. */
  createNew(path: string, text: string, mode?: number): Promise<void>;
  mkdir(path: string, mode?: number): Promise<void>;
  /** Removes a file (not a directory). */
  remove(path: string): Promise<void>;
  /** Removes a file, a link or a whole directory tree (links are not followed). */
  removeTree(path: string): Promise<void>;
  /** Points `linkPath` at `target` in one rename. */
  symlink(target: string, linkPath: string): Promise<void>;
  /** The lower-case hex SHA-256 of a file's bytes. */
  sha256(path: string): Promise<string>;
  /** The SHA-256 and whether the bytes contain `marker`, in one read of the file. */
  hashAndScan(path: string, marker: string): Promise<{ sha256: string; contains: boolean }>;
  /** Whether a file's bytes contain `marker`. */
  contains(path: string, marker: string): Promise<boolean>;
  /**
   * Copies a file's bytes into a new file `dest` (which must not exist), fsynced;
   * a partial `dest` is removed on failure. Resolves to the number of bytes copied.
   */
  copyNew(source: string, dest: string, mode?: number): Promise<number>;
  /** chmod(2). */
  chmod(path: string, mode: number): Promise<void>;
  /** Renames `from` onto `to` in one step, then fsyncs `to`'s directory. */
  rename(from: string, to: string): Promise<void>;
}

/** A held lock, or who holds it. */
export type LockResult = { announce(): Promise<void>; release(): void } | {
  heldBy: number | undefined;
};

/** Everything parsd asks of the OS. */
export interface System extends FileSystem {
  /** An environment variable parsd's permission set grants; throws for any other. */
  env(name: string): string | undefined;
  readonly cwd: () => string;
  /** The current user's uid and gid, or `null` where there are none (Windows). */
  readonly uid: () => number | null;
  readonly gid: () => number | null;
  readonly os: string;
  readonly arch: string;
  readonly pid: number;
  /** The executable running parsd (deno, or the compiled binary). */
  readonly execPath: () => string;
  /** Now, in ms since the epoch. */
  now(): number;
  out(text: string): void;
  err(text: string): void;
  /**
   * Starts a program in a process group of its own, watched by a keeper
   * that stops the group should parsd die; stdio is inherited unless `o`
   * says otherwise (stdin always is). Needs the run permission.
   *
   * @throws {NotExecutableError} for a file that is no program; Deno's
   *   errors (NotFound, PermissionDenied, E2BIG, …) when it cannot start.
   */
  spawn(path: string, args: readonly string[], o?: SpawnOptions): ChildProcess;
  /** Sends a signal to a process by pid; `false` when there is no such process. */
  kill(pid: number, signal: Deno.Signal): boolean;
  /**
   * Runs a program to completion, capturing its output, or says why it gave
   * no answer (see `bounded_output.ts`): it ends at `timeoutMs` whatever its
   * children do, and nothing of its process group outlives it. A file that
   * is no program is not run: it answers 126 with the reason on stderr, as
   * a shell would.
   */
  output(path: string, args: readonly string[], timeoutMs: number): Promise<Output | NoAnswer>;
  readonly signals: SignalSource;
  /** Revokes every permission parsd holds; returns each one's state afterwards. */
  dropPermissions(): Promise<Record<string, string>>;
  /** Takes the exclusive lock on directory `dir` without waiting; `pidFile` names the holder. */
  lock(dir: string, pidFile: string): Promise<LockResult>;
  /** Whether `host:port` can be bound now (`true`), else why not. */
  canBind(host: string, port: number): Promise<true | string>;
  /** HTTP to the node's API on loopback. */
  fetch(url: string, init?: RequestInit): Promise<Response>;
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

/** How many files are being hashed now (see {@linkcode hashAndScanFile}). */
let hashing = 0;

/**
 * A file's SHA-256 and whether it contains `marker`, in one read. The first
 * file in flight is hashed on this thread; each one hashed meanwhile in a Web
 * Worker of its own, so two plugins are hashed on two cores at once. A Worker
 * costs this thread ~40 ms to create and ~40 ms more to load node:crypto (see
 * docs/performance.md): one file never starts one, two start one, not two.
 * An OS error comes back as a {@linkcode FileAccessError}.
 */
async function hashAndScanFile(
  path: string,
  marker: string,
): Promise<{ sha256: string; contains: boolean }> {
  const here = hashing++ === 0;
  try {
    return here
      ? await (await import("./hash.ts")).hashFile(path, marker)
      : await hashInWorker(path, marker);
  } catch (error) {
    throw accessError(path, error);
  } finally {
    hashing--;
  }
}

/** Hashes a file in a Web Worker (`hash_worker.ts`). */
function hashInWorker(
  path: string,
  marker: string,
): Promise<{ sha256: string; contains: boolean }> {
  const worker = new Worker(new URL("./hash_worker.ts", import.meta.url).href, { type: "module" });
  return new Promise<{ sha256: string; contains: boolean }>((resolve, reject) => {
    worker.onmessage = (
      e: MessageEvent<{ sha256: string; contains: boolean } | { error: string }>,
    ) => "error" in e.data ? reject(accessError(path, new Error(e.data.error))) : resolve(e.data);
    worker.onerror = (e) => {
      e.preventDefault();
      reject(accessError(path, new Error(e.message)));
    };
    worker.postMessage({ path, marker });
  }).finally(() => worker.terminate());
}

/**
 * Whether a program named by path may be started: on Windows always (no
 * `/bin/sh` fallback there), elsewhere only a file in an executable format
 * ({@linkcode looksExecutable}). A bare name is found on PATH by the OS.
 */
const runsItself = (path: string) =>
  Deno.build.os === "windows" || !path.includes("/") || looksExecutable(path);

/** A synchronous read as a {@linkcode FileSystem} call: its error becomes a rejection. */
function promised<A extends unknown[], T>(read: (...args: A) => T): (...args: A) => Promise<T> {
  return (...args) => {
    try {
      return Promise.resolve(read(...args));
    } catch (error) {
      return Promise.reject(error);
    }
  };
}

/** The real file system. */
export const denoFiles: FileSystem = {
  stat: promised(statFacts),
  lstat: promised(lstatFacts),
  realPath: promised(realPath),
  readLink: promised(readLink),
  readDir: promised(readDir),
  readText: promised(readTextFile),
  writeAtomic: writeFileAtomic,
  rewrite: rewriteFile,
  createNew: createNewFile,
  mkdir: makeDir,
  symlink: replaceSymlink,
  remove: removeFile,
  removeTree,
  // Loaded only when a file must really be hashed: node:crypto costs start-up time.
  // An OS error (unreadable, a directory) comes back as a FileAccessError, as for every read.
  sha256: (path) =>
    import("./hash.ts").then((m) => m.sha256File(path)).catch((e) => {
      throw accessError(path, e);
    }),
  hashAndScan: hashAndScanFile,
  contains: (path, marker) =>
    import("./marker.ts").then((m) => m.fileContains(path, marker)).catch((e) => {
      throw accessError(path, e);
    }),
  copyNew: copyNewFile,
  chmod: changeMode,
  rename: renameDurable,
};

/** The real system, through Deno's APIs. */
export const denoSystem: System = {
  ...denoFiles,
  env: (name) => Deno.env.get(name),
  cwd: () => Deno.cwd(),
  uid: () => Deno.uid(),
  gid: () => Deno.gid(),
  os: Deno.build.os,
  arch: Deno.build.arch,
  pid: Deno.pid,
  execPath: () => Deno.execPath(),
  now: () => Date.now(),
  out: (text) => void Deno.stdout.writeSync(encoder.encode(text)),
  err: (text) => void Deno.stderr.writeSync(encoder.encode(text)),
  spawn(path, args, o = {}) {
    if (!runsItself(path)) throw new NotExecutableError(path);
    const child = new Deno.Command(path, {
      args: [...args],
      stdin: "inherit",
      stdout: o.stdout ?? "inherit",
      stderr: o.stderr ?? "inherit",
      detached: true, // setsid(2): a session and process group of its own
    }).spawn();
    // In the same tick: parsd's signal listeners are in place, so only a SIGKILL
    // between these two lines could leave the program without its keeper.
    const keeper = startKeeper(o.graceMs ?? 30_000);
    keeper?.keep(child.pid);
    const spawned: ChildProcess = {
      pid: child.pid,
      kill: (s: Deno.Signal) => child.kill(s),
      killGroup: (s) => keeper ? keeper.signal(s) : void signalGroup(child.pid, s),
      reapGroup: async (graceMs) => {
        if (keeper) return await keeper.finish(graceMs);
        if (signalGroup(child.pid, "SIGTERM")) signalGroup(child.pid, "SIGKILL");
      },
      status: child.status,
    };
    return o.stderr === "piped" ? { ...spawned, stderr: child.stderr } : spawned;
  },
  kill(pid, signal) {
    try {
      Deno.kill(pid, signal);
      return true;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return false;
      throw error;
    }
  },
  output(path, args, timeoutMs) {
    if (!runsItself(path)) {
      return Promise.resolve({
        code: 126,
        stdout: "",
        stderr: new NotExecutableError(path).message,
      });
    }
    return boundedOutput(path, args, timeoutMs);
  },
  signals: denoSignals,
  dropPermissions() {
    const states = PERMISSION_NAMES.map((name) =>
      [name, Deno.permissions.revokeSync({ name } as Deno.PermissionDescriptor).state] as const
    );
    return Promise.resolve(Object.fromEntries(states));
  },
  // Windows cannot lock a directory handle: there, one parsd per data dir is not enforced.
  lock: (dir, pidFile) =>
    Deno.build.os === "windows"
      ? Promise.resolve({ announce: () => Promise.resolve(), release: () => {} })
      : acquireLock(dir, pidFile, Deno.pid),
  canBind,
  fetch: (url, init) => fetch(url, init),
};
