/**
 * @module
 * Tests of lib/service.ts. The systemd unit is checked by systemd itself
 * (`systemd-analyze verify`, and its debug dump of how it parsed ExecStart=
 * and ReadWritePaths=) where systemd-analyze is installed; the launchd plist
 * by a small strict XML parser below, and by `xmllint` or `plutil` when present.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  launchdPlist,
  MIN_FD_LIMIT,
  serviceLogPaths,
  type ServiceOptions,
  ServiceOptionsError,
  serviceProblems,
  stopTimeoutSeconds,
  systemdUnit,
} from "../../lib/node/service.ts";

/** Arguments that need every kind of quoting systemd and XML have. */
const AWKWARD_ARGS = [
  "--config=/etc/pars/a&b<c>.json",
  "100%",
  "$HOME",
  "${HOME}",
  ";",
  'q"uote\\back',
  "it's",
  "",
  "naïve",
];

function options(over: Partial<ServiceOptions> = {}): ServiceOptions {
  return {
    parsdCommand: ["/usr/local/bin/parsd", "--data-dir=/var/lib/pars", "--config=/etc/pars.json"],
    dataDir: "/var/lib/pars",
    user: "pars",
    fdLimit: 32768,
    shutdownGraceMs: 30_000,
    description: "Pars validator node (parsd)",
    ...over,
  };
}

function hasProgram(name: string, args: string[]): boolean {
  try {
    new Deno.Command(name, { args, stdout: "null", stderr: "null" }).outputSync();
    return true;
  } catch {
    return false;
  }
}

async function withTempDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "parsd service " });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("systemdUnit() has the restart, limit, sandbox and stop settings", async (t) => {
  const unit = systemdUnit(options());
  const lines = unit.split("\n");
  const expected = [
    "[Unit]",
    "Description=Pars validator node (parsd)",
    "[Service]",
    "Type=exec",
    "ExecStart=/usr/local/bin/parsd --data-dir=/var/lib/pars --config=/etc/pars.json",
    "User=pars",
    "Restart=on-failure",
    "RestartPreventExitStatus=64 65 77 78 126 127",
    "SuccessExitStatus=143",
    "LimitNOFILE=32768",
    "KillMode=mixed",
    "KillSignal=SIGTERM",
    "TimeoutStopSec=40",
    "NoNewPrivileges=true",
    "ProtectSystem=strict",
    "ReadWritePaths=/var/lib/pars",
    "PrivateTmp=true",
    "[Install]",
    "WantedBy=multi-user.target",
  ];
  for (const line of expected) {
    await t.step(line, () => assert.ok(lines.includes(line), unit));
  }
  await t.step("no User= without a user", () => {
    const { user: _, ...rest } = options();
    assert.ok(!systemdUnit(rest).includes("User="));
  });
});

Deno.test("serviceProblems() refuses a grace over an hour: no TimeoutStopSec=2160010", () => {
  assert.deepEqual(serviceProblems(options({ shutdownGraceMs: 2_160_000_000 })), [
    "shutdown grace must be at most 3600000 ms (1h), got 2160000000",
  ]);
  assert.throws(() => systemdUnit(options({ shutdownGraceMs: 3_600_001 })), ServiceOptionsError);
  assert.match(systemdUnit(options({ shutdownGraceMs: 3_600_000 })), /^TimeoutStopSec=3610$/m);
});

Deno.test("stopTimeoutSeconds() is parsd's grace, rounded up, plus a 10 s margin", () => {
  const cases: [number, number][] = [[0, 10], [1, 11], [30_000, 40], [30_001, 41], [120_000, 130]];
  for (const [ms, s] of cases) assert.equal(stopTimeoutSeconds(ms), s);
});

