/**
 * @module
 * JSON text as the user wrote it: where each value sits in the text (a scan
 * of text that `JSON.parse` already accepted), the keys an object holds more
 * than once (`JSON.parse` silently keeps the last), and setting a value by
 * splicing the text, so that everything else — formatting, key order, big
 * numbers — stays byte for byte as it was. Pure.
 */

/** A value's place in the text: `[start, end)`. */
export type JsonNode = JsonObject | JsonArray | JsonScalar;

/** An object and its members, in text order (duplicates included). */
export interface JsonObject {
  readonly kind: "object";
  readonly start: number;
  readonly end: number;
  readonly members: readonly JsonMember[];
}

/** An array and its items. */
export interface JsonArray {
  readonly kind: "array";
  readonly start: number;
  readonly end: number;
  readonly items: readonly JsonNode[];
}

/** A string, number, `true`, `false` or `null`. */
export interface JsonScalar {
  readonly kind: "scalar";
  readonly start: number;
  readonly end: number;
}

/** One `"key": value` of an object; `keyStart`/`keyEnd` span the quoted key. */
export interface JsonMember {
  readonly key: string;
  readonly keyStart: number;
  readonly keyEnd: number;
  readonly value: JsonNode;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer U)[] ? U[] : T[K] };
type Frame = {
  node: Mutable<JsonObject> | Mutable<JsonArray>;
  key?: { key: string; keyStart: number; keyEnd: number };
};

const skipSpace = (text: string, i: number) => {
  while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  return i;
};

/** The end of the string that starts with the `"` at `i`. */
function stringEnd(text: string, i: number): number {
  for (let from = i + 1;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) return text.length;
    let slashes = 0;
    while (text[quote - 1 - slashes] === "\\") slashes++;
    if (slashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

const SCALAR_END = /[,\]} \t\n\r]/g;

function scalarEnd(text: string, i: number): number {
  SCALAR_END.lastIndex = i;
  return SCALAR_END.exec(text)?.index ?? text.length;
}

/**
 * Where every value of a JSON text is. Iterative, so deep nesting cannot
 * overflow the stack.
 *
 * @param text JSON that `JSON.parse` accepts (this scan does not validate).
 * @param from where the value starts (after a byte-order mark, say).
 */
export function scanJson(text: string, from = 0): JsonNode {
  const stack: Frame[] = [];
  let i = from;
  for (;;) {
    i = skipSpace(text, i);
    const top = stack.at(-1);
    let done: JsonNode | undefined;
    if (top !== undefined && (text[i] === "}" || text[i] === "]")) {
      top.node.end = ++i;
      stack.pop();
      done = top.node;
    } else if (top !== undefined && text[i] === ",") {
      i++;
      continue;
    } else if (top?.node.kind === "object" && top.key === undefined) {
      const keyEnd = stringEnd(text, i);
      top.key = { key: JSON.parse(text.slice(i, keyEnd)) as string, keyStart: i, keyEnd };
      i = skipSpace(text, keyEnd) + 1; // past the ':'
      continue;
    } else if (text[i] === "{" || text[i] === "[") {
      stack.push({
        node: text[i] === "{"
          ? { kind: "object", start: i, end: -1, members: [] }
          : { kind: "array", start: i, end: -1, items: [] },
      });
      i++;
      continue;
    } else {
      const end = text[i] === '"' ? stringEnd(text, i) : scalarEnd(text, i);
      done = { kind: "scalar", start: i, end };
      i = end;
    }
    const parent = stack.at(-1);
    if (parent === undefined) return done;
    if (parent.node.kind === "array") parent.node.items.push(done);
    else {
      parent.node.members.push({ ...parent.key!, value: done });
      delete parent.key;
    }
  }
}

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

/** A dotted key path: `plugins.evm.sha256`, `chains.evm.config["a.b"][2]`. */
export function keyPath(parts: readonly (string | number)[]): string {
  return parts.map((p, i) =>
    typeof p === "number"
      ? `[${p}]`
      : PLAIN_KEY.test(p)
      ? (i === 0 ? p : `.${p}`)
      : `[${JSON.stringify(p)}]`
  ).join("");
}

/** A key an object holds twice: where, and both places. */
export interface DuplicateKey {
  /** The key's path (see {@linkcode keyPath}). */
  readonly path: string;
  /** Offsets of the earlier and the later key. */
  readonly first: number;
  readonly again: number;
}

/** Every key that an object of the text holds more than once, in text order. */
export function duplicateKeys(root: JsonNode): DuplicateKey[] {
  const out: DuplicateKey[] = [];
  const todo: [JsonNode, (string | number)[]][] = [[root, []]];
  while (todo.length > 0) {
    const [node, path] = todo.pop()!;
    if (node.kind === "array") {
      node.items.forEach((item, i) => todo.push([item, [...path, i]]));
    } else if (node.kind === "object") {
      const seen = new Map<string, number>();
      for (const m of node.members) {
        const first = seen.get(m.key);
        if (first !== undefined) {
          out.push({ path: keyPath([...path, m.key]), first, again: m.keyStart });
        } else seen.set(m.key, m.keyStart);
        todo.push([m.value, [...path, m.key]]);
      }
    }
  }
  return out.sort((a, b) => a.again - b.again);
}

