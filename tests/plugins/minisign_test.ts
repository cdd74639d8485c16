/**
 * Tests for lib/plugins/minisign.ts against signatures the real `minisign` 0.11
 * made (tests/fixtures/minisign/, see PROVENANCE.md), and, where minisign is
 * installed, against a key and signature it makes now.
 */

import assert from "node:assert/strict";
import { base64 } from "@scure/base";
import { ConfigError, ExitCode, VerificationError } from "../../lib/errors.ts";
import {
  formatKeyId,
  parsePublicKey,
  parsePublicKeyFile,
  type PublicKey,
  verifySignature,
} from "../../lib/plugins/minisign.ts";
import { join } from "../../lib/os/path.ts";
import { REPO } from "../helpers.ts";

const FIXTURES = join(REPO, "tests", "fixtures", "minisign");
const text = (name: string) => Deno.readTextFileSync(join(FIXTURES, name));
const SUMS = Deno.readFileSync(join(FIXTURES, "SHA256SUMS"));
const RELEASE = parsePublicKeyFile(text("release.pub"), "release.pub");
const OTHER = parsePublicKeyFile(text("other.pub"), "other.pub");
const PREHASHED = text("SHA256SUMS.minisig");
const LEGACY = text("SHA256SUMS.legacy.minisig");

/** Asserts that verification is refused with 65 and a message matching `why`. */
function refused(message: Uint8Array, sig: string, keys: PublicKey[], why: RegExp): void {
  assert.throws(() => verifySignature(message, sig, keys, "SHA256SUMS.minisig"), (e) => {
    assert.ok(e instanceof VerificationError, String(e));
    assert.equal(e.exitCode, ExitCode.verification);
    assert.equal(e.problems.length, 1);
    assert.match(e.message, /^SHA256SUMS\.minisig: /);
    assert.match(e.message, why);
    return true;
  });
}

/** A signature file with line `i` (0-based) replaced. */
function withLine(sig: string, i: number, line: string): string {
  const lines = sig.split("\n");
  lines[i] = line;
  return lines.join("\n");
}

Deno.test("parsePublicKey() reads a minisign key line and its key ID as minisign prints it", () => {
  const line = text("release.pub").split("\n")[1]!;
  const key = parsePublicKey(line);
  // minisign wrote "untrusted comment: minisign public key D3AF98704655FB33".
  assert.equal(key.keyId, "D3AF98704655FB33");
  assert.equal(key.keyIdBytes.length, 8);
  assert.equal(key.key.length, 32);
  assert.deepEqual(parsePublicKey(`  ${line}\r`), key);
  assert.equal(OTHER.keyId, "C291846B94C3408D");
  assert.equal(formatKeyId(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 0xab])), "AB07060504030201");
});

Deno.test("parsePublicKey() refuses a bad key line with 78, naming the source and the fix", async (t) => {
  const good = base64.decode(text("release.pub").split("\n")[1]!);
  const alg = good.slice();
  alg[1] = 0x44; // "ED" is a signature algorithm, never a key's
  const cases: [string, string, RegExp][] = [
    ["not base64", "RW not base64!", /is not base64/],
    ["empty", "", /is 0/],
    ["too short", base64.encode(good.slice(0, 41)), /42 bytes .*this one is 41/],
    ["too long", base64.encode(new Uint8Array([...good, 0])), /this one is 43/],
    ["another algorithm", base64.encode(alg), /not an Ed25519 minisign key/],
  ];
  for (const [name, line, why] of cases) {
    await t.step(name, () => {
      assert.throws(() => parsePublicKey(line, "config.json trustedKeys[0]"), (e) => {
        assert.ok(e instanceof ConfigError);
        assert.equal(e.exitCode, ExitCode.config);
        assert.match(e.message, /^config\.json trustedKeys\[0\]: /);
        assert.match(e.message, why);
        assert.match(e.message, /\.pub file/);
        return true;
      });
    });
  }
});

Deno.test("parsePublicKeyFile() reads a .pub file with or without its comment line", () => {
  const [comment, line] = text("release.pub").split("\n");
  assert.deepEqual(parsePublicKeyFile(`${comment}\r\n${line}\r\n`), RELEASE);
  assert.deepEqual(parsePublicKeyFile(`${line}\n`), RELEASE);
  assert.throws(() => parsePublicKeyFile(`${comment}\n`, "k.pub"), /k\.pub: .*found 0/);
  assert.throws(() => parsePublicKeyFile(`${line}\n${line}\n`, "k.pub"), /found 2/);
});

Deno.test("verifySignature() accepts minisign's signatures and returns the trusted comment", async (t) => {
  await t.step("ED: prehashed with BLAKE2b-512 (minisign's default)", () => {
    assert.deepEqual(verifySignature(SUMS, PREHASHED, [RELEASE]), {
      keyId: "D3AF98704655FB33",
      trustedComment: "parsd test release 1.0.0 (prehashed ED)",
      algorithm: "ED",
    });
  });
  await t.step("Ed: legacy, over the message itself (minisign -l)", () => {
    assert.deepEqual(verifySignature(SUMS, LEGACY, [OTHER, RELEASE]), {
      keyId: "D3AF98704655FB33",
      trustedComment: "parsd test release 1.0.0 (legacy Ed)",
      algorithm: "Ed",
    });
  });
  await t.step("the other key's signature, with the other key trusted", () => {
    const sig = text("SHA256SUMS.other.minisig");
    assert.equal(verifySignature(SUMS, sig, [RELEASE, OTHER]).keyId, "C291846B94C3408D");
  });
  await t.step("CRLF line endings and no final newline", () => {
    const crlf = PREHASHED.trimEnd().replaceAll("\n", "\r\n");
    assert.equal(verifySignature(SUMS, crlf, [RELEASE]).algorithm, "ED");
  });
});

