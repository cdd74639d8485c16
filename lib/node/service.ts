/**
 * @module
 * Service definitions that keep parsd (and so luxd) running across reboots
 * and crashes: a systemd unit for Linux and a launchd property list for
 * macOS. Pure: text in, text out; the caller writes the file
 * (`/etc/systemd/system/parsd.service`, or `/Library/LaunchDaemons/<label>.plist`
 * / `~/Library/LaunchAgents/<label>.plist`) and creates the data dir and its
 * `logs/` first.
 */

import { join } from "../os/path.ts";
import { ExitCode } from "../errors.ts";
import { MAX_SHUTDOWN_GRACE_MS } from "../os/signals.ts";

/** What both service definitions need. */
export interface ServiceOptions {
  /** parsd's argv: its absolute installed path, then e.g. `--data-dir=…` and `--config=…`. */
  readonly parsdCommand: readonly string[];
  /** The absolute data dir: the only place the service may write. */
  readonly dataDir: string;
  /** Run as this user (systemd `User=`, launchd `UserName`); default the service manager's own. */
  readonly user?: string;
  /** The open-files limit; at least luxd's default `--fd-limit`, 32768. */
  readonly fdLimit: number;
  /** How long parsd gives luxd between SIGTERM and SIGKILL, in milliseconds (at most an hour). */
  readonly shutdownGraceMs: number;
  /** One line for `systemctl status`. */
  readonly description: string;
  /** launchd's `Label` (reverse-DNS style); default `parsd`. */
  readonly label?: string;
}

/** luxd's default `--fd-limit`: luxd exits at start when the hard limit is lower. */
export const MIN_FD_LIMIT = 32768;

/**
 * Seconds the service manager waits after parsd's own grace period before it
 * SIGKILLs what is left, so that parsd's SIGTERM → grace → SIGKILL of luxd
 * always runs to its end first.
 */
export const STOP_MARGIN_SECONDS = 10;

/**
 * parsd exit codes that a restart cannot cure (a bad command line or config,
 * a plugin failing verification, unsafe permissions, luxd missing or not
 * executable): systemd does not restart on them, so the unit shows as failed
 * instead of looping.
 */
export const NO_RESTART_EXIT_CODES: readonly number[] = [
  ExitCode.usage,
  ExitCode.verification,
  ExitCode.permission,
  ExitCode.config,
  ExitCode.luxdNotExecutable,
  ExitCode.luxdNotFound,
];

/** Invalid {@linkcode ServiceOptions}; `problems` lists every one. */
export class ServiceOptionsError extends Error {
  /** One line per problem. */
  readonly problems: readonly string[];

  /** Makes the error from its problems, one line each. */
  constructor(problems: readonly string[]) {
    super(problems.join("\n"));
    this.name = "ServiceOptionsError";
    this.problems = problems;
  }
}

/** Control characters cannot be written in a unit file line or in XML 1.0. */
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** Every problem with the options (empty when they are fine), for reporting all at once. */
export function serviceProblems(o: ServiceOptions): string[] {
  const problems: string[] = [];
  const text = (what: string, value: string) => {
    if (hasControl(value)) {
      problems.push(`${what} contains a control character: ${JSON.stringify(value)}`);
    }
  };
  if (o.parsdCommand.length === 0) problems.push("parsd command is empty");
  else if (!o.parsdCommand[0]!.startsWith("/")) {
    problems.push(`parsd path must be absolute: ${JSON.stringify(o.parsdCommand[0])}`);
  }
  o.parsdCommand.forEach((arg, i) => text(`parsd command argument ${i}`, arg));
  if (!o.dataDir.startsWith("/")) {
    problems.push(`data dir must be absolute: ${JSON.stringify(o.dataDir)}`);
  }
  text("data dir", o.dataDir);
  if (o.description.trim() === "") problems.push("description is empty");
  // A unit file line ending in a backslash continues on the next line.
  if (o.description.trimEnd().endsWith("\\")) problems.push("description ends with a backslash");
  text("description", o.description);
  if (o.user !== undefined && !/^(?:[A-Za-z_][A-Za-z0-9_.-]*\$?|\d+)$/.test(o.user)) {
    problems.push(`invalid user name: ${JSON.stringify(o.user)}`);
  }
  if (o.label !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(o.label)) {
    problems.push(`invalid launchd label: ${JSON.stringify(o.label)}`);
  }
  if (!Number.isSafeInteger(o.fdLimit) || o.fdLimit < MIN_FD_LIMIT) {
    problems.push(
      `fd limit must be an integer of at least ${MIN_FD_LIMIT} (luxd's default), got ${o.fdLimit}`,
    );
  }
  if (!Number.isSafeInteger(o.shutdownGraceMs) || o.shutdownGraceMs < 0) {
    problems.push(
      `shutdown grace must be a whole number of milliseconds, got ${o.shutdownGraceMs}`,
    );
  } else if (o.shutdownGraceMs > MAX_SHUTDOWN_GRACE_MS) {
    problems.push(
      `shutdown grace must be at most ${MAX_SHUTDOWN_GRACE_MS} ms (1h), got ${o.shutdownGraceMs}`,
    );
  }
  return problems;
}

function validate(o: ServiceOptions): void {
  const problems = serviceProblems(o);
  if (problems.length > 0) throw new ServiceOptionsError(problems);
}

/** Seconds between the service manager's SIGTERM and its SIGKILL: parsd's grace plus a margin. */
export function stopTimeoutSeconds(shutdownGraceMs: number): number {
  return Math.ceil(shutdownGraceMs / 1000) + STOP_MARGIN_SECONDS;
}

