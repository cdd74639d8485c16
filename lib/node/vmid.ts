/**
 * @module
 * VM IDs in luxd's cb58 form: the VM's name zero-padded to 32 bytes, then
 * cb58 (`cb58.ts`). Loaded only where an ID must really be computed or
 * checked (it needs SHA-256), never on a plain start.
 */

import { cb58Decode, cb58Encode } from "./cb58.ts";

const ID_LENGTH = 32;

/**
 * The VMID luxd derives from a VM name, e.g. `vmid("sessionvm")` is
 * `speKUgLBX6WRD5cfGeEfLa43LxTXUBckvtv4td6F3eTXvRP48`.
 *
 * @throws {RangeError} if the name is empty or longer than 32 bytes.
 */
export function vmid(name: string): string {
  const bytes = new TextEncoder().encode(name);
  if (bytes.length === 0 || bytes.length > ID_LENGTH) {
    throw new RangeError(`VM name must be 1 to ${ID_LENGTH} bytes, got ${bytes.length}`);
  }
  const padded = new Uint8Array(ID_LENGTH);
  padded.set(bytes);
  return cb58Encode(padded);
}

/** Whether text is a valid cb58 32-byte ID, as luxd requires of plugin file names. */
export function isVmid(text: string): boolean {
  return cb58Decode(text)?.length === ID_LENGTH;
}
