/**
 * @module
 * A node's NodeID from its staking certificate, as luxd derives it:
 * `"NodeID-" + cb58(ripemd160(sha256(DER of the certificate)))`. Pure: the
 * caller reads `<data-dir>/staking/staker.crt` and hands in its text or bytes.
 */

import { createHash } from "node:crypto";
import { cb58Encode } from "./cb58.ts";

/** A certificate that cannot be read: empty, not PEM, garbled base64, or not X.509 DER. */
export class CertificateError extends Error {
  /** Makes the error with its one-line message. */
  constructor(message: string) {
    super(message);
    this.name = "CertificateError";
  }
}

const PEM_LABEL = "CERTIFICATE";
const BEGIN = /-----BEGIN ([^\r\n-]*)-----/g;

/**
 * The NodeID of the node that owns this TLS certificate, e.g.
 * `NodeID-AYhtDt8UhBSCj9fqzcGunVzrQs7RfCL6M`.
 *
 * Takes PEM text (as luxd writes `staker.crt`), or bytes that are either PEM
 * text or DER. Like luxd, it uses the first `CERTIFICATE` block of a PEM file
 * and ignores other blocks. The DER is checked to be one X.509 `Certificate`
 * (a SEQUENCE of SEQUENCE, SEQUENCE, BIT STRING, with nothing after it), not
 * fully parsed.
 *
 * @throws {CertificateError} if the input is empty, not PEM, has no
 * CERTIFICATE block, holds garbled base64, or is not a DER certificate; the
 * message says which, for the caller to prefix with the file name.
 */
export function nodeIdFromCertificate(pemOrDer: string | Uint8Array): string {
  const der = certificateDer(pemOrDer);
  const sha = createHash("sha256").update(der).digest();
  const hash160 = createHash("ripemd160").update(sha).digest();
  return "NodeID-" + cb58Encode(new Uint8Array(hash160));
}

function certificateDer(input: string | Uint8Array): Uint8Array {
  if (typeof input === "string") return derFromPem(input);
  const first = input.find((b) => !isSpaceByte(b));
  if (first === undefined) throw new CertificateError("empty certificate");
  if (first !== 0x2d /* '-' */) {
    const problem = certificateProblem(input);
    if (problem !== undefined) throw new CertificateError(`not a DER certificate: ${problem}`);
    return input;
  }
  let text;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(input);
  } catch {
    throw new CertificateError("not a certificate: neither PEM text nor DER");
  }
  return derFromPem(text);
}

function isSpaceByte(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

function derFromPem(text: string): Uint8Array {
  if (text.trim() === "") throw new CertificateError("empty certificate");
  const labels: string[] = [];
  for (const m of text.matchAll(BEGIN)) {
    const label = m[1]!;
    if (label !== PEM_LABEL) {
      labels.push(label);
      continue;
    }
    const start = m.index + m[0].length;
    const endLine = `-----END ${PEM_LABEL}-----`;
    const end = text.indexOf(endLine, start);
    if (end < 0) {
      throw new CertificateError(`PEM ${PEM_LABEL} block has no '${endLine}' line (truncated?)`);
    }
    const der = decodeBase64(text.slice(start, end));
    const problem = certificateProblem(der);
    if (problem !== undefined) {
      throw new CertificateError(`PEM ${PEM_LABEL} block does not hold a certificate: ${problem}`);
    }
    return der;
  }
  if (labels.length > 0) {
    const found = [...new Set(labels)].map((l) => `'${l}'`).join(", ");
    throw new CertificateError(`no PEM ${PEM_LABEL} block (found ${found})`);
  }
  throw new CertificateError(`not PEM: no '-----BEGIN ${PEM_LABEL}-----' line`);
}

function decodeBase64(body: string): Uint8Array {
  const b64 = body.replace(/\s+/g, "");
  if (b64 === "") throw new CertificateError(`PEM ${PEM_LABEL} block is empty`);
  const bad = /[^A-Za-z0-9+/=]/.exec(b64);
  if (bad) {
    throw new CertificateError(
      `garbled base64 in PEM ${PEM_LABEL} block: unexpected character ${JSON.stringify(bad[0])}`,
    );
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) {
    throw new CertificateError(
      `garbled base64 in PEM ${PEM_LABEL} block: bad length or padding (${b64.length} characters)`,
    );
  }
  const binary = atob(b64);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** One DER tag-length-value: its tag, and where its content starts and ends. */
interface Tlv {
  tag: number;
  start: number;
  end: number;
}

function readTlv(der: Uint8Array, offset: number, limit: number): Tlv | string {
  const tag = der[offset];
  const first = der[offset + 1];
  if (tag === undefined || first === undefined || offset + 2 > limit) return "truncated";
  let length = first;
  let start = offset + 2;
  if (first & 0x80) {
    const n = first & 0x7f;
    if (n === 0 || n > 4) return "unsupported length encoding";
    if (start + n > limit) return "truncated";
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + der[start + i]!;
    start += n;
  }
  const end = start + length;
  if (end > limit) return "truncated";
  return { tag, start, end };
}

/** Why these bytes are not one DER X.509 certificate, or `undefined` if they look like one. */
function certificateProblem(der: Uint8Array): string | undefined {
  if (der.length === 0) return "empty";
  if (der[0] !== 0x30) return "does not start with an ASN.1 SEQUENCE";
  const outer = readTlv(der, 0, der.length);
  if (typeof outer === "string") return outer;
  if (outer.end !== der.length) return `${der.length - outer.end} bytes of trailing data`;
  const parts: number[] = [];
  let offset = outer.start;
  while (offset < outer.end) {
    const part = readTlv(der, offset, outer.end);
    if (typeof part === "string") return part;
    parts.push(part.tag);
    offset = part.end;
  }
  if (parts.length !== 3 || parts[0] !== 0x30 || parts[1] !== 0x30 || parts[2] !== 0x03) {
    return "not an X.509 Certificate (SEQUENCE of tbsCertificate, signatureAlgorithm, signature)";
  }
  return undefined;
}
