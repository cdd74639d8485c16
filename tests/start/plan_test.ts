/**
 * Tests for lib/plan.ts: `assess()` is pure, so every case builds its
 * NodeFacts by hand (luxd flag sets parsed from the recorded help of luxd
 * 1.13.4 and 1.22.18) and checks doctor's checks, the exit code `run` would
 * fail with, and the plan.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type ConfigFacts, resolveSettings } from "../../lib/cli/config.ts";
import type { Settings } from "../../lib/settings.ts";
import {
  CantCreateError,
  ConfigError,
  ExitCode,
  LuxdNotExecutableError,
  LuxdNotFoundError,
  NoInputError,
  ParsdError,
  PermissionError,
  VerificationError,
} from "../../lib/errors.ts";
import type { LuxdFacts, NodeFacts, PluginFacts } from "../../lib/start/facts.ts";
import type { FileFacts } from "../../lib/os/files.ts";
import { layout, layoutDirs } from "../../lib/data_dir/layout.ts";
import { type LuxdFlagSet, parseLuxdHelp } from "../../lib/luxd/help_text.ts";
import { type PluginName, PLUGINS } from "../../lib/network/pars.ts";
import { CHAIN_CONFIG_CONTENT_LIMIT } from "../../lib/node/chain_config_files.ts";
import {
  assess,
  type Assessment,
  type Check,
  exitCodeOfChecks,
  failureOf,
} from "../../lib/start/plan.ts";
import { REPO } from "../helpers.ts";

const FIXTURES = join(REPO, "tests", "fixtures", "luxd");
const FLAGS: Readonly<Record<"1.13.4" | "1.22.18", LuxdFlagSet>> = {
  "1.13.4": parseLuxdHelp(Deno.readTextFileSync(join(FIXTURES, "luxd-1.13.4-help.txt"))),
  "1.22.18": parseLuxdHelp(Deno.readTextFileSync(join(FIXTURES, "luxd-1.22.18-help.txt"))),
};

const HOME = "/home/v";
const DATA = "/home/v/.pars";
const L = layout(DATA);
const LUXD = "/usr/local/bin/luxd";

const CONFIG_FACTS: ConfigFacts = { flags: {}, env: () => undefined, home: HOME, cwd: "/work" };

/** Settings as parsd resolves them from a config.json holding `config` (none when undefined). */
function settingsOf(config?: Record<string, unknown>): Settings {
  return resolveSettings(CONFIG_FACTS, config === undefined ? undefined : JSON.stringify(config));
}

const FILE: FileFacts = {
  dev: 1n,
  ino: 2n,
  mode: 0o100755,
  uid: 0,
  gid: 0,
  size: 10n,
  mtimeNs: 0n,
  ctimeNs: 0n,
  isFile: true,
  isDirectory: false,
  isSymlink: false,
};

/** Where a hash's sealed copy is in this data dir. */
const sealedAt = (sha256: string) => join(DATA, "store", `sha256-${sha256}`);

function plugin(name: PluginName, over: Partial<PluginFacts> = {}): PluginFacts {
  const sha256 = (name === "evm" ? "a" : "b").repeat(64);
  return {
    name,
    vmid: PLUGINS[name].vmid,
    source: {
      state: "matches",
      located: {
        path: `/opt/pars/${name}`,
        rule: "flag",
        realPath: `/opt/pars/${name}`,
        facts: FILE,
      },
    },
    storePath: sealedAt(sha256),
    realPath: sealedAt(sha256),
    sha256,
    pinned: true,
    fromCache: false,
    cacheable: true,
    facts: FILE,
    records: {},
    rpcchainvm: 43,
    registrable: true,
    versionLine: `${name} v1.0.0 [rpcchainvm=43]`,
    ...over,
  };
}

function luxdFacts(
  dialect: "1.13.4" | "1.22.18" = "1.22.18",
  over: Partial<LuxdFacts> = {},
): LuxdFacts {
  const sha256 = "c".repeat(64);
  return {
    path: join(DATA, "bin", "luxd"),
    sealed: {
      name: "luxd",
      sha256,
      pinned: true,
      storePath: sealedAt(sha256),
      realPath: sealedAt(sha256),
      facts: FILE,
      fromCache: false,
      cacheable: true,
      source: {
        state: "matches",
        located: { path: LUXD, rule: "search", realPath: LUXD, facts: FILE },
      },
      records: {},
    },
    link: { state: "missing" },
    version: dialect,
    rpcchainvm: 43,
    flags: FLAGS[dialect],
    source: "probe",
    ...over,
  };
}

type MutableFacts = { -readonly [K in keyof NodeFacts]: NodeFacts[K] };

/** Facts of a node that is ready to run, with `over` replacing whole facts. */
function nodeFacts(over: Partial<MutableFacts> = {}): NodeFacts {
  return {
    env: { home: HOME, os: "linux", uid: 1000, gid: 1000 },
    layout: L,
    cache: {},
    dataDir: { ok: "exists" },
    trust: { ok: [] },
    luxd: { ok: luxdFacts() },
    staking: { ok: { tlsKey: false, tlsCert: false, signerKey: false } },
    strays: { ok: [] },
    plugins: { evm: { ok: plugin("evm") }, sessionvm: { ok: plugin("sessionvm") } },
    nofile: 1_000_000,
    spawnLimits: undefined,
    ports: { http: true, staking: true },
    runningPid: null,
    ...over,
  };
}

