/**
 * Property: `parsd plugins pin` on any valid config.json keeps every key and
 * value (only the pins are new), keeps the file's layout (every byte before
 * the spliced pins), leaves a file parsd reads back, and a second pin
 * changes nothing. In process, with the fake system over real temp files.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { join } from "../../lib/os/path.ts";
import { resolveSettings } from "../../lib/cli/config.ts";
import { scanJson } from "../../lib/json_text.ts";
import { withInProcessNode } from "../cli/commands/kit.ts";
import { check } from "./seed.ts";

/** A chain config: any JSON object (luxd's chains read their own keys). */
const chainConfig = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), {
  maxKeys: 4,
});

/** A config.json parsd accepts, as a value. */
const validConfig = fc.record(
  {
    "network-id": fc.oneof(
      fc.integer({ min: 1, max: 0xffffffff }),
      fc.constantFrom("mainnet", "testnet"),
    ),
    "http-port": fc.integer({ min: 1024, max: 30000 }),
    "staking-port": fc.integer({ min: 30001, max: 65535 }),
    "luxd-args": fc.subarray(["--log-level=info", "--log-display-level=warn"]),
    "shutdown-grace": fc.constantFrom("30s", "1m", 10),
    "track-all-chains": fc.boolean(),
    chains: fc.record({ evm: fc.record({ config: chainConfig }, { requiredKeys: [] }) }, {
      requiredKeys: [],
    }),
    plugins: fc.record({ evm: fc.constant({}), sessionvm: fc.constant({}) }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);

/** How the file is written: indentation (0: one line), and line ends. */
const style = fc.record({
  indent: fc.constantFrom(0, 1, 2, 4, "\t"),
  crlf: fc.boolean(),
  trailingNewline: fc.boolean(),
});

const text = (
  doc: unknown,
  s: { indent: number | string; crlf: boolean; trailingNewline: boolean },
) => {
  const t = JSON.stringify(doc, null, s.indent) + (s.trailingNewline ? "\n" : "");
  return s.crlf ? t.replaceAll("\n", "\r\n") : t;
};

/** The top-level keys pinning writes. */
const PINNED = ["plugins", "luxd", "luxd-sha256"];

/** Each top-level key's value, as text. */
function valueTexts(t: string): Map<string, string> {
  const root = scanJson(t);
  assert.equal(root.kind, "object");
  return new Map(
    root.kind === "object"
      ? root.members.map((m) => [m.key, t.slice(m.value.start, m.value.end)])
      : [],
  );
}

/** What pinning may add: the plugins' pins, and luxd's where it is pinned too. */
function withoutPins(doc: Record<string, unknown>): Record<string, unknown> {
  const out = { ...doc };
  delete out["luxd"];
  delete out["luxd-sha256"];
  const plugins = out["plugins"] as Record<string, Record<string, unknown>> | undefined;
  if (plugins !== undefined) {
    const kept = Object.fromEntries(
      Object.entries(plugins).map(([k, v]) => {
        const { sha256: _s, path: _p, ...rest } = v;
        return [k, rest];
      }).filter(([, v]) => Object.keys(v as object).length > 0),
    );
    if (Object.keys(kept).length > 0) out["plugins"] = kept;
    else delete out["plugins"];
  }
  return out;
}

Deno.test("property: plugins pin on any valid config keeps every key, value and byte", async () => {
  await check(
    fc.asyncProperty(validConfig, style, async (doc, s) => {
      await withInProcessNode(async (n) => {
        const path = join(n.dataDir, "config.json");
        await Deno.mkdir(n.dataDir, { mode: 0o700 });
        const before = text(doc, s);
        await Deno.writeTextFile(path, before);
        const f = n.fake();
        assert.equal(await f.run(["plugins", "pin"]), 0, `${f.err()}\n${before}`);
        const after = await Deno.readTextFile(path);
        const parsed = JSON.parse(after);
        assert.deepEqual(withoutPins(parsed), withoutPins(JSON.parse(before)));
        // Every other value is the very text it was, formatting and all.
        const b = valueTexts(before);
        const a = valueTexts(after);
        for (const [key, t] of b) if (!PINNED.includes(key)) assert.equal(a.get(key), t, key);
        assert.ok(after.length - before.length < 1024, `grew by ${after.length - before.length}`);
        resolveSettings({ flags: {}, env: () => undefined, home: n.home, cwd: n.root }, after);
        const again = n.fake();
        assert.equal(await again.run(["plugins", "pin"]), 0, again.err());
        assert.equal(await Deno.readTextFile(path), after, "a second pin changes nothing");
      });
    }),
    100,
  );
});
