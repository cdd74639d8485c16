/**
 * Tests for tests/luxd_standin.sh, the stand-in for luxd: with real
 * spawns, in both flag dialects, it must behave as the real luxd 1.13.4
 * was seen to behave (../shared/luxd/real/README.md) and record its argv
 * in the record format the e2e tests read (tests/helpers.ts).
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const TESTS = dirname(fileURLToPath(import.meta.url));
const STANDIN = join(TESTS, "luxd_standin.sh");
const FIXTURES = join(TESTS, "fixtures", "luxd");
const DIALECTS = ["1.13.4", "1.22.18"] as const;
type Dialect = typeof DIALECTS[number];
const fixture = (name: string) => Deno.readTextFileSync(join(FIXTURES, name));
const text = new TextDecoder();

const EVM = "srEXiWaHuhNyGwPUi444Tu47ZEDwxTWrbQiuD7FmgSAQ6X7Dy";
const SESSIONVM = "speKUgLBX6WRD5cfGeEfLa43LxTXUBckvtv4td6F3eTXvRP48";
const LUXEVM = "mgj786NP7uDwBCcq6YwThhaN8FLyybkCa4zBWTQbNgmK6k9A6";

/** The hard open-files limit the stand-in is run under when a test needs a known one. */
const HARD = (() => {
  const out = new Deno.Command("/bin/sh", { args: ["-c", "ulimit -Hn"], stdout: "piped" })
    .outputSync();
  const word = new TextDecoder().decode(out.stdout).trim();
  const hard = /^\d+$/.test(word) ? Number(word) : undefined;
  return hard === undefined || hard >= 20000 ? 20000 : hard;
})();

interface Options {
  dialect?: Dialect;
  env?: Record<string, string>;
  /** Run under this hard RLIMIT_NOFILE (lowered with bash's ulimit first). */
  hardNofile?: number;
  /** Run this copy of the script instead. */
  script?: string;
}

interface Run {
  code: number;
  signal: Deno.Signal | null;
  stdout: string;
  stderr: string;
  /** $FAKE_LUXD_RECORD after the run ("" if none was written). */
  record: string;
}

