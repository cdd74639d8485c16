/**
 * End-to-end: bounds that hold. parsd's main.ts under the start task's
 * permissions against the luxd stand-in and small scripts: probes end
 * whatever their children do and never run what is no plugin; an argv the
 * OS would refuse is refused by doctor and run before anything is made; a
 * relative PATH entry finds nothing; status talks to the node only.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { makeNode, type Node, parsd, snapshot } from "./helpers.ts";
import { gone } from "./processes.ts";
import { MAX_ARG_STRLEN } from "../lib/node/chain_config_files.ts";

async function withNode(f: (n: Node) => Promise<void>) {
  const n = await makeNode();
  try {
    await n.pin();
    await f(n);
  } finally {
    await n.cleanup();
  }
}

async function script(path: string, text: string): Promise<void> {
  await Deno.writeTextFile(path, text, { mode: 0o755 });
  await Deno.chmod(path, 0o755);
}

const readyLine = (stdout: string) => /^ok\s+ready\b/m.test(stdout);
const pids = async (file: string) =>
  (await Deno.readTextFile(file).catch(() => "")).trim().split("\n").filter((l) => l !== "")
    .map(Number);

Deno.test("doctor is not held by probe grandchildren that keep luxd's stdout open, and ends them", async () => {
  await withNode(async (n) => {
    const lingering = join(n.root, "lingering");
    // Each probe leaves a grandchild holding its pipes for 8 s, past the 5 s probe timeout:
    // waiting for EOF, parsd would call luxd unresponsive.
    const doctor = await parsd(["doctor"], {
      env: { ...n.env, FAKE_LUXD_PROBE_LINGER: "8", FAKE_LUXD_LINGER_PIDS: lingering },
    });
    assert.equal(doctor.code, 0, doctor.stdout + doctor.stderr);
    assert.ok(readyLine(doctor.stdout));
    const left = await pids(lingering);
    assert.ok(left.length >= 2, `lingering grandchildren recorded: ${left}`);
    for (const pid of left) assert.ok(gone(pid), `probe grandchild ${pid} outlived doctor`);
  });
});

Deno.test("a plugin that is no rpcchainvm plugin is never run; one that hangs on --version is ended", async () => {
  await withNode(async (n) => {
    const ran = join(n.root, "sessionvm-ran");
    // Like the real SessionVM: whatever its arguments, it would start serving and run on.
    await script(n.sessionvm, `#!/bin/sh\necho $$ >> ${ran}\nexec sleep 30\n`);
    const asked = join(n.root, "evm-asked");
    await script(
      n.evm,
      `#!/bin/sh\n# LUX_VM_RUNTIME_ENGINE_ADDR\necho $$ >> ${asked}\nexec sleep 30\n`,
    );
    await n.pin();
    const doctor = await parsd(["doctor"], { env: n.env });
    assert.equal(doctor.code, 0, doctor.stdout);
    assert.match(
      doctor.stdout,
      /^warn\s+plugin sessionvm\s+.*likely not an rpcchainvm plugin: luxd would log 'failed to register VM' and run without it$/m,
    );
    assert.match(doctor.stdout, /^warn\s+plugin evm\s+.*did not say its rpcchainvm protocol/m);
    assert.deepEqual(await pids(ran), [], "the non-plugin was run");
    const evm = await pids(asked);
    assert.equal(evm.length, 1, "the plugin was asked once");
    assert.ok(gone(evm[0]!), "the plugin asked --version outlived doctor");
  });
});

Deno.test("a luxd whose #! interpreter is missing: 126 saying so, not 'did not finish'", async () => {
  await withNode(async (n) => {
    await script(n.luxd, "#!/nonexistent/interpreter\necho never\n");
    await n.pin();
    for (const argv of [["doctor"], []]) {
      const r = await parsd(argv, { env: n.env });
      assert.equal(r.code, 126, r.stdout + r.stderr);
      assert.match(
        r.stdout + r.stderr,
        /could not be started: its interpreter \/nonexistent\/interpreter \(from its #! line\) does not exist/,
      );
      assert.doesNotMatch(r.stdout + r.stderr, /did not finish/);
    }
  });
});

Deno.test("luxd-args the OS would refuse: doctor FAILs (78) and run refuses before any link", async (t) => {
  const cases: [string, string[], RegExp][] = [
    ["a NUL byte", ["--log-level=in\u0000fo"], /'luxd-args' entry 1 .* holds a NUL byte/],
    [
      "one argument of 200 KiB",
      [`--log-dir=/tmp/${"d".repeat(200 * 1024)}`],
      new RegExp(
        `'luxd-args' entry 1 .* is ${
          200 * 1024 + 15
        } bytes; the OS refuses any one argument of ${MAX_ARG_STRLEN} bytes or more`,
      ),
    ],
    [
      "a command line over ARG_MAX",
      Array.from({ length: 40 }, (_, i) => `--log-dir=/tmp/${i}${"d".repeat(100_000)}`),
      /luxd's command line would be .* more than this system's ARG_MAX/,
    ],
  ];
  for (const [what, luxdArgs, message] of cases) {
    await t.step(what, async () => {
      await withNode(async (n) => {
        await n.pin({ "luxd-args": luxdArgs });
        const before = await snapshot(n.root);
        const doctor = await parsd(["doctor"], { env: n.env });
        assert.equal(doctor.code, 78, doctor.stdout);
        assert.match(doctor.stdout, /^FAIL\s+luxd argv\s+/m);
        assert.match(doctor.stdout, message);
        assert.ok(!readyLine(doctor.stdout));
        const run = await parsd([], { env: n.env });
        assert.equal(run.code, 78, run.stderr);
        assert.match(run.stderr, message);
        assert.doesNotMatch(run.stderr, /starting|created link/);
        assert.equal(await n.recordText(), undefined, "luxd must not start");
        assert.deepEqual(await snapshot(n.root), before, "nothing made");
      });
    });
  }
});

Deno.test("a luxd found only through a relative PATH entry ('.', '') is not used, and the message says why", async () => {
  await withNode(async (n) => {
    const env: Record<string, string> = { ...n.env, PATH: ".::/usr/bin:/bin" };
    delete env["PARS_LUXD"];
    // The luxd stand-in sits in the directory parsd runs in.
    const doctor = await parsd(["doctor"], { env, cwd: join(n.root, "bin") });
    assert.equal(doctor.code, 127, doctor.stdout);
    assert.match(
      doctor.stdout,
      /luxd not found; .*skipped PATH's relative entries "\.", "" \(parsd never looks for luxd in the current directory\)/,
    );
  });
});

/** Serves `handler` on a loopback port for the length of `fn`. */
async function withServer(
  handler: (req: Request) => Response,
  fn: (port: number) => Promise<void>,
): Promise<void> {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
  try {
    await fn(server.addr.port);
  } finally {
    await server.shutdown();
  }
}

