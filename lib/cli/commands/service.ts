/**
 * @module
 * `parsd service systemd|launchd`: prints a service definition that runs
 * the installed parsd (the `parsd` on PATH that `deno task install` wrote,
 * or the compiled binary running now) with this data dir and config.
 */

import type { ParsedArgs } from "../args.ts";
import { NoInputError, UsageError } from "../../errors.ts";
import { basename, delimiter, isAbsolute, join } from "../../os/path.ts";
import type { System } from "../../os/system.ts";
import { loadContext } from "../context.ts";

/**
 * The installed parsd: `parsd` on PATH (its absolute entries only: a
 * relative one would name whatever directory this command ran in), else
 * this binary when it is not deno itself.
 */
export async function installedParsd(sys: System): Promise<string> {
  const exe = sys.os === "windows" ? "parsd.exe" : "parsd";
  for (const dir of (sys.env("PATH") ?? "").split(delimiter).filter((d) => isAbsolute(d))) {
    const path = join(dir, exe);
    const f = await sys.stat(path).catch(() => undefined);
    if (f?.isFile && (f.mode & 0o111) !== 0) return path;
  }
  const self = sys.execPath();
  if (!/^deno(\.exe)?$/.test(basename(self))) return self;
  throw new NoInputError(
    "no installed parsd found on PATH; run 'deno task install' (or use a released binary) first, so the service has a parsd to start",
  );
}

/** Prints the unit or plist on stdout. */
export async function command(sys: System, args: ParsedArgs): Promise<number> {
  const [kind, ...extra] = args.positionals;
  if ((kind !== "systemd" && kind !== "launchd") || extra.length > 0) {
    throw new UsageError("'parsd service' takes one word: systemd or launchd");
  }
  const { settings: s } = await loadContext(sys, args);
  const service = await import("../../node/service.ts");
  const parsd = await installedParsd(sys);
  // The flags given here go into ExecStart too, resolved (paths absolute), so the
  // service starts the node this command line describes.
  const given = (name: string) => name in args.flags;
  const grace = args.flags["shutdown-grace"];
  const command = [
    parsd,
    `--data-dir=${s.dataDir}`,
    ...(s.configFound ? [`--config=${s.configPath}`] : []),
    ...(given("network-id") ? [`--network-id=${s.networkId}`] : []),
    ...(given("http-port") ? [`--http-port=${s.httpPort}`] : []),
    ...(given("staking-port") ? [`--staking-port=${s.stakingPort}`] : []),
    ...(given("luxd") && s.luxd !== undefined ? [`--luxd=${s.luxd}`] : []),
    ...(given("evm-plugin") ? [`--evm-plugin=${s.plugins.evm.path}`] : []),
    ...(given("sessionvm-plugin") ? [`--sessionvm-plugin=${s.plugins.sessionvm.path}`] : []),
    ...(typeof grace === "string" ? [`--shutdown-grace=${grace}`] : []),
  ];
  const uid = sys.uid();
  const o = {
    parsdCommand: command,
    dataDir: s.dataDir,
    ...(uid === null || uid === 0 ? {} : { user: String(uid) }),
    fdLimit: service.MIN_FD_LIMIT,
    shutdownGraceMs: s.shutdownGraceMs,
    description: `Pars node (parsd, network ${s.networkId}, ${s.dataDir})`,
  };
  const problems = service.serviceProblems(o);
  if (problems.length > 0) throw new UsageError(problems);
  sys.out(kind === "systemd" ? service.systemdUnit(o) : service.launchdPlist(o));
  return 0;
}
