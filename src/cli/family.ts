/**
 * Address families as `-4`/`-6` and `-f` select them.
 *
 * @module
 */

import { AF_INET, AF_INET6 } from "../wire/addr.ts";
import type { Context } from "./context.ts";

/** The family the global `-4`/`-6` chose, as an `AF_*` number (undefined: all). */
export function familyOf(ctx: Context): number | undefined {
  return ctx.opts.family === 4 ? AF_INET : ctx.opts.family === 6 ? AF_INET6 : undefined;
}
