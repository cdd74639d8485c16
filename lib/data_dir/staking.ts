/**
 * @module
 * The staking dir, checked as ssh checks `~/.ssh`: which of luxd's key
 * files exist, and whether the dir and the files are private. Never reads a
 * key.
 */

import { join } from "../os/path.ts";
import { PermissionError } from "../errors.ts";
import { FileAccessError, octal } from "../os/files.ts";
import type { Layout } from "./layout.ts";
import type { System } from "../os/system.ts";

/** Which staking files already exist (luxd generates missing ones at these same default paths). */
export interface StakingFiles {
  readonly tlsKey: boolean;
  readonly tlsCert: boolean;
  readonly signerKey: boolean;
}

/**
 * Checks the staking dir as ssh checks `~/.ssh`: the dir must be 0700 and
 * no file in it readable or writable by group or others. Never reads a key.
 *
 * @returns which staking files exist.
 * @throws {PermissionError} with the `chmod` that fixes each problem.
 */
export async function stakingFiles(sys: System, l: Layout, os: string): Promise<StakingFiles> {
  try {
    const dir = await sys.lstat(l.stakingDir);
    const present = async (p: string) => {
      const f = await sys.lstat(p);
      if (f?.isSymlink && !(await sys.stat(p))) {
        throw new PermissionError(
          `${p} is a dangling symlink; point it at the real file or remove the link`,
        );
      }
      if (f && !f.isFile && !f.isSymlink) {
        throw new PermissionError(
          `${p} is a ${f.isDirectory ? "directory" : "special file"}, not a key file; move it away`,
        );
      }
      return f !== undefined;
    };
    const files = {
      tlsKey: await present(l.stakingKey),
      tlsCert: await present(l.stakingCert),
      signerKey: await present(l.signerKey),
    };
    if (!dir || os === "windows") return files;
    if (!dir.isDirectory) {
      throw new PermissionError(`${l.stakingDir} is not a directory; move it away`);
    }
    const problems: string[] = [];
    if ((dir.mode & 0o077) !== 0) {
      problems.push(
        `${l.stakingDir} is open to group or others (mode ${
          octal(dir.mode)
        }); run 'chmod 700 ${l.stakingDir}'`,
      );
    }
    for (const entry of await sys.readDir(l.stakingDir)) {
      const path = join(l.stakingDir, entry.name);
      // A link is judged by the file it points to: that is what luxd reads.
      const f = await sys.stat(path).catch(() => undefined);
      if (f && f.isFile && (f.mode & 0o077) !== 0) {
        const real = entry.isSymlink ? await sys.realPath(path) : path;
        problems.push(
          `${path}${
            entry.isSymlink ? ` (-> ${real})` : ""
          } is readable or writable by group or others (mode ${
            octal(f.mode)
          }); run 'chmod 600 ${real}'`,
        );
      }
    }
    if (problems.length > 0) throw new PermissionError(problems);
    return files;
  } catch (error) {
    if (!(error instanceof FileAccessError)) throw error;
    throw new PermissionError(`staking: ${error.message}; fix its owner or mode`);
  }
}
