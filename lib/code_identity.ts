/**
 * @module
 * Which parsd is running, as a warm-start record compares it: the identity
 * (device, inode, size, mtime, ctime) of the executable, and, when parsd
 * runs from its sources, of every file under `lib/` and of `main.ts`. A
 * new binary, a `git pull` or an edited module gives another identity, so a
 * record made by other code is never replayed.
 */

import { join } from "./path.ts";

const identity = (i: Deno.FileInfo) =>
  `${i.dev}:${i.ino}:${i.size}:${i.mtime?.getTime()}:${i.ctime?.getTime()}`;

/** The identity of the running parsd. @throws when a file cannot be read. */
export function codeIdentity(): string {
  const lines = [`exec ${identity(Deno.statSync(Deno.execPath()))}`];
  if (Deno.build.standalone) return lines.join("\n");
  const lib = new URL(".", import.meta.url).pathname;
  const walk = (dir: string, rel: string) => {
    const entries = [...Deno.readDirSync(dir)].sort((a, b) => a.name < b.name ? -1 : 1);
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory) walk(path, `${rel}${e.name}/`);
      else lines.push(`${rel}${e.name} ${identity(Deno.lstatSync(path))}`);
    }
  };
  walk(lib, "lib/");
  lines.push(`main.ts ${identity(Deno.lstatSync(join(lib, "..", "main.ts")))}`);
  return lines.join("\n");
}