Deno.test("serviceProblems() reports every problem at once; the builders throw them", () => {
  const bad = options({
    parsdCommand: ["parsd", "--x=a\nb"],
    dataDir: "relative/dir",
    user: "bad user",
    fdLimit: 1024,
    shutdownGraceMs: -1,
    description: "oops \\",
    label: "bad label",
  });
  const problems = serviceProblems(bad);
  assert.deepEqual(problems, [
    'parsd path must be absolute: "parsd"',
    'parsd command argument 1 contains a control character: "--x=a\\nb"',
    'data dir must be absolute: "relative/dir"',
    "description ends with a backslash",
    'invalid user name: "bad user"',
    'invalid launchd label: "bad label"',
    `fd limit must be an integer of at least ${MIN_FD_LIMIT} (luxd's default), got 1024`,
    "shutdown grace must be a whole number of milliseconds, got -1",
  ]);
  for (const build of [systemdUnit, launchdPlist]) {
    assert.throws(
      () => build(bad),
      (e: unknown) => e instanceof ServiceOptionsError && e.problems.length === problems.length,
    );
  }
  assert.deepEqual(serviceProblems(options({ parsdCommand: [] })), ["parsd command is empty"]);
  assert.deepEqual(serviceProblems(options()), []);
});

/** Splits systemd's debug dump of a command line back into words. */
function dumpWords(line: string): string[] {
  const words: string[] = [];
  let i = 0;
  const escapes: Record<string, string> = { n: "\n", t: "\t" };
  while (i < line.length) {
    if (line[i] === " ") {
      i++;
      continue;
    }
    let word = "";
    const quoted = line[i] === '"';
    if (quoted) i++;
    while (i < line.length && (quoted ? line[i] !== '"' : line[i] !== " ")) {
      if (line[i] === "\\") {
        const c = line[++i]!;
        word += escapes[c] ?? c;
      } else word += line[i];
      i++;
    }
    if (quoted) i++;
    words.push(word);
  }
  return words;
}