const failed = (a: Assessment) => a.checks.filter((c) => c.state === "FAIL");
const named = (a: Assessment, name: string) => a.checks.filter((c) => c.name === name);

/** Asserts that the assessment refuses with exactly one kind of failure. */
function assertRefused(a: Assessment, name: string, code: number, detail?: RegExp): Check[] {
  assert.equal(a.plan, undefined, "no plan when a check failed");
  const fails = failed(a);
  assert.ok(fails.length > 0, "a FAIL check");
  for (const c of fails) {
    assert.equal(c.name, name, `FAIL ${c.name}: ${c.detail}`);
    assert.equal(c.exitCode, code, c.detail);
  }
  if (detail !== undefined) assert.match(fails.map((c) => c.detail).join("\n"), detail);
  assert.equal(exitCodeOfChecks(a.checks), code);
  assert.equal(failureOf(a.checks)?.exitCode, code);
  return fails;
}

/** The value of `--<flag>=` in the plan's args, every occurrence. */
const argValues = (a: Assessment, flag: string) =>
  (a.plan?.args ?? []).filter((x) => x.startsWith(`--${flag}=`)).map((x) =>
    x.slice(flag.length + 3)
  );

Deno.test("assess() gives a plan when every fact is good", async (t) => {
  const a = assess(settingsOf(), nodeFacts(), []);
  await t.step("every check is ok, in doctor's order", () => {
    assert.deepEqual(a.checks.map((c) => [c.name, c.state]), [
      ["instance", "ok"],
      ["data-dir", "ok"],
      ["trust", "ok"],
      ["ports", "ok"],
      ["staking", "ok"],
      ["luxd", "ok"],
      ["luxd flags", "ok"],
      ["fd-limit", "ok"],
      ["genesis", "ok"],
      ["bootstrap", "ok"],
      ["plugin-dir", "ok"],
      ["plugin evm", "ok"],
      ["plugin sessionvm", "ok"],
      ["chain config", "ok"],
      ["luxd argv", "ok"],
    ]);
    assert.equal(exitCodeOfChecks(a.checks), 0);
    assert.equal(failureOf(a.checks), undefined);
  });
  await t.step("the plan names luxd, the dirs, the plugins and no warnings", () => {
    const plan = a.plan!;
    assert.deepEqual(plan.luxd, {
      path: join(DATA, "bin", "luxd"),
      target: sealedAt("c".repeat(64)),
      sha256: "c".repeat(64),
      pinned: true,
      version: "1.22.18",
      rpcchainvm: 43,
      flags: "probe",
    });
    assert.deepEqual(plan.dirs, layoutDirs(L));
    assert.deepEqual(plan.chainConfigFiles, {});
    assert.deepEqual(plan.warnings, []);
    assert.deepEqual(
      plan.plugins.map((p) => [p.name, p.link, p.target, p.pinned, p.rpcchainvm]),
      [
        ["evm", join(L.pluginDir, PLUGINS.evm.vmid), sealedAt("a".repeat(64)), true, 43],
        [
          "sessionvm",
          join(L.pluginDir, PLUGINS.sessionvm.vmid),
          sealedAt("b".repeat(64)),
          true,
          43,
        ],
      ],
    );
  });
  await t.step("luxd's args carry parsd's managed flags and the chain config", () => {
    const args = a.plan!.args;
    assert.deepEqual(args.slice(0, 6), [
      "--network-id=7070",
      `--data-dir=${DATA}`,
      `--plugin-dir=${L.pluginDir}`,
      `--db-dir=${L.dbDir}`,
      "--http-port=9660",
      "--staking-port=9659",
    ]);
    assert.ok(args.includes("--track-all-chains=true"));
    assert.equal(argValues(a, "chain-config-content").length, 1);
    assert.equal(argValues(a, "chain-config-dir").length, 0);
    assert.equal(argValues(a, "fd-limit").length, 0, "the default fits a hard limit of 1000000");
    assert.ok(!args.some((x) => x.startsWith("--staking-tls")), "no key files, none named");
  });
  await t.step("details say what was found", () => {
    assert.equal(named(a, "data-dir")[0]!.detail, DATA);
    assert.match(named(a, "luxd")[0]!.detail, /luxd 1\.22\.18, rpcchainvm 43; flags from probe/);
    assert.equal(named(a, "luxd flags")[0]!.detail, "none given");
    assert.match(named(a, "staking")[0]!.detail, /luxd will generate keys/);
    assert.match(named(a, "plugin evm")[0]!.detail, / pinned, rpcchainvm 43$/);
  });
});

