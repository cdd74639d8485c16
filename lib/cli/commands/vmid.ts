/**
 * @module
 * `parsd vmid NAME`: the cb58 VMID of a VM name.
 */

import type { ParsedArgs } from "../args.ts";
import { UsageError } from "../../errors.ts";
import type { System } from "../../os/system.ts";
import { vmid } from "../../node/vmid.ts";

/** Prints the VMID of the one VM name given. */
export function command(sys: System, args: ParsedArgs): Promise<number> {
  const [name, ...extra] = args.positionals;
  if (name === undefined || extra.length > 0) {
    throw new UsageError("'parsd vmid' takes exactly one VM name, e.g. 'parsd vmid sessionvm'");
  }
  try {
    sys.out(vmid(name) + "\n");
  } catch (error) {
    throw new UsageError(`VM name '${name}': ${(error as Error).message}`);
  }
  return Promise.resolve(0);
}
