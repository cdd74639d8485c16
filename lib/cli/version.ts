/**
 * @module
 * parsd's own version.
 */

/** parsd's version (semver). */
export const VERSION = "0.1.0";
