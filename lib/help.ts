/**
 * @module
 * The help text.
 */

import { FLAGS } from "./args.ts";

/** One usage line, printed after usage errors. */
export const USAGE =
  "usage: parsd [run|init|doctor|plugins|vmid|version|help] [parsd flags] [luxd flags] [-- luxd flags]";

/** The full help text. */
export function helpText(): string {
  const flags = FLAGS.map((f) => `  --${f.name}${f.value ? "=VALUE" : ""}`.padEnd(28) + f.help)
    .join("\n");
  return `parsd — the Pars node launcher: verifies the EVM and SessionVM plugins and runs luxd for Pars.

${USAGE}

Subcommands:
  run                     verify plugins, link them, start luxd (the default)
  init                    create the data dir layout (0700) and a default config.json
  doctor                  check everything run checks, start nothing; exit 0 only if ready
  plugins list            show each plugin: VMID, where found, size, sha256, pin, link
  plugins verify          hash each plugin fully and compare with its pin; change nothing
  plugins pin [NAME...]   record the sha256 of what discovery finds (or --from SHA256SUMS)
  vmid NAME               print the cb58 VMID of a VM name
  version                 print parsd's, Deno's and luxd's versions
  help                    show this help

Flags:
${flags}

Flags parsd does not own pass through to luxd unchanged and in order; everything
after -- passes verbatim. Exit codes: 0 ok, 64 usage, 65 verification, 66 missing
input, 73 cannot create, 77 permissions, 78 config, 126 luxd not executable,
127 luxd not found; otherwise luxd's own code (128+n if signal n killed it).
`;
}
