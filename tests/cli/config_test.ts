import assert from "node:assert/strict";
import {
  type ConfigFacts,
  lineColumn,
  locateConfig,
  resolveSettings,
} from "../../lib/cli/config.ts";
import { ConfigError, ExitCode, NoInputError, UsageError } from "../../lib/errors.ts";

function facts(
  flags: Record<string, string | boolean> = {},
  env: Record<string, string> = {},
): ConfigFacts {
  return { flags, env: (n) => env[n], home: "/home/v", cwd: "/work" };
}

Deno.test("resolveSettings() applies Pars defaults", () => {
  const s = resolveSettings(facts(), undefined);
  assert.equal(s.networkId, 7070);
  assert.equal(s.httpPort, 9660);
  assert.equal(s.stakingPort, 9659);
  assert.equal(s.dataDir, "/home/v/.pars");
  assert.equal(s.configPath, "/home/v/.pars/config.json");
  assert.equal(s.configFound, false);
  assert.equal(s.shutdownGraceMs, 30_000);
  assert.equal(s.verify, "cache");
  assert.equal(s.trustUnpinned, false);
  assert.deepEqual(s.allowVmFailure, []);
  assert.equal(s.trackAllChains, true);
  assert.equal(s.warpApi, true);
  assert.equal(s.luxd, undefined);
  assert.equal(s.chains.evm.id, "C");
  assert.equal(s.chains.sessionvm.id, "S");
  assert.deepEqual(s.precompiles, {
    "ml-dsa-65": "0x0601",
    "ml-kem-768": "0x0603",
    "bls12-381": "0x0B00",
    "ringtail": "0x0700",
    "fhe": "0x0800",
  });
});

Deno.test("resolveSettings() takes flags over env over config.json over defaults", async (t) => {
  const file = JSON.stringify({ "network-id": 7072, "http-port": 1000, "staking-port": 1001 });
  await t.step("config over defaults", () => {
    const s = resolveSettings(facts(), file);
    assert.deepEqual([s.networkId, s.httpPort, s.stakingPort], [7072, 1000, 1001]);
    assert.equal(s.configFound, true);
  });
  await t.step("env over config", () => {
    const s = resolveSettings(
      facts({}, { PARS_NETWORK_ID: "testnet", PARS_HTTP_PORT: "2000" }),
      file,
    );
    assert.deepEqual([s.networkId, s.httpPort, s.stakingPort], [7071, 2000, 1001]);
  });
  await t.step("flags over env", () => {
    const s = resolveSettings(
      facts({ "network-id": "mainnet", "http-port": "3000" }, { PARS_NETWORK_ID: "7071" }),
      file,
    );
    assert.deepEqual([s.networkId, s.httpPort], [7070, 3000]);
  });
  await t.step("an empty env variable counts as unset", () => {
    const s = resolveSettings(facts({}, { PARS_HTTP_PORT: "" }), file);
    assert.equal(s.httpPort, 1000);
  });
  await t.step("data dir and config path from flag, env, default", () => {
    assert.equal(resolveSettings(facts({ "data-dir": "rel" }), undefined).dataDir, "/work/rel");
    assert.equal(
      resolveSettings(facts({}, { PARS_DATA_DIR: "~/p" }), undefined).configPath,
      "/home/v/p/config.json",
    );
  });
  await t.step("plugin path: flag over env over config", () => {
    const cfg = JSON.stringify({ plugins: { evm: { path: "bin/evm" } } });
    assert.deepEqual(resolveSettings(facts(), cfg).plugins.evm, {
      path: "/home/v/.pars/bin/evm",
      pathSource: "config",
    });
    const env = facts({}, { PARS_EVM_PLUGIN: "/e" });
    assert.deepEqual(resolveSettings(env, cfg).plugins.evm, { path: "/e", pathSource: "env" });
    const flag = facts({ "evm-plugin": "/f" }, { PARS_EVM_PLUGIN: "/e" });
    assert.deepEqual(resolveSettings(flag, cfg).plugins.evm, { path: "/f", pathSource: "flag" });
  });
  await t.step("allow-vm-failure: flag over config, default none", () => {
    const cfg = JSON.stringify({ "allow-vm-failure": ["sessionvm"] });
    assert.deepEqual(resolveSettings(facts(), cfg).allowVmFailure, ["sessionvm"]);
    assert.deepEqual(
      resolveSettings(facts({ "allow-vm-failure": "evm,sessionvm" }), cfg).allowVmFailure,
      ["evm", "sessionvm"],
    );
  });
});