function command(args: readonly string[], o: Options, record: string): Deno.Command {
  const script = o.script ?? STANDIN;
  const env = { FAKE_LUXD_RECORD: record, FAKE_LUXD_DIALECT: o.dialect ?? "1.22.18", ...o.env };
  const [cmd, argv] = o.hardNofile === undefined ? [script, [...args]] : [
    "bash",
    [
      "-c",
      'ulimit -Sn 1024 && ulimit -Hn "$1" && shift && exec "$@"',
      "_",
      String(o.hardNofile),
      script,
      ...args,
    ],
  ];
  return new Deno.Command(cmd, {
    args: argv,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}

async function readRecord(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return "";
    throw e;
  }
}

/** Runs the stand-in to its end. */
async function standin(args: readonly string[], o: Options = {}): Promise<Run> {
  const dir = await Deno.makeTempDir();
  try {
    const record = join(dir, "record");
    const out = await command(args, o, record).output();
    return {
      code: out.code,
      signal: out.signal,
      stdout: text.decode(out.stdout),
      stderr: text.decode(out.stderr),
      record: await readRecord(record),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The JSON fields of the stand-in's `initializing node` log line. */
function initializing(
  stderr: string,
): { version: string; nodeID: string; providedFlags: Record<string, string> } {
  const line = stderr.split("\n").find((l) => l.includes(" initializing node "));
  assert.ok(line, `no 'initializing node' in:\n${stderr}`);
  return JSON.parse(line.slice(line.indexOf(" initializing node ") + 19));
}

/** Waits until `path` contains `line`. */
async function waitFor(path: string, line: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await readRecord(path)).split("\n").includes(line)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${path} never got '${line}'`);
}

Deno.test("stand-in: --help prints the dialect's help on stderr and exits 0", async (t) => {
  for (const dialect of DIALECTS) {
    for (const flag of ["--help", "-h", "--help=false"]) {
      await t.step(`${dialect} ${flag}`, async () => {
        const r = await standin([flag], { dialect });
        assert.equal(r.code, 0);
        assert.equal(r.stdout, "");
        assert.equal(r.stderr, fixture(`luxd-${dialect}-help.txt`));
        assert.equal(r.record, "", "help is not a run");
      });
    }
  }
  await t.step("pflag stops at the first of --help and an error", async () => {
    assert.equal((await standin(["--dev", "--help", "--bogus"])).code, 0);
    const r = await standin(["--bogus", "--help"]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "couldn't configure flags: unknown flag: --bogus\n");
  });
  await t.step("starts fast", async () => {
    const started = performance.now();
    await standin(["--help"]);
    assert.ok(performance.now() - started < 1000);
  });
});

Deno.test("stand-in: --version and --version-json print the recorded versions on stdout", async (t) => {
  for (const dialect of DIALECTS) {
    await t.step(dialect, async () => {
      const plain = await standin(["--version"], { dialect });
      assert.deepEqual([plain.code, plain.stdout, plain.stderr], [
        0,
        fixture(`luxd-${dialect}-version.txt`),
        "",
      ]);
      const json = await standin(["--version-json"], { dialect });
      assert.deepEqual([json.code, json.stdout, json.stderr], [
        0,
        fixture(`luxd-${dialect}-version.json`),
        "",
      ]);
      assert.equal(plain.record + json.record, "");
    });
  }
  await t.step("both at once is refused, as luxd does", async () => {
    const r = await standin(["--version", "--version-json"]);
    assert.deepEqual([r.code, r.stdout], [
      1,
      "can't print both JSON and human readable versions\n",
    ]);
  });
  await t.step("an unknown flag wins over --version", async () => {
    const r = await standin(["--version", "--bogus"]);
    assert.deepEqual([r.code, r.stderr], [1, "couldn't configure flags: unknown flag: --bogus\n"]);
  });
});

Deno.test("stand-in: an unknown flag stops it with luxd's message and exit 1", async (t) => {
  for (const dialect of DIALECTS) {
    await t.step(dialect, async () => {
      const r = await standin(["--network-id=7070", "--bogus"], {
        dialect,
        env: { FAKE_LUXD_MARK: "m" },
      });
      assert.equal(r.code, 1);
      assert.equal(r.stdout, "");
      assert.equal(r.stderr, "couldn't configure flags: unknown flag: --bogus\n");
      assert.match(
        r.record,
        /^pid \d+\narg --network-id=7070\narg --bogus\nenv FAKE_LUXD_MARK=m\n$/,
      );
    });
  }
  const cases: Array<[string[], Record<Dialect, boolean>]> = [
    [["--track-all-chains=true"], { "1.13.4": false, "1.22.18": true }],
    [["--track-chains=2oYMBNV4eNHyqk2fjjV5nVQLDbtmNJzq5s3qs3Lo6ftnC6FByM"], {
      "1.13.4": false,
      "1.22.18": true,
    }],
    [["--track-subnets", "2oYMBNV4eNHyqk2fjjV5nVQLDbtmNJzq5s3qs3Lo6ftnC6FByM"], {
      "1.13.4": true,
      "1.22.18": false,
    }],
    [["--subnet-config-dir=/tmp"], { "1.13.4": true, "1.22.18": false }],
    [["--dev"], { "1.13.4": true, "1.22.18": true }],
    [["--warp-api-enabled"], { "1.13.4": false, "1.22.18": false }],
  ];
  for (const [args, known] of cases) {
    for (const dialect of DIALECTS) {
      await t.step(
        `${dialect} ${args.join(" ")}: ${known[dialect] ? "accepted" : "unknown"}`,
        async () => {
          const r = await standin(["--fd-limit=1024", ...args], { dialect });
          if (known[dialect]) {
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.stderr, /initializing node/);
          } else {
            assert.equal(r.code, 1);
            assert.equal(
              r.stderr,
              `couldn't configure flags: unknown flag: ${args[0]!.split("=")[0]}\n`,
            );
          }
        },
      );
    }
  }
});

