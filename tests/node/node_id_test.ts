/**
 * @module
 * Tests of lib/cb58.ts and lib/node_id.ts. The fixture
 * `tests/fixtures/luxd/staker-example.crt` is a byte-for-byte copy of
 * `../shared/luxd/real/staker-example.crt`: the staking certificate a real
 * luxd 1.13.4 generated, whose start-up log named it
 * `NodeID-AYhtDt8UhBSCj9fqzcGunVzrQs7RfCL6M`.
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { cb58Decode, cb58Encode } from "../../lib/node/cb58.ts";
import { CertificateError, nodeIdFromCertificate } from "../../lib/node/node_id.ts";

const FIXTURE = new URL("../fixtures/luxd/staker-example.crt", import.meta.url);
const PEM = Deno.readTextFileSync(FIXTURE);
const NODE_ID = "NodeID-AYhtDt8UhBSCj9fqzcGunVzrQs7RfCL6M";

function pemBody(pem: string): string {
  return pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
}

function derOf(pem: string): Uint8Array {
  return Uint8Array.from(atob(pemBody(pem)), (c) => c.charCodeAt(0));
}

function pemOf(label: string, body: string): string {
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

Deno.test("node:crypto ripemd160 gives the standard RIPEMD-160 test vectors", async (t) => {
  // From the RIPEMD-160 authors' page (Bosselaers), "test values".
  const cases: [string, string][] = [
    ["", "9c1185a5c5e9fc54612808977ee8f548b2258d31"],
    ["a", "0bdc9d2d256b3ee9daae347be6f4dc835a467ffe"],
    ["abc", "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc"],
    ["message digest", "5d0689ef49d2fae572b881b123a85ffa21595f36"],
    [
      "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "12a053384a9c0c88e405a06c27dcf49ada62eb2b",
    ],
    ["a".repeat(1_000_000), "52783243c1697bdbe16d37f97f68f08325dc1528"],
  ];
  for (const [input, digest] of cases) {
    await t.step(`${input.length} bytes`, () => {
      assert.equal(createHash("ripemd160").update(input).digest("hex"), digest);
    });
  }
});

Deno.test("cb58Encode() gives luxd's VMID for a zero-padded VM name and round-trips", () => {
  const padded = new Uint8Array(32);
  padded.set(new TextEncoder().encode("sessionvm"));
  const id = cb58Encode(padded);
  assert.equal(id, "speKUgLBX6WRD5cfGeEfLa43LxTXUBckvtv4td6F3eTXvRP48");
  assert.deepEqual(cb58Decode(id), padded);
  const broken = id.slice(0, -1) + (id.endsWith("8") ? "9" : "8");
  assert.equal(cb58Decode(broken), undefined);
  assert.equal(cb58Decode("1"), undefined);
});

Deno.test("nodeIdFromCertificate() gives the NodeID real luxd logged for its certificate", async (t) => {
  const der = derOf(PEM);
  await t.step("PEM text", () => assert.equal(nodeIdFromCertificate(PEM), NODE_ID));
  await t.step("PEM bytes, as Deno.readFile gives them", () => {
    assert.equal(nodeIdFromCertificate(Deno.readFileSync(FIXTURE)), NODE_ID);
  });
  await t.step("DER bytes", () => assert.equal(nodeIdFromCertificate(der), NODE_ID));
  await t.step("CRLF line endings", () => {
    assert.equal(nodeIdFromCertificate(PEM.replaceAll("\n", "\r\n")), NODE_ID);
  });
  await t.step("text and other PEM blocks before the certificate, as luxd skips them", () => {
    const key = pemOf("EC PRIVATE KEY", "AAAA");
    assert.equal(nodeIdFromCertificate(`staker cert\n${key}${PEM}`), NODE_ID);
  });
  await t.step("the first of two certificates", () => {
    const other = new Uint8Array(der);
    other[other.length - 1] = der[der.length - 1]! ^ 1;
    const otherPem = pemOf("CERTIFICATE", btoa(String.fromCharCode(...other)));
    assert.equal(nodeIdFromCertificate(PEM + otherPem), NODE_ID);
    assert.notEqual(nodeIdFromCertificate(otherPem + PEM), NODE_ID);
  });
});

Deno.test("nodeIdFromCertificate() rejects unreadable input with a message naming the problem", async (t) => {
  const body = pemBody(PEM);
  const der = derOf(PEM);
  const withTrailing = new Uint8Array(der.length + 1);
  withTrailing.set(der);
  const cases: [string, string | Uint8Array, RegExp][] = [
    ["empty text", "", /^empty certificate$/],
    ["blank text", " \n\t\n", /^empty certificate$/],
    ["empty bytes", new Uint8Array(), /^empty certificate$/],
    ["text that is not PEM", "hello", /^not PEM: no '-----BEGIN CERTIFICATE-----' line$/],
    ["bare base64 without PEM lines", body, /^not PEM/],
    [
      "a private key instead of a certificate",
      pemOf("PRIVATE KEY", "AAAA"),
      /^no PEM CERTIFICATE block \(found 'PRIVATE KEY'\)$/,
    ],
    [
      "a cut-off PEM file",
      PEM.slice(0, PEM.indexOf("-----END")),
      /^PEM CERTIFICATE block has no '-----END CERTIFICATE-----' line/,
    ],
    ["an empty block", pemOf("CERTIFICATE", ""), /^PEM CERTIFICATE block is empty$/],
    [
      "a stray character in the base64",
      pemOf("CERTIFICATE", body.slice(0, 10) + "!" + body.slice(10)),
      /^garbled base64 in PEM CERTIFICATE block: unexpected character "!"$/,
    ],
    [
      "a base64 character lost",
      pemOf("CERTIFICATE", body.slice(0, 10) + body.slice(11)),
      /^garbled base64 in PEM CERTIFICATE block: bad length or padding/,
    ],
    [
      "padding in the middle",
      pemOf("CERTIFICATE", "AA==" + body),
      /^garbled base64 in PEM CERTIFICATE block: bad length or padding/,
    ],
    [
      "valid base64 that is not DER",
      pemOf("CERTIFICATE", btoa("not a certificate")),
      /^PEM CERTIFICATE block does not hold a certificate: does not start with an ASN\.1 SEQUENCE$/,
    ],
    [
      "a truncated certificate in the PEM block",
      pemOf("CERTIFICATE", body.slice(0, 200)),
      /^PEM CERTIFICATE block does not hold a certificate: truncated$/,
    ],
    [
      "a DER SEQUENCE that is not a certificate",
      new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x05]),
      /^not a DER certificate: not an X\.509 Certificate/,
    ],
    ["DER with trailing data", withTrailing, /^not a DER certificate: 1 bytes of trailing data$/],
    ["truncated DER", der.subarray(0, 100), /^not a DER certificate: truncated$/],
    ["random bytes", new Uint8Array([1, 2, 3]), /^not a DER certificate/],
    [
      "bytes that start like PEM but are not UTF-8",
      new Uint8Array([0x2d, 0x2d, 0xff, 0xfe]),
      /^not a certificate: neither PEM text nor DER$/,
    ],
  ];
  for (const [name, input, message] of cases) {
    await t.step(name, () => {
      assert.throws(
        () => nodeIdFromCertificate(input),
        (e: unknown) => e instanceof CertificateError && message.test(e.message),
      );
    });
  }
});
