/**
 * End-to-end against the luxd stand-in that behaves like the real luxd
 * (1.13.4 as recorded in ../shared/luxd/real, and 1.22.18 from its flag
 * spec): parsd under the start task's permissions, in both dialects.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { makeNode, type Node, parsd, type Result, snapshot } from "./helpers.ts";

const DIALECTS = ["1.13.4", "1.22.18"] as const;

async function withNode(
  dialect: string,
  f: (n: Node, env: Record<string, string>) => Promise<void>,
) {
  const n = await makeNode();
  try {
    await n.pin();
    await f(n, { ...n.env, FAKE_LUXD_DIALECT: dialect });
  } finally {
    await n.cleanup();
  }
}

/** The hard open-files limit of this machine, as luxd will see it. */
function hardNofile(): number | "unlimited" {
  const out = new Deno.Command("/bin/sh", { args: ["-c", "ulimit -Hn"], stdout: "piped" })
    .outputSync();
  const word = new TextDecoder().decode(out.stdout).trim();
  return word === "unlimited" ? word : Number(word);
}

const readyLine = (r: Result) => /^ok\s+ready\b/m.test(r.stdout);

for (const dialect of DIALECTS) {
  Deno.test(`luxd ${dialect}: 'parsd run --dev' reaches 'initializing node'; doctor agreed first`, async () => {
    await withNode(dialect, async (n, env) => {
      const doctor = await parsd(["doctor", "--dev"], { env });
      assert.equal(doctor.code, 0, doctor.stdout);
      assert.ok(readyLine(doctor));
      const run = await parsd(["--dev"], { env });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /initializing node/);
      assert.doesNotMatch(run.stderr, /couldn't|unknown flag|fd-limit: \(/);
      const args = (await n.recordedArgs())!;
      assert.ok(args.includes("--dev"));
      const hard = hardNofile();
      if (typeof hard === "number" && hard < 32768) {
        assert.ok(args.includes(`--fd-limit=${hard}`), args.join(" "));
        assert.match(run.stderr, new RegExp(`--fd-limit is 32768 but .* is ${hard}`));
      }
      assert.equal(args.includes("--track-all-chains=true"), dialect === "1.22.18");
    });
  });

  Deno.test(`luxd ${dialect}: an unknown or mistyped luxd flag is refused before luxd starts`, async () => {
    await withNode(dialect, async (n, env) => {
      for (
        const [argv, message] of [
          [["--netwrk-id=7071"], /did you mean --network-id\?/],
          [["--http-prot", "1"], /has no --http-prot/],
          [["--fd-limit=lots"], /--fd-limit=lots/],
        ] as const
      ) {
        const before = await snapshot(n.root);
        const doctor = await parsd(["doctor", ...argv], { env });
        assert.equal(doctor.code, 64, doctor.stdout);
        assert.match(doctor.stdout, message);
        const run = await parsd([...argv], { env });
        assert.equal(run.code, 64, run.stderr);
        assert.match(run.stderr, message);
        assert.equal(await n.recordText(), undefined, "luxd must not start");
        assert.deepEqual(await snapshot(n.root), before);
      }
    });
  });

  Deno.test(`luxd ${dialect}: a user's own --fd-limit wins`, async () => {
    await withNode(dialect, async (n, env) => {
      const run = await parsd(["--fd-limit=1024"], { env });
      assert.equal(run.code, 0, run.stderr);
      const args = (await n.recordedArgs())!;
      assert.deepEqual(args.filter((a) => a.startsWith("--fd-limit")), ["--fd-limit=1024"]);
    });
  });

  Deno.test(`luxd ${dialect}: a stray file is refused as luxd would; a non-plugin is logged and passed over`, async () => {
    await withNode(dialect, async (n, env) => {
      // A file that is no rpcchainvm plugin: doctor warns, luxd logs 'failed to register VM'.
      const ok = await parsd([], { env });
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stderr, /failed to register VM/);
      const doctor = await parsd(["doctor"], { env });
      assert.match(doctor.stdout, /^warn\s+plugin evm\s+.*likely not an rpcchainvm plugin/m);
      // A stray README: luxd would abort ('invalid vmID'), so parsd refuses first, as doctor says.
      await Deno.writeTextFile(join(n.dataDir, "plugins", "README.txt"), "notes");
      const stray = await parsd(["doctor"], { env });
      assert.equal(stray.code, 65);
      assert.match(stray.stdout, /README\.txt is not named by a VMID/);
      await Deno.remove(n.record);
      const refused = await parsd([], { env });
      assert.equal(refused.code, 65);
      assert.equal(await n.recordText(), undefined, "luxd must not start");
    });
  });

  Deno.test(`luxd ${dialect}: a chain config too large for the command line goes to --chain-config-dir`, async () => {
    await withNode(dialect, async (n, env) => {
      const big = { blob: "x".repeat(100_000) };
      await n.pin({ chains: { evm: { config: big } } });
      const doctor = await parsd(["doctor"], { env });
      assert.equal(doctor.code, 0, doctor.stdout);
      assert.match(doctor.stdout, /chain config\s+\d+ bytes: too large for the command line/);
      const run = await parsd([], { env });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /initializing node/);
      const args = (await n.recordedArgs())!;
      const dir = join(n.dataDir, "configs", "chains");
      assert.ok(args.includes(`--chain-config-dir=${dir}`), args.join(" "));
      assert.ok(!args.some((a) => a.startsWith("--chain-config-content")));
      const config = JSON.parse(await Deno.readTextFile(join(dir, "C", "config.json")));
      assert.equal(config.blob, big.blob);
      assert.equal(config["warp-api-enabled"], true);
    });
  });

  Deno.test(`luxd ${dialect}: a plugin of another rpcchainvm protocol is refused with 78, naming both`, async () => {
    await withNode(dialect, async (n, env) => {
      await Deno.writeTextFile(
        n.sessionvm,
        "#!/bin/sh\n# LUX_VM_RUNTIME_ENGINE_ADDR\necho 'SessionVM/v0.1.0 [Luxd=v1.0.0, rpcchainvm=42]'\n",
      );
      await n.pin();
      const doctor = await parsd(["doctor"], { env });
      assert.equal(doctor.code, 78, doctor.stdout);
      assert.match(doctor.stdout, /plugin sessionvm speaks rpcchainvm 42 but luxd speaks 43/);
      const run = await parsd([], { env });
      assert.equal(run.code, 78);
      assert.equal(await n.recordText(), undefined);
    });
  });
}

