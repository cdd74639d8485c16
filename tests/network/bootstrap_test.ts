/**
 * Tests for lib/network/bootstrap.ts: config.json's bootstrap-nodes checked
 * entry by entry, and rendered as luxd's --bootstrap-ids/--bootstrap-ips.
 */
import assert from "node:assert/strict";
import { bootstrapArgs, parseBootstrapNodes } from "../../lib/network/bootstrap.ts";
import { ConfigError } from "../../lib/errors.ts";
import { join } from "../../lib/os/path.ts";
import { REPO } from "../helpers.ts";

const A = "NodeID-7Xhw2mDxuDS44j42TCB6U5579esbSt3Lg";
const B = "NodeID-MFrZFVCXPv5iCn6M9K6XduxGTYp891xXZ";
const C = "NodeID-NFBbbJ4qCmNaCzeW7sxErhvWqvEQMnYcN";
const both = (f: string) => f === "bootstrap-ids" || f === "bootstrap-ips";

Deno.test("parseBootstrapNodes() reads IPv4 and bracketed IPv6 entries", () => {
  assert.deepEqual(parseBootstrapNodes([`${A}@203.0.113.7:9651`, `${B}@[2001:db8::1]:9659`]), {
    nodes: [
      { nodeId: A, host: "203.0.113.7", port: 9651 },
      { nodeId: B, host: "2001:db8::1", port: 9659 },
    ],
  });
});

Deno.test("parseBootstrapNodes() splits a comma-separated string (a flag or env value)", () => {
  assert.deepEqual(parseBootstrapNodes(` ${A}@127.0.0.1:9651, ${B}@127.0.0.1:9652 ,`), {
    nodes: [
      { nodeId: A, host: "127.0.0.1", port: 9651 },
      { nodeId: B, host: "127.0.0.1", port: 9652 },
    ],
  });
});

Deno.test("parseBootstrapNodes() reads none from a missing key", () => {
  assert.deepEqual(parseBootstrapNodes(undefined), { nodes: [] });
  assert.deepEqual(parseBootstrapNodes(null), { nodes: [] });
  assert.deepEqual(parseBootstrapNodes([]), { nodes: [] });
});

Deno.test("parseBootstrapNodes() names the entry and the fix for each bad one", async (t) => {
  for (
    const [entry, expected] of [
      [
        `${A}@node1.pars.network:9651`,
        "bootstrap-nodes[0]: 'node1.pars.network' is a host name, and luxd's --bootstrap-ips takes IP:port only: give the node's IP address",
      ],
      [
        `${A}@localhost:9651`,
        "bootstrap-nodes[0]: 'localhost' is a host name, and luxd's --bootstrap-ips takes IP:port only: give the node's IP address",
      ],
      [
        `${A}@2001:db8::1:9651`,
        "bootstrap-nodes[0]: IPv6 address '2001:db8::1' must be in brackets: [2001:db8::1]:9651",
      ],
      [`${A}@[2001:db8::1]9651`, "bootstrap-nodes[0]: '[2001:db8::1]9651' must be [<ipv6>]:<port>"],
      [`${A}@[10.0.0.1]:9651`, "bootstrap-nodes[0]: '10.0.0.1' is not an IPv6 address"],
      [
        `${A}@10.0.0.256:9651`,
        "bootstrap-nodes[0]: '10.0.0.256' is not an IPv4 address (four numbers 0-255, no leading zeros)",
      ],
      [
        `${A}@010.0.0.1:9651`,
        "bootstrap-nodes[0]: '010.0.0.1' is not an IPv4 address (four numbers 0-255, no leading zeros)",
      ],
      [
        `${A}@10.0.0.1`,
        "bootstrap-nodes[0]: '10.0.0.1' has no port; write <ip>:<port>, e.g. 203.0.113.7:9651",
      ],
      [`${A}@10.0.0.1:0`, "bootstrap-nodes[0]: port '0' must be a number from 1 to 65535"],
      [`${A}@10.0.0.1:65536`, "bootstrap-nodes[0]: port '65536' must be a number from 1 to 65535"],
      [`${A}@10.0.0.1:96x`, "bootstrap-nodes[0]: port '96x' must be a number from 1 to 65535"],
      [
        "10.0.0.1:9651",
        "bootstrap-nodes[0]: \"10.0.0.1:9651\" has no '@'; write NodeID-<cb58>@<ip>:<port>",
      ],
      [
        `${A.slice(0, -1)}h@10.0.0.1:9651`,
        /^bootstrap-nodes\[0\]: bad cb58 checksum in "NodeID-7Xhw2mDxuDS44j42TCB6U5579esbSt3Lh"/,
      ],
      [
        `${A.slice(7)}@10.0.0.1:9651`,
        'bootstrap-nodes[0]: must be NodeID-<cb58>, got "7Xhw2mDxuDS44j42TCB6U5579esbSt3Lg"',
      ],
      [9651, "bootstrap-nodes[0]: must be NodeID-<cb58>@<ip>:<port>, got 9651"],
    ] as const
  ) {
    await t.step(String(entry), () => {
      const r = parseBootstrapNodes([entry]);
      assert.ok("problems" in r, JSON.stringify(r));
      assert.equal(r.problems.length, 1);
      if (typeof expected === "string") assert.equal(r.problems[0], expected);
      else assert.match(r.problems[0]!, expected);
    });
  }
});