/** Where the launchd job's stdout and stderr go: `<data-dir>/logs/parsd.{stdout,stderr}.log`. */
export function serviceLogPaths(dataDir: string): { stdout: string; stderr: string } {
  const logs = join(dataDir, "logs");
  return {
    stdout: join(logs, "parsd.stdout.log"),
    stderr: join(logs, "parsd.stderr.log"),
  };
}

/**
 * One word of a unit file value, quoted so systemd reads it back unchanged:
 * `%` (specifiers) doubled, `"`/`\` escaped inside double quotes, a lone `;`
 * (a command separator) escaped. `dollar` doubles `$` too, for ExecStart=,
 * where systemd expands `$VAR` at run time.
 */
function systemdWord(word: string, dollar: boolean): string {
  let w = word.replaceAll("%", "%%");
  if (dollar) w = w.replaceAll("$", () => "$$");
  if (w === ";") return "\\;";
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w)) return w;
  return `"${w.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

/**
 * A systemd service unit that runs parsd, e.g. for
 * `/etc/systemd/system/parsd.service`.
 *
 * Stopping: `KillMode=mixed` sends SIGTERM to parsd alone, which forwards it
 * to luxd and SIGKILLs luxd itself after its grace; only if the whole group
 * is still alive `TimeoutStopSec=` (grace + margin) later does systemd
 * SIGKILL every process left. The default `control-group` would SIGTERM luxd
 * and its VM plugins directly and at the same time as parsd: plugins could
 * stop before luxd has shut its chains down, and luxd would get SIGTERM
 * twice. `process` would never SIGKILL a luxd that outlived parsd.
 *
 * Restarts: `Restart=on-failure`, but not on {@linkcode NO_RESTART_EXIT_CODES}.
 * `SuccessExitStatus=143` because parsd passes on luxd's 128+15 when luxd
 * dies of the SIGTERM of a `systemctl stop`.
 *
 * Sandbox: `ProtectSystem=strict` makes the whole file system read-only but
 * for `ReadWritePaths=<data dir>` (which must exist before the service
 * starts); `ProtectHome` is left off because the data dir is often under
 * `/home`.
 *
 * @throws {ServiceOptionsError} listing every problem with the options.
 */
export function systemdUnit(o: ServiceOptions): string {
  validate(o);
  const lines = [
    "[Unit]",
    `Description=${o.description.trim().replaceAll("%", "%%")}`,
    "Wants=network-online.target",
    "After=network-online.target",
    "",
    "[Service]",
    "Type=exec",
    `ExecStart=${o.parsdCommand.map((w) => systemdWord(w, true)).join(" ")}`,
    ...(o.user === undefined ? [] : [`User=${o.user}`]),
    "Restart=on-failure",
    "RestartSec=10",
    `RestartPreventExitStatus=${NO_RESTART_EXIT_CODES.join(" ")}`,
    "SuccessExitStatus=143",
    `LimitNOFILE=${o.fdLimit}`,
    "# parsd forwards SIGTERM to luxd and escalates to SIGKILL after its grace;",
    "# systemd signals parsd only, and SIGKILLs the whole group if that overruns.",
    "KillMode=mixed",
    "KillSignal=SIGTERM",
    `TimeoutStopSec=${stopTimeoutSeconds(o.shutdownGraceMs)}`,
    "NoNewPrivileges=true",
    "ProtectSystem=strict",
    `ReadWritePaths=${systemdWord(o.dataDir, false)}`,
    "PrivateTmp=true",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ];
  return lines.join("\n");
}

function xml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;").replaceAll("'", "&apos;");
}

/**
 * A launchd property list that runs parsd, for `/Library/LaunchDaemons/`
 * (with `user`) or `~/Library/LaunchAgents/`.
 *
 * launchd restarts parsd when it exits unsuccessfully (`KeepAlive` with
 * `SuccessfulExit` false, at most every 10 s), raises the open-files limit,
 * and on stop sends SIGTERM to parsd and SIGKILL after `ExitTimeOut` (grace +
 * margin). stdout and stderr go to {@linkcode serviceLogPaths}; launchd does
 * not create their directory or rotate them.
 *
 * @throws {ServiceOptionsError} listing every problem with the options.
 */
export function launchdPlist(o: ServiceOptions): string {
  validate(o);
  const logs = serviceLogPaths(o.dataDir);
  const str = (s: string) => `<string>${xml(s)}</string>`;
  const key = (k: string) => `<key>${xml(k)}</key>`;
  const files = `<dict>${key("NumberOfFiles")}<integer>${o.fdLimit}</integer></dict>`;
  const entries: [string, string][] = [
    ["Label", str(o.label ?? "parsd")],
    [
      "ProgramArguments",
      `<array>\n${o.parsdCommand.map((a) => `    ${str(a)}`).join("\n")}\n  </array>`,
    ],
    ...(o.user === undefined ? [] : [["UserName", str(o.user)] as [string, string]]),
    ["RunAtLoad", "<true/>"],
    ["KeepAlive", `<dict>${key("SuccessfulExit")}<false/></dict>`],
    ["ThrottleInterval", "<integer>10</integer>"],
    ["SoftResourceLimits", files],
    ["HardResourceLimits", files],
    ["ExitTimeOut", `<integer>${stopTimeoutSeconds(o.shutdownGraceMs)}</integer>`],
    ["StandardOutPath", str(logs.stdout)],
    ["StandardErrorPath", str(logs.stderr)],
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    "<dict>",
    ...entries.map(([k, v]) => `  ${key(k)}\n  ${v}`),
    "</dict>",
    "</plist>",
    "",
  ].join("\n");
}
