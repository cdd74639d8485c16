/** Tests for lib/plugins/history.ts: the earlier pins `plugins rollback` and `store --gc` read. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ConfigError, ExitCode } from "../../lib/errors.ts";
import {
  HISTORY_DEPTH,
  historyPath,
  historyText,
  parseHistory,
  readHistory,
  recentPins,
  recordReplaced,
  writeHistory,
} from "../../lib/plugins/history.ts";
import { denoFiles } from "../../lib/os/system.ts";
import { withTempDir } from "../helpers.ts";

const h = (c: string) => c.repeat(64);

Deno.test("recordReplaced() puts the replaced pin first and forgets the new one", async (t) => {
  await t.step("a first replace", () => {
    assert.deepEqual(recordReplaced({}, "evm", h("a"), h("b")), { evm: [h("a")] });
  });
  await t.step("a rollback (b -> a): b first, a gone, the rest kept in order", () => {
    const before = { evm: [h("a"), h("c")], luxd: [h("d")] };
    assert.deepEqual(recordReplaced(before, "evm", h("b"), h("a")), {
      evm: [h("b"), h("c")],
      luxd: [h("d")],
    });
  });
  await t.step("at most HISTORY_DEPTH kept", () => {
    let hist = {};
    for (let i = 0; i < HISTORY_DEPTH + 5; i++) {
      hist = recordReplaced(hist, "luxd", i.toString(16).padStart(64, "0"), h("f"));
    }
    assert.equal((hist as { luxd: string[] }).luxd.length, HISTORY_DEPTH);
  });
});

Deno.test("recentPins() takes each binary's first N, once each", () => {
  const hist = { evm: [h("a"), h("b")], sessionvm: [h("a")], luxd: [h("c"), h("d")] };
  assert.deepEqual(recentPins(hist, 1), [h("a"), h("c")]);
  assert.deepEqual(recentPins(hist, 0), []);
  assert.deepEqual(recentPins(hist, 5).sort(), [h("a"), h("b"), h("c"), h("d")]);
});

Deno.test("parseHistory() reads what historyText() writes; anything else is 78", async (t) => {
  const hist = { evm: [h("a")], luxd: [h("b"), h("c")] };
  await t.step("round trip", () => assert.deepEqual(parseHistory(historyText(hist), "/p"), hist));
  await t.step("no file: no history", () => assert.deepEqual(parseHistory(undefined, "/p"), {}));
  for (const bad of ["[]", "{", '{"evm": "x"}', '{"nope": []}', `{"evm": ["${"g".repeat(64)}"]}`]) {
    await t.step(`refused: ${bad.slice(0, 20)}`, () => {
      assert.throws(
        () => parseHistory(bad, "/p"),
        (e: unknown) => e instanceof ConfigError && /^\/p: not a pin history/.test(e.message),
      );
    });
  }
});

Deno.test("writeHistory() and readHistory() keep <data-dir>/pin-history.json, 0600", async () => {
  await withTempDir(async (dir) => {
    assert.deepEqual(await readHistory(denoFiles, dir), {});
    await writeHistory(denoFiles, dir, { sessionvm: [h("e")] });
    assert.equal(historyPath(dir), join(dir, "pin-history.json"));
    assert.equal((await Deno.stat(historyPath(dir))).mode! & 0o777, 0o600);
    assert.deepEqual(await readHistory(denoFiles, dir), { sessionvm: [h("e")] });
    await Deno.remove(historyPath(dir));
    await Deno.mkdir(historyPath(dir));
    await assert.rejects(
      readHistory(denoFiles, dir),
      (e: unknown) => e instanceof ConfigError && e.exitCode === ExitCode.config,
    );
  });
});