Deno.test("parseBootstrapNodes() reports every bad entry at once, a node given twice included", () => {
  const r = parseBootstrapNodes([
    `${A}@10.0.0.1:9651`,
    `${B}@host:9651`,
    `${C}@10.0.0.3:9651`,
    `${A}@10.0.0.4:9651`,
    `${C}@10.0.0.5`,
  ]);
  assert.ok("problems" in r);
  assert.deepEqual(r.problems.map((p) => p.split(":")[0]), [
    "bootstrap-nodes[1]",
    "bootstrap-nodes[3]",
    "bootstrap-nodes[4]",
  ]);
  assert.equal(
    r.problems[1],
    `bootstrap-nodes[3]: ${A} is also bootstrap-nodes[0]; list each node once`,
  );
});

Deno.test("parseBootstrapNodes() refuses a value that is no list", () => {
  assert.deepEqual(parseBootstrapNodes({ a: 1 }), {
    problems: ['bootstrap-nodes: must be a list of "NodeID-<cb58>@<ip>:<port>", got an object'],
  });
});

Deno.test("bootstrapArgs() pairs the IDs and the IPs in order, IPv6 in brackets", () => {
  const r = parseBootstrapNodes([`${A}@203.0.113.7:9651`, `${B}@[2001:db8::1]:9659`]);
  assert.ok("nodes" in r);
  assert.deepEqual(bootstrapArgs(r.nodes, both), [
    `--bootstrap-ids=${A},${B}`,
    "--bootstrap-ips=203.0.113.7:9651,[2001:db8::1]:9659",
  ]);
});

Deno.test("bootstrapArgs() gives nothing for no nodes, whatever the luxd", () => {
  assert.deepEqual(bootstrapArgs([], () => false), []);
});

Deno.test("bootstrapArgs() refuses a luxd without the flags (exit 78)", () => {
  const nodes = [{ nodeId: A, host: "10.0.0.1", port: 9651 }];
  assert.throws(
    () => bootstrapArgs(nodes, (f) => f === "bootstrap-ids"),
    (e: unknown) =>
      e instanceof ConfigError && e.exitCode === 78 &&
      e.message ===
        "bootstrap-nodes is set, but this luxd has no --bootstrap-ips; use a luxd that has them, or remove bootstrap-nodes",
  );
});

Deno.test("the bootstrap flags exist as strings in luxd 1.13.4's help and luxd 1.22.18's flag spec", () => {
  const dir = join(REPO, "tests", "fixtures", "luxd");
  const help = Deno.readTextFileSync(join(dir, "luxd-1.13.4-help.txt"));
  const spec = JSON.parse(Deno.readTextFileSync(join(dir, "flags-spec-1.22.18.json")));
  for (const flag of ["bootstrap-ids", "bootstrap-ips"]) {
    assert.match(help, new RegExp(`^\\s+--${flag} string\\s+Comma separated list`, "m"));
    const row = spec.flags.find((f: { key: string }) => f.key === flag);
    assert.equal(row?.type, "string");
    assert.match(row.description, /^Comma separated list/);
  }
});

Deno.test("isIPv4() and isIPv6() answer as node:net does (property, seeded)", async () => {
  const net = await import("node:net");
  const { isIPv4, isIPv6 } = await import("../../lib/network/bootstrap.ts");
  const fc = (await import("fast-check")).default;
  const text = fc.oneof(
    fc.ipV4(),
    fc.ipV6(),
    fc.ipV4Extended(),
    fc.stringMatching(/^[0-9a-f:.]{0,20}$/),
    fc.string(),
  );
  fc.assert(
    fc.property(text, (t) => {
      assert.equal(isIPv4(t), net.isIPv4(t), `isIPv4(${JSON.stringify(t)})`);
      assert.equal(isIPv6(t), net.isIPv6(t), `isIPv6(${JSON.stringify(t)})`);
    }),
    { seed: 7070, numRuns: 3000 },
  );
});
