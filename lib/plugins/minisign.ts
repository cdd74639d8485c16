/**
 * @module
 * Offline verification of minisign signatures (https://jedisct1.github.io/minisign/),
 * the format a release's `SHA256SUMS.minisig` comes in. Pure: the caller reads
 * the files and hands in their text and bytes.
 *
 * Formats (all base64 lines are standard base64 with padding):
 * - public key line: `"Ed"` ‖ key ID (8 bytes) ‖ Ed25519 public key (32 bytes);
 * - signature file: `untrusted comment: …`, then `alg` (`"Ed"` or `"ED"`) ‖
 *   key ID ‖ signature (64 bytes), then `trusted comment: …`, then the global
 *   signature (64 bytes) over signature ‖ trusted comment.
 *
 * `Ed` signs the message itself (minisign's `-l`, "legacy"); `ED` signs the
 * BLAKE2b-512 of the message (minisign's default since 0.8). Both are accepted.
 * Ed25519 is verified strictly (RFC 8032, not ZIP-215), as libsodium does.
 */

import { ed25519 } from "@noble/curves/ed25519.js";
import { blake2b } from "@noble/hashes/blake2.js";
import { base64 } from "@scure/base";
import { ConfigError, VerificationError } from "../errors.ts";

/** A trusted minisign public key. */
export interface PublicKey {
  /** The key ID as minisign prints it: 16 upper-case hex digits (the 8 bytes read little-endian). */
  readonly keyId: string;
  /** The 8 key-ID bytes as they appear in keys and signatures. */
  readonly keyIdBytes: Uint8Array;
  /** The 32-byte Ed25519 public key. */
  readonly key: Uint8Array;
}

/** What a verified signature says. */
export interface VerifiedSignature {
  /** The ID of the key that made it (see {@linkcode PublicKey.keyId}). */
  readonly keyId: string;
  /** The trusted comment (signed by the global signature): minisign's `Trusted comment:`. */
  readonly trustedComment: string;
  /** `ED`: over BLAKE2b-512 of the message; `Ed`: over the message itself (legacy). */
  readonly algorithm: "Ed" | "ED";
}

const UNTRUSTED = "untrusted comment: ";
const TRUSTED = "trusted comment: ";
const encoder = new TextEncoder();

/** minisign's display of a key ID: the 8 bytes as a little-endian number in upper-case hex. */
export function formatKeyId(bytes: Uint8Array): string {
  return [...bytes].reverse().map((b) => b.toString(16).padStart(2, "0")).join("").toUpperCase();
}

function decodeBase64(text: string): Uint8Array | undefined {
  try {
    return base64.decode(text);
  } catch {
    return undefined;
  }
}

/**
 * Parses the base64 key line of a minisign `.pub` file (`RW…`, 56 characters).
 *
 * @param source names where the line came from, for the message (e.g. `config.json trustedKeys[0]`).
 * @throws {ConfigError} (78) naming `source` and what is wrong: not base64, the
 *   wrong length, or an algorithm other than `Ed`. Trusted keys are configuration;
 *   a caller reading them from elsewhere (a flag) may rethrow with its own code.
 */
export function parsePublicKey(line: string, source = "minisign public key"): PublicKey {
  const text = line.trim();
  const bytes = decodeBase64(text);
  const fix = "copy the second line of the signer's minisign .pub file (it starts with 'RW')";
  if (bytes === undefined) {
    throw new ConfigError(`${source}: '${text.slice(0, 60)}' is not base64; ${fix}`);
  }
  if (bytes.length !== 42) {
    throw new ConfigError(
      `${source}: a minisign public key is 42 bytes (56 base64 characters), this one is ${bytes.length}; ${fix}`,
    );
  }
  if (bytes[0] !== 0x45 || bytes[1] !== 0x64) {
    throw new ConfigError(
      `${source}: not an Ed25519 minisign key (algorithm bytes are not 'Ed'); ${fix}`,
    );
  }
  const keyIdBytes = bytes.slice(2, 10);
  return { keyId: formatKeyId(keyIdBytes), keyIdBytes, key: bytes.slice(10, 42) };
}

/**
 * Parses the text of a minisign `.pub` file: an optional `untrusted comment:` line
 * and the key line.
 *
 * @throws {ConfigError} (78) as {@linkcode parsePublicKey} does, or when there is no key line.
 */
export function parsePublicKeyFile(text: string, source = "minisign public key file"): PublicKey {
  const lines = text.split("\n").map((l) => l.replace(/\r$/, "").trim()).filter((l) => l !== "");
  const keyLines = lines.filter((l) => !l.startsWith(UNTRUSTED.trimEnd()));
  if (keyLines.length !== 1) {
    throw new ConfigError(
      `${source}: expected one key line after the untrusted comment, found ${keyLines.length}; use the signer's minisign .pub file`,
    );
  }
  return parsePublicKey(keyLines[0]!, source);
}

