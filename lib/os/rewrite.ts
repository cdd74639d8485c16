/**
 * @module
 * Rewriting a file parsd does not own (the user's config.json) so that it
 * stays the user's file: atomically, through a symlink to its target, with
 * its mode, owner and group, never splitting hard links.
 */

import { dirname } from "./path.ts";
import {
  accessError,
  FileAccessError,
  isMissing,
  specialKind,
  tempSibling,
  writeFileAtomic,
  writeTemp,
} from "./files.ts";

/** What {@linkcode rewriteFile} would replace: the real file behind `path`, and its facts. */
function rewriteTarget(path: string): { real: string; info: Deno.FileInfo } | undefined {
  let link: Deno.FileInfo;
  try {
    link = Deno.lstatSync(path);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw accessError(path, error);
  }
  if (!link.isSymlink) return { real: path, info: link };
  try {
    const real = Deno.realPathSync(path);
    return { real, info: Deno.statSync(real) };
  } catch (error) {
    if (!isMissing(error)) throw accessError(path, error);
    throw new FileAccessError(
      path,
      "io",
      "is a dangling symlink; point it at the file or remove the link",
      { cause: error },
    );
  }
}

/**
 * Replaces a file's content atomically and keeps the file as it was: through
 * a symlink, the link's target is replaced (the new file is made in the
 * target's directory, so the rename stays on one file system); the mode,
 * owner and group stay the file's. A file that does not exist is created
 * with `mode`. The directory is fsynced after the rename.
 *
 * @throws {FileAccessError} naming the real file: `hard-linked` for a file
 *   with several names (replacing it would split them: parsd refuses rather
 *   than write in place, which is not atomic), `denied` when its owner or
 *   group cannot be kept, `directory`/`special` for what is not a regular
 *   file, or the OS error of the write; the file is then unchanged.
 */
export async function rewriteFile(
  path: string,
  data: string | Uint8Array,
  mode = 0o600,
): Promise<void> {
  const target = rewriteTarget(path);
  if (target === undefined) return await writeFileAtomic(path, data, mode);
  const { real, info } = target;
  if (info.isDirectory) throw new FileAccessError(real, "directory", "is a directory");
  if (!info.isFile) {
    throw new FileAccessError(real, "special", `is ${specialKind(info)}, not a regular file`);
  }
  if ((info.nlink ?? 1) > 1) {
    throw new FileAccessError(
      real,
      "hard-linked",
      `has ${info.nlink} hard links, and replacing it would leave the others with the old text; keep one name (make the others symlinks)`,
    );
  }
  const tmp = tempSibling(real);
  try {
    await writeTemp(tmp, data, 0o600);
    const made = await Deno.stat(tmp);
    if (
      info.uid !== null && info.gid !== null && (made.uid !== info.uid || made.gid !== info.gid)
    ) {
      try {
        await Deno.chown(tmp, info.uid, info.gid);
      } catch (error) {
        const why = accessError(real, error).reason;
        throw new FileAccessError(
          real,
          "denied",
          `cannot keep its owner and group (uid ${info.uid}, gid ${info.gid}): ${why}`,
          { cause: error },
        );
      }
    }
    if (info.mode !== null) await Deno.chmod(tmp, info.mode & 0o7777);
    await Deno.rename(tmp, real);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw accessError(real, error);
  }
  await syncDir(dirname(real)).catch(() => {});
}

/** fsyncs a directory, so that a rename in it survives a crash (POSIX only). */
async function syncDir(dir: string): Promise<void> {
  if (Deno.build.os === "windows") return;
  const handle = await Deno.open(dir, { read: true });
  try {
    await handle.sync();
  } finally {
    handle.close();
  }
}