Deno.test("an EVM plugin that raises its fd limit above the hard limit: FAIL/78 unless --allow-vm-failure=evm", async (t) => {
  const hard = hardNofile();
  if (hard === "unlimited" || hard >= 32768) {
    await t.step({
      name: `skipped: this machine's hard open-files limit (${hard}) lets the EVM plugin start`,
      ignore: true,
      fn: () => {},
    });
    return;
  }
  await withNode("1.13.4", async (n, env) => {
    await Deno.writeTextFile(
      n.evm,
      "#!/bin/sh\n# LUX_VM_RUNTIME_ENGINE_ADDR\necho 'Subnet-EVM/v0.8.0 [Luxd=v1.13.4, rpcchainvm=43]'\n",
    );
    await n.pin();
    const doctor = await parsd(["doctor"], { env });
    assert.equal(doctor.code, 78, doctor.stdout);
    assert.match(doctor.stdout, new RegExp(`raises its open-file limit to 32768 .* \\(${hard}\\)`));
    const run = await parsd([], { env });
    assert.equal(run.code, 78);
    assert.match(run.stderr, /--allow-vm-failure=evm/);
    assert.equal(await n.recordText(), undefined);
    const accepted = await parsd(["doctor", "--allow-vm-failure=evm"], { env });
    assert.equal(accepted.code, 0, accepted.stdout);
    assert.match(accepted.stdout, /^warn\s+plugin evm\s+.*accepted by --allow-vm-failure=evm/m);
    const started = await parsd(["--allow-vm-failure=evm"], { env });
    assert.equal(started.code, 0, started.stderr);
    assert.ok(await n.recordText());
  });
});

Deno.test("a warm start reads luxd's probe and the plugins' answers from the cache", async () => {
  await withNode("1.22.18", async (n, env) => {
    const first = await parsd(["--dry-run"], { env });
    assert.equal(JSON.parse(first.stdout).luxd.flags, "probe");
    // The cache is written by a real run (a dry run writes nothing), once files are 2 s old.
    await new Promise((r) => setTimeout(r, 2100));
    assert.equal((await parsd([], { env })).code, 0);
    const cached = await parsd(["--dry-run"], { env });
    assert.equal(JSON.parse(cached.stdout).luxd.flags, "cache");
    // The probe is cached by luxd's hash: the same bytes anywhere (a new inode) hit it;
    // a new pin (other bytes) is probed again.
    const copy = `${n.luxd}.new`;
    await Deno.copyFile(n.luxd, copy);
    await Deno.rename(copy, n.luxd);
    const same = await parsd(["--dry-run"], { env });
    assert.equal(JSON.parse(same.stdout).luxd.flags, "cache");
    await Deno.writeTextFile(n.luxd, `${await Deno.readTextFile(n.luxd)}\n# rebuilt\n`);
    await n.pin();
    const again = await parsd(["--dry-run"], { env });
    assert.equal(JSON.parse(again.stdout).luxd.flags, "probe");
  });
});

Deno.test("a luxd that is no program (no ELF, no #!) is refused with 126 and never run by /bin/sh", async () => {
  await withNode("1.22.18", async (n, env) => {
    const made = join(n.root, "made-by-sh");
    await Deno.writeTextFile(n.luxd, `touch ${made}\n`, { mode: 0o755 });
    await Deno.chmod(n.luxd, 0o755);
    await n.pin(); // pinned, so that it is probed (an unpinned luxd is refused before that)
    for (const argv of [["doctor"], []]) {
      const r = await parsd(argv, { env });
      assert.equal(r.code, 126, r.stdout + r.stderr);
      assert.match(r.stdout + r.stderr, /could not be probed: .* is not a program/);
    }
    assert.equal(await Deno.stat(made).catch(() => undefined), undefined, "run by /bin/sh");
  });
});