Deno.test("status follows no redirect: one to another host and a local loop are 75, never Deno's permission message", async (t) => {
  await withNode(async (n) => {
    await t.step("302 to another host", async () => {
      await withServer(
        () => new Response(null, { status: 302, headers: { location: "http://10.255.255.1/" } }),
        async (port) => {
          const r = await parsd(["status", `--http-port=${port}`], { env: n.env });
          assert.equal(r.code, 75, r.stdout + r.stderr);
          assert.match(
            r.stdout,
            /^FAIL health\s+redirected \(HTTP 302 to http:\/\/10\.255\.255\.1\/\)/m,
          );
          assert.doesNotMatch(r.stdout + r.stderr, /Requires net access|--allow-net|unexpected/);
        },
      );
    });
    await t.step("a redirect loop on loopback", async () => {
      await withServer(
        (req) => new Response(null, { status: 307, headers: { location: req.url } }),
        async (port) => {
          const r = await parsd(["status", `--http-port=${port}`], { env: n.env });
          assert.equal(r.code, 75, r.stdout + r.stderr);
          assert.match(r.stdout, /^FAIL health\s+redirected \(HTTP 307/m);
          assert.doesNotMatch(r.stdout, /nothing answering/);
        },
      );
    });
    await t.step("an answer that would forge an 'ok' line is printed escaped", async () => {
      await withServer(
        (req) =>
          new URL(req.url).pathname === "/ext/health"
            ? Response.json({
              healthy: false,
              checks: { "x\nok   health   healthy": { error: "e" } },
            })
            : Response.json({
              jsonrpc: "2.0",
              id: 1,
              error: { message: "no\nok   node     forged" },
            }),
        async (port) => {
          const r = await parsd(["status", `--http-port=${port}`], { env: n.env });
          assert.equal(r.code, 75, r.stdout);
          assert.doesNotMatch(r.stdout, /^ok/m);
          assert.match(
            r.stdout,
            /^FAIL health\s+unhealthy \(failing: x\\nok {3}health {3}healthy\)$/m,
          );
        },
      );
    });
  });
});
