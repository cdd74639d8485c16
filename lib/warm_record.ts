/**
 * @module
 * Making a warm-start record (see `warm_start.ts`) during a full `run`:
 * {@linkcode recorder} wraps the System so that every observation the
 * checks make is noted, and anything a warm start must not skip (hashing, a
 * probe, a change on disk) rules the record out; {@linkcode saveRecord}
 * then writes it, or removes a stale one.
 */

import type { ParsedArgs } from "./args.ts";
import { layout } from "./layout.ts";
import type { Launch } from "./launch.ts";
import type { FileFacts } from "./files.ts";
import { RACY_MARGIN_NS } from "./plugins/trust.ts";
import type { System } from "./system.ts";
import { VERSION } from "./version.ts";
import {
  answerValue,
  argvKey,
  errorValue,
  isReplayableOutput,
  type Observation,
  type ObservedCall,
  WARM_START_FORMAT,
  warmStartPath,
  type WarmStartRecord,
} from "./warm_start.ts";

/** A System that notes what the checks observe. */
export interface Recorder {
  /** Use this system for the whole start. */
  readonly sys: System;
  readonly observations: () => Observation[];
  /** Why this start cannot be recorded; `undefined` when it can. */
  readonly blocked: () => string | undefined;
}

/**
 * Wraps `sys`.
 *
 * @param startNs when the start began, in ns since the epoch: a file whose
 *   ctime is not {@linkcode RACY_MARGIN_NS} older could still change within
 *   its timestamps' granularity, so it rules the record out (git's
 *   racily-clean rule, as the verification cache has it).
 */
export function recorder(sys: System, startNs: bigint): Recorder {
  const seen = new Map<string, Observation>();
  let blocked: string | undefined;
  const block = (why: string) => void (blocked ??= why);
  const note = (call: ObservedCall, args: readonly (string | number)[], value: string) => {
    const key = JSON.stringify([call, args]);
    const before = seen.get(key);
    if (before !== undefined && before.value !== value) block(`${call} ${args[0]} changed`);
    seen.set(key, { call, args, value });
  };
  const watch = async <T>(
    call: ObservedCall,
    args: readonly (string | number)[],
    f: () => Promise<T>,
  ): Promise<T> => {
    let answer: T;
    try {
      answer = await f();
    } catch (error) {
      note(call, args, errorValue(error));
      throw error;
    }
    note(call, args, answerValue(call, answer));
    return answer;
  };
  const watchFacts = (call: "stat" | "lstat", path: string) =>
    watch(call, [path], async () => {
      const f: FileFacts | undefined = await sys[call](path);
      if (f && !f.isDirectory && f.ctimeNs + RACY_MARGIN_NS >= startNs) {
        block(`${path} changed less than 2 s ago`);
      }
      return f;
    });
  const wrapped: System = {
    ...sys,
    stat: (path) => watchFacts("stat", path),
    lstat: (path) => watchFacts("lstat", path),
    realPath: (path) => watch("realPath", [path], () => sys.realPath(path)),
    readLink: (path) => watch("readLink", [path], () => sys.readLink(path)),
    readDir: (path) => watch("readDir", [path], () => sys.readDir(path)),
    readText: (path, maxBytes) =>
      watch(
        "readText",
        maxBytes === undefined ? [path] : [path, maxBytes],
        () => sys.readText(path, maxBytes),
      ),
    output(path, args, timeoutMs) {
      if (!isReplayableOutput(path, args)) block(`ran ${path}`);
      return watch("output", [path, ...args], () => sys.output(path, args, timeoutMs));
    },
    canBind: (host, port) => watch("canBind", [host, port], () => sys.canBind(host, port)),
    env(name) {
      const value = sys.env(name);
      note("env", [name], answerValue("env", value));
      return value;
    },
    cwd() {
      const value = sys.cwd();
      note("cwd", [], answerValue("cwd", value));
      return value;
    },
    uid() {
      const value = sys.uid();
      note("uid", [], answerValue("uid", value));
      return value;
    },
    gid() {
      const value = sys.gid();
      note("gid", [], answerValue("gid", value));
      return value;
    },
    sha256: (path) => (block("hashed a file"), sys.sha256(path)),
    hashAndScan: (path, marker) => (block("hashed a file"), sys.hashAndScan(path, marker)),
    contains: (path, marker) => (block("read a plugin"), sys.contains(path, marker)),
    writeAtomic: (
      path,
      text,
      mode,
    ) => (block("wrote a file"), sys.writeAtomic(path, text, mode)),
    createNew: (path, text, mode) => (block("wrote a file"), sys.createNew(path, text, mode)),
    mkdir: (path, mode) => (block("made a dir"), sys.mkdir(path, mode)),
    remove: (path) => (block("removed a file"), sys.remove(path)),
    symlink: (target, link) => (block("made a link"), sys.symlink(target, link)),
    fetch: (url, init) => (block("used the network"), sys.fetch(url, init)),
  };
  return { sys: wrapped, observations: () => [...seen.values()], blocked: () => blocked };
}

/**
 * Observes parsd's own files through the recorder, so that a record is
 * replayed only by the code that made it.
 *
 * @returns why they cannot be observed, or `undefined`.
 */
async function observeCode(sys: System, r: Recorder): Promise<string | undefined> {
  try {
    await Promise.all((await sys.codeFiles()).map((f) => r.sys.lstat(f)));
    return undefined;
  } catch {
    return "parsd's own files cannot be read";
  }
}

/** What a full start decided, for its record. */
export interface Decided {
  readonly args: ParsedArgs;
  readonly dataDir: string;
  /** What it printed before starting luxd. */
  readonly stderr: string;
  readonly launch: Launch;
}

/**
 * Writes the warm-start record of a start about to launch luxd, or removes
 * a stale one when this start cannot be recorded. A record that cannot be
 * written only costs the next start its speed, so failures are ignored.
 *
 * @returns why no record was written, or `undefined` when one was.
 */
export async function saveRecord(
  sys: System,
  r: Recorder,
  d: Decided,
): Promise<string | undefined> {
  const path = layout(d.dataDir).warmStart;
  const why = warmStartPath(sys, d.args.argv) !== path
    ? "the data dir is named only in a config file"
    : (await observeCode(sys, r)) ?? r.blocked();
  if (why !== undefined) {
    await sys.remove(path).catch(() => {});
    return why;
  }
  const record: WarmStartRecord = {
    format: WARM_START_FORMAT,
    parsd: VERSION,
    argv: argvKey(d.args.argv),
    observations: r.observations(),
    stderr: d.stderr,
    launch: d.launch,
  };
  try {
    await sys.writeAtomic(path, JSON.stringify(record) + "\n", 0o600);
  } catch (error) {
    return `cannot write ${path}: ${(error as Error).message}`;
  }
  return undefined;
}
