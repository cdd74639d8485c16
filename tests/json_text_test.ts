/** Tests for lib/json_text.ts: value spans, duplicate keys, and edits that change nothing else. */
import assert from "node:assert/strict";
import { duplicateKeys, keyPath, scanJson, setJson } from "../lib/json_text.ts";

Deno.test("scanJson() finds every value's span, escapes and nesting included", () => {
  const text = ' { "a\\"b" : [1, "x\\\\", {"c": null}], "d": -1.5e3 } ';
  const root = scanJson(text);
  assert.equal(root.kind, "object");
  if (root.kind !== "object") return;
  assert.equal(text.slice(root.start, root.end), text.trim());
  assert.deepEqual(root.members.map((m) => m.key), ['a"b', "d"]);
  const [a, d] = root.members;
  assert.equal(text.slice(a!.value.start, a!.value.end), '[1, "x\\\\", {"c": null}]');
  assert.equal(text.slice(d!.value.start, d!.value.end), "-1.5e3");
  assert.equal(text.slice(a!.keyStart, a!.keyEnd), '"a\\"b"');
});

Deno.test("scanJson() takes any depth JSON.parse takes (no recursion)", () => {
  const depth = 30_000;
  const text = "[".repeat(depth) + "]".repeat(depth);
  JSON.parse(text);
  assert.equal(scanJson(text).end, text.length);
});

Deno.test("duplicateKeys() names every repeated key by its path, in text order", () => {
  const text = '{"a":1,"b":{"c":1,"c":2},"a":[{"x":1,"x":2}],"d.e":{"f":1,"f":2}}';
  const found = duplicateKeys(scanJson(text)).map((d) => [d.path, d.first, d.again]);
  assert.deepEqual(found, [
    ["b.c", text.indexOf('"c"'), text.lastIndexOf('"c"')],
    ["a", text.indexOf('"a"'), text.lastIndexOf('"a"')],
    ["a[0].x", text.indexOf('"x"'), text.lastIndexOf('"x"')],
    ['["d.e"].f', text.indexOf('"f"'), text.lastIndexOf('"f"')],
  ]);
  assert.deepEqual(duplicateKeys(scanJson('{"a":{"a":1},"b":[{"a":1},{"a":2}]}')), []);
});

Deno.test("keyPath() writes plain keys dotted and others quoted", () => {
  assert.equal(keyPath(["plugins", "evm", "sha256"]), "plugins.evm.sha256");
  assert.equal(keyPath(["network-id"]), "network-id");
  assert.equal(keyPath(["chains", "evm", "config", "a b", 3]), 'chains.evm.config["a b"][3]');
});

Deno.test("setJson() edits in place and adds in the text's layout", async (t) => {
  const cases: [string, string, Parameters<typeof setJson>[1], string][] = [
    ["an empty object on one line", "{}", { a: "x" }, '{"a": "x"}'],
    [
      "an empty object with a newline",
      "{}\n",
      { a: { b: "x" } },
      '{\n  "a": {\n    "b": "x"\n  }\n}\n',
    ],
    ["a value replaced", '{"a": "old", "b": 2}', { a: "new" }, '{"a": "new", "b": 2}'],
    [
      "a key added to a nested object",
      '{"p": {"e": {"q": 1}}}',
      { p: { e: { s: "x" } } },
      '{"p": {"e": {"q": 1, "s": "x"}}}',
    ],
    ["a non-object replaced by the edit", '{"p": [1]}', { p: { e: "x" } }, '{"p": {"e": "x"}}'],
    [
      "an empty nested object, indented",
      '{\n  "p": {}\n}',
      { p: { e: "x" } },
      '{\n  "p": {\n    "e": "x"\n  }\n}',
    ],
    ["a byte-order mark kept", '\uFEFF{"a": 1}', { b: "x" }, '\uFEFF{"a": 1, "b": "x"}'],
    [
      "the last of duplicates is the one edited",
      '{"a": 1, "a": 2}',
      { a: "x" },
      '{"a": 1, "a": "x"}',
    ],
  ];
  for (const [what, before, edit, after] of cases) {
    await t.step(what, () => {
      const out = setJson(before, edit);
      assert.equal(out, after);
      JSON.parse(out.replace(/^\uFEFF/, ""));
    });
  }
  await t.step("no change returns the same text", () => {
    const text = '{ "a" :  "x" }';
    assert.equal(setJson(text, { a: "x" }), text);
  });
  await t.step("a top level that is not an object is refused", () => {
    assert.throws(() => setJson("[]", { a: "x" }), TypeError);
  });
});
