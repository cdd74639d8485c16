/**
 * Property: whatever the command line, the environment, config.json's JSON
 * and the type of each file parsd reads (regular, empty, not UTF-8, a
 * directory, a FIFO, a device, a dangling or looping link, absent), parsd
 * returns a documented exit code (never 1), prints at most a few lines on
 * stderr, never hangs, and changes no file a command has no business
 * changing: nothing at all for a command that only reads.
 *
 * In process, with the fake system over real temp files and the real data
 * dir lock (so `parsd.pid` is a real file). Paths are confined to each run's
 * temp dir. Seeded: see `seed.ts`.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { main } from "../../lib/cli/main.ts";
import { type Command, COMMANDS } from "../../lib/cli/commands.ts";
import { flagsOf, OPTION_ENVS, OPTION_ROWS, OPTIONS } from "../../lib/cli/options.ts";
import { parseArgs } from "../../lib/cli/args.ts";
import { MAX_PROBLEMS_SHOWN } from "../../lib/cli/problem_lines.ts";
import { ExitCode } from "../../lib/errors.ts";
import { join } from "../../lib/os/path.ts";
import { denoSystem } from "../../lib/os/system.ts";
import { REPO, snapshot } from "../helpers.ts";
import { type InProcessNode, withInProcessNode } from "../cli/commands/kit.ts";
import { CAN_MKFIFO, makeFifos, withFifoRescue } from "../fifo.ts";
import { check } from "./seed.ts";

/** What can be at a path parsd reads. */
const KINDS = [
  "absent",
  "regular",
  "empty",
  "binary",
  "directory",
  "fifo",
  "device",
  "dangling",
  "loop",
] as const;
type Kind = typeof KINDS[number];

/** The files a run lays out, by role. */
const ROLES = ["config", "given", "cache", "pid", "warm", "cert", "sums"] as const;
type Role = typeof ROLES[number];

function rolePath(n: InProcessNode, role: Role): string {
  return {
    config: join(n.dataDir, "config.json"),
    given: join(n.root, "given.json"),
    cache: join(n.dataDir, "verify-cache.json"),
    pid: join(n.dataDir, "parsd.pid"),
    warm: join(n.dataDir, "warm-start.json"),
    cert: join(n.dataDir, "staking", "staker.crt"),
    sums: join(n.root, "SHA256SUMS"),
  }[role];
}

const CERT = Deno.readTextFileSync(join(REPO, "tests", "fixtures", "luxd", "staker-example.crt"));

/** A regular file's text for a role. */
const content = (role: Role, json: string, words: string): string =>
  role === "config" || role === "given"
    ? json
    : role === "cert"
    ? (words.length % 2 === 0 ? CERT : words)
    : role === "pid"
    ? `${words.length}\n`
    : role === "sums"
    ? `${"a".repeat(64)}  evm\n${words}\n`
    : json;

/** Lays one file out. */
function place(path: string, kind: Kind, text: string, fifos: string[]): void {
  switch (kind) {
    case "absent":
      return;
    case "regular":
      return Deno.writeTextFileSync(path, text);
    case "empty":
      return Deno.writeTextFileSync(path, "");
    case "binary":
      return Deno.writeFileSync(path, new Uint8Array([0x7b, 0xff, 0xfe, 0x00, 0x7d]));
    case "directory":
      return Deno.mkdirSync(path);
    case "fifo":
      if (!CAN_MKFIFO) return;
      makeFifos(path);
      fifos.push(path);
      return;
    case "device":
      return Deno.symlinkSync("/dev/null", path);
    case "dangling":
      return Deno.symlinkSync(`${path}.gone`, path);
    case "loop":
      return Deno.symlinkSync(path, path);
  }
}

/** A path-like value that stays inside the run's temp dir. */
const safeWord = fc.stringMatching(/^[A-Za-z0-9_.=,:-]{0,12}$/).filter((w) => !w.includes(".."));

/** A value for a flag or a variable: common shapes, the run's files, or a word. */
const anyValue = fc.oneof(
  fc.constantFrom("", "0", "1", "7070", "65536", "true", "false", "mainnet", "1s", "-1", "evm"),
  fc.constantFrom("@given", "@sums", "@cert", "@data", "@missing", "@luxd", "@evm"),
  safeWord,
);

