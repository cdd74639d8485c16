/**
 * @module
 * What `luxd --version` / `--version-json` and a plugin's `--version` say:
 * the build's version, application name and rpcchainvm protocol. Pure.
 */

/** What `luxd --version` or `--version-json` says about the build. */
export interface LuxdVersion {
  /** The version after the slash, without a leading `v`: `1.13.4`. */
  readonly version: string;
  /** The plugin protocol version; a plugin must report the same. */
  readonly rpcchainvm: number;
  /** The whole application string: `node/1.13.4`, `avalanchego/1.13.5`. */
  readonly application?: string;
  /** The database version, e.g. `v1.4.5`. */
  readonly database?: string;
  /** The git commit luxd was built from. */
  readonly commit?: string;
  /** The Go version luxd was built with. */
  readonly go?: string;
}

/**
 * Parses `luxd --version`: `node/1.13.4 [database=v1.4.5, rpcchainvm=43,
 * commit=8de3a52b1, go=1.26.8]`. The name before the slash may differ
 * (`avalanchego/1.13.5 […]`); the first such line with an `rpcchainvm`
 * number counts.
 *
 * @returns undefined if no line has a `name/version [… rpcchainvm=N …]` shape.
 */
export function parseLuxdVersion(text: string): LuxdVersion | undefined {
  for (const m of text.matchAll(/([^\s/[\]]+)\/([^\s[\]]+)[ \t]*\[([^\]\n]*)\]/g)) {
    const fields = new Map<string, string>();
    for (const part of m[3]!.split(",")) {
      const eq = part.indexOf("=");
      if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
    const rpcchainvm = protocolNumber(fields.get("rpcchainvm"));
    if (rpcchainvm === undefined) continue;
    return versionResult(`${m[1]}/${m[2]}`, m[2]!, rpcchainvm, {
      database: fields.get("database"),
      commit: fields.get("commit"),
      go: fields.get("go"),
    });
  }
  return undefined;
}

/**
 * Parses `luxd --version-json`: `{"application": "node/1.13.4", "database":
 * "v1.4.5", "rpcchainvm": 43, "commit": "…", "go": "…"}`.
 *
 * @returns undefined if it is not JSON of that shape.
 */
export function parseLuxdVersionJson(text: string): LuxdVersion | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return undefined;
  const o = doc as Record<string, unknown>;
  const application = typeof o["application"] === "string" ? o["application"] : undefined;
  const slash = application?.lastIndexOf("/") ?? -1;
  const raw = application !== undefined && slash >= 0
    ? application.slice(slash + 1)
    : typeof o["version"] === "string"
    ? o["version"]
    : undefined;
  const rpc = o["rpcchainvm"];
  const rpcchainvm = protocolNumber(typeof rpc === "number" ? String(rpc) : rpc);
  if (raw === undefined || raw === "" || rpcchainvm === undefined) return undefined;
  const str = (k: string) => typeof o[k] === "string" ? o[k] : undefined;
  return versionResult(application, raw, rpcchainvm, {
    database: str("database"),
    commit: str("commit"),
    go: str("go"),
  });
}

function protocolNumber(value: unknown): number | undefined {
  return typeof value === "string" && /^\d{1,9}$/.test(value) ? Number(value) : undefined;
}

function versionResult(
  application: string | undefined,
  raw: string,
  rpcchainvm: number,
  extra: Readonly<Record<"database" | "commit" | "go", string | undefined>>,
): LuxdVersion {
  const out: { -readonly [K in keyof LuxdVersion]: LuxdVersion[K] } = {
    version: raw.replace(/^v(?=\d)/, ""),
    rpcchainvm,
  };
  if (application !== undefined) out.application = application;
  for (const k of ["database", "commit", "go"] as const) {
    const v = extra[k];
    if (v !== undefined && v !== "") out[k] = v;
  }
  return out;
}

/**
 * The rpcchainvm protocol number a plugin's `--version` reports:
 * `Subnet-EVM/v0.7.9 [AvalancheGo=v1.13.5, rpcchainvm=43]`,
 * `Subnet-EVM/<v> [Luxd=<v>, rpcchainvm=<N>]`, or JSON `"rpcchainvm": 43`.
 *
 * @returns undefined if the text names none.
 */
export function parsePluginVersion(text: string): number | undefined {
  const m = /"?\brpcchainvm"?\s*[=:]\s*"?(\d{1,9})\b/.exec(text);
  return m === null ? undefined : Number(m[1]);
}
