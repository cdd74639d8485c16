/**
 * @module
 * `parsd plugins list [NAME...]`: for each binary (the plugins and luxd),
 * where its source was found and by which rule, its real file, size and
 * hash, its pin, its sealed copy in the store and its link. Reads and hashes;
 * changes nothing. A problem is shown on its binary's lines, not raised.
 */

import { ParsdError } from "../../errors.ts";
import type { Env } from "../../os/env.ts";
import { join } from "../../os/path.ts";
import { layout } from "../../data_dir/layout.ts";
import { PLUGINS } from "../../network/pars.ts";
import { linkState } from "../../plugins/links.ts";
import { checkStoreFile, storePath } from "../../plugins/store.ts";
import { type BinaryName, isPlugin, pinOf, sourceRuleOf } from "../../plugins/binaries.ts";
import { luxdRunPath } from "../../start/sealed_facts.ts";
import type { Context } from "../context.ts";
import { localSource } from "./plugins_seal.ts";

type Row = [string, string];

/** Prints every binary's rows; exit 0 whatever they say. */
export async function list(ctx: Context, env: Env, names: readonly BinaryName[]): Promise<number> {
  for (const name of names) {
    const rows: Row[] = isPlugin(name) ? [["vmid", PLUGINS[name].vmid]] : [];
    rows.push(...await sourceRows(ctx, env, name), ...await sealedRows(ctx, env, name));
    ctx.sys.out(`${name}\n${rows.map(([k, v]) => `  ${k.padEnd(7)} ${v}\n`).join("")}`);
  }
  return 0;
}

/** Where the source is, what it hashes to, and whether that is the pin. */
async function sourceRows(ctx: Context, env: Env, name: BinaryName): Promise<Row[]> {
  const pinned = pinOf(ctx.settings, name);
  try {
    const s = await localSource(ctx, env, name, false);
    if (s === undefined) return [["found", "no"]];
    return [
      ["found", `${s.path} (by ${sourceRuleOf(ctx.settings, name) ?? "search"})`],
      ["target", s.realPath],
      ["size", `${s.size} bytes`],
      ["sha256", s.sha256],
      [
        "pinned",
        pinned === undefined
          ? "no"
          : pinned === s.sha256
          ? "yes (matches)"
          : `MISMATCH: the file changed since it was pinned (pinned ${pinned}); luxd runs the sealed copy of the pin`,
      ],
    ];
  } catch (error) {
    if (!(error instanceof ParsdError)) throw error;
    return [["problem", error.message], ["pinned", pinned ?? "no"]];
  }
}

/** The pin's sealed copy in the store and the link to it. */
async function sealedRows(ctx: Context, env: Env, name: BinaryName): Promise<Row[]> {
  const { sys, settings } = ctx;
  const pinned = pinOf(settings, name);
  if (pinned === undefined) return [];
  const entry = storePath(settings.dataDir, pinned);
  let store: string;
  try {
    await checkStoreFile(sys, entry, pinned, { uid: env.os === "windows" ? null : env.uid });
    store = `${entry} (sealed)`;
  } catch (error) {
    if (!(error instanceof ParsdError)) throw error;
    store = error.exitCode === 66
      ? `${entry}: not sealed yet ('parsd run' or 'parsd plugins pin ${name}' seals it)`
      : error.problems.join("; ");
  }
  const l = layout(settings.dataDir);
  const linkPath = isPlugin(name) ? join(l.pluginDir, PLUGINS[name].vmid) : luxdRunPath(l);
  const link = await linkState(sys, linkPath, entry).catch(() => undefined);
  return [
    ["store", store],
    [
      "link",
      `${linkPath}: ${link?.state ?? "unreadable"}${
        link && "current" in link ? ` (-> ${link.current})` : ""
      }`,
    ],
  ];
}
