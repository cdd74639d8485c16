/**
 * @module
 * Ownership and modes checked the way ssh's StrictModes checks `~/.ssh`: a file
 * parsd trusts (a config, a key, a sealed plugin) is only as safe as every
 * directory above it, since whoever can write a directory can replace what is
 * in it. The path is resolved component by component as the kernel does
 * (following each link, `..` after a link taken physically), and every
 * directory passed through, the directory of every link included, is checked.
 * POSIX only: on Windows (`System.uid()` is `null`) there is nothing to check.
 */

import { NoInputError, PermissionError } from "../errors.ts";
import type { FileFacts } from "./files.ts";
import { dirname, isAbsolute, join } from "./path.ts";
import type { FileSystem } from "./system.ts";

/** Options of {@linkcode checkTrustedPath}. */
export interface TrustedPathOptions {
  /** parsd's uid (`System.uid()`): it and root may own the path and its ancestors; `null` (Windows): nothing is checked. */
  readonly uid: number | null;
  /** What the path must be once its links are followed. */
  readonly kind: "file" | "dir";
  /** The user name put in `chown` fixes (default: the uid). */
  readonly user?: string;
}

/** The most links followed before the path counts as a loop (Linux's own limit). */
const MAX_LINKS = 40;

/** One entry passed through while resolving: a directory, a link, or the path itself. */
interface Step {
  readonly path: string;
  readonly facts: FileFacts;
  /** The directory it is in (`undefined` for `/`). */
  readonly parent: string | undefined;
}

/** The options once a uid is known. */
type Checked = TrustedPathOptions & { readonly uid: number };

/** Quotes a path for a shell command only when it needs it. */
const shq = (s: string) => /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;

/** A mode with its special bits, e.g. `0755`, `1777`. */
const modeText = (mode: number) => (mode & 0o7777).toString(8).padStart(4, "0");

const isSticky = (f: FileFacts) => (f.mode & 0o1000) !== 0;

/**
 * Resolves `path` as the kernel would, recording every entry passed through.
 *
 * @returns the steps and the resolved path, or a problem that stopped the walk.
 * @throws {NoInputError} (66) when the path, or what a link in it names, does not exist.
 */
async function walk(
  fs: Pick<FileSystem, "lstat" | "readLink">,
  path: string,
): Promise<{ steps: Step[]; resolved: string; stop?: string }> {
  const steps: Step[] = [];
  const look = async (p: string, parent: string | undefined) => {
    const facts = await fs.lstat(p);
    if (facts === undefined) {
      throw new NoInputError(`${p} does not exist${p === path ? "" : ` (resolving ${path})`}`);
    }
    steps.push({ path: p, facts, parent });
    return facts;
  };
  let cur = "/";
  let links = 0;
  try {
    await look(cur, undefined);
    const todo = path.split("/");
    while (todo.length > 0) {
      const name = todo.shift()!;
      if (name === "" || name === ".") continue;
      if (name === "..") {
        cur = dirname(cur);
        continue;
      }
      const next = join(cur, name);
      if (!(await look(next, cur)).isSymlink) {
        cur = next;
        continue;
      }
      if (++links > MAX_LINKS) {
        return { steps, resolved: next, stop: `${next}: a symlink loop (over ${MAX_LINKS} links)` };
      }
      const target = await fs.readLink(next);
      todo.unshift(...target.split("/"));
      if (isAbsolute(target)) cur = "/";
    }
  } catch (error) {
    if (error instanceof NoInputError) throw error;
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return { steps, resolved: cur, stop: `${reason}; it cannot be checked` };
  }
  return { steps, resolved: cur };
}

/** The problem with one entry's owner and write bits, if any (`writableOk`: a sticky ancestor). */
function ownerAndMode(s: Step, o: Checked, writableOk: boolean): string | undefined {
  const { facts } = s;
  const user = o.user ?? String(o.uid);
  const fixes: string[] = [];
  const badOwner = facts.uid !== o.uid && facts.uid !== 0;
  if (badOwner) fixes.push(`chown ${shq(user)} ${shq(s.path)}`);
  const who = (facts.mode & 0o020 ? "g" : "") + (facts.mode & 0o002 ? "o" : "");
  const badMode = who !== "" && !writableOk;
  if (badMode) fixes.push(`chmod ${who}-w ${shq(s.path)}`);
  if (fixes.length === 0) return undefined;
  const whom = who === "go" ? "group and others" : who === "g" ? "group" : "others";
  const owned = `owned by uid ${facts.uid}${badOwner ? ` (neither ${user} nor root)` : ""}`;
  const mode = `mode ${modeText(facts.mode)}${badMode ? ` (writable by ${whom})` : ""}`;
  return `${s.path}: ${owned}, ${mode}; fix: ${fixes.join(" && ")}`;
}

