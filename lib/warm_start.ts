//# allFunctionsCalledOnLoad
/**
 * @module
 * Warm start: a restart with nothing changed skips the cost of the checks,
 * not the checks.
 *
 * Every check `run` makes is a pure function (`assess`) of what parsd read
 * through {@linkcode System}: each stat, link, listing, file text,
 * environment variable, the hard open-files limit, whether the ports bind.
 * A real `run` that verified everything from the cache (no hashing, no luxd
 * or plugin probe) and had nothing to create records each of those
 * observations, with the luxd command line it decided on, in
 * `<data dir>/warm-start.json` (written by `warm_record.ts`). The next
 * `run` with the same parsd code and arguments takes the data dir's lock
 * and makes every recorded observation again. When each gives the same
 * answer, the checks would decide the same thing, so luxd starts with the
 * recorded command line; any difference, a missing or unreadable record,
 * and the full checks run (and record anew).
 *
 * Only the data dir a flag or `PARS_DATA_DIR` names, else `~/.pars`, holds
 * a record: this module finds it before any settings are resolved, and
 * loads neither the option table nor any check (`lib/start.ts`).
 */

import { HARD_NOFILE_QUERY, homeOf, userCwd } from "./env.ts";
import type { DirEntry, FileFacts } from "./files.ts";
import { type Launch, launch } from "./launch.ts";
import { layout } from "./layout.ts";
import { join } from "./path.ts";
import { dataDirFromFlagOrEnv, defaultDataDir } from "./paths.ts";
import type { System } from "./system.ts";
import { VERSION } from "./version.ts";

/** The record's format; a record of another format is ignored. */
export const WARM_START_FORMAT = 2;

/** The System calls a record replays: reads, the limit query, port checks. */
export type ObservedCall =
  | "stat"
  | "lstat"
  | "realPath"
  | "readLink"
  | "readDir"
  | "readText"
  | "output"
  | "canBind"
  | "env"
  | "cwd"
  | "uid"
  | "gid";

/** One System call and its answer, in canonical form. */
export interface Observation {
  readonly call: ObservedCall;
  readonly args: readonly (string | number)[];
  readonly value: string;
}

/** What `warm-start.json` holds. */
export interface WarmStartRecord {
  readonly format: number;
  readonly parsd: string;
  /** The command line, as given (JSON). */
  readonly argv: string;
  readonly observations: readonly Observation[];
  /** What the full start printed before starting luxd, and how it started it. */
  readonly stderr: string;
  readonly launch: Launch;
}

/** A command line as a record keys it: exactly as given. */
export const argvKey = (argv: readonly string[]): string => JSON.stringify(argv);

/**
 * The data dir a command line names with `--data-dir`, read without the
 * option table (the warm start loads none of it). A record is found only
 * where a full start with the very same command line put it, so a command
 * line this reads differently from the full parser only misses the warm
 * start.
 */
export function dataDirFlag(argv: readonly string[]): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") break;
    if (a === "--data-dir") value = argv[++i];
    else if (a.startsWith("--data-dir=")) value = a.slice("--data-dir=".length);
  }
  return value;
}

/**
 * Where a warm-start record for this command line would be; `undefined`
 * when the command line is not a start, or there is no home (the full
 * checks then say what is wrong).
 */
export function warmStartPath(sys: System, argv: readonly string[]): string | undefined {
  const first = argv[0];
  if (first !== undefined && first !== "run" && !first.startsWith("-")) return undefined;
  let home: string;
  try {
    home = homeOf(sys);
  } catch {
    return undefined;
  }
  const dir = dataDirFromFlagOrEnv(dataDirFlag(argv), sys.env("PARS_DATA_DIR"), home, userCwd(sys));
  return layout(dir ?? defaultDataDir(home)).warmStart;
}

/**
 * File facts as a record compares them. A directory's times and size say
 * only that its entries changed, and parsd lists the entries it depends on:
 * they are left out.
 */
export function factsValue(f: FileFacts | undefined): string {
  if (f === undefined) return "absent";
  const id = `${f.dev}:${f.ino}:${f.mode}:${f.uid}:${f.gid}`;
  if (f.isDirectory) return `dir:${id}`;
  const kind = f.isSymlink ? "link" : f.isFile ? "file" : "other";
  return `${kind}:${id}:${f.size}:${f.mtimeNs}:${f.ctimeNs}`;
}

function entriesValue(entries: readonly DirEntry[]): string {
  const kind = (e: DirEntry) => e.isSymlink ? "l" : e.isDirectory ? "d" : e.isFile ? "f" : "o";
  return JSON.stringify(entries.map((e) => `${kind(e)}:${e.name}`).sort());
}