const FLAG_NAMES = OPTION_ROWS.filter(([, o]) => o.flag !== undefined).map(([n]) => n);

/** A word that is anything but what the command expects: other flags, luxd flags, junk. */
const noise = fc.oneof(
  fc.tuple(fc.constantFrom(...FLAG_NAMES), anyValue).map(([n, v]) => `--${n}=${v}`),
  fc.constantFrom("--log-level=info", "--", "-h", "--bogus", "--plugin-dir=/x", "list", "x"),
  anyValue,
);

/** The words each command takes after its name, right or nearly. */
const WORDS: Partial<Record<Command, fc.Arbitrary<string[]>>> = {
  plugins: fc.tuple(
    fc.constantFrom("list", "verify", "pin", "bogus"),
    fc.subarray(["evm", "sessionvm", "luxd"]),
  ).map(([a, names]) => [a, ...names]),
  "node-id": fc.constantFrom([], ["@cert"], ["@given"], ["@missing"]),
  genesis: fc.constantFrom(["check", "@given"], ["check"], []),
  service: fc.constantFrom(["systemd"], ["launchd"], []),
  vmid: fc.constantFrom(["evm"], ["sessionvm"], []),
  help: fc.constantFrom([], ["run"], ["plugins"]),
};

/** Values a flag takes when it is right: most runs should get past the parser. */
const GOOD: Readonly<Record<string, readonly string[]>> = {
  "network-id": ["mainnet", "7072"],
  "data-dir": ["@data"],
  config: ["@given"],
  "http-port": ["19660"],
  "staking-port": ["19661"],
  luxd: ["@luxd"],
  "evm-plugin": ["@evm"],
  "sessionvm-plugin": ["@sessionvm"],
  "shutdown-grace": ["5s"],
  verify: ["cache", "full"],
  "allow-vm-failure": ["evm"],
  from: ["@sums"],
  genesis: ["@given"],
};

/** A flag's value: a right one, or anything. */
const valueFor = (name: string) =>
  GOOD[name] === undefined
    ? anyValue
    : fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...GOOD[name]!) }, anyValue);

/** A command's own flags, with values from {@linkcode valueFor}. */
function ownFlags(c: Command): fc.Arbitrary<string[]> {
  const own = flagsOf(c).map(([n]) => n).filter((n) => n !== "help" && n !== "version");
  if (own.length === 0) return fc.constant([]);
  return fc.array(
    fc.constantFrom(...own).chain((n) =>
      valueFor(n).map((v) => OPTIONS[n].flag === "switch" ? `--${n}` : `--${n}=${v}`)
    ),
    { maxLength: 4 },
  ).map((flags) =>
    [...new Set(flags.map((f) => f.split("=")[0]))].map((n) =>
      flags.find((f) => f.split("=")[0] === n)!
    )
  );
}

const RUNNABLE = COMMANDS.filter((c) => c !== "devnet"); // devnet starts child parsds

/** A command line: mostly well formed for its command, sometimes with noise. */
const argvArb = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.constantFrom(...RUNNABLE).chain((c) =>
      fc.tuple(
        fc.constant(c),
        WORDS[c] ?? fc.constant([]),
        ownFlags(c),
        fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: noise }),
      ).map((
        [c, words, flags, extra],
      ) => [c, ...words, ...flags, ...(extra === null ? [] : [extra])])
    ),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(safeWord, fc.array(noise, { maxLength: 4 })).map(([c, r]) => [c, ...r]),
  },
);

/** HOME and PARS_* values; HOME is the node's home unless a bad value is drawn. */
const envArb = fc.record({
  home: fc.oneof({ weight: 5, arbitrary: fc.constant("@home") }, {
    weight: 1,
    arbitrary: fc.constantFrom("", "rel", "@missing"),
  }),
  pars: fc.dictionary(fc.constantFrom(...OPTION_ENVS), anyValue, { maxKeys: 3 }),
});

