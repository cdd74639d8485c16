/**
 * @module
 * Helpers shared by the tests of `lib/plugins/`: an executable file, and
 * settings from a config.json document, flags and env.
 */

import { resolveSettings } from "../../lib/cli/config.ts";
import type { Settings } from "../../lib/settings.ts";

/** Writes an executable file. */
export async function exe(path: string, body: string, mode = 0o755): Promise<void> {
  await Deno.writeTextFile(path, body);
  await Deno.chmod(path, mode);
}

/** Settings as parsd resolves them for `home`, with config.json `config`, flags and env. */
export function settings(
  home: string,
  config: Record<string, unknown>,
  flags: Record<string, string | boolean> = {},
  env: Record<string, string> = {},
): Settings {
  return resolveSettings(
    { flags, env: (n) => env[n], home, cwd: home },
    JSON.stringify(config),
  );
}
