/**
 * End-to-end: no process outlives parsd. parsd's main.ts under the start
 * task's permissions runs the luxd stand-in, which can start a child that
 * ignores SIGTERM (as a stuck VM plugin would); real signals, real
 * processes. Where this runs as root with setpriv, the group-kill cases run
 * again as nobody (65534), to show they need no privilege.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { makeNode, type Node, REPO, waitFor } from "./helpers.ts";
import { gone, recordedPids, waitGone } from "./processes.ts";
import { parsdArgv } from "../scripts/kit.ts";

const NOBODY = 65534;

/** Whether this process may act as nobody: root, with setpriv installed. */
function canBeNobody(): boolean {
  if (Deno.uid() !== 0) return false;
  try {
    return new Deno.Command("setpriv", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

const AS_NOBODY = canBeNobody();
const USERS = ["root", "nobody"] as const;
type User = typeof USERS[number];

/**
 * deno, its cache and parsd's sources where nobody can read them: deno's own
 * live under /root (0700), and a clone may sit in a 0700 dir (`mktemp -d`).
 */
interface NobodyDeno {
  readonly deno: string;
  readonly denoDir: string;
  readonly root: string;
  /** A copy of what parsd runs from: deno.json, deno.lock, main.ts and lib/. */
  readonly repo: string;
}

let cachedDenoDir: string | undefined;
/** deno's cache (parsd's npm dependencies), which a clean environment would not find. */
function denoDir(): string {
  return cachedDenoDir ??= JSON.parse(
    new TextDecoder().decode(
      new Deno.Command(Deno.execPath(), { args: ["info", "--json"], stdout: "piped" }).outputSync()
        .stdout,
    ),
  ).denoDir as string;
}

let nobodyDeno: Promise<NobodyDeno> | undefined;

/** Links (or, across file systems, copies) deno and its cache into a temp dir, once. */
function denoForNobody(): Promise<NobodyDeno> {
  return nobodyDeno ??= (async () => {
    const root = await Deno.makeTempDir({ prefix: "parsd-nobody-deno-" });
    await Deno.chmod(root, 0o755);
    const deno = join(root, "deno");
    const real = Deno.realPathSync(Deno.execPath());
    await Deno.link(real, deno).catch(() => Deno.copyFile(real, deno));
    const cp = async (flags: string) =>
      (await new Deno.Command("cp", { args: [flags, denoDir(), join(root, "cache")] }).output())
        .success;
    if (!await cp("-al") && !await cp("-a")) throw new Error(`cannot copy ${denoDir()}`);
    const repo = join(root, "repo");
    await Deno.mkdir(repo, { mode: 0o755 });
    const sources = ["deno.json", "deno.lock", "main.ts", "lib"].map((f) => join(REPO, f));
    const copied = await new Deno.Command("cp", { args: ["-a", ...sources, repo] }).output();
    if (!copied.success) throw new Error(`cannot copy parsd's sources to ${repo}`);
    // The luxd stand-in answers from these.
    await Deno.mkdir(join(repo, "fixtures"));
    const fixtures = await new Deno.Command("cp", {
      args: ["-a", join(REPO, "tests", "fixtures", "luxd"), join(repo, "fixtures")],
    }).output();
    if (!fixtures.success) throw new Error(`cannot copy the luxd fixtures to ${repo}`);
    const readable = await new Deno.Command("chmod", { args: ["-R", "a+rX", root] }).output();
    if (!readable.success) throw new Error(`cannot make ${root} readable`);
    addEventListener("unload", () => Deno.removeSync(root, { recursive: true }));
    return { deno, denoDir: join(root, "cache"), root, repo };
  })();
}

/** {@linkcode parsdArgv} for a copy of parsd's sources in `repo`. */
function parsdArgvIn(repo: string, args: readonly string[]): string[] {
  return parsdArgv(args).map((a) =>
    a === join(REPO, "deno.json")
      ? join(repo, "deno.json")
      : a === join(REPO, "main.ts")
      ? join(repo, "main.ts")
      : a
  );
}

/** A running parsd whose stderr is collected as it comes. */
interface Running {
  readonly child: Deno.ChildProcess;
  stderr(): string;
  /** Waits for the exit, then for the end of stderr. */
  done(): Promise<Deno.CommandStatus>;
}

async function startParsd(
  n: Node,
  args: readonly string[],
  env: Record<string, string>,
  user: User,
): Promise<Running> {
  const nobody = user === "nobody" ? await denoForNobody() : undefined;
  const prefix = nobody
    ? ["setpriv", `--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", nobody.deno]
    : [Deno.execPath()];
  const child = new Deno.Command(prefix[0]!, {
    args: [...prefix.slice(1), ...(nobody ? parsdArgvIn(nobody.repo, args) : parsdArgv(args))],
    cwd: nobody ? nobody.repo : REPO,
    clearEnv: true,
    env: {
      PATH: "/usr/bin:/bin",
      NO_COLOR: "1",
      DENO_DIR: nobody ? nobody.denoDir : denoDir(),
      ...n.env,
      ...(nobody ? { FAKE_LUXD_FIXTURES: join(nobody.repo, "fixtures", "luxd") } : {}),
      ...env,
    },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let text = "";
  const dec = new TextDecoder();
  const pump = (async () => {
    for await (const chunk of child.stderr) text += dec.decode(chunk, { stream: true });
  })();
  return {
    child,
    stderr: () => text,
    done: async () => {
      const status = await child.status;
      await pump;
      return status;
    },
  };
}

/** A pinned node, owned by nobody when the test runs as nobody. */
async function withNode(user: User, f: (n: Node) => Promise<void>) {
  const n = await makeNode();
  try {
    await n.pin();
    if (user === "nobody") {
      await Deno.chmod(n.root, 0o755);
      const chown = await new Deno.Command("chown", { args: ["-R", `${NOBODY}:${NOBODY}`, n.root] })
        .output();
      assert.ok(chown.success, "chown");
    }
    await f(n);
  } finally {
    await n.cleanup();
  }
}

const ready = async (n: Node, p: Running) => {
  try {
    await waitFor(async () => (await n.recordText())?.includes("ready") ?? false, "luxd");
  } catch (error) {
    throw new Error(`the luxd stand-in never got ready; parsd said:\n${p.stderr()}`, {
      cause: error,
    });
  }
};
const pidOf = async (n: Node) => recordedPids((await n.recordText())!, "pid")[0]!;
const childOf = async (n: Node) => recordedPids((await n.recordText())!, "child")[0]!;

const named = (name: string, user: User) =>
  user === "root"
    ? name
    : AS_NOBODY
    ? `${name} (as nobody)`
    : `${name} (as nobody) [skipped: needs root and setpriv to act as uid ${NOBODY}]`;

for (const user of USERS) {
  Deno.test({
    name: named(
      "a luxd child that ignores SIGTERM is gone after the grace; luxd's code passes",
      user,
    ),
    ignore: user === "nobody" && !AS_NOBODY,
    async fn() {
      await withNode(user, async (n) => {
        const p = await startParsd(n, ["--shutdown-grace=400ms"], {
          FAKE_LUXD_SLEEP: "30",
          FAKE_LUXD_CHILD: "1",
        }, user);
        await ready(n, p);
        const [luxd, child] = [await pidOf(n), await childOf(n)];
        const uid = /^Uid:\s+(\d+)/m.exec(Deno.readTextFileSync(`/proc/${luxd}/status`))?.[1];
        assert.equal(Number(uid), user === "root" ? 0 : NOBODY, "luxd's uid");
        p.child.kill("SIGTERM");
        const status = await p.done();
        assert.equal(status.code, 143, p.stderr());
        assert.ok(gone(luxd), "luxd outlived parsd");
        await waitGone(child, "luxd's child (it ignores SIGTERM)", 5_000);
      });
    },
  });

  Deno.test({
    name: named(
      "a luxd that ignores SIGTERM, and its child, are SIGKILLed as a group after the grace",
      user,
    ),
    ignore: user === "nobody" && !AS_NOBODY,
    async fn() {
      await withNode(user, async (n) => {
        const p = await startParsd(n, ["--shutdown-grace=300ms"], {
          FAKE_LUXD_SLEEP: "30",
          FAKE_LUXD_IGNORE_TERM: "1",
          FAKE_LUXD_CHILD: "1",
        }, user);
        await ready(n, p);
        const [luxd, child] = [await pidOf(n), await childOf(n)];
        p.child.kill("SIGTERM");
        const status = await p.done();
        assert.equal(status.code, 137);
        assert.match(
          p.stderr(),
          /luxd still running 300 ms after SIGTERM; sending SIGKILL to luxd's process group/,
        );
        assert.ok(gone(luxd), "luxd outlived parsd");
        await waitGone(child, "luxd's child", 5_000);
      });
    },
  });

  Deno.test({
    name: named(
      "a SIGKILLed parsd leaves nothing: luxd's group keeper stops luxd and its child",
      user,
    ),
    ignore: user === "nobody" && !AS_NOBODY,
    async fn() {
      await withNode(user, async (n) => {
        const p = await startParsd(n, ["--shutdown-grace=300ms"], {
          FAKE_LUXD_SLEEP: "30",
          FAKE_LUXD_CHILD: "1",
        }, user);
        await ready(n, p);
        const [luxd, child] = [await pidOf(n), await childOf(n)];
        p.child.kill("SIGKILL");
        assert.equal((await p.done()).signal, "SIGKILL");
        await waitGone(luxd, "luxd, after parsd was SIGKILLed", 5_000);
        await waitGone(child, "luxd's child, after parsd was SIGKILLed", 5_000);
        assert.match((await n.recordText())!, /signal TERM/, "luxd was asked to stop first");
      });
    },
  });
}

Deno.test("SIGALRM no longer kills parsd (luxd runs on); SIGUSR2 goes to luxd, and parsd exits with its code", async () => {
  await withNode("root", async (n) => {
    const p = await startParsd(n, [], { FAKE_LUXD_SLEEP: "30" }, "root");
    await ready(n, p);
    const luxd = await pidOf(n);
    p.child.kill("SIGALRM");
    await waitFor(() => Promise.resolve(/ignoring SIGALRM/.test(p.stderr())), "parsd's log line");
    assert.ok(!gone(p.child.pid) && !gone(luxd), "parsd and luxd both still run");
    p.child.kill("SIGUSR2");
    const status = await p.done();
    // bash, like a Go program without a handler, dies of SIGUSR2: 128 + 12.
    assert.equal(status.code, 140, p.stderr());
    assert.ok(gone(luxd), "luxd outlived parsd");
  });
});

Deno.test("a second parsd after a signal storm finds no luxd left running", async () => {
  await withNode("root", async (n) => {
    const p = await startParsd(n, ["--shutdown-grace=300ms"], { FAKE_LUXD_SLEEP: "30" }, "root");
    await ready(n, p);
    const luxd = await pidOf(n);
    for (const s of ["SIGALRM", "SIGVTALRM", "SIGPROF", "SIGXCPU", "SIGTRAP", "SIGSYS"] as const) {
      p.child.kill(s);
    }
    await waitFor(() => Promise.resolve(/ignoring SIGSYS/.test(p.stderr())), "parsd's log lines");
    assert.ok(!gone(p.child.pid), "parsd died of an ignored signal");
    p.child.kill("SIGTERM");
    assert.equal((await p.done()).code, 143);
    assert.ok(gone(luxd));
    await Deno.remove(n.record);
    const again = await startParsd(n, [], {}, "root");
    assert.equal((await again.done()).code, 0, again.stderr());
    assert.equal(recordedPids((await n.recordText())!, "pid").length, 1);
  });
});

Deno.test("luxd runs in a process group and session of its own", async () => {
  await withNode("root", async (n) => {
    const p = await startParsd(n, [], { FAKE_LUXD_SLEEP: "30" }, "root");
    await ready(n, p);
    const luxd = await pidOf(n);
    const fields = Deno.readTextFileSync(`/proc/${luxd}/stat`).split(") ")[1]!.split(" ");
    assert.equal(Number(fields[2]), luxd, "pgid");
    assert.equal(Number(fields[3]), luxd, "sid");
    p.child.kill("SIGINT");
    assert.equal((await p.done()).code, 130);
    assert.match((await n.recordText())!, /^signal INT$/m);
  });
});