Deno.test("locateConfig() finds the config from --config, PARS_CONFIG or the data dir", async (t) => {
  const cases: [string, ConfigFacts, { configPath: string; named: boolean; dataDir?: string }][] = [
    ["default", facts(), { configPath: "/home/v/.pars/config.json", named: false }],
    [
      "--data-dir",
      facts({ "data-dir": "/d" }),
      { configPath: "/d/config.json", named: false, dataDir: "/d" },
    ],
    ["--config, relative to cwd", facts({ config: "c.json" }), {
      configPath: "/work/c.json",
      named: true,
    }],
    ["PARS_CONFIG with ~", facts({}, { PARS_CONFIG: "~/c.json" }), {
      configPath: "/home/v/c.json",
      named: true,
    }],
    ["--config over PARS_CONFIG", facts({ config: "/f.json" }, { PARS_CONFIG: "/e.json" }), {
      configPath: "/f.json",
      named: true,
    }],
  ];
  for (const [name, f, expected] of cases) {
    await t.step(name, () => assert.deepEqual(locateConfig(f), expected));
  }
});

Deno.test("resolveSettings() refuses a config named by --config or PARS_CONFIG that does not exist", async (t) => {
  const cases: [string, ConfigFacts][] = [
    ["--config", facts({ config: "/nowhere/c.json" })],
    ["PARS_CONFIG", facts({}, { PARS_CONFIG: "/nowhere/c.json" })],
  ];
  for (const [name, f] of cases) {
    await t.step(name, () => {
      assert.throws(
        () => resolveSettings(f, undefined),
        (e: unknown) =>
          e instanceof NoInputError && e.exitCode === ExitCode.noInput &&
          /\/nowhere\/c\.json .*does not exist.*parsd init --config/.test(e.message),
      );
    });
    await t.step(`${name}, when the command may create it (init)`, () => {
      const s = resolveSettings(f, undefined, { mayCreateConfig: true });
      assert.equal(s.configPath, "/nowhere/c.json");
      assert.equal(s.configFound, false);
    });
  }
  await t.step("the default config may be missing", () => {
    assert.equal(resolveSettings(facts(), undefined).configFound, false);
  });
});

Deno.test("resolveSettings() accepts a config.json that starts with a UTF-8 BOM", () => {
  const s = resolveSettings(facts(), "\uFEFF" + JSON.stringify({ "http-port": 1234 }));
  assert.equal(s.httpPort, 1234);
});

Deno.test("resolveSettings() reports every config problem at once, naming key and value", () => {
  const file = JSON.stringify({
    "netwrok-id": 1,
    "http-port": 70000,
    "shutdown-grace": "soon",
    plugins: { evm: { sha256: "abc" }, sesionvm: {} },
    chains: { evm: { id: "" } },
    precompiles: { "ml-dsa-65": "nope" },
  });
  try {
    resolveSettings(facts(), file);
    assert.fail("expected a ConfigError");
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.exitCode, ExitCode.config);
    const text = e.message;
    assert.match(text, /unknown key 'netwrok-id'; did you mean 'network-id'\?/);
    assert.match(text, /'http-port' 70000: must be an integer from 1 to 65535/);
    assert.match(text, /'shutdown-grace' "soon": must be a duration/);
    assert.match(text, /'plugins\.evm\.sha256' "abc": must be 64 hex digits/);
    assert.match(text, /unknown key 'sesionvm'; did you mean 'sessionvm'\?/);
    assert.match(text, /'chains\.evm\.id' "": must be a chain alias or ID/);
    assert.match(text, /'precompiles\.ml-dsa-65' "nope"/);
    assert.equal(e.problems.length, 7);
  }
});