Deno.test("systemd-analyze verify accepts the unit and reads ExecStart= and ReadWritePaths= back unchanged", async (t) => {
  if (!hasProgram("systemd-analyze", ["--version"])) {
    await t.step({
      name: "skipped: systemd-analyze is not installed (apt-get install systemd)",
      ignore: true,
      fn: () => {},
    });
    return;
  }
  await withTempDir(async (dir) => {
    const bin = join(dir, "bin dir");
    const dataDir = join(dir, 'data dir 100% $x \\ "q"');
    await Deno.mkdir(bin);
    await Deno.mkdir(dataDir);
    const parsd = join(bin, "parsd");
    await Deno.writeTextFile(parsd, "#!/bin/sh\n", { mode: 0o755 });
    const argv = [parsd, `--data-dir=${dataDir}`, ...AWKWARD_ARGS];
    const unitPath = join(dir, "parsd.service");
    await Deno.writeTextFile(
      unitPath,
      systemdUnit(options({ parsdCommand: argv, dataDir, user: "pars" })),
    );

    const verify = async (path: string) => {
      const r = await new Deno.Command("systemd-analyze", {
        args: ["verify", "--man=no", path],
        stdout: "piped",
        stderr: "piped",
      }).output();
      return { code: r.code, stderr: new TextDecoder().decode(r.stderr) };
    };
    await t.step("verify: exit 0 and not a single warning", async () => {
      const r = await verify(unitPath);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, "");
    });
    await t.step(
      "verify does warn about a unit with a mistake (the check above can fail)",
      async () => {
        const broken = join(dir, "broken", "parsd.service");
        await Deno.mkdir(join(dir, "broken"));
        const text = await Deno.readTextFile(unitPath);
        await Deno.writeTextFile(broken, text.replace("[Service]\n", "[Service]\nKillMod=mixed\n"));
        assert.match((await verify(broken)).stderr, /Unknown key 'KillMod'/);
      },
    );

    const r = await new Deno.Command("systemd-analyze", {
      args: ["verify", "--man=no", unitPath],
      env: { SYSTEMD_LOG_LEVEL: "debug", SYSTEMD_LOG_TARGET: "console" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dump = new TextDecoder().decode(r.stderr) + new TextDecoder().decode(r.stdout);
    const commandLine = /^\s*Command Line: (.*)$/m.exec(dump)?.[1];
    const readWrite = /^\s*ReadWritePaths: (.*)$/m.exec(dump)?.[1];
    await t.step({
      name: commandLine === undefined
        ? "skipped: this systemd-analyze prints no 'Command Line:' in its debug dump"
        : "ExecStart= reads back as the argv, once systemd turns $$ into $ at run time",
      ignore: commandLine === undefined,
      fn: () => {
        const words = dumpWords(commandLine!).map((w) => w.replaceAll("$$", "$"));
        assert.deepEqual(words, argv);
      },
    });
    await t.step({
      name: readWrite === undefined
        ? "skipped: this systemd-analyze prints no 'ReadWritePaths:' in its debug dump"
        : "ReadWritePaths= reads back as the data dir",
      ignore: readWrite === undefined,
      fn: () => assert.equal(readWrite, dataDir),
    });
  });
});

// --- A small strict XML parser, enough for property lists. ---

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: (XmlElement | string)[];
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decodeText(raw: string, at: number): string {
  if (raw.includes("<")) throw new SyntaxError(`'<' in text at ${at}`);
  return raw.replace(/&([^;]*);?/g, (whole, name: string) => {
    if (!whole.endsWith(";")) throw new SyntaxError(`unterminated entity at ${at}`);
    if (name in ENTITIES) return ENTITIES[name]!;
    const n = /^#(\d+)$/.exec(name)?.[1] ?? /^#x([0-9a-f]+)$/i.exec(name)?.[1];
    if (n === undefined) throw new SyntaxError(`unknown entity &${name}; at ${at}`);
    return String.fromCodePoint(parseInt(n, name[1] === "x" ? 16 : 10));
  });
}

/** Parses a whole XML document: declaration, optional DOCTYPE, one root element. */
function parseXml(text: string): XmlElement {
  let i = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at offset ${i}: ${JSON.stringify(text.slice(i, i + 30))}`);
  };
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(text)) fail("control character");
  const skipSpace = () => {
    while (/\s/.test(text[i] ?? "")) i++;
  };
  const decl = /^<\?xml version="1\.0" encoding="UTF-8"\?>/.exec(text);
  if (!decl) fail("no XML declaration");
  i = decl![0].length;
  skipSpace();
  if (text.startsWith("<!DOCTYPE", i)) {
    const end = text.indexOf(">", i);
    if (end < 0 || text.slice(i, end).includes("[")) fail("bad DOCTYPE");
    i = end + 1;
    skipSpace();
  }
  const element = (): XmlElement => {
    const open = /^<([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"<&]*")*)\s*(\/?)>/.exec(
      text.slice(i),
    );
    if (!open) return fail("expected an element");
    const attributes: Record<string, string> = {};
    for (const m of open![2]!.matchAll(/([A-Za-z_][\w.-]*)="([^"]*)"/g)) {
      if (m[1]! in attributes) fail(`duplicate attribute ${m[1]}`);
      attributes[m[1]!] = m[2]!;
    }
    i += open![0].length;
    const node: XmlElement = { name: open![1]!, attributes, children: [] };
    if (open![3] === "/") return node;
    for (;;) {
      const lt = text.indexOf("<", i);
      if (lt < 0) fail(`unclosed <${node.name}>`);
      if (lt > i) node.children.push(decodeText(text.slice(i, lt), i));
      i = lt;
      if (text.startsWith("</", i)) {
        const close = `</${node.name}>`;
        if (!text.startsWith(close, i)) fail(`expected ${close}`);
        i += close.length;
        return node;
      }
      node.children.push(element());
    }
  };
  const root = element();
  skipSpace();
  if (i !== text.length) fail("content after the root element");
  return root;
}

type PlistValue = string | number | boolean | PlistValue[] | { [key: string]: PlistValue };

/** Interprets a plist element as a JS value; throws on anything a plist cannot hold. */
function plistValue(e: XmlElement): PlistValue {
  const elements = e.children.filter((c): c is XmlElement => {
    if (typeof c === "string") {
      if (c.trim() !== "" && e.name !== "string" && e.name !== "integer" && e.name !== "key") {
        throw new SyntaxError(`text in <${e.name}>`);
      }
      return false;
    }
    return true;
  });
  const text = e.children.filter((c) => typeof c === "string").join("");
  switch (e.name) {
    case "string":
      return text;
    case "integer":
      assert.match(text, /^-?\d+$/);
      return Number(text);
    case "true":
    case "false":
      assert.equal(e.children.length, 0);
      return e.name === "true";
    case "array":
      return elements.map(plistValue);
    case "dict": {
      const out: { [key: string]: PlistValue } = {};
      assert.equal(elements.length % 2, 0, "dict has a key without value");
      for (let k = 0; k < elements.length; k += 2) {
        const key = elements[k]!;
        assert.equal(key.name, "key");
        const name = key.children.join("");
        assert.ok(!(name in out), `duplicate key ${name}`);
        out[name] = plistValue(elements[k + 1]!);
      }
      return out;
    }
    default:
      throw new SyntaxError(`<${e.name}> is not a plist value`);
  }
}

function parsePlist(text: string): PlistValue {
  const root = parseXml(text);
  assert.equal(root.name, "plist");
  assert.deepEqual(root.attributes, { version: "1.0" });
  const values = root.children.filter((c): c is XmlElement => typeof c !== "string");
  assert.equal(values.length, 1);
  return plistValue(values[0]!);
}

Deno.test("the test's XML parser rejects what is not well-formed", async (t) => {
  const head = '<?xml version="1.0" encoding="UTF-8"?>\n';
  const bad: [string, string][] = [
    ["a raw ampersand", "<a>x & y</a>"],
    ["an unknown entity", "<a>&nbsp;</a>"],
    ["mismatched tags", "<a><b></a></b>"],
    ["an unclosed element", "<a>"],
    ["two roots", "<a/><b/>"],
    ["an unquoted attribute", "<a x=1/>"],
  ];
  for (const [name, body] of bad) {
    await t.step(name, () => assert.throws(() => parseXml(head + body), SyntaxError));
  }
  await t.step("a good document", () => {
    assert.deepEqual(parseXml(head + '<a x="1">&lt;&#65;&#x42;</a>'), {
      name: "a",
      attributes: { x: "1" },
      children: ["<AB"],
    });
  });
});

Deno.test("launchdPlist() is a well-formed plist with the job's settings, every string intact", () => {
  const dataDir = "/Users/me/Library/Pars & <co> \"x\" 'y'";
  const argv = ["/Users/me/bin/parsd", `--data-dir=${dataDir}`, ...AWKWARD_ARGS];
  const plist = launchdPlist(options({ parsdCommand: argv, dataDir, label: "network.pars.parsd" }));
  assert.deepEqual(parsePlist(plist), {
    Label: "network.pars.parsd",
    ProgramArguments: argv,
    UserName: "pars",
    RunAtLoad: true,
    KeepAlive: { SuccessfulExit: false },
    ThrottleInterval: 10,
    SoftResourceLimits: { NumberOfFiles: 32768 },
    HardResourceLimits: { NumberOfFiles: 32768 },
    ExitTimeOut: 40,
    StandardOutPath: `${dataDir}/logs/parsd.stdout.log`,
    StandardErrorPath: `${dataDir}/logs/parsd.stderr.log`,
  });
  assert.deepEqual(serviceLogPaths("/d/"), {
    stdout: "/d/logs/parsd.stdout.log",
    stderr: "/d/logs/parsd.stderr.log",
  });
});

Deno.test("launchdPlist() without user or label: no UserName, Label parsd", () => {
  const { user: _, ...rest } = options();
  const value = parsePlist(launchdPlist(rest)) as Record<string, PlistValue>;
  assert.equal(value["Label"], "parsd");
  assert.ok(!("UserName" in value));
});

Deno.test("launchdPlist() passes xmllint or plutil where one is installed", async (t) => {
  const plist = launchdPlist(options({ parsdCommand: ["/bin/parsd", ...AWKWARD_ARGS] }));
  const tools: [string, string[]][] = [["xmllint", ["--noout"]], ["plutil", ["-lint"]]];
  for (const [tool, args] of tools) {
    const present = hasProgram(tool, ["--version"]) || hasProgram(tool, ["-help"]);
    await t.step({
      name: present ? `${tool} ${args.join(" ")}` : `skipped: ${tool} is not installed`,
      ignore: !present,
      fn: async () => {
        await withTempDir(async (dir) => {
          const file = join(dir, "parsd.plist");
          await Deno.writeTextFile(file, plist);
          const r = await new Deno.Command(tool, { args: [...args, file], stderr: "piped" })
            .output();
          assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
        });
      },
    });
  }
});