Deno.test("assess() reports what the facts say in its ok details", async (t) => {
  await t.step("a data dir still to be created", () => {
    const a = assess(settingsOf(), nodeFacts({ dataDir: { ok: "will-create" } }), []);
    assert.equal(named(a, "data-dir")[0]!.detail, `${DATA} (will be created)`);
    assert.ok(a.plan);
  });
  await t.step("existing staking files are named and given to luxd", () => {
    const a = assess(
      settingsOf(),
      nodeFacts({ staking: { ok: { tlsKey: true, tlsCert: true, signerKey: false } } }),
      [],
    );
    assert.match(named(a, "staking")[0]!.detail, /\(tlsKey, tlsCert present\)/);
    assert.deepEqual(argValues(a, "staking-tls-key-file"), [L.stakingKey]);
    assert.deepEqual(argValues(a, "staking-tls-cert-file"), [L.stakingCert]);
    assert.deepEqual(argValues(a, "staking-signer-key-file"), []);
  });
  await t.step("luxd's flags from the cache, and a plugin verified from the cache", () => {
    const a = assess(
      settingsOf(),
      nodeFacts({
        luxd: { ok: luxdFacts("1.22.18", { source: "cache" }) },
        plugins: {
          evm: { ok: plugin("evm", { fromCache: true }) },
          sessionvm: { ok: plugin("sessionvm") },
        },
      }),
      [],
    );
    assert.match(named(a, "luxd")[0]!.detail, /flags from cache/);
    assert.equal(a.plan!.luxd.flags, "cache");
    assert.match(named(a, "plugin evm")[0]!.detail, /pinned \(cache\), rpcchainvm 43$/);
  });
  await t.step("pass-through flags luxd knows are listed and appended in order", () => {
    const s = settingsOf({ "luxd-args": ["--log-level=debug"] });
    const a = assess(s, nodeFacts(), ["--http-host=0.0.0.0"]);
    assert.equal(
      named(a, "luxd flags")[0]!.detail,
      "all known to luxd 1.22.18: --log-level=debug --http-host=0.0.0.0",
    );
    assert.deepEqual(a.plan!.args.slice(-2), ["--log-level=debug", "--http-host=0.0.0.0"]);
  });
});

Deno.test("assess() fails with each fact's own error, exit code and no plan", async (t) => {
  const evmFails = (error: ParsdError): Partial<MutableFacts> => ({
    plugins: { evm: { error }, sessionvm: { ok: plugin("sessionvm") } },
  });
  const sessionvmFails = (error: ParsdError): Partial<MutableFacts> => ({
    plugins: { evm: { ok: plugin("evm") }, sessionvm: { error } },
  });
  const cases: [ParsdError, (e: ParsdError) => Partial<MutableFacts>, string, number][] = [
    [
      new CantCreateError("data dir: no parent"),
      (error) => ({ dataDir: { error } }),
      "data-dir",
      73,
    ],
    [new LuxdNotFoundError("luxd not found"), (error) => ({ luxd: { error } }), "luxd", 127],
    [
      new LuxdNotExecutableError("luxd not executable"),
      (error) => ({ luxd: { error } }),
      "luxd",
      126,
    ],
    [new PermissionError("staking open"), (error) => ({ staking: { error } }), "staking", 77],
    [
      new PermissionError("plugin dir denied"),
      (error) => ({ strays: { error } }),
      "plugin-dir",
      77,
    ],
    [new VerificationError("plugin evm: sha256 mismatch"), evmFails, "plugin evm", 65],
    [new NoInputError("plugin sessionvm: not found"), sessionvmFails, "plugin sessionvm", 66],
  ];
  for (const [error, over, name, code] of cases) {
    await t.step(`${error.name} in ${name} → FAIL ${code}`, () => {
      const fails = assertRefused(assess(settingsOf(), nodeFacts(over(error)), []), name, code);
      assert.deepEqual(fails.map((c) => c.detail), error.problems);
    });
  }
  await t.step("an error with several problems gives one FAIL line each", () => {
    const a = assess(
      settingsOf(),
      nodeFacts({ staking: { error: new PermissionError(["dir is 0755", "key is 0640"]) } }),
      [],
    );
    const fails = assertRefused(a, "staking", 77);
    assert.deepEqual(fails.map((c) => c.detail), ["dir is 0755", "key is 0640"]);
  });
  await t.step("the first failure's code wins when several fail", () => {
    const a = assess(
      settingsOf(),
      nodeFacts({
        runningPid: 99,
        dataDir: { error: new CantCreateError("no parent") },
        staking: { error: new PermissionError("open") },
      }),
      [],
    );
    assert.deepEqual(failed(a).map((c) => c.name), ["instance", "data-dir", "staking"]);
    assert.equal(exitCodeOfChecks(a.checks), ExitCode.busy);
    assert.equal(a.plan, undefined);
  });
});

Deno.test("assess() refuses a second parsd on the data dir with 75", async (t) => {
  await t.step("a known pid is named", () => {
    const fails = assertRefused(
      assess(settingsOf(), nodeFacts({ runningPid: 4321 }), []),
      "instance",
      75,
    );
    assert.match(fails[0]!.detail, new RegExp(`parsd pid 4321 is already running on ${DATA}`));
  });
  await t.step("an unannounced holder is '(pid unknown)'", () => {
    const fails = assertRefused(
      assess(settingsOf(), nodeFacts({ runningPid: -1 }), []),
      "instance",
      75,
    );
    assert.match(fails[0]!.detail, /parsd \(pid unknown\) is already running/);
  });
  await t.step("null (we hold the lock) and undefined (no holder) are ok", () => {
    for (const runningPid of [null, undefined]) {
      const a = assess(settingsOf(), nodeFacts({ runningPid }), []);
      assert.equal(named(a, "instance")[0]!.state, "ok");
      assert.ok(a.plan);
    }
  });
});

