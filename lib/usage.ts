/**
 * @module
 * The one-line usage printed after a usage error (kept apart from the help
 * text so that an error loads nothing else).
 */

/** One usage line. */
export const USAGE =
  "usage: parsd [run|init|doctor|status|plugins|node-id|service|vmid|version|help] [flags] [luxd flags] [-- luxd flags]";