Deno.test("stand-in: values and syntax pflag rejects stop it at once", async (t) => {
  const cases: Array<[string[], string]> = [
    [
      ["--fd-limit=lots"],
      'invalid argument "lots" for "--fd-limit" flag: strconv.ParseUint: parsing "lots": invalid syntax',
    ],
    [
      ["--http-port", "-1"],
      'invalid argument "-1" for "--http-port" flag: strconv.ParseUint: parsing "-1": invalid syntax',
    ],
    [
      ["--dev=yes"],
      'invalid argument "yes" for "--dev" flag: strconv.ParseBool: parsing "yes": invalid syntax',
    ],
    [
      ["--benchlist-duration=1d"],
      'invalid argument "1d" for "--benchlist-duration" flag: time: invalid duration "1d"',
    ],
    [
      ["--benchlist-fail-threshold=1.5"],
      'invalid argument "1.5" for "--benchlist-fail-threshold" flag: strconv.ParseInt: parsing "1.5": invalid syntax',
    ],
    [
      ["--uptime-requirement=most"],
      'invalid argument "most" for "--uptime-requirement" flag: strconv.ParseFloat: parsing "most": invalid syntax',
    ],
    [["--dev", "--log-level"], "flag needs an argument: --log-level"],
    [["-network-id=7070"], "unknown shorthand flag: 'n' in -network-id=7070"],
    [["---dev"], "bad flag syntax: ---dev"],
  ];
  for (const dialect of DIALECTS) {
    for (const [args, message] of cases) {
      await t.step(`${dialect} ${args.join(" ")}`, async () => {
        const r = await standin(args, { dialect });
        assert.deepEqual([r.code, r.stderr], [1, `couldn't configure flags: ${message}\n`]);
      });
    }
  }
  await t.step("words that are not flags are ignored, as pflag leaves them aside", async () => {
    const r = await standin(["--fd-limit=1024", "--dev", "false", "stray", "--", "--bogus"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(initializing(r.stderr).providedFlags, { "fd-limit": "1024", dev: "true" });
  });
});

Deno.test("stand-in: --fd-limit above the hard RLIMIT_NOFILE stops it, as the real luxd", async (t) => {
  for (const dialect of DIALECTS) {
    await t.step(`${dialect}: the default 32768`, async () => {
      const r = await standin(["--network-id=7070"], { dialect, hardNofile: HARD });
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr,
        `couldn't start node: error fd-limit: (32768) greater than max: (${HARD})\n`,
      );
      assert.ok(!r.record.includes("ready"));
    });
    await t.step(`${dialect}: a given value`, async () => {
      const r = await standin([`--fd-limit=${HARD + 1}`], { dialect, hardNofile: HARD });
      assert.equal(
        r.stderr,
        `couldn't start node: error fd-limit: (${HARD + 1}) greater than max: (${HARD})\n`,
      );
    });
    await t.step(`${dialect}: a value within it starts, warning below 32768`, async () => {
      for (const value of ["1024", "0x400"]) {
        const r = await standin([`--fd-limit=${value}`], { dialect, hardNofile: HARD });
        assert.equal(r.code, 0, r.stderr);
        assert.match(
          r.stderr,
          /WARN .*fd-limit is less than recommended and could result in reduced performance \{"limit": 1024, "recommendedLimit": 32768\}/,
        );
      }
    });
  }
});

Deno.test("stand-in: --chain-config-content must be base64, as luxd decodes it", async (t) => {
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  const good = b64(
    JSON.stringify({ C: { Config: b64('{"warp-api-enabled":true}'), Upgrade: b64("{}") } }),
  );
  for (const dialect of DIALECTS) {
    await t.step(`${dialect}: raw JSON is refused`, async () => {
      const r = await standin(["--fd-limit=1024", '--chain-config-content={"C":{"Config":{}}}'], {
        dialect,
      });
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr,
        "couldn't load node config: couldn't read chain configs: unable to decode base64 content: illegal base64 data at input byte 0\n",
      );
    });
    await t.step(`${dialect}: base64 of {"C":{"Config":…,"Upgrade":…}} is accepted`, async () => {
      const r = await standin(["--fd-limit=1024", `--chain-config-content=${good}`], { dialect });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(initializing(r.stderr).providedFlags["chain-config-content"], good);
    });
  }
  // The offsets Go's base64.StdEncoding.DecodeString reported for these
  // (Go 1.26.8, recorded 2026-11-25); undefined where it decodes.
  const offsets: Array<[string, number | undefined]> = [
    ["abc", 0],
    ["YQ", 0],
    ["ab=c", 2],
    ["Y Q==", 1],
    ["YQ==YQ==", 4],
    ["YWJjZA=", 7],
    ["YWJjZA===", 8],
    ["abcd-", 4],
    ["YQ==", undefined],
    ["YWJj\nYWJj", undefined],
  ];
  for (const [value, at] of offsets) {
    await t.step(`${JSON.stringify(value)}: ${at ?? "decodes"}`, async () => {
      const r = await standin(["--fd-limit=1024", `--chain-config-content=${value}`]);
      if (at === undefined) assert.equal(r.code, 0, r.stderr);
      else assert.match(r.stderr, new RegExp(`illegal base64 data at input byte ${at}\n$`));
    });
  }
});