Deno.test("assess() names each port that cannot be bound (75)", async (t) => {
  await t.step("http only", () => {
    const fails = assertRefused(
      assess(settingsOf(), nodeFacts({ ports: { http: "in use", staking: true } }), []),
      "ports",
      75,
    );
    assert.deepEqual(fails.map((c) => c.detail), [
      "http port 9660 cannot be bound (in use); stop what uses it or choose another --http-port",
    ]);
  });
  await t.step("both, each with its own reason and flag", () => {
    const fails = assertRefused(
      assess(
        settingsOf(),
        nodeFacts({ ports: { http: "in use", staking: "permission denied" } }),
        [],
      ),
      "ports",
      75,
    );
    assert.equal(fails.length, 2);
    assert.match(
      fails[1]!.detail,
      /^staking port 9659 cannot be bound \(permission denied\).*--staking-port$/,
    );
  });
});

Deno.test("assess() refuses a luxd that lacks a flag parsd needs (78), naming version and flags", () => {
  const flags = new Map(FLAGS["1.22.18"]);
  flags.delete("db-dir");
  flags.delete("chain-config-content");
  const a = assess(settingsOf(), nodeFacts({ luxd: { ok: luxdFacts("1.22.18", { flags }) } }), []);
  const fails = assertRefused(a, "luxd flags", 78);
  assert.equal(fails.length, 1);
  assert.match(
    fails[0]!.detail,
    /^luxd 1\.22\.18 \(\/home\/v\/\.pars\/bin\/luxd\) lacks flags parsd cannot do without: --db-dir, --chain-config-content;/,
  );
});

Deno.test("assess() checks pass-through flags and luxd-args against the luxd found (64)", async (t) => {
  const cases: [string, string[], Record<string, unknown> | undefined, RegExp][] = [
    [
      "a misspelt pass-through flag",
      ["--log-levle=info"],
      undefined,
      /^luxd flag '--log-levle=info': luxd 1\.22\.18 has no --log-levle; did you mean --log-level\?/,
    ],
    [
      "a value of the wrong type",
      ["--fd-limit=lots"],
      undefined,
      /^luxd flag '--fd-limit=lots': --fd-limit takes .*got 'lots'/,
    ],
    [
      "parsd's own flag given to luxd",
      ["--dry-run"],
      undefined,
      /has no --dry-run; --dry-run is parsd's own flag/,
    ],
    [
      "an unknown flag in config.json's luxd-args",
      [],
      { "luxd-args": ["--no-such-flag=1"] },
      /^\/home\/v\/\.pars\/config\.json: 'luxd-args' '--no-such-flag=1': luxd 1\.22\.18 has no --no-such-flag/,
    ],
  ];
  for (const [what, passthrough, config, detail] of cases) {
    await t.step(what, () => {
      assertRefused(assess(settingsOf(config), nodeFacts(), passthrough), "luxd flags", 64, detail);
    });
  }
  await t.step("a 1.22 flag on luxd 1.13.4 is refused with the 1.13 name", () => {
    const a = assess(
      settingsOf(),
      nodeFacts({ luxd: { ok: luxdFacts("1.13.4") } }),
      ["--track-chains=abc"],
    );
    assertRefused(a, "luxd flags", 64, /luxd 1\.13\.4 has no --track-chains; .*--track-subnets/);
  });
  await t.step("every problem of both sources at once", () => {
    const a = assess(settingsOf({ "luxd-args": ["--bogus-a=1"] }), nodeFacts(), ["--bogus-b=2"]);
    const fails = assertRefused(a, "luxd flags", 64);
    assert.equal(fails.length, 2);
  });
});

Deno.test("assess() on luxd 1.13.4 warns about tracking and gives no --track-all-chains", async (t) => {
  const f = nodeFacts({ luxd: { ok: luxdFacts("1.13.4") } });
  await t.step("no tracking flag given: a warning, and a plan", () => {
    const a = assess(settingsOf(), f, []);
    const tracking = named(a, "tracking");
    assert.equal(tracking.length, 1);
    assert.equal(tracking[0]!.state, "warn");
    assert.match(tracking[0]!.detail, /luxd 1\.13\.4 has no --track-all-chains.*--track-subnets/);
    assert.ok(a.plan);
    assert.ok(!a.plan.args.some((x) => x.startsWith("--track-all-chains")));
    assert.ok(a.checks.every((c) => c.state !== "FAIL"));
  });
  await t.step("--track-subnets given: no warning", () => {
    const a = assess(settingsOf(), f, ["--track-subnets=abc"]);
    assert.deepEqual(named(a, "tracking"), []);
    assert.ok(a.plan?.args.includes("--track-subnets=abc"));
  });
  await t.step("track-all-chains false in config.json: no warning", () => {
    const a = assess(settingsOf({ "track-all-chains": false }), f, []);
    assert.deepEqual(named(a, "tracking"), []);
  });
  await t.step("luxd 1.22.18: no warning and --track-all-chains=true", () => {
    const a = assess(settingsOf(), nodeFacts(), []);
    assert.deepEqual(named(a, "tracking"), []);
    assert.ok(a.plan?.args.includes("--track-all-chains=true"));
  });
  await t.step("luxd 1.22.18 with --track-chains: exactly those chains", () => {
    const a = assess(settingsOf(), nodeFacts(), ["--track-chains=abc"]);
    assert.ok(!a.plan?.args.includes("--track-all-chains=true"));
  });
});