const layoutArb = fc.record({
  dataDir: fc.boolean(),
  kinds: fc.record(
    Object.fromEntries(ROLES.map((r) => [r, fc.constantFrom(...KINDS)])) as Record<
      Role,
      fc.Arbitrary<Kind>
    >,
  ),
  json: fc.oneof(
    fc.json({ maxDepth: 3 }),
    fc.constantFrom("{}", '{"network-id": "mainnet"}', '{"a": 1, "a": 2}', "[]"),
  ),
  words: fc.string({ maxLength: 20 }),
});

const DOCUMENTED = new Set<number>(Object.values(ExitCode).filter((c) => c !== ExitCode.failure));

/** Whether a command line only reads (so nothing may change on disk). */
function readsOnly(argv: string[]): boolean {
  let a;
  try {
    a = parseArgs(argv);
  } catch {
    return true;
  }
  if (a.command === "run") return a.flags["dry-run"] === true;
  if (a.command === "init") return false;
  if (a.command === "plugins") return a.positionals[0] !== "pin";
  return true;
}

Deno.test("property: any argv, env, config and file types end in a documented code, a few lines, no change", async () => {
  await check(
    fc.asyncProperty(argvArb, envArb, layoutArb, async (argv0, env0, layout) => {
      await withInProcessNode(async (n) => {
        const fifos: string[] = [];
        const swap = (v: string) =>
          v.replace(/^@given$/, rolePath(n, "given")).replace(/^@sums$/, rolePath(n, "sums"))
            .replace(/^@cert$/, rolePath(n, "cert")).replace(/^@data$/, n.dataDir)
            .replace(/^@missing$/, join(n.root, "missing", "x")).replace(/^@home$/, n.home)
            .replace(/^@luxd$/, n.luxd).replace(/^@evm$/, n.evm).replace(
              /^@sessionvm$/,
              n.sessionvm,
            );
        const argv = argv0.map((t) => t.replace(/@[a-z]+$/, (m) => swap(m)));
        if (layout.dataDir) {
          Deno.mkdirSync(join(n.dataDir, "staking"), { recursive: true, mode: 0o700 });
          Deno.chmodSync(n.dataDir, 0o700);
          Deno.chmodSync(join(n.dataDir, "staking"), 0o700);
        }
        for (const role of ROLES) {
          const path = rolePath(n, role);
          if (!layout.dataDir && path.startsWith(n.dataDir)) continue;
          place(path, layout.kinds[role], content(role, layout.json, layout.words), fifos);
        }
        const env: Record<string, string> = { HOME: swap(env0.home) };
        for (const [k, v] of Object.entries(env0.pars)) env[k] = swap(v);
        const inputs = await snapshot(n.root);
        const fake = n.fake({ env });
        const sys = { ...fake.sys, lock: denoSystem.lock };
        const code = await withFifoRescue(fifos, () => main(argv, sys));
        const what = `argv ${JSON.stringify(argv)} env ${JSON.stringify(env)}\n${fake.err()}`;
        assert.ok(DOCUMENTED.has(code), `exit ${code}: ${what}`);
        assert.doesNotMatch(fake.err(), /error: unexpected: |Requires .*access|\n\s+at /, what);
        const lines = fake.err().split("\n").filter((l) => l !== "");
        if (code !== 0) {
          assert.ok(lines.length <= MAX_PROBLEMS_SHOWN + 2, `${lines.length} lines: ${what}`);
        }
        for (const l of lines) assert.match(l, /^(parsd: |usage: parsd )/, what);
        const after = await snapshot(n.root);
        if (readsOnly(argv)) assert.deepEqual(after, inputs, `changed files: ${what}`);
        else {
          // Whatever else it makes, parsd never touches the user's named inputs (init may
          // create the config it is named, nothing more).
          const user = (s: string[]) => s.filter((l) => /\/(given\.json|SHA256SUMS)\b/.test(l));
          for (const l of user(inputs)) assert.ok(after.includes(l), `changed ${l}: ${what}`);
          if (argv[0] !== "init") {
            assert.deepEqual(user(after), user(inputs), `changed an input: ${what}`);
          }
        }
      });
    }),
    150,
  );
});
