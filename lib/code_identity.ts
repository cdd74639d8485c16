//# allFunctionsCalledOnLoad
/**
 * @module
 * The files the running parsd is made of, so that a warm-start record made
 * by other code is never replayed: the executable, and, when parsd runs
 * from its sources, every module under `lib/` and `main.ts`. A record
 * observes each like any other file (device, inode, size, times), so a new
 * binary, a `git pull` or an edited module sends the start through the full
 * checks.
 */

import { join } from "./path.ts";

/** The running parsd's files. @throws when its sources cannot be listed. */
export function codeFiles(): string[] {
  const files = [Deno.execPath()];
  if (Deno.build.standalone) return files;
  const walk = (dir: string) => {
    for (const e of Deno.readDirSync(dir)) {
      const path = join(dir, e.name);
      if (e.isDirectory) walk(path);
      else files.push(path);
    }
  };
  const lib = new URL(".", import.meta.url).pathname;
  walk(lib);
  files.push(join(lib, "..", "main.ts"));
  return files;
}