Deno.test("assess() fits luxd's --fd-limit to the hard open-files limit", async (t) => {
  await t.step("default 32768 above a hard limit of 20000: --fd-limit=20000 and a warning", () => {
    const a = assess(settingsOf(), nodeFacts({ nofile: 20000 }), []);
    assert.deepEqual(argValues(a, "fd-limit"), ["20000"]);
    assert.equal(a.plan!.warnings.length, 1);
    assert.match(a.plan!.warnings[0]!, /default --fd-limit is 32768 but the hard .* is 20000/);
    assert.match(named(a, "fd-limit")[0]!.detail, /passes --fd-limit=20000/);
    assert.equal(named(a, "fd-limit")[0]!.state, "ok");
  });
  for (
    const [where, config, passthrough] of [
      ["a pass-through flag", undefined, ["--fd-limit=10000"]],
      ["config.json's luxd-args", { "luxd-args": ["--fd-limit=10000"] }, []],
    ] as const
  ) {
    await t.step(`the user's --fd-limit wins (${where})`, () => {
      const a = assess(settingsOf(config), nodeFacts({ nofile: 20000 }), passthrough);
      assert.deepEqual(argValues(a, "fd-limit"), ["10000"]);
      assert.deepEqual(a.plan!.warnings, []);
      assert.match(named(a, "fd-limit")[0]!.detail, /your --fd-limit applies/);
    });
  }
  for (const nofile of ["unlimited", undefined, 32768, 40000] as const) {
    await t.step(`hard limit ${nofile}: nothing passed, no warning`, () => {
      const a = assess(settingsOf(), nodeFacts({ nofile }), []);
      assert.deepEqual(argValues(a, "fd-limit"), []);
      assert.deepEqual(a.plan!.warnings, []);
    });
  }
  await t.step("a luxd without --fd-limit: nothing passed", () => {
    const flags = new Map(FLAGS["1.22.18"]);
    flags.delete("fd-limit");
    const a = assess(
      settingsOf(),
      nodeFacts({ nofile: 100, luxd: { ok: luxdFacts("1.22.18", { flags }) } }),
      [],
    );
    assert.deepEqual(argValues(a, "fd-limit"), []);
    assert.match(named(a, "fd-limit")[0]!.detail, /\(none\) fits/);
  });
});

Deno.test("assess() checks what each plugin said of itself", async (t) => {
  const withEvm = (over: Partial<PluginFacts>, f: Partial<MutableFacts> = {}) =>
    nodeFacts({
      plugins: { evm: { ok: plugin("evm", over) }, sessionvm: { ok: plugin("sessionvm") } },
      ...f,
    });
  await t.step("an rpcchainvm protocol other than luxd's → 78", () => {
    assertRefused(
      assess(settingsOf(), withEvm({ rpcchainvm: 42 }), []),
      "plugin evm",
      78,
      /plugin evm speaks rpcchainvm 42 but luxd speaks 43/,
    );
  });
  await t.step("a plugin that did not say its protocol → warn, still a plan", () => {
    const a = assess(settingsOf(), withEvm({ rpcchainvm: undefined }), []);
    const warns = named(a, "plugin evm").filter((c) => c.state === "warn");
    assert.equal(warns.length, 1);
    assert.match(warns[0]!.detail, /did not say its rpcchainvm protocol/);
    assert.ok(a.plan);
    assert.equal(a.plan.plugins[0]!.rpcchainvm, null);
  });
  await t.step("a plugin luxd cannot register → warn, still a plan", () => {
    const a = assess(settingsOf(), withEvm({ registrable: false }), []);
    const warns = named(a, "plugin evm").filter((c) => c.state === "warn");
    assert.equal(warns.length, 1);
    assert.match(warns[0]!.detail, /never mentions LUX_VM_RUNTIME_ENGINE_ADDR/);
    assert.ok(a.plan);
  });
  await t.step("an unpinned plugin → UNPINNED in its check and a warning line", () => {
    const a = assess(settingsOf(), withEvm({ pinned: false }), []);
    assert.match(named(a, "plugin evm")[0]!.detail, /UNPINNED/);
    assert.deepEqual(a.plan!.warnings, [
      `trusting unpinned plugin evm: sha256 ${"a".repeat(64)} (${sealedAt("a".repeat(64))})`,
    ]);
    assert.equal(a.plan!.plugins[0]!.pinned, false);
  });
});

