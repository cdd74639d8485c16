/**
 * @module
 * The few path helpers parsd needs, written out so that start-up does not
 * load `node:path` (see README, "Speed and memory"). POSIX rules; on
 * Windows `\` also separates and a drive letter (`C:\`) makes a path
 * absolute.
 */

const WINDOWS = Deno.build.os === "windows";

/** The platform's separator for joining. */
export const sep: string = WINDOWS ? "\\" : "/";

/** The PATH list separator. */
export const delimiter: string = WINDOWS ? ";" : ":";

const isSep = (c: string | undefined) => c === "/" || (WINDOWS && c === "\\");

/** Whether a path is absolute. */
export function isAbsolute(path: string): boolean {
  return isSep(path[0]) || (WINDOWS && /^[A-Za-z]:[\\/]/.test(path));
}

/** Collapses `.`, `..` and repeated separators; keeps a leading root. */
export function normalize(path: string): string {
  const root = WINDOWS && /^[A-Za-z]:[\\/]/.test(path)
    ? path.slice(0, 2) + sep
    : isSep(path[0])
    ? sep
    : "";
  const parts: string[] = [];
  for (const part of path.slice(root.length).split(WINDOWS ? /[\\/]/ : "/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length > 0 && parts.at(-1) !== "..") parts.pop();
      else if (root === "") parts.push("..");
      continue;
    }
    parts.push(part);
  }
  const body = parts.join(sep);
  return root + body || (root === "" ? "." : root);
}

/** Joins path segments and normalizes the result. */
export function join(...parts: string[]): string {
  return normalize(parts.filter((p) => p !== "").join(sep));
}

/** Resolves segments right to left until an absolute path is formed (against the cwd last). */
export function resolve(...parts: string[]): string {
  let out = "";
  for (let i = parts.length - 1; i >= 0 && !isAbsolute(out); i--) {
    out = out === "" ? parts[i]! : `${parts[i]!}${sep}${out}`;
  }
  return normalize(isAbsolute(out) ? out : `${Deno.cwd()}${sep}${out}`);
}

/** The directory part of a path (`/a/b` → `/a`, `b` → `.`). */
export function dirname(path: string): string {
  const n = normalize(path);
  const i = Math.max(n.lastIndexOf("/"), WINDOWS ? n.lastIndexOf("\\") : -1);
  if (i < 0) return ".";
  if (i === 0) return n[0]!;
  if (WINDOWS && i === 2 && n[1] === ":") return n.slice(0, 3);
  return n.slice(0, i);
}

/** The last part of a path. */
export function basename(path: string): string {
  const n = normalize(path);
  const i = Math.max(n.lastIndexOf("/"), WINDOWS ? n.lastIndexOf("\\") : -1);
  return i < 0 ? n : n.slice(i + 1);
}

/** Expands `~` and `~/…`, then makes a path absolute against `base`. */
export function absolutePath(path: string, home: string, base: string): string {
  if (path === "~") return home;
  if (path.startsWith("~/")) return join(home, path.slice(2));
  return isAbsolute(path) ? resolve(path) : resolve(base, path);
}