/** How a JSON text is laid out, to write new members as its own are written. */
interface Layout {
  /** One level of indentation (`"  "`, `"\t"`); `""` for text on one line. */
  readonly unit: string;
  /** What separates a key from its value (`": "`, `":"`). */
  readonly colon: string;
  readonly eol: string;
}

/** The leading white space of the line that holds offset `i`. */
function lineIndent(text: string, i: number): string {
  const start = text.lastIndexOf("\n", i - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start, i))![0];
}

function detectLayout(text: string, root: JsonNode): Layout {
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  let colon: string | undefined;
  let unit: string | undefined;
  const todo: JsonNode[] = [root];
  while (todo.length > 0 && (colon === undefined || unit === undefined)) {
    const node = todo.shift()!;
    if (node.kind === "array") todo.push(...node.items);
    if (node.kind !== "object") continue;
    const first = node.members[0];
    if (first === undefined) continue;
    colon ??= text.slice(first.keyEnd, first.value.start);
    const gap = text.slice(node.start + 1, first.keyStart);
    if (unit === undefined && gap.includes("\n")) {
      const inner = lineIndent(text, first.keyStart);
      const outer = lineIndent(text, node.start);
      unit = inner.startsWith(outer) && inner.length > outer.length
        ? inner.slice(outer.length)
        : inner || "  ";
    }
    todo.push(...node.members.map((m) => m.value));
  }
  return { unit: unit ?? (text.includes("\n") ? "  " : ""), colon: colon ?? ": ", eol };
}

/** A value to set: a JSON value, or members to merge into an object (see {@linkcode setJson}). */
export type JsonEdit = { readonly [key: string]: JsonEdit } | string | number | boolean | null;

/** Renders an object of edits at an indentation, in the text's layout. */
function render(value: JsonEdit, indent: string, layout: Layout): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  const entries = Object.entries(value);
  if (entries.length === 0) return "{}";
  const inner = indent + layout.unit;
  const members = entries.map(([k, v]) =>
    `${JSON.stringify(k)}${layout.colon}${render(v, inner, layout)}`
  );
  if (layout.unit === "") return `{${members.join(layout.colon.endsWith(" ") ? ", " : ",")}}`;
  const nl = layout.eol;
  return `{${nl}${inner}${members.join(`,${nl}${inner}`)}${nl}${indent}}`;
}

/** One text change: replace `[start, end)` with `text`. */
interface Splice {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** The splices that merge `edit` into the object `node`. */
function mergeInto(
  text: string,
  node: JsonObject,
  edit: { readonly [key: string]: JsonEdit },
  layout: Layout,
): Splice[] {
  const out: Splice[] = [];
  const missing: [string, JsonEdit][] = [];
  for (const [key, value] of Object.entries(edit)) {
    const member = node.members.findLast((m) => m.key === key);
    if (member === undefined) missing.push([key, value]);
    else if (value !== null && typeof value === "object" && member.value.kind === "object") {
      out.push(...mergeInto(text, member.value, value, layout));
    } else {
      const indent = lineIndent(text, member.keyStart);
      const rendered = render(value, indent, layout);
      if (text.slice(member.value.start, member.value.end) !== rendered) {
        out.push({ start: member.value.start, end: member.value.end, text: rendered });
      }
    }
  }
  if (missing.length === 0) return out;
  const last = node.members.at(-1);
  const multiline = last === undefined
    ? layout.unit !== ""
    : text.slice(node.start, last.keyStart).includes("\n");
  const indent = last === undefined
    ? lineIndent(text, node.start) + layout.unit
    : lineIndent(text, last.keyStart);
  const local = multiline ? layout : { ...layout, unit: "" };
  const members = missing.map(([k, v]) =>
    `${JSON.stringify(k)}${layout.colon}${render(v, indent, local)}`
  );
  const sep = multiline ? `,${layout.eol}${indent}` : layout.colon.endsWith(" ") ? ", " : ",";
  if (last === undefined) {
    const body = multiline
      ? `${layout.eol}${indent}${members.join(sep)}${layout.eol}${lineIndent(text, node.start)}`
      : members.join(sep);
    out.push({ start: node.start + 1, end: node.end - 1, text: body });
  } else {
    out.push({ start: last.value.end, end: last.value.end, text: sep + members.join(sep) });
  }
  return out;
}

/**
 * Sets values in a JSON text whose top level is an object, changing nothing
 * else: an existing value is replaced where it stands, a missing key is
 * added after its object's last member, written in the text's own layout
 * (indentation, colon, line ends). An edit that is an object merges into an
 * object already there (`{plugins: {evm: {sha256: "…"}}}` keeps every other
 * key of `plugins` and `plugins.evm`); anywhere else it replaces the value.
 *
 * @param text JSON that `JSON.parse` accepts, its top level an object; a
 *   leading byte-order mark is kept.
 * @returns the new text; `text` itself when nothing changes.
 * @throws {TypeError} when the top level is not an object.
 */
export function setJson(text: string, edit: { readonly [key: string]: JsonEdit }): string {
  const from = text.startsWith("\uFEFF") ? 1 : 0;
  const root = scanJson(text, from);
  if (root.kind !== "object") throw new TypeError("the JSON text is not an object");
  const splices = mergeInto(text, root, edit, detectLayout(text, root))
    .sort((a, b) => b.start - a.start);
  let out = text;
  for (const s of splices) out = out.slice(0, s.start) + s.text + out.slice(s.end);
  return out;
}
