/**
 * Tests for lib/errors.ts: each error class's stable exit code, and how any
 * thrown value is printed and turned into an exit code.
 */
import assert from "node:assert/strict";
import {
  BusyError,
  CantCreateError,
  ConfigError,
  ExitCode,
  exitCodeOf,
  formatError,
  LuxdNotExecutableError,
  LuxdNotFoundError,
  NoInputError,
  ParsdError,
  PermissionError,
  UsageError,
  VerificationError,
} from "../lib/errors.ts";

const CLASSES: [new (p: string | readonly string[], o?: ErrorOptions) => ParsdError, number][] = [
  [UsageError, 64],
  [VerificationError, 65],
  [NoInputError, 66],
  [CantCreateError, 73],
  [BusyError, 75],
  [PermissionError, 77],
  [ConfigError, 78],
  [LuxdNotExecutableError, 126],
  [LuxdNotFoundError, 127],
];

Deno.test("each error class carries its sysexits code", async (t) => {
  for (const [Class, code] of CLASSES) {
    await t.step(`${Class.name} → ${code}`, () => {
      const e = new Class("what failed; what to do");
      assert.ok(e instanceof ParsdError && e instanceof Error);
      assert.equal(e.exitCode, code);
      assert.equal(e.name, Class.name);
      assert.equal(exitCodeOf(e), code);
    });
  }
  await t.step("the codes are distinct and never luxd's own (0, 1, 128+n)", () => {
    const codes = CLASSES.map(([, c]) => c);
    assert.equal(new Set(codes).size, codes.length);
    assert.ok(codes.every((c) => c > 1 && c < 128));
  });
  await t.step("ExitCode names the same codes", () => {
    assert.deepEqual(
      [
        ExitCode.usage,
        ExitCode.verification,
        ExitCode.noInput,
        ExitCode.cantCreate,
        ExitCode.busy,
        ExitCode.permission,
        ExitCode.config,
        ExitCode.luxdNotExecutable,
        ExitCode.luxdNotFound,
      ],
      CLASSES.map(([, c]) => c),
    );
    assert.equal(ExitCode.ok, 0);
    assert.equal(ExitCode.failure, 1);
    assert.equal(ExitCode.unavailable, 69);
  });
});

Deno.test("ParsdError keeps one problem per line and its cause", async (t) => {
  await t.step("one problem", () => {
    const e = new ConfigError("bad port");
    assert.deepEqual(e.problems, ["bad port"]);
    assert.equal(e.message, "bad port");
  });
  await t.step("several problems: message joins them with newlines", () => {
    const e = new ParsdError(70, ["a", "b", "c"]);
    assert.deepEqual(e.problems, ["a", "b", "c"]);
    assert.equal(e.message, "a\nb\nc");
    assert.equal(e.exitCode, 70);
    assert.equal(e.name, "ParsdError");
  });
  await t.step("the OS error as cause", () => {
    const cause = new Deno.errors.PermissionDenied("denied");
    assert.equal(new PermissionError("x", { cause }).cause, cause);
  });
});

Deno.test("formatError() prints 'parsd: error: ' lines and never a stack", async (t) => {
  const cases: [string, unknown, string][] = [
    ["one problem", new UsageError("unknown command 'x'"), "parsd: error: unknown command 'x'"],
    [
      "one line per problem",
      new ConfigError(["a: bad", "b: worse"]),
      "parsd: error: a: bad\nparsd: error: b: worse",
    ],
    [
      "an unexpected Error: its first line",
      new Error("boom\nat x.ts:1"),
      "parsd: error: unexpected: boom",
    ],
    ["a TypeError", new TypeError("x is undefined"), "parsd: error: unexpected: x is undefined"],
    ["a thrown string", "plain text", "parsd: error: unexpected: plain text"],
    ["a thrown number", 42, "parsd: error: unexpected: 42"],
    ["undefined", undefined, "parsd: error: unexpected: undefined"],
  ];
  for (const [what, error, want] of cases) {
    await t.step(what, () => assert.equal(formatError(error), want));
  }
});

Deno.test("exitCodeOf() is a ParsdError's own code, else 1", () => {
  const cases: [unknown, number][] = [
    [new BusyError("x"), 75],
    [new ParsdError(3, "x"), 3],
    [new Error("x"), 1],
    [new RangeError("x"), 1],
    ["x", 1],
    [null, 1],
  ];
  for (const [error, code] of cases) assert.equal(exitCodeOf(error), code);
});