Deno.test("assess() refuses an EVM that will exit on a low hard limit, unless allowed", async (t) => {
  const subnetEvm = (name: PluginName, line: string, nofile: NodeFacts["nofile"]) =>
    nodeFacts({
      nofile,
      plugins: {
        evm: { ok: plugin("evm", name === "evm" ? { versionLine: line } : {}) },
        sessionvm: { ok: plugin("sessionvm", name === "sessionvm" ? { versionLine: line } : {}) },
      },
    });
  const line = "Subnet-EVM/v0.7.3 [Luxd=v1.22.18, rpcchainvm=43]";
  await t.step("hard limit 20000 → 78 naming the limit and the way out", () => {
    assertRefused(
      assess(settingsOf(), subnetEvm("evm", line, 20000), []),
      "plugin evm",
      78,
      /raises its open-file limit to 32768 .* \(20000\).*--allow-vm-failure=evm/,
    );
  });
  await t.step("allow-vm-failure includes evm → warn and a plan", () => {
    const a = assess(
      settingsOf({ "allow-vm-failure": ["evm"] }),
      subnetEvm("evm", line, 20000),
      [],
    );
    const warns = named(a, "plugin evm").filter((c) => c.state === "warn");
    assert.equal(warns.length, 1);
    assert.match(warns[0]!.detail, /accepted by --allow-vm-failure=evm/);
    assert.ok(a.plan);
  });
  await t.step("allowing only sessionvm does not excuse the EVM", () => {
    assertRefused(
      assess(settingsOf({ "allow-vm-failure": ["sessionvm"] }), subnetEvm("evm", line, 20000), []),
      "plugin evm",
      78,
    );
  });
  for (const nofile of [32768, "unlimited", undefined] as const) {
    await t.step(`hard limit ${nofile} → no problem`, () => {
      assert.deepEqual(failed(assess(settingsOf(), subnetEvm("evm", line, nofile), [])), []);
    });
  }
  await t.step("an EVM that does not say 'EVM/' is not judged", () => {
    assert.deepEqual(
      failed(assess(settingsOf(), subnetEvm("evm", "evm 1.0 [rpcchainvm=43]", 20000), [])),
      [],
    );
  });
  await t.step("only the evm plugin is judged by this rule", () => {
    assert.deepEqual(failed(assess(settingsOf(), subnetEvm("sessionvm", line, 20000), [])), []);
  });
});

Deno.test("assess() refuses stray plugin-dir entries (65) with wording for each kind", async (t) => {
  await t.step("a name that is not a VMID", () => {
    const path = join(L.pluginDir, "README");
    assertRefused(
      assess(settingsOf(), nodeFacts({ strays: { ok: [{ path, kind: "invalid" }] } }), []),
      "plugin-dir",
      65,
      new RegExp(`^${path} is not named by a VMID, so luxd would abort start-up`),
    );
  });
  await t.step("a managed VMID with an extension", () => {
    const path = join(L.pluginDir, `${PLUGINS.evm.vmid}.bak`);
    const fails = assertRefused(
      assess(settingsOf(), nodeFacts({ strays: { ok: [{ path, kind: "shadows" }] } }), []),
      "plugin-dir",
      65,
      /is a managed VMID with an extension: luxd strips the extension/,
    );
    assert.doesNotMatch(fails[0]!.detail, /not named by a VMID/);
  });
  await t.step("one line per stray", () => {
    const strays = [
      { path: join(L.pluginDir, "a"), kind: "invalid" as const },
      { path: join(L.pluginDir, "b"), kind: "invalid" as const },
    ];
    const fails = assertRefused(
      assess(settingsOf(), nodeFacts({ strays: { ok: strays } }), []),
      "plugin-dir",
      65,
    );
    assert.equal(fails.length, 2);
    assert.ok(fails.every((c) => c.detail.includes("parsd never deletes it")));
  });
});