/** The problem with a sticky writable directory above `children`, if one is not trusted. */
function stickyProblem(dir: Step, children: Step[], o: Checked): string | undefined {
  const foreign = children.find((c) => c.facts.uid !== o.uid && c.facts.uid !== 0);
  if (foreign === undefined) return undefined;
  const user = o.user ?? String(o.uid);
  return `${dir.path}: mode ${
    modeText(dir.facts.mode)
  } (sticky, writable by others) is safe only above what ${user} or root owns, but ${foreign.path} is owned by uid ${foreign.facts.uid}; fix: chown ${
    shq(user)
  } ${shq(foreign.path)}, or move it out of ${shq(dir.path)}`;
}

/** The problem with the resolved path's type, if it is not `kind`. */
function kindProblem(s: Step, path: string, kind: "file" | "dir"): string | undefined {
  const named = s.path === path ? path : `${path} (resolved to ${s.path})`;
  if (kind === "dir" && !s.facts.isDirectory) {
    return `${named}: is not a directory; point it at a directory`;
  }
  if (kind === "file" && s.facts.isDirectory) {
    return `${named}: is a directory, not a file; point it at a file`;
  }
  if (kind === "file" && !s.facts.isFile) {
    return `${named}: is not a regular file; point it at a file`;
  }
  return undefined;
}

/**
 * Checks that `path` and every directory above it, following links, are owned
 * by parsd's user (`uid`) or root and not writable by group or others. A
 * sticky writable directory (such as `/tmp`, 1777) is allowed above an entry
 * that parsd's user or root owns, never as the path itself. A link's own mode
 * does not matter; the directory it is in and everything it leads through do.
 *
 * @param path an absolute path.
 * @returns one line per problem (the path, its owner or mode, and the exact fix,
 *   such as `chmod go-w /x` or `chown <user> /x`), all at once; `[]` when it is
 *   safe. Callers refuse with {@linkcode PermissionError} (77), e.g. through
 *   {@linkcode assertTrustedPath}. A path that cannot be looked at (a denied
 *   search, a link loop) is a problem too.
 * @throws {NoInputError} (66) when the path, or a link's target, does not exist.
 * @throws {TypeError} for a relative path (a caller's bug).
 */
export async function checkTrustedPath(
  fs: Pick<FileSystem, "lstat" | "readLink">,
  path: string,
  o: TrustedPathOptions,
): Promise<string[]> {
  if (!isAbsolute(path)) throw new TypeError(`checkTrustedPath: not an absolute path: ${path}`);
  if (o.uid === null) return [];
  const checked = { ...o, uid: o.uid };
  const { steps, resolved, stop } = await walk(fs, path);
  const problems = new Map<string, string>();
  const add = (key: string, problem: string | undefined) => {
    if (problem !== undefined && !problems.has(key)) problems.set(key, problem);
  };
  const final = stop === undefined ? steps.findLast((s) => s.path === resolved) : undefined;
  for (const s of steps) {
    if (s.facts.isSymlink) continue;
    const children = steps.filter((c) => c.parent === s.path && c !== s);
    const above = s !== final && s.facts.isDirectory && children.length > 0;
    const stickyOk = above && isSticky(s.facts);
    add(s.path, ownerAndMode(s, checked, stickyOk));
    if (stickyOk && (s.facts.mode & 0o022) !== 0) add(s.path, stickyProblem(s, children, checked));
  }
  if (final !== undefined) add(`kind:${final.path}`, kindProblem(final, path, o.kind));
  if (stop !== undefined) add("stop", stop);
  return [...problems.values()];
}

/**
 * {@linkcode checkTrustedPath}, refusing any problem.
 *
 * @throws {PermissionError} (77) with one line per problem.
 * @throws {NoInputError} (66) when the path does not exist.
 */
export async function assertTrustedPath(
  fs: Pick<FileSystem, "lstat" | "readLink">,
  path: string,
  o: TrustedPathOptions,
): Promise<void> {
  const problems = await checkTrustedPath(fs, path, o);
  if (problems.length > 0) throw new PermissionError(problems);
}