Deno.test("stand-in: the plugin dir is read as luxd's VM registry reads it", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    const plugins = join(dir, "plugins");
    await Deno.mkdir(join(plugins, "subdir"), { recursive: true });
    await Deno.writeTextFile(join(plugins, ".DS_Store"), "");
    const rpcchainvm = "#!/bin/sh\n# a Go rpcchainvm plugin reads LUX_VM_RUNTIME_ENGINE_ADDR\n";
    await Deno.writeTextFile(join(dir, "evm-plugin"), rpcchainvm, { mode: 0o755 });
    await Deno.symlink(join(dir, "evm-plugin"), join(plugins, EVM));
    await Deno.writeTextFile(join(plugins, SESSIONVM), "#!/bin/sh\nexec sleep 1\n", {
      mode: 0o755,
    });
    await Deno.writeTextFile(join(plugins, `${LUXEVM}.so`), rpcchainvm, { mode: 0o644 });
    const registerFailures = (stderr: string) =>
      stderr.split("\n").filter((l) => l.includes("failed to register VM")).map((l) =>
        JSON.parse(l.slice(l.indexOf("{")))
      );

    for (const dialect of DIALECTS) {
      await t.step(
        `${dialect}: dotfiles and directories are skipped; bad plugins are logged and passed over`,
        async () => {
          const r = await standin(["--fd-limit=1024", `--plugin-dir=${plugins}`], { dialect });
          assert.equal(r.code, 0, r.stderr);
          assert.deepEqual(registerFailures(r.stderr), [
            {
              vmID: LUXEVM,
              error: `fork/exec ${join(plugins, `${LUXEVM}.so`)}: permission denied`,
            },
            {
              vmID: SESSIONVM,
              error:
                "handshake failed: the plugin did not serve rpcchainvm (stand-in: it never mentions LUX_VM_RUNTIME_ENGINE_ADDR)",
            },
          ]);
          assert.match(r.stderr, /initializing node/);
        },
      );
    }
    for (
      const [stray, name] of [["README.txt", "README"], ["notes.txt", "notes"], [
        "SHA256SUMS",
        "SHA256SUMS",
      ]]
    ) {
      await t.step(`a stray ${stray} stops the node`, async () => {
        await Deno.writeTextFile(join(plugins, stray!), "");
        try {
          for (const dialect of DIALECTS) {
            const r = await standin(["--fd-limit=1024", `--plugin-dir=${plugins}`], { dialect });
            assert.equal(r.code, 1);
            // After the fd-limit warning (1024 is below the recommended 32768).
            assert.equal(
              r.stderr.split("\n").at(-2),
              `couldn't start node: failed to initialize node: couldn't initialize VM registry: invalid vmID: "${name}"`,
            );
            assert.doesNotMatch(r.stderr, /initializing node|failed to register VM/);
          }
        } finally {
          await Deno.remove(join(plugins, stray!));
        }
      });
    }
    await t.step("a plugin dir that does not exist", async () => {
      const missing = join(dir, "nope");
      const r = await standin(["--fd-limit=1024", `--plugin-dir=${missing}`]);
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr,
        `couldn't load node config: plugin dir "${missing}" not found: stat ${missing}: no such file or directory\n`,
      );
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stand-in: accepted, it logs 'initializing node', records itself and obeys the knobs", async (t) => {
  for (const dialect of DIALECTS) {
    await t.step(`${dialect}: providedFlags, NodeID, the record and FAKE_LUXD_EXIT`, async () => {
      const dir = await Deno.makeTempDir();
      try {
        const record = join(dir, "record");
        const args = [
          "--network-id=7070",
          "--dev",
          "--fd-limit",
          "1024",
          "--log-level=info",
          "--log-level=debug",
        ];
        const child = command(args, {
          dialect,
          env: { FAKE_LUXD_EXIT: "3", FAKE_LUXD_MARK: "x y" },
        }, record)
          .spawn();
        const out = await child.output();
        const stderr = text.decode(out.stderr);
        assert.equal(out.code, 3, stderr);
        const init = initializing(stderr);
        assert.equal(init.version, `node/${dialect}`);
        assert.match(init.nodeID, /^NodeID-[1-9A-HJ-NP-Za-km-z]{32,33}$/);
        assert.deepEqual(init.providedFlags, {
          "network-id": "7070",
          dev: "true",
          "fd-limit": "1024",
          "log-level": "debug",
        });
        assert.equal(
          await Deno.readTextFile(record),
          `pid ${child.pid}\n${
            args.map((a) => `arg ${a}\n`).join("")
          }env FAKE_LUXD_MARK=x y\nready\n`,
        );
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });
  }
  await t.step("SIGTERM during its run: recorded, and it dies of SIGTERM (143)", async () => {
    const dir = await Deno.makeTempDir();
    try {
      const record = join(dir, "record");
      const child = command(["--fd-limit=1024"], { env: { FAKE_LUXD_SLEEP: "30" } }, record)
        .spawn();
      await waitFor(record, "ready");
      child.kill("SIGTERM");
      const status = await child.output();
      assert.deepEqual([status.code, status.signal], [143, "SIGTERM"]);
      assert.ok((await Deno.readTextFile(record)).endsWith("ready\nsignal TERM\n"));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
  await t.step(
    "FAKE_LUXD_IGNORE_TERM: SIGTERM is recorded and ignored; SIGKILL ends it",
    async () => {
      const dir = await Deno.makeTempDir();
      try {
        const record = join(dir, "record");
        const env = { FAKE_LUXD_SLEEP: "30", FAKE_LUXD_IGNORE_TERM: "1" };
        const child = command(["--fd-limit=1024"], { env }, record).spawn();
        await waitFor(record, "ready");
        child.kill("SIGTERM");
        await waitFor(record, "signal TERM (ignored)");
        child.kill("SIGKILL");
        const status = await child.output();
        assert.deepEqual([status.code, status.signal], [137, "SIGKILL"]);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  );
  await t.step("FAKE_LUXD_SELF_SIGNAL: it dies of that signal", async () => {
    const r = await standin(["--fd-limit=1024"], { env: { FAKE_LUXD_SELF_SIGNAL: "SIGUSR1" } });
    assert.deepEqual([r.code, r.signal], [138, "SIGUSR1"]);
  });
});

Deno.test("stand-in: copied elsewhere, it finds its fixtures through FAKE_LUXD_FIXTURES", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    const copy = join(dir, "luxd");
    await Deno.copyFile(STANDIN, copy);
    await Deno.chmod(copy, 0o755);
    await t.step("without it, it says what to set", async () => {
      const r = await standin(["--version"], { script: copy });
      assert.equal(r.code, 2);
      assert.match(
        r.stderr,
        /cannot read .*fixtures\/luxd\/luxd-1\.22\.18-help\.txt; set FAKE_LUXD_FIXTURES/,
      );
    });
    await t.step("with it, it works", async () => {
      const r = await standin(["--version"], {
        script: copy,
        dialect: "1.13.4",
        env: { FAKE_LUXD_FIXTURES: FIXTURES },
      });
      assert.deepEqual([r.code, r.stdout], [0, fixture("luxd-1.13.4-version.txt")]);
    });
    await t.step("an unknown dialect is refused", async () => {
      const r = await standin(["--version"], { env: { FAKE_LUXD_DIALECT: "2.0" } });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /FAKE_LUXD_DIALECT must be 1\.13\.4 or 1\.22\.18, not '2\.0'/);
    });
    await t.step("without FAKE_LUXD_DIALECT it is luxd 1.22.18", async () => {
      const out = await new Deno.Command(STANDIN, {
        args: ["--version"],
        env: { FAKE_LUXD_DIALECT: "" },
      })
        .output();
      assert.equal(text.decode(out.stdout), fixture("luxd-1.22.18-version.txt"));
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