Deno.test("verifySignature() refuses a tampered SHA256SUMS with 65", async (t) => {
  const sums = new TextDecoder().decode(SUMS);
  const tampered: [string, string][] = [
    ["a changed hash", sums.replace(/^6/, "7")],
    ["an added line", sums + `${"0".repeat(64)}  evil\n`],
    ["a dropped final newline", sums.trimEnd()],
  ];
  for (const [name, changed] of tampered) {
    await t.step(name, () => {
      const bytes = new TextEncoder().encode(changed);
      for (const sig of [PREHASHED, LEGACY]) {
        refused(bytes, sig, [RELEASE], /bad signature by key D3AF98704655FB33: .*tampered/);
      }
    });
  }
});

Deno.test("verifySignature() refuses a signature by a key that is not trusted", async (t) => {
  await t.step("no trusted key has its key ID", () => {
    refused(
      SUMS,
      text("SHA256SUMS.other.minisig"),
      [RELEASE],
      /signed by key C291846B94C3408D, which is not a trusted key \(trusted: D3AF98704655FB33\)/,
    );
    refused(SUMS, PREHASHED, [], /not a trusted key \(trusted: none\)/);
  });
  await t.step("a key claiming the right key ID with other key bytes", () => {
    const impostor = { ...OTHER, keyId: RELEASE.keyId, keyIdBytes: RELEASE.keyIdBytes };
    refused(SUMS, PREHASHED, [impostor], /bad signature by key D3AF98704655FB33/);
  });
});

Deno.test("verifySignature() refuses a modified trusted comment (bad global signature)", () => {
  const changed = PREHASHED.replace("1.0.0", "9.9.9");
  assert.notEqual(changed, PREHASHED);
  refused(SUMS, changed, [RELEASE], /bad global signature .*trusted comment was modified/);
  refused(SUMS, withLine(LEGACY, 2, "trusted comment: "), [RELEASE], /bad global signature/);
  // A valid global signature moved from another file does not cover this comment.
  refused(SUMS, withLine(PREHASHED, 3, LEGACY.split("\n")[3]!), [RELEASE], /bad global/);
});

Deno.test("verifySignature() refuses a truncated or malformed signature file", async (t) => {
  const lines = PREHASHED.split("\n");
  const sigBytes = base64.decode(lines[1]!);
  const otherAlg = sigBytes.slice();
  otherAlg[1] = 0x58; // "EX"
  const cases: [string, string, RegExp][] = [
    ["empty", "", /first line is not 'untrusted comment: …'/],
    ["untrusted comment line missing", lines.slice(1).join("\n"), /first line is not/],
    ["one line", lines.slice(0, 1).join("\n"), /truncated: 1 of the 4 lines/],
    ["three lines", lines.slice(0, 3).join("\n"), /truncated: 3 of the 4 lines/],
    ["signature cut short", withLine(PREHASHED, 1, lines[1]!.slice(0, 60)), /line 2/],
    [
      "signature missing 4 bytes",
      withLine(PREHASHED, 1, base64.encode(sigBytes.slice(0, 70))),
      /70 bytes, not 74/,
    ],
    ["another algorithm", withLine(PREHASHED, 1, base64.encode(otherAlg)), /algorithm 'EX'/],
    ["trusted comment line missing", withLine(PREHASHED, 2, "comment: x"), /line 3 is not/],
    ["global signature cut short", withLine(PREHASHED, 3, lines[3]!.slice(0, 40)), /line 4/],
    ["text after the global signature", PREHASHED + "extra\n", /text after the global/],
  ];
  for (const [name, sig, why] of cases) {
    await t.step(name, () => refused(SUMS, sig, [RELEASE], why));
  }
});

/** Whether the real minisign is installed (it is not needed: the fixtures are committed). */
function hasMinisign(): boolean {
  try {
    return new Deno.Command("minisign", { args: ["-v"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

const MINISIGN = hasMinisign();

Deno.test({
  name: `verifySignature() agrees with minisign on a key and signature it makes now${
    MINISIGN ? "" : " [skipped: minisign is not installed]"
  }`,
  ignore: !MINISIGN,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const run = async (...args: string[]) => {
        const out = await new Deno.Command("minisign", { args, stdin: "null" }).output();
        assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      };
      const [pub, sec, msg] = ["k.pub", "k.key", "msg"].map((n) => join(dir, n)) as [
        string,
        string,
        string,
      ];
      await run("-G", "-W", "-p", pub, "-s", sec);
      const bytes = crypto.getRandomValues(new Uint8Array(4096));
      await Deno.writeFile(msg, bytes);
      await run("-S", "-s", sec, "-m", msg, "-t", "fresh ünïcode comment");
      await run("-S", "-l", "-s", sec, "-m", msg, "-x", `${msg}.legacy`, "-t", "fresh legacy");
      const key = parsePublicKeyFile(await Deno.readTextFile(pub));
      const ed = verifySignature(bytes, await Deno.readTextFile(`${msg}.minisig`), [key]);
      assert.deepEqual([ed.algorithm, ed.trustedComment], ["ED", "fresh ünïcode comment"]);
      const legacy = verifySignature(bytes, await Deno.readTextFile(`${msg}.legacy`), [key]);
      assert.deepEqual([legacy.algorithm, legacy.trustedComment], ["Ed", "fresh legacy"]);
      bytes[0]! ^= 1;
      assert.throws(
        () => verifySignature(bytes, Deno.readTextFileSync(`${msg}.minisig`), [key]),
        VerificationError,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
