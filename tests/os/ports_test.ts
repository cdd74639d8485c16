/**
 * @module
 * Tests of lib/ports.ts on real sockets.
 */

import assert from "node:assert/strict";
import { bindFailureReason, canBind } from "../../lib/os/ports.ts";

Deno.test("canBind() reports a port this process listens on as in use", async (t) => {
  using held = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = held.addr.port;
  await t.step("on the same address", async () => {
    assert.equal(await canBind("127.0.0.1", port), "in use");
  });
  await t.step("on all interfaces, as luxd's staking port binds", async () => {
    assert.equal(await canBind("0.0.0.0", port), "in use");
  });
});

Deno.test("canBind() reports a free port as bindable and leaves it free", async () => {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  probe.close();
  assert.equal(await canBind("127.0.0.1", port), true);
  assert.equal(await canBind("127.0.0.1", port), true, "the check does not keep the port");
  Deno.listen({ hostname: "127.0.0.1", port }).close();
});

Deno.test("canBind() on an address this machine does not have says so", async () => {
  // 192.0.2.1 is TEST-NET-1 (RFC 5737): never a local address.
  assert.equal(await canBind("192.0.2.1", 9631), "address not available on this machine");
});

/** Runs `canBind(host, port)` in a child deno, after `prefix` (e.g. setpriv), with `flags`. */
async function canBindInChild(
  prefix: string[],
  flags: string[],
  host: string,
  port: number,
): Promise<string> {
  const module = JSON.stringify(new URL("../../lib/os/ports.ts", import.meta.url).href);
  const code = `import { canBind } from ${module};\n` +
    `console.log(await canBind(${JSON.stringify(host)}, ${port}));\n`;
  const [program, ...args] = [...prefix, Deno.execPath()];
  const p = new Deno.Command(program!, {
    args: [...args, "run", "--no-config", "--allow-read", ...flags, "--no-prompt", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = p.stdin.getWriter();
  await writer.write(new TextEncoder().encode(code));
  await writer.close();
  const r = await p.output();
  assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
  return new TextDecoder().decode(r.stdout).trim();
}

function hasProgram(name: string): boolean {
  try {
    new Deno.Command(name, { args: ["--version"], stdout: "null", stderr: "null" }).outputSync();
    return true;
  } catch {
    return false;
  }
}

Deno.test("canBind() on a privileged port without privilege is 'permission denied'", async (t) => {
  const start = Number(
    (await Deno.readTextFile("/proc/sys/net/ipv4/ip_unprivileged_port_start").catch(() => "1024"))
      .trim(),
  );
  if (start <= 1) {
    await t.step({
      name: "skipped: every port is unprivileged here (net.ipv4.ip_unprivileged_port_start)",
      ignore: true,
      fn: () => {},
    });
  } else if (Deno.uid() !== 0) {
    await t.step("port 1, as an ordinary user", async () => {
      assert.equal(await canBind("127.0.0.1", 1), "permission denied");
    });
  } else if (hasProgram("setpriv")) {
    await t.step("port 1, as root without CAP_NET_BIND_SERVICE (setpriv)", async () => {
      const drop = ["setpriv", "--bounding-set=-net_bind_service", "--inh-caps=-net_bind_service"];
      assert.equal(
        await canBindInChild(drop, ["--allow-net=127.0.0.1"], "127.0.0.1", 1),
        "permission denied",
      );
    });
  } else {
    await t.step({
      name: "skipped: running as root and setpriv is missing to drop CAP_NET_BIND_SERVICE",
      ignore: true,
      fn: () => {},
    });
  }
});

Deno.test("canBind() without net permission names Deno's --allow-net", async () => {
  assert.equal(
    await canBindInChild([], [], "127.0.0.1", 9631),
    "not allowed by Deno's --allow-net",
  );
});

Deno.test("canBind() rejects ports outside 1–65535", async () => {
  for (const port of [0, -1, 65536, 80.5]) {
    await assert.rejects(canBind("127.0.0.1", port), RangeError);
  }
});

Deno.test("bindFailureReason() maps Deno's errors to short reasons", () => {
  const cases: [unknown, string][] = [
    [new Deno.errors.AddrInUse("Address already in use (os error 98)"), "in use"],
    [new Deno.errors.PermissionDenied("Permission denied (os error 13)"), "permission denied"],
    [
      new Deno.errors.AddrNotAvailable("Cannot assign requested address (os error 99)"),
      "address not available on this machine",
    ],
    [
      new Deno.errors.NotCapable('Requires net access to "x:1"'),
      "not allowed by Deno's --allow-net",
    ],
    [new URIError("invalid char found in FQDN"), "invalid host (invalid char found in FQDN)"],
    [
      new Error("failed to lookup address information: Name or service not known"),
      "unknown host",
    ],
    [new Error("something else"), "something else"],
    ["a string", "a string"],
  ];
  for (const [error, reason] of cases) assert.equal(bindFailureReason(error), reason);
});