Deno.test("assess() writes a chain config too large for the command line as files", async (t) => {
  // Base64 twice over: 60000 bytes of config are far more than the 64 KiB limit.
  const big = settingsOf({ chains: { sessionvm: { config: { blob: "x".repeat(60_000) } } } });
  await t.step("luxd has --chain-config-dir: files, the dir flag, and the dirs to make", () => {
    const a = assess(big, nodeFacts(), []);
    const plan = a.plan!;
    const dir = L.chainConfigDir;
    assert.deepEqual(Object.keys(plan.chainConfigFiles), [
      join(dir, "C", "config.json"),
      join(dir, "S", "config.json"),
    ]);
    assert.deepEqual(JSON.parse(plan.chainConfigFiles[join(dir, "S", "config.json")]!), {
      blob: "x".repeat(60_000),
    });
    assert.deepEqual(argValues(a, "chain-config-dir"), [dir]);
    assert.deepEqual(argValues(a, "chain-config-content"), []);
    assert.deepEqual(plan.dirs, [
      ...layoutDirs(L),
      join(DATA, "configs"),
      dir,
      join(dir, "C"),
      join(dir, "S"),
    ]);
    const check = named(a, "chain config")[0]!;
    assert.equal(check.state, "ok");
    assert.match(check.detail, /too large for the command line, written to/);
    const size = Number(/^(\d+) bytes/.exec(check.detail)![1]);
    assert.ok(size > CHAIN_CONFIG_CONTENT_LIMIT);
  });
  await t.step("luxd lacks --chain-config-dir: 78, no plan", () => {
    const flags = new Map(FLAGS["1.22.18"]);
    flags.delete("chain-config-dir");
    const a = assess(big, nodeFacts({ luxd: { ok: luxdFacts("1.22.18", { flags }) } }), []);
    assertRefused(
      a,
      "chain config",
      78,
      /more than fits on luxd's command line \(65536\), and luxd 1\.22\.18 has no --chain-config-dir/,
    );
  });
  await t.step("a chain ID that cannot name a directory: 78", () => {
    const s = settingsOf({
      chains: { sessionvm: { id: "a/b", config: { blob: "x".repeat(60_000) } } },
    });
    assertRefused(assess(s, nodeFacts(), []), "chain config", 78, /chains\.\* in .*'\/'/);
  });
  await t.step("a small config stays on the command line", () => {
    const a = assess(settingsOf(), nodeFacts(), []);
    assert.match(named(a, "chain config")[0]!.detail, /bytes of base64 on the command line$/);
  });
});

Deno.test("exitCodeOfChecks() is the first FAIL's code, else 0", () => {
  const ok: Check = { name: "a", state: "ok", detail: "" };
  const warn: Check = { name: "b", state: "warn", detail: "" };
  const busy: Check = { name: "c", state: "FAIL", detail: "x", exitCode: 75 };
  const config: Check = { name: "d", state: "FAIL", detail: "y", exitCode: 78 };
  const cases: [Check[], number][] = [
    [[], 0],
    [[ok, warn], 0],
    [[ok, busy, config], 75],
    [[config, warn, busy], 78],
  ];
  for (const [checks, code] of cases) assert.equal(exitCodeOfChecks(checks), code);
});

Deno.test({
  name: "exitCodeOfChecks() gives 1 for a FAIL check without an exit code, as failureOf does",
  ignore: false,
  fn() {
    const checks: Check[] = [{ name: "x", state: "FAIL", detail: "broken" }];
    assert.equal(failureOf(checks)?.exitCode, ExitCode.failure);
    assert.notEqual(exitCodeOfChecks(checks), 0);
  },
});

Deno.test("failureOf() joins every FAIL into one error with the first one's code", async (t) => {
  await t.step("no failure → undefined", () => {
    assert.equal(failureOf([]), undefined);
    assert.equal(failureOf([{ name: "a", state: "warn", detail: "w" }]), undefined);
  });
  await t.step("every FAIL detail, in order, none of the rest", () => {
    const e = failureOf([
      { name: "a", state: "ok", detail: "fine" },
      { name: "b", state: "FAIL", detail: "first", exitCode: 77 },
      { name: "c", state: "warn", detail: "meh" },
      { name: "d", state: "FAIL", detail: "second", exitCode: 65 },
    ]);
    assert.ok(e instanceof ParsdError);
    assert.equal(e.exitCode, 77);
    assert.deepEqual(e.problems, ["first", "second"]);
  });
  await t.step("a FAIL without a code is parsd's own failure (1)", () => {
    assert.equal(failureOf([{ name: "a", state: "FAIL", detail: "x" }])?.exitCode, 1);
  });
  await t.step("doctor's checks and run's error agree on the code", () => {
    const a = assess(settingsOf(), nodeFacts({ staking: { error: new ConfigError("bad") } }), []);
    assert.equal(failureOf(a.checks)?.exitCode, exitCodeOfChecks(a.checks));
  });
});