Deno.test("resolveSettings() gives malformed JSON's line and column", () => {
  assert.throws(
    () => resolveSettings(facts(), '{\n  "http-port": 1,\n  oops\n}'),
    (e: unknown) => e instanceof ConfigError && /config\.json:3:3: malformed JSON/.test(e.message),
  );
});

Deno.test("resolveSettings() refuses a key given twice, naming its path and both lines", () => {
  const text = [
    "{",
    '  "plugins": {',
    '    "evm": {"sha256": "' + "a".repeat(64) + '",',
    '            "sha256": "' + "b".repeat(64) + '"}',
    "  },",
    '  "http-port": 9000,',
    '  "http-port": 9001',
    "}",
  ].join("\n");
  assert.throws(
    () => resolveSettings(facts(), text),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.exitCode, ExitCode.config);
      assert.deepEqual(e.problems, [
        "/home/v/.pars/config.json:4: duplicate key 'plugins.evm.sha256' (also on line 3); JSON keeps only the last one silently: keep one",
        "/home/v/.pars/config.json:7: duplicate key 'http-port' (also on line 6); JSON keeps only the last one silently: keep one",
      ]);
      return true;
    },
  );
  // The same key in different objects is no duplicate.
  resolveSettings(
    facts(),
    '{"plugins": {"evm": {"sha256": "' + "a".repeat(64) + '"}, "sessionvm": {"sha256": "' +
      "b".repeat(64) + '"}}}',
  );
});

Deno.test("resolveSettings() makes bad flag values usage errors", async (t) => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ "network-id": "abc" }, /--network-id "abc": must be a positive integer/],
    [{ "network-id": "-5" }, /--network-id "-5"/],
    [{ "http-port": "0" }, /--http-port "0"/],
    [{ "staking-port": "x1" }, /--staking-port "x1"/],
    [{ "http-port": "9659" }, /both 9659; give them different values/],
    [{ verify: "some" }, /--verify "some": must be 'cache' or 'full'/],
    [{ "allow-vm-failure": "evm,geth" }, /--allow-vm-failure "evm,geth": must name plugins/],
  ];
  for (const [flags, message] of cases) {
    await t.step(JSON.stringify(flags), () => {
      assert.throws(
        () => resolveSettings(facts(flags), undefined),
        (e: unknown) => e instanceof UsageError && message.test(e.message),
      );
    });
  }
});

Deno.test("resolveSettings() makes bad env values config errors", () => {
  assert.throws(
    () => resolveSettings(facts({}, { PARS_SHUTDOWN_GRACE: "soon" }), undefined),
    (e: unknown) =>
      e instanceof ConfigError && /PARS_SHUTDOWN_GRACE "soon": must be a duration/.test(e.message),
  );
});

Deno.test("resolveSettings() rejects managed flags in luxd-args", () => {
  assert.throws(
    () => resolveSettings(facts(), JSON.stringify({ "luxd-args": ["--plugin-dir=/x"] })),
    (e: unknown) => e instanceof ConfigError && /luxd-args.*--plugin-dir/.test(e.message),
  );
});

Deno.test("resolveSettings() asks for --flag=value when luxd-args holds a bare word", () => {
  assert.throws(
    () => resolveSettings(facts(), JSON.stringify({ "luxd-args": ["--log-level", "info"] })),
    (e: unknown) =>
      e instanceof ConfigError &&
      /'luxd-args': 'info' is not a flag; .*"--log-level=info"/.test(e.message),
  );
  assert.deepEqual(
    resolveSettings(facts(), JSON.stringify({ "luxd-args": ["--log-level=info"] })).luxdArgs,
    ["--log-level=info"],
  );
});

Deno.test("lineColumn() gives 1-based line and column of an offset", () => {
  assert.deepEqual(lineColumn("ab\ncd", 4), { line: 2, column: 2 });
  assert.deepEqual(lineColumn("ab", 0), { line: 1, column: 1 });
});
