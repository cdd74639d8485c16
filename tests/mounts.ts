/**
 * @module
 * Small real file systems for tests of full disks and read-only mounts: a
 * `tmpfs` of a few KiB, filled up or remounted read-only, unmounted after.
 * Mounting needs root in a container that permits it; elsewhere
 * {@linkcode CAN_MOUNT} is false and the tests that need it skip, by name.
 */

/** Runs a program to its end; whether it succeeded. */
function ran(program: string, args: string[]): boolean {
  try {
    return new Deno.Command(program, { args, stdin: "null", stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

function canMount(): boolean {
  if (Deno.build.os !== "linux" || Deno.uid() !== 0) return false;
  const dir = Deno.makeTempDirSync({ prefix: "parsd-mount-probe-" });
  try {
    if (!ran("mount", ["-t", "tmpfs", "-o", "size=4k", "tmpfs", dir])) return false;
    return ran("umount", [dir]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

/** Whether this process may mount a tmpfs. */
export const CAN_MOUNT: boolean = canMount();

/** A test name, marked as skipped where mounting is not permitted. */
export const mountTestName = (name: string): string =>
  CAN_MOUNT ? name : `${name} [skipped: needs root and permission to mount a tmpfs]`;

/** What {@linkcode withTmpfs} makes. */
export interface TmpfsOptions {
  /** Its size (default 64 KiB). */
  readonly sizeKiB?: number;
  /** Fill it so that no file can take another byte. */
  readonly full?: boolean;
  /** Remount it read-only after `setup`. */
  readonly readOnly?: boolean;
  /** Runs in the fresh file system before it is filled or made read-only. */
  readonly setup?: (dir: string) => Promise<void> | void;
}

/** Runs `f` in a fresh tmpfs made as `o` says; unmounts it (and removes its mount point) after. */
export async function withTmpfs(o: TmpfsOptions, f: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "parsd-tmpfs-" });
  try {
    if (!ran("mount", ["-t", "tmpfs", "-o", `size=${o.sizeKiB ?? 64}k,mode=0755`, "tmpfs", dir])) {
      throw new Error(`cannot mount a tmpfs on ${dir}`);
    }
    try {
      await o.setup?.(dir);
      if (o.full) fill(`${dir}/.fill`);
      if (o.readOnly && !ran("mount", ["-o", "remount,ro", dir])) {
        throw new Error(`cannot remount ${dir} read-only`);
      }
      await f(dir);
    } finally {
      ran("umount", [dir]);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Writes to `path` until the file system is full. */
function fill(path: string): void {
  const file = Deno.openSync(path, { write: true, createNew: true });
  const chunk = new Uint8Array(4096);
  try {
    for (;;) file.writeSync(chunk);
  } catch {
    // ENOSPC: full.
  } finally {
    file.close();
  }
}
