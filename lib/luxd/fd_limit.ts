/**
 * @module
 * luxd's `--fd-limit` against the hard open-files limit: when parsd must
 * pass a lower one so that luxd starts. Pure.
 */

import type { LuxdFlagSet } from "./help_text.ts";

/** luxd's default `--fd-limit`, from its flags; undefined if it has no such flag or default. */
export function fdLimitDefault(flags: LuxdFlagSet): number | undefined {
  const d = flags.get("fd-limit")?.default;
  return d !== undefined && /^\d+$/.test(d) && Number.isSafeInteger(Number(d))
    ? Number(d)
    : undefined;
}

/** What to do about `--fd-limit`. */
export interface FdLimitDecision {
  /** Pass `--fd-limit=<pass>` to luxd. */
  readonly pass?: number;
  /** Tell the user why, and how to give luxd its default. */
  readonly warning?: string;
}

/**
 * Decides whether parsd must pass `--fd-limit`. luxd exits 1 at once with
 * `error fd-limit: (32768) greater than max: (20000)` when its limit
 * exceeds the hard RLIMIT_NOFILE, which it cannot raise. So when the user
 * did not choose a limit and luxd's default is above the hard limit, pass
 * the hard limit and warn; otherwise do nothing.
 *
 * @param luxdDefault luxd's default ({@linkcode fdLimitDefault})
 * @param hard the hard limit (`ulimit -Hn`, read in `facts.ts`)
 * @param userGave whether the user passed `--fd-limit` to luxd already
 */
export function fdLimitDecision(
  luxdDefault: number | undefined,
  hard: number | "unlimited" | undefined,
  userGave: boolean,
): FdLimitDecision {
  if (userGave || luxdDefault === undefined || hard === undefined || hard === "unlimited") {
    return {};
  }
  if (luxdDefault <= hard) return {};
  return {
    pass: hard,
    warning: `luxd's default --fd-limit is ${luxdDefault} but the hard open-files limit ` +
      `(RLIMIT_NOFILE) is ${hard}, so luxd would refuse to start; passing --fd-limit=${hard}. ` +
      `To give luxd ${luxdDefault}, raise the hard limit: 'ulimit -Hn ${luxdDefault}' as root ` +
      `before starting parsd, LimitNOFILE=${luxdDefault} in its systemd unit, or 'nofile' in ` +
      `/etc/security/limits.conf`,
  };
}
