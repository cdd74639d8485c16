/**
 * @module
 * Attacks on what luxd runs, each made for real: parsd (main.ts under the start
 * task's permissions) runs a stand-in luxd that, once started, waits for the
 * test's signal and then runs every plugin through its `plugins/<VMID>` link,
 * as luxd does whenever it starts a VM process, so a swap made while the node
 * runs shows in what ran. The attacker is another user (nobody, 65534, through
 * `setpriv`), so these tests run only as root; elsewhere they skip by name.
 * Each one fails on a parsd that links plugins to their sources, runs the luxd
 * it finds, or trusts files other users can write:
 * - the in-place rewrite of a pinned plugin's source while the node runs;
 * - the replacement of a source in a directory others can write;
 * - a swapped link in a `plugins/` others can write;
 * - a config.json others can write, pointing `luxd` at their script;
 * - a replaced luxd, and a luxd another user owns.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { parsd, REPO, type Result, spawnParsd } from "./helpers.ts";

const NOBODY = 65534;

/** Whether this process may act as nobody (root, with setpriv installed). */
function canActAsNobody(): boolean {
  if (Deno.uid() !== 0 || Deno.build.os !== "linux") return false;
  try {
    return new Deno.Command("setpriv", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

const AS_NOBODY = canActAsNobody();

/** A test that needs another user; a named skip where there is none to be. */
function attack(name: string, fn: () => Promise<void>): void {
  Deno.test({
    name: AS_NOBODY ? name : `${name} [skipped: needs root and setpriv to act as uid ${NOBODY}]`,
    ignore: !AS_NOBODY,
    fn,
  });
}

/** Runs a shell script as nobody; its exit code. */
async function asNobody(script: string): Promise<number> {
  const out = await new Deno.Command("setpriv", {
    args: [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "sh", "-c", script],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  if (out.code !== 0) console.error(new TextDecoder().decode(out.stderr));
  return out.code;
}

/** Quotes a word for sh. */
const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * The stand-in luxd: answers --help and --version as luxd 1.22.18 (through
 * `tests/luxd_standin.sh`); run, it records its argv0, waits for the trigger
 * file, then runs each plugin-dir entry, recording what it printed.
 */
function standInLuxd(): string {
  return [
    "#!/bin/sh",
    'case "${1:-}" in',
    `--help | -h | --version | --version-json) exec ${
      q(join(REPO, "tests", "luxd_standin.sh"))
    } "$@" ;;`,
    "esac",
    "dir=",
    'for a in "$@"; do case "$a" in --plugin-dir=*) dir="${a#--plugin-dir=}" ;; esac; done',
    'echo "ready $0" >> "$TRUST_RECORD"',
    "i=0",
    'while [ ! -e "$TRUST_TRIGGER" ] && [ "$i" -lt 400 ]; do sleep 0.05; i=$((i + 1)); done',
    'for p in "$dir"/*; do "$p" >> "$TRUST_RECORD" 2>&1; done',
    'echo done >> "$TRUST_RECORD"',
    "",
  ].join("\n");
}

/** A plugin that says who it is. */
const plugin = (name: string) => `#!/bin/sh\necho "pinned ${name}"\n`;

/** What the attacker puts in place of a binary: it leaves a mark and says so. */
const payload = (mark: string) => `#!/bin/sh\ntouch ${q(mark)}\necho ATTACKER\n`;

/** A throwaway node another user can reach where the test says so. */
interface Site {
  readonly root: string;
  readonly dataDir: string;
  readonly luxd: string;
  readonly evm: string;
  readonly sessionvm: string;
  readonly record: string;
  readonly trigger: string;
  /** Where an attacker's binary leaves its mark when it runs. */
  readonly mark: string;
  /** nobody's own directory (0755, owned by nobody). */
  readonly attacker: string;
  readonly env: Record<string, string>;
  readonly args: readonly string[];
  run(args?: readonly string[]): Promise<Result>;
  recordText(): Promise<string>;
  marked(): Promise<boolean>;
}

/** Two free loopback ports. */
function freePorts(): [number, number] {
  const ls = [0, 1].map(() => Deno.listen({ hostname: "127.0.0.1", port: 0 }));
  try {
    return ls.map((l) => (l.addr as Deno.NetAddr).port) as [number, number];
  } finally {
    for (const l of ls) l.close();
  }
}

async function withSite(
  f: (s: Site) => Promise<void>,
  o: { pluginDir?: string; luxdDir?: string } = {},
): Promise<void> {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "parsd-trust-" }));
  try {
    await Deno.chmod(root, 0o755); // so that nobody can reach what the test opens to them
    const dir = async (p: string, mode = 0o755) => {
      await Deno.mkdir(p, { recursive: true });
      await Deno.chmod(p, mode);
      return p;
    };
    const home = await dir(join(root, "home"));
    const bin = await dir(join(root, o.pluginDir ?? "bin"));
    const luxdDir = await dir(join(root, o.luxdDir ?? "lbin"));
    const attacker = await dir(join(root, "nobody"));
    await Deno.chown(attacker, NOBODY, NOBODY);
    const write = async (p: string, text: string) => {
      await Deno.writeTextFile(p, text);
      await Deno.chmod(p, 0o755);
      return p;
    };
    const luxd = await write(join(luxdDir, "luxd"), standInLuxd());
    const evm = await write(join(bin, "evm"), plugin("evm"));
    const sessionvm = await write(join(bin, "sessionvm"), plugin("sessionvm"));
    const record = join(root, "record.txt");
    const trigger = join(root, "trigger");
    const mark = join(attacker, "ran");
    const [http, staking] = freePorts();
    const env = {
      HOME: home,
      PARS_LUXD: luxd,
      PARS_EVM_PLUGIN: evm,
      PARS_SESSIONVM_PLUGIN: sessionvm,
      TRUST_RECORD: record,
      TRUST_TRIGGER: trigger,
    };
    const args = [`--http-port=${http}`, `--staking-port=${staking}`];
    await f({
      root,
      dataDir: join(home, ".pars"),
      luxd,
      evm,
      sessionvm,
      record,
      trigger,
      mark,
      attacker,
      env,
      args,
      run: (a = []) => parsd([...a, ...args], { env }),
      recordText: () => Deno.readTextFile(record).catch(() => ""),
      marked: () => Deno.lstat(mark).then(() => true, () => false),
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

/** Pins all three binaries with `parsd plugins pin`, which seals them into the store. */
async function pinAll(s: Site): Promise<void> {
  const r = await parsd(["plugins", "pin"], { env: s.env });
  assert.equal(r.code, 0, r.stderr);
}

/**
 * Starts `parsd run`, lets `during` attack once luxd is up (if it ever comes
 * up), then lets luxd run its plugins, and waits for parsd.
 */
async function runThrough(s: Site, during: () => Promise<void>): Promise<Deno.CommandStatus> {
  const child = spawnParsd([...s.args], { env: s.env });
  const status = child.status;
  let exited = false;
  status.then(() => exited = true);
  const deadline = Date.now() + 20_000;
  while (!exited && !(await s.recordText()).includes("ready") && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
  }
  await during();
  await Deno.writeTextFile(s.trigger, "");
  const [done] = await Promise.all([status, child.stdout.cancel(), child.stderr.cancel()]);
  return done;
}

attack(
  "in-place rewrite of a pinned plugin's source while the node runs: luxd runs the pinned bytes",
  async () => {
    await withSite(async (s) => {
      await pinAll(s);
      const status = await runThrough(s, async () => {
        // The owner slips (a group/other-writable mode), and another user rewrites the file in place.
        await Deno.chmod(s.evm, 0o777);
        assert.equal(await asNobody(`cat > ${q(s.evm)} <<'EOF'\n${payload(s.mark)}EOF`), 0);
        assert.match(await Deno.readTextFile(s.evm), /ATTACKER/, "the attack took");
      });
      assert.equal(status.code, 0);
      const record = await s.recordText();
      assert.match(record, /^pinned evm$/m);
      assert.doesNotMatch(record, /ATTACKER/);
      assert.equal(await s.marked(), false);
      const doctor = await s.run(["doctor"]);
      assert.match(
        doctor.stdout,
        /^warn\s+plugin evm\s+.*\/bin\/evm: source changed since pin \(sha256 [0-9a-f]{64}\); luxd runs the pinned copy /m,
      );
    });
  },
);

attack(
  "a source replaced in a directory others can write: the pinned copy runs; such a source is never pinned",
  async () => {
    await withSite(async (s) => {
      await pinAll(s);
      const drop = join(s.root, "bin");
      const status = await runThrough(s, async () => {
        await Deno.chmod(drop, 0o777); // a shared drop dir, not sticky
        const fake = join(drop, ".evm.new");
        assert.equal(
          await asNobody(
            `cat > ${q(fake)} <<'EOF'\n${payload(s.mark)}EOF\nchmod 755 ${q(fake)} && mv -f ${
              q(fake)
            } ${q(s.evm)}`,
          ),
          0,
        );
      });
      assert.equal(status.code, 0);
      assert.match(await s.recordText(), /^pinned evm$/m);
      assert.doesNotMatch(await s.recordText(), /ATTACKER/);
      assert.equal(await s.marked(), false);
      const repin = await parsd(["plugins", "pin", "evm", "--replace"], { env: s.env });
      assert.equal(repin.code, 77, repin.stderr);
      assert.match(
        repin.stderr,
        new RegExp(
          `${drop}: .*mode 0777 \\(writable by group and others\\); fix: chmod go-w ${drop}`,
        ),
      );
      assert.equal(await s.marked(), false);
    });
  },
);

attack(
  "a plugin link swapped in a plugins/ others can write: refused (77) before luxd starts",
  async () => {
    await withSite(async (s) => {
      await pinAll(s);
      const plugins = join(s.dataDir, "plugins");
      await Deno.mkdir(plugins, { mode: 0o700 });
      await Deno.chmod(s.dataDir, 0o711); // nobody may pass through to plugins/, as to ~/.ssh's parent
      await Deno.chmod(plugins, 0o777);
      const evil = join(s.attacker, "evil");
      assert.equal(
        await asNobody(`printf '%s' ${q(payload(s.mark))} > ${q(evil)} && chmod 755 ${q(evil)}`),
        0,
      );
      const status = await runThrough(s, async () => {
        const link = join(plugins, "srEXiWaHuhNyGwPUi444Tu47ZEDwxTWrbQiuD7FmgSAQ6X7Dy");
        await asNobody(
          `ln -s ${q(evil)} ${q(`${link}.tmp`)} && mv -f ${q(`${link}.tmp`)} ${q(link)}`,
        );
      });
      assert.equal(status.code, 77);
      assert.doesNotMatch(await s.recordText(), /ready|ATTACKER/);
      assert.equal(await s.marked(), false);
      const doctor = await s.run(["doctor"]);
      assert.equal(doctor.code, 77);
      assert.match(
        doctor.stdout,
        new RegExp(
          `^FAIL\\s+trust\\s+${plugins}: .*mode 0777 \\(writable by group and others\\); fix: chmod go-w ${plugins}$`,
          "m",
        ),
      );
    });
  },
);

attack(
  "a config.json others can write, its luxd pointed at their script: refused (77) before anything runs it",
  async () => {
    await withSite(async (s) => {
      await pinAll(s);
      // A shared config (given with --config) left writable by all.
      const etc = join(s.root, "etc");
      await Deno.mkdir(etc);
      await Deno.chmod(etc, 0o755);
      const config = join(etc, "config.json");
      await Deno.copyFile(join(s.dataDir, "config.json"), config);
      await Deno.chmod(config, 0o666);
      const evil = join(s.attacker, "luxd");
      assert.equal(
        await asNobody(`printf '%s' ${q(payload(s.mark))} > ${q(evil)} && chmod 755 ${q(evil)}`),
        0,
      );
      const doc = JSON.parse(await Deno.readTextFile(config));
      // (An attacker who can write the file can write the pins too; the path alone is enough here.)
      const redirected = { ...doc, luxd: evil };
      assert.equal(
        await asNobody(`printf '%s' ${q(JSON.stringify(redirected))} > ${q(config)}`),
        0,
      );
      const { PARS_LUXD: _, ...env } = s.env;
      const commands = [["doctor", ...s.args], [...s.args], ["version"], ["plugins", "verify"]];
      for (const argv of commands) {
        const r = await parsd([...argv, "--config", config], { env });
        assert.equal(r.code, 77, `${argv.join(" ")}: ${r.stdout}${r.stderr}`);
        assert.match(
          r.stdout + r.stderr,
          new RegExp(
            `config ${config} is not safe to trust .*: ${config}: owned by uid 0, mode 0666 \\(writable by group and others\\); fix: chmod go-w ${config}`,
          ),
        );
      }
      assert.equal(await s.marked(), false, "the attacker's luxd never ran");
    });
  },
);

attack(
  "a replaced luxd: the pinned copy runs, doctor says so; a luxd another user owns is never pinned",
  async () => {
    await withSite(async (s) => {
      await pinAll(s);
      const lbin = join(s.root, "lbin");
      await Deno.chmod(lbin, 0o777);
      const fake = join(lbin, ".luxd.new");
      assert.equal(
        await asNobody(
          `printf '%s' ${q(payload(s.mark))} > ${q(fake)} && chmod 755 ${q(fake)} && mv -f ${
            q(fake)
          } ${q(s.luxd)}`,
        ),
        0,
      );
      const status = await runThrough(s, () => Promise.resolve());
      assert.equal(status.code, 0);
      const record = await s.recordText();
      assert.match(
        record,
        new RegExp(`^ready ${join(s.dataDir, "bin", "luxd")}$`, "m"),
        "argv0 is luxd's own name",
      );
      assert.match(record, /^pinned sessionvm$/m);
      assert.equal(await s.marked(), false);
      const doctor = await s.run(["doctor"]);
      assert.match(
        doctor.stdout,
        /^warn\s+luxd\s+.*\/lbin\/luxd: source changed since pin .*; luxd runs the pinned copy /m,
      );
      assert.equal(await s.marked(), false, "doctor only hashed the replaced luxd");
      // A luxd another user owns: never pinned, and never run even with --trust-unpinned.
      const theirs = join(s.attacker, "theirs");
      assert.equal(
        await asNobody(
          `printf '%s' ${q(payload(s.mark))} > ${q(theirs)} && chmod 755 ${q(theirs)}`,
        ),
        0,
      );
      const env = { ...s.env, PARS_LUXD: theirs };
      const owned = new RegExp(`luxd: ${theirs}: owned by uid ${NOBODY} \\(neither 0 nor root\\)`);
      const pin = await parsd(["plugins", "pin", "luxd", "--replace"], { env });
      assert.equal(pin.code, 77, pin.stderr);
      assert.match(pin.stderr, owned);
      const version = await parsd(["version"], { env });
      assert.equal(version.code, 0, version.stderr);
      assert.match(
        version.stdout,
        new RegExp(
          `^luxd: not run: ${s.attacker}: owned by uid ${NOBODY} \\(neither 0 nor root\\)`,
          "m",
        ),
      );
      const config = join(s.dataDir, "config.json");
      const { "luxd-sha256": _, luxd: __, ...unpinned } = JSON.parse(
        await Deno.readTextFile(config),
      );
      await Deno.writeTextFile(config, JSON.stringify(unpinned));
      const trusted = await parsd(["--trust-unpinned", ...s.args], { env });
      assert.equal(trusted.code, 77, trusted.stderr);
      assert.match(trusted.stderr, owned);
      assert.equal(await s.marked(), false);
    });
  },
);
