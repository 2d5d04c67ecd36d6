/**
 * The nlkit version, read from deno.json when the CLI is built or loaded.
 *
 * @module
 */

import meta from "../../deno.json" with { type: "json" };

/** The package version, e.g. "0.1.0". */
export const VERSION: string = meta.version;