Deno.test("assess() and the sealed binaries: what runs, where from, and what is refused", async (t) => {
  const withLuxd = (over: Partial<LuxdFacts>) =>
    nodeFacts({ luxd: { ok: luxdFacts("1.22.18", over) } });
  await t.step("directories others can write → FAIL trust, 77, each with its fix", () => {
    const problems = [
      `${DATA}: owned by uid 1000, mode 0777 (writable by group and others); fix: chmod go-w ${DATA}`,
      `${L.pluginDir}: owned by uid 1000, mode 0777 (writable by group and others); fix: chmod go-w ${L.pluginDir}`,
    ];
    const a = assess(settingsOf(), nodeFacts({ trust: { ok: problems } }), []);
    const fails = assertRefused(a, "trust", ExitCode.permission);
    assert.deepEqual(fails.map((c) => c.detail), problems);
  });
  await t.step("a problem several checks meet is one FAIL line, under the first", () => {
    const line =
      `${DATA}: owned by uid 1000, mode 0777 (writable by group and others); fix: chmod go-w ${DATA}`;
    const a = assess(
      settingsOf(),
      nodeFacts({
        trust: { ok: [line] },
        plugins: {
          evm: { error: new PermissionError(line) },
          sessionvm: { ok: plugin("sessionvm") },
        },
      }),
      [],
    );
    assert.deepEqual(failed(a).map((c) => [c.name, c.detail]), [["trust", line]]);
  });
  await t.step("a source changed since its pin → a warning; the sealed copy still runs", () => {
    const sha = "e".repeat(64);
    const source = {
      state: "changed" as const,
      sha256: sha,
      located: {
        path: "/opt/pars/evm",
        rule: "flag" as const,
        realPath: "/opt/pars/evm",
        facts: FILE,
      },
    };
    const a = assess(
      settingsOf(),
      nodeFacts({
        plugins: {
          evm: { ok: plugin("evm", { source }) },
          sessionvm: { ok: plugin("sessionvm") },
        },
      }),
      [],
    );
    const warns = named(a, "plugin evm").filter((c) => c.state === "warn");
    assert.deepEqual(warns.map((c) => c.detail), [
      `/opt/pars/evm: source changed since pin (sha256 ${sha}); luxd runs the pinned copy ${
        sealedAt("a".repeat(64))
      }`,
    ]);
    assert.equal(a.plan!.plugins[0]!.target, sealedAt("a".repeat(64)));
    assert.equal(a.plan!.plugins[0]!.copyFrom, undefined);
  });
  await t.step("a pin with no sealed copy yet: the plan seals it from the source first", () => {
    const a = assess(
      settingsOf(),
      nodeFacts({
        plugins: {
          evm: { ok: plugin("evm", { copyFrom: "/opt/pars/evm", realPath: "/opt/pars/evm" }) },
          sessionvm: { ok: plugin("sessionvm") },
        },
      }),
      [],
    );
    assert.equal(a.plan!.plugins[0]!.copyFrom, "/opt/pars/evm");
    assert.match(
      named(a, "plugin evm")[0]!.detail,
      /pinned, sealed into .*sha256-a{64} before luxd starts/,
    );
  });
  await t.step("luxd runs by <data-dir>/bin/luxd -> its sealed copy", () => {
    const a = assess(settingsOf(), nodeFacts(), []);
    assert.match(
      named(a, "luxd")[0]!.detail,
      new RegExp(
        `^${DATA}/bin/luxd -> ${
          sealedAt("c".repeat(64))
        } from ${LUXD} \\(search\\) \\(luxd 1\\.22\\.18, rpcchainvm 43; flags from probe\\) sha256 c{64} pinned$`,
      ),
    );
  });
  await t.step("an unpinned luxd (trusted) → UNPINNED and a warning naming its hash", () => {
    const base = luxdFacts();
    const a = assess(
      settingsOf(),
      withLuxd({ sealed: { ...base.sealed, pinned: false, copyFrom: LUXD } }),
      [],
    );
    assert.match(named(a, "luxd")[0]!.detail, /UNPINNED/);
    assert.deepEqual(a.plan!.warnings, [
      `trusting unpinned luxd: sha256 ${"c".repeat(64)} (${LUXD})`,
    ]);
    assert.equal(a.plan!.luxd.copyFrom, LUXD);
  });
  await t.step("a file parsd did not make at bin/luxd → FAIL luxd, 73, before anything", () => {
    const a = assess(
      settingsOf(),
      withLuxd({ link: { state: "blocked", kind: "regular file" } }),
      [],
    );
    assertRefused(
      a,
      "luxd",
      ExitCode.cantCreate,
      /bin\/luxd is a regular file parsd did not create/,
    );
  });
});

Deno.test("assess() refuses an argv the OS would not start luxd with, naming the input", async (t) => {
  const limits = { argMax: 2097152, measured: true, env: { bytes: 2000, count: 30 } };
  await t.step("a NUL byte in config.json's luxd-args: 78, no plan", () => {
    const a = assess(
      settingsOf({ "luxd-args": ["--log-level=in\u0000fo"] }),
      nodeFacts({ spawnLimits: limits }),
      [],
    );
    assertRefused(
      a,
      "luxd argv",
      78,
      /'luxd-args' entry 1 "--log-level=in\\u0000fo" holds a NUL byte/,
    );
  });
  await t.step("a luxd flag of MAX_ARG_STRLEN bytes on the command line: 64", () => {
    const a = assess(settingsOf(), nodeFacts({ spawnLimits: limits }), [
      `--log-dir=${"d".repeat(131072)}`,
    ]);
    assertRefused(a, "luxd argv", 64, /^luxd flag 1 .* is 131082 bytes/);
  });
  await t.step("over ARG_MAX as getconf says it (here a small one): 78", () => {
    const a = assess(
      settingsOf({ "luxd-args": ["--log-dir=" + "d".repeat(9000)] }),
      nodeFacts({ spawnLimits: { argMax: 8192, measured: true } }),
      [],
    );
    assertRefused(
      a,
      "luxd argv",
      78,
      /more than this system's ARG_MAX \(getconf ARG_MAX\), 8\.0 KiB/,
    );
  });
  await t.step("within the limits: an ok line with the sizes", () => {
    const a = assess(settingsOf(), nodeFacts({ spawnLimits: limits }), []);
    assert.ok(a.plan);
    assert.match(
      named(a, "luxd argv")[0]!.detail,
      /^\d+ arguments, \d+ bytes with the environment, within ARG_MAX 2097152$/,
    );
  });
});