/** A value for an answer that was a thrown error. */
export const errorValue = (error: unknown): string =>
  `error:${(error as Error)?.name}:${(error as Error)?.message ?? String(error)}`;

/** An answer (resolved value) of a call, in canonical form. */
export function answerValue(call: ObservedCall, answer: unknown): string {
  switch (call) {
    case "stat":
    case "lstat":
      return factsValue(answer as FileFacts | undefined);
    case "readDir":
      return entriesValue(answer as DirEntry[]);
    default:
      return answer === undefined ? "undefined" : JSON.stringify(answer);
  }
}

/** Whether a program run is one a warm start may run again: only the hard-limit query. */
export function isReplayableOutput(path: string, args: readonly string[]): boolean {
  return path === HARD_NOFILE_QUERY.path && args.join("\0") === HARD_NOFILE_QUERY.args.join("\0");
}

/** Makes one observed call again and returns its answer in canonical form. */
export async function observe(sys: System, o: Observation): Promise<string> {
  const a = o.args;
  const s = (i: number) => String(a[i]);
  try {
    switch (o.call) {
      case "stat":
        return answerValue(o.call, await sys.stat(s(0)));
      case "lstat":
        return answerValue(o.call, await sys.lstat(s(0)));
      case "realPath":
        return answerValue(o.call, await sys.realPath(s(0)));
      case "readLink":
        return answerValue(o.call, await sys.readLink(s(0)));
      case "readDir":
        return answerValue(o.call, await sys.readDir(s(0)));
      case "readText":
        return answerValue(
          o.call,
          await sys.readText(s(0), a[1] === undefined ? undefined : Number(a[1])),
        );
      case "output": {
        const args = a.slice(1).map(String);
        if (!isReplayableOutput(s(0), args)) return "not replayable";
        return answerValue(o.call, await sys.output(s(0), args, 2000));
      }
      case "canBind":
        return answerValue(o.call, await sys.canBind(s(0), Number(a[1])));
      case "env":
        return answerValue(o.call, sys.env(s(0)));
      case "cwd":
        return answerValue(o.call, sys.cwd());
      case "uid":
        return answerValue(o.call, sys.uid());
      case "gid":
        return answerValue(o.call, sys.gid());
      default:
        return "unknown call";
    }
  } catch (error) {
    return errorValue(error);
  }
}

/** A record read from disk, if it is one of this format. */
export function parseRecord(text: string | undefined): WarmStartRecord | undefined {
  if (text === undefined) return undefined;
  let r: Partial<WarmStartRecord>;
  try {
    r = JSON.parse(text);
  } catch {
    return undefined;
  }
  const l = r?.launch;
  const ok = r?.format === WARM_START_FORMAT && typeof r.parsd === "string" &&
    typeof r.argv === "string" && typeof r.stderr === "string" &&
    Array.isArray(r.observations) &&
    r.observations.every((o) =>
      typeof o?.call === "string" && Array.isArray(o.args) && typeof o.value === "string"
    ) &&
    typeof l?.luxd === "string" && Array.isArray(l.args) &&
    l.args.every((x) => typeof x === "string") && typeof l.graceMs === "number";
  return ok ? r as WarmStartRecord : undefined;
}

/**
 * Whether every observation of a record gives the same answer now. The
 * limit query's program starts first, so that it runs while the files are
 * read.
 */
export async function unchanged(sys: System, r: WarmStartRecord): Promise<boolean> {
  const order = [...r.observations].sort((a, b) =>
    Number(b.call === "output") - Number(a.call === "output")
  );
  const now = await Promise.all(order.map((o) => observe(sys, o)));
  return now.every((value, i) => value === order[i]!.value);
}

/**
 * Starts luxd from the warm-start record when nothing it observed has
 * changed.
 *
 * @returns luxd's exit code, or `undefined` when the full checks must run
 *   (no record, another command line or parsd, anything changed, the lock
 *   held by another parsd).
 */
export async function warmStart(
  sys: System,
  argv: readonly string[],
): Promise<number | undefined> {
  const path = warmStartPath(sys, argv);
  if (path === undefined) return undefined;
  const record = parseRecord(await sys.readText(path).catch(() => undefined));
  if (record === undefined || record.parsd !== VERSION || record.argv !== argvKey(argv)) {
    return undefined;
  }
  const dataDir = join(path, "..");
  const lock = await sys.lock(dataDir, layout(dataDir).pidFile).catch(() => undefined);
  if (lock === undefined || !("release" in lock)) return undefined;
  try {
    if (!(await unchanged(sys, record))) return undefined;
    await lock.announce();
    sys.err(`parsd: warm start: nothing parsd checks has changed since the last start\n`);
    sys.err(record.stderr);
    return await launch(sys, record.launch);
  } finally {
    lock.release();
  }
}