/** The four parts of a signature file, or why it is malformed. */
interface ParsedSignature {
  readonly algorithm: "Ed" | "ED";
  readonly keyIdBytes: Uint8Array;
  readonly signature: Uint8Array;
  readonly trustedComment: string;
  readonly globalSignature: Uint8Array;
}

/** Splits a signature file into its parts. @throws {VerificationError} when malformed. */
function parseSignatureFile(sigText: string, label: string): ParsedSignature {
  const fail = (why: string) =>
    new VerificationError(`${label}: ${why}; fetch the release's .minisig file again`);
  const lines = sigText.split("\n").map((l) => l.replace(/\r$/, ""));
  while (lines.length > 0 && lines.at(-1)!.trim() === "") lines.pop();
  if (!lines[0]?.startsWith(UNTRUSTED)) {
    throw fail("not a minisign signature: the first line is not 'untrusted comment: …'");
  }
  if (lines.length < 4) {
    throw fail(`truncated: ${lines.length} of the 4 lines of a minisign signature`);
  }
  if (lines.length > 4) throw fail("malformed: text after the global signature (line 5 on)");
  const sig = decodeBase64(lines[1]!.trim());
  if (sig === undefined || sig.length !== 74) {
    throw fail(
      sig === undefined
        ? "malformed: line 2 (the signature) is not base64"
        : `malformed: line 2 (the signature) is ${sig.length} bytes, not 74`,
    );
  }
  const alg = String.fromCharCode(sig[0]!, sig[1]!);
  if (alg !== "Ed" && alg !== "ED") {
    throw fail(`unsupported signature algorithm '${alg}' (minisign's are 'Ed' and 'ED')`);
  }
  if (!lines[2]!.startsWith(TRUSTED)) {
    throw fail("malformed: line 3 is not 'trusted comment: …'");
  }
  const globalSignature = decodeBase64(lines[3]!.trim());
  if (globalSignature === undefined || globalSignature.length !== 64) {
    throw fail("malformed: line 4 (the global signature) is not 64 bytes of base64");
  }
  return {
    algorithm: alg,
    keyIdBytes: sig.slice(2, 10),
    signature: sig.slice(10, 74),
    trustedComment: lines[2]!.slice(TRUSTED.length),
    globalSignature,
  };
}

const sameBytes = (a: Uint8Array, b: Uint8Array) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** Strict Ed25519 verification; a malformed point or scalar is a bad signature, not a throw. */
function ed25519Verifies(sig: Uint8Array, message: Uint8Array, key: Uint8Array): boolean {
  try {
    return ed25519.verify(sig, message, key, { zip215: false });
  } catch {
    return false;
  }
}

/**
 * Verifies a minisign signature of `message` by one of the trusted `keys`, offline.
 *
 * Checks, in order: the file's shape (4 lines, the untrusted comment line first),
 * the algorithm, that the key ID is one of `keys`, the signature over the message
 * (or its BLAKE2b-512 for `ED`), and the global signature over signature ‖ trusted
 * comment. Only then is the trusted comment returned: before, it is not trusted.
 *
 * @param label names the signature file in messages (e.g. its path).
 * @throws {VerificationError} (65) with one line naming what failed: malformed or
 *   truncated file, missing untrusted comment line, unknown key ID, bad signature
 *   (a tampered message), bad global signature (a modified trusted comment).
 */
export function verifySignature(
  message: Uint8Array,
  sigText: string,
  keys: readonly PublicKey[],
  label = "signature",
): VerifiedSignature {
  const sig = parseSignatureFile(sigText, label);
  const keyId = formatKeyId(sig.keyIdBytes);
  const key = keys.find((k) => sameBytes(k.keyIdBytes, sig.keyIdBytes));
  if (key === undefined) {
    const trusted = keys.length === 0 ? "none" : keys.map((k) => k.keyId).join(", ");
    throw new VerificationError(
      `${label}: signed by key ${keyId}, which is not a trusted key (trusted: ${trusted}); add the signer's public key only if you trust it`,
    );
  }
  const signed = sig.algorithm === "ED" ? blake2b(message) : message;
  if (!ed25519Verifies(sig.signature, signed, key.key)) {
    throw new VerificationError(
      `${label}: bad signature by key ${keyId}: the signed file is not what was signed (tampered or from another release)`,
    );
  }
  const comment = encoder.encode(sig.trustedComment);
  const global = new Uint8Array(64 + comment.length);
  global.set(sig.signature, 0);
  global.set(comment, 64);
  if (!ed25519Verifies(sig.globalSignature, global, key.key)) {
    throw new VerificationError(
      `${label}: bad global signature by key ${keyId}: the trusted comment was modified`,
    );
  }
  return { keyId, trustedComment: sig.trustedComment, algorithm: sig.algorithm };
}
