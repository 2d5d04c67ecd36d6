/**
 * Address families as `-4`/`-6` and `-f` select them.
 *
 * @module
 */

import type { Context } from "./context.ts";

/** `AF_INET`. */
export const AF_INET = 2;
/** `AF_INET6`. */
export const AF_INET6 = 10;

/** The family the global `-4`/`-6` chose, as an `AF_*` number (undefined: all). */
export function familyOf(ctx: Context): number | undefined {
  return ctx.opts.family === 4 ? AF_INET : ctx.opts.family === 6 ? AF_INET6 : undefined;
}
