/**
 * @module
 * Signed releases for `plugins pin --from SHA256SUMS --signature FILE`: the
 * checksum file is read once, and its minisign signature verified offline
 * against the keys in config.json's `trusted-keys` before any hash in it is
 * believed. Once `trusted-keys` is set, every pin needs such a signature.
 * parsd never downloads anything: the README shows how to fetch a release,
 * its sums and its signature.
 */

import { ConfigError, NoInputError, VerificationError } from "../../errors.ts";
import type { Settings } from "../../settings.ts";
import { readInput } from "../context.ts";
import type { Context } from "../context.ts";

/** The checksum file's text and, when it was signed, who signed it and what they said. */
export interface Sums {
  readonly text: string;
  readonly signed?: { readonly keyId: string; readonly trustedComment: string };
}

/**
 * Refuses a pin that the trust policy does not allow, before anything is read:
 * with `trusted-keys` set, a pin must come from a signed sums file.
 *
 * @throws {VerificationError} (65) naming the fix; {@linkcode ConfigError}
 *   (78) for a signature with no key to check it against.
 */
export function checkSignaturePolicy(
  s: Settings,
  from: string | undefined,
  signature: string | undefined,
): void {
  if (signature !== undefined && s.trustedKeys.length === 0) {
    throw new ConfigError(
      `--signature ${signature}: ${s.configPath} has no 'trusted-keys' to check it against; add the signer's public key (the second line of its minisign .pub file, 'RW…') to 'trusted-keys', only if you trust it`,
    );
  }
  if (s.trustedKeys.length > 0 && (from === undefined || signature === undefined)) {
    throw new VerificationError(
      `${s.configPath} sets 'trusted-keys', so every pin needs a signed release: pin with --from SHA256SUMS --signature SHA256SUMS.minisig (nothing was pinned)`,
    );
  }
}

/**
 * Reads `--from` and, with `--signature`, verifies the signature over its
 * exact text against `trusted-keys` (minisign `Ed` or `ED`, with the global
 * signature over the trusted comment).
 *
 * @throws {NoInputError} (66) for a missing file; {@linkcode ConfigError}
 *   (78) for a malformed trusted key; {@linkcode VerificationError} (65) for
 *   a signature that is malformed, truncated, by another key, over other
 *   bytes (tampered sums) or with a modified trusted comment.
 */
export async function readSums(
  ctx: Context,
  from: string,
  signature: string | undefined,
): Promise<Sums> {
  const { sys, settings } = ctx;
  const give = (what: string) => `give a ${what} file`;
  const read = (path: string, what: string) =>
    readInput(sys, path, {
      what,
      fixes: {
        directory: give(what),
        special: give(what),
        "too-large": give(what),
        "not-utf8": give(what),
      },
      otherwise: NoInputError,
    });
  const text = await read(from, "checksum file");
  if (text === undefined) throw new NoInputError(`checksum file ${from} does not exist`);
  if (signature === undefined) return { text };
  const sigText = await read(signature, "signature");
  if (sigText === undefined) {
    throw new NoInputError(
      `signature ${signature} does not exist; fetch the release's .minisig file`,
    );
  }
  const { parsePublicKey, verifySignature } = await import("../../plugins/minisign.ts");
  const keys = settings.trustedKeys.map((k, i) =>
    parsePublicKey(k, `${settings.configPath}: 'trusted-keys'[${i}]`)
  );
  const v = verifySignature(new TextEncoder().encode(text), sigText, keys, signature);
  return { text, signed: { keyId: v.keyId, trustedComment: v.trustedComment } };
}
