import assert from "node:assert/strict";
import { PLUGINS } from "../../lib/network/pars.ts";
import { parseSha256Sums, pickSum, withPins } from "../../lib/plugins/sums.ts";

Deno.test("parseSha256Sums() reads sha256sum lines and reports bad ones with line numbers", () => {
  const a = "a".repeat(64);
  const b = "B".repeat(64);
  const { entries, problems } = parseSha256Sums(
    `# release sums\n${a}  sessionvm-linux-amd64\n\n${b} *evm.exe\nnot a line\n${
      "c".repeat(63)
    }  short\n`,
    "SUMS",
  );
  assert.deepEqual(entries, [
    { sha256: a, file: "sessionvm-linux-amd64", line: 2 },
    { sha256: b.toLowerCase(), file: "evm.exe", line: 4 },
  ]);
  assert.equal(problems.length, 2);
  assert.match(problems[0]!, /^SUMS:5: not a sha256sum line/);
  assert.match(problems[1]!, /^SUMS:6:/);
});

Deno.test("parseSha256Sums() reads CRLF files", () => {
  const a = "a".repeat(64);
  const { entries, problems } = parseSha256Sums(`${a}  evm\r\n${a}  sessionvm\r\n`, "SUMS");
  assert.deepEqual(entries.map((e) => e.file), ["evm", "sessionvm"]);
  assert.deepEqual(problems, []);
});

Deno.test("pickSum() finds a plugin's entry, preferring this platform among several", () => {
  const e = (file: string, line: number) => ({
    sha256: String(line).repeat(64).slice(0, 64),
    file,
    line,
  });
  const linux = { os: "linux", arch: "x86_64" };
  const one = pickSum([e("sessionvm", 1), e("parsd", 2)], PLUGINS.sessionvm, linux);
  assert.equal(typeof one !== "string" && one.line, 1);
  const many = [
    e("sessionvm-darwin-arm64", 1),
    e("sessionvm-linux-amd64", 2),
    e("sessionvm-linux-arm64", 3),
  ];
  const picked = pickSum(many, PLUGINS.sessionvm, linux);
  assert.equal(typeof picked !== "string" && picked.line, 2);
  const mac = pickSum(many, PLUGINS.sessionvm, { os: "darwin", arch: "aarch64" });
  assert.equal(typeof mac !== "string" && mac.line, 1);
  assert.match(
    pickSum([e("evm", 1)], PLUGINS.sessionvm, linux) as string,
    /no entry for plugin sessionvm/,
  );
  assert.match(
    pickSum([e("evm-a", 1), e("evm-b", 2)], PLUGINS.evm, linux) as string,
    /several entries could be plugin evm/,
  );
  const byVmid = pickSum([e(`dir/${PLUGINS.evm.vmid}`, 7)], PLUGINS.evm, linux);
  assert.equal(typeof byVmid !== "string" && byVmid.line, 7);
});

Deno.test("withPins() records pins and keeps every other key", () => {
  const text = JSON.stringify(
    { "http-port": 1, plugins: { evm: { path: "/e", sha256: "0".repeat(64) } } },
    null,
    2,
  ) + "\n";
  const out = withPins(text, [{ name: "sessionvm", sha256: "1".repeat(64), path: "/s" }]);
  assert.deepEqual(JSON.parse(out), {
    "http-port": 1,
    plugins: {
      evm: { path: "/e", sha256: "0".repeat(64) },
      sessionvm: { sha256: "1".repeat(64), path: "/s" },
    },
  });
  assert.ok(
    out.startsWith(text.slice(0, text.indexOf("}\n  }"))),
    "what was there stays as it was",
  );
  assert.deepEqual(JSON.parse(withPins(undefined, [{ name: "evm", sha256: "2".repeat(64) }])), {
    plugins: { evm: { sha256: "2".repeat(64) } },
  });
});

Deno.test("withPins() changes only the pinned values, in the file's own layout", async (t) => {
  const pin = [{ name: "evm" as const, sha256: "a".repeat(64) }];
  const cases: [string, string, string][] = [
    [
      "tabs, a value replaced where it stands",
      `{\n\t"plugins": {\n\t\t"evm": {"sha256": "${"0".repeat(64)}"}\n\t},\n\t"x": 1e400\n}`,
      `{\n\t"plugins": {\n\t\t"evm": {"sha256": "${"a".repeat(64)}"}\n\t},\n\t"x": 1e400\n}`,
    ],
    [
      "compact, a member added after the last",
      `{"network-id":"pars","n":12345678901234567890}`,
      `{"network-id":"pars","n":12345678901234567890,"plugins":{"evm":{"sha256":"${
        "a".repeat(64)
      }"}}}`,
    ],
    [
      "four spaces, CRLF",
      `{\r\n    "n": 1\r\n}\r\n`,
      `{\r\n    "n": 1,\r\n    "plugins": {\r\n        "evm": {\r\n            "sha256": "${
        "a".repeat(64)
      }"\r\n        }\r\n    }\r\n}\r\n`,
    ],
  ];
  for (const [what, before, after] of cases) {
    await t.step(what, () => assert.equal(withPins(before, pin), after));
  }
  await t.step("an unchanged pin returns the text itself", () => {
    const text = `{ "plugins" : { "evm" : { "sha256" : "${"a".repeat(64)}" } } }`;
    assert.equal(withPins(text, pin), text);
  });
});

Deno.test("withPins() records luxd's pin at the top level, and adds no empty 'plugins'", () => {
  const h = "3".repeat(64);
  assert.equal(
    withPins('{\n  "http-port": 9000\n}\n', [{ name: "luxd", sha256: h, path: "/opt/luxd" }]),
    `{\n  "http-port": 9000,\n  "luxd-sha256": "${h}",\n  "luxd": "/opt/luxd"\n}\n`,
  );
  const both = JSON.parse(withPins(undefined, [
    { name: "luxd", sha256: h },
    { name: "evm", sha256: "4".repeat(64) },
  ]));
  assert.deepEqual(both, { plugins: { evm: { sha256: "4".repeat(64) } }, "luxd-sha256": h });
});

Deno.test("pickSum() finds luxd's entry by its name", () => {
  const entries = parseSha256Sums(
    `${"a".repeat(64)}  luxd-linux-amd64\n${"b".repeat(64)}  evm-linux-amd64\n`,
    "SUMS",
  ).entries;
  const luxd = pickSum(entries, { name: "luxd", vmid: "luxd", goBinary: "luxd" }, {
    os: "linux",
    arch: "x86_64",
  });
  assert.equal(typeof luxd === "object" && luxd.file, "luxd-linux-amd64");
});
