/**
 * Tests for lib/luxd/fd_limit.ts: the `--fd-limit` decision.
 */
import assert from "node:assert/strict";
import { fdLimitDecision, fdLimitDefault } from "../../lib/luxd/fd_limit.ts";
import { FLAGS_13, FLAGS_22 } from "./fixtures.ts";

Deno.test("fdLimitDecision() passes the hard limit only when luxd's default exceeds it", () => {
  assert.equal(fdLimitDefault(FLAGS_13), 32768);
  assert.equal(fdLimitDefault(FLAGS_22), 32768);
  assert.equal(fdLimitDefault(new Map()), undefined);
  const cases: Array<
    [number | undefined, number | "unlimited" | undefined, boolean, number | undefined]
  > = [
    [32768, 20000, false, 20000],
    [32768, 20000, true, undefined],
    [32768, 32768, false, undefined],
    [32768, 65536, false, undefined],
    [32768, "unlimited", false, undefined],
    [32768, undefined, false, undefined],
    [undefined, 20000, false, undefined],
  ];
  for (const [luxdDefault, hard, userGave, pass] of cases) {
    const d = fdLimitDecision(luxdDefault, hard, userGave);
    assert.equal(d.pass, pass, JSON.stringify([luxdDefault, hard, userGave]));
    assert.equal(d.warning === undefined, pass === undefined);
  }
  const { warning } = fdLimitDecision(32768, 20000, false);
  for (const part of ["32768", "20000", "--fd-limit=20000", "ulimit -Hn", "LimitNOFILE="]) {
    assert.ok(warning!.includes(part), `warning lacks ${part}: ${warning}`);
  }
});
