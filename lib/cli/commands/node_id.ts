/**
 * @module
 * `parsd node-id [CERT]`: the NodeID of a staking certificate, offline:
 * `NodeID-` + cb58(ripemd160(sha256(DER))). CERT defaults to
 * `<data-dir>/staking/staker.crt`.
 */

import type { ParsedArgs } from "../args.ts";
import { ConfigError, NoInputError, UsageError } from "../../errors.ts";
import { layout } from "../../data_dir/layout.ts";
import { CertificateError, nodeIdFromCertificate } from "../../node/node_id.ts";
import { absolutePath } from "../../os/path.ts";
import type { System } from "../../os/system.ts";
import { loadContext, readInput } from "../context.ts";
import { homeOf, userCwd } from "../../os/env.ts";

/** Prints the NodeID. */
export async function command(sys: System, args: ParsedArgs): Promise<number> {
  const [given, ...extra] = args.positionals;
  if (extra.length > 0) {
    throw new UsageError(
      `'parsd node-id' takes at most one certificate path, got '${args.positionals.join(" ")}'`,
    );
  }
  const cert = given !== undefined
    ? absolutePath(given, homeOf(sys), userCwd(sys))
    : layout((await loadContext(sys, args)).settings.dataDir).stakingCert;
  const give = "give a PEM staking certificate";
  const text = await readInput(sys, cert, {
    what: "certificate",
    maxBytes: 1 << 20,
    fixes: {
      denied: "run parsd as the node's user",
      directory: give,
      special: give,
      "too-large": give,
      "not-utf8": give,
      io: give,
    },
    otherwise: ConfigError,
  });
  if (text === undefined) {
    throw new NoInputError(
      `certificate ${cert} does not exist; luxd writes it on first start, or give its path: 'parsd node-id CERT'`,
    );
  }
  try {
    sys.out(nodeIdFromCertificate(text) + "\n");
  } catch (error) {
    if (!(error instanceof CertificateError)) throw error;
    throw new ConfigError(
      `certificate ${cert}: ${error.message}; give the node's staker.crt (PEM)`,
    );
  }
  return 0;
}
