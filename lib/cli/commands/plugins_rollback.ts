/**
 * @module
 * `parsd plugins rollback NAME...`: pins each binary to the version it was
 * pinned to before (the first of its pin history, `pin-history.json`) and
 * points its link at that version's sealed copy, holding the data dir's lock
 * (refused with 75 while the node runs). Every target is checked first (its
 * sealed copy there, 0500, hashing to its name); one that fails leaves
 * everything as it was. The version rolled back from becomes the first of the
 * history, so a second rollback undoes the first. Prints `old -> new`.
 */

import { NoInputError, ParsdError, PermissionError } from "../../errors.ts";
import type { Env } from "../../os/env.ts";
import { type BinaryName, labelOf, pinOf } from "../../plugins/binaries.ts";
import { readHistory } from "../../plugins/history.ts";
import { checkStoreFile, storePath } from "../../plugins/store.ts";
import { trustProblems } from "../../plugins/sealed.ts";
import type { Context } from "../context.ts";
import { recordPins } from "./plugins_pin.ts";
import { assertLinkable, linkSealed, rememberReplaced } from "./plugins_seal.ts";

/** One binary's rollback: from its current pin to the earlier one. */
interface Step {
  readonly name: BinaryName;
  readonly from: string | undefined;
  readonly to: string;
}

/** Rolls each binary back; exit 0, or the first refusal's code with every problem. */
export async function rollback(
  ctx: Context,
  env: Env,
  names: readonly BinaryName[],
): Promise<number> {
  const { sys, settings } = ctx;
  const uid = env.os === "windows" ? null : env.uid;
  if (!(await sys.stat(settings.dataDir).catch(() => undefined))?.isDirectory) {
    throw new NoInputError(`data dir ${settings.dataDir} does not exist: nothing to roll back`);
  }
  let steps: Step[] = [];
  const lines: string[] = [];
  await recordPins(ctx, env, () => steps.map((s) => ({ name: s.name, sha256: s.to })), {
    before: async () => {
      steps = await plan(ctx, names, uid);
      await assertLinkable(sys, settings.dataDir, steps.map((s) => s.name));
    },
    after: async () => {
      for (const s of steps) {
        const line = await linkSealed(
          sys,
          settings.dataDir,
          s.name,
          storePath(settings.dataDir, s.to),
        );
        if (line !== undefined) lines.push(line);
      }
      await rememberReplaced(
        sys,
        settings.dataDir,
        steps.flatMap((s) =>
          s.from === undefined ? [] : [{ name: s.name, old: s.from, next: s.to }]
        ),
      );
    },
  });
  for (const s of steps) {
    sys.out(`rolled back ${s.name} sha256 ${s.from ?? "(none)"} -> ${s.to}\n`);
  }
  for (const line of lines) sys.out(`${line}\n`);
  return 0;
}

/**
 * Each binary's target, checked: the first of its history, sealed in the store
 * (entry and every directory above it checked). Call it holding the lock.
 *
 * @throws {ParsdError} every problem at once: no earlier pin or no sealed copy
 *   (66), an altered copy (65), unsafe directories (77).
 */
async function plan(
  ctx: Context,
  names: readonly BinaryName[],
  uid: number | null,
): Promise<Step[]> {
  const { sys, settings } = ctx;
  const history = await readHistory(sys, settings.dataDir);
  const steps: Step[] = [];
  const errors: ParsdError[] = [];
  for (const name of names) {
    const from = pinOf(settings, name);
    const to = history[name]?.[0];
    if (to === undefined) {
      errors.push(
        new NoInputError(
          `${
            labelOf(name)
          }: no earlier pin to roll back to (the pin history keeps a pin replaced with 'parsd plugins pin ${name} --replace')`,
        ),
      );
      continue;
    }
    const entry = storePath(settings.dataDir, to);
    try {
      const unsafe = await trustProblems(sys, entry, uid);
      if (unsafe.length > 0) throw new PermissionError(unsafe);
      await checkStoreFile(sys, entry, to, { uid });
      steps.push({ name, from, to });
    } catch (error) {
      if (!(error instanceof ParsdError)) throw error;
      errors.push(
        error.exitCode === 66
          ? new NoInputError(
            `${
              labelOf(name)
            }: the earlier version ${to} is no longer in the store (${entry}; removed by 'plugins store --gc'?); pin it again from its file`,
          )
          : error,
      );
    }
  }
  if (errors.length > 0) {
    throw new ParsdError(errors[0]!.exitCode, errors.flatMap((e) => e.problems));
  }
  return steps;
}
