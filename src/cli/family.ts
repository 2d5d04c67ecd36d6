/**
 * Address families as `-4`, `-6`, `-0`, `-B`, `-M` and `-f FAMILY` select
 * them (iproute2's `read_family()`).
 *
 * @module
 */

import { AF_BRIDGE, AF_INET, AF_INET6, AF_MPLS, AF_PACKET } from "../wire/addr.ts";
import type { Context } from "./context.ts";

/** `-f` names and their `AF_*` numbers. */
export const FAMILIES: ReadonlyMap<string, number> = new Map([
  ["inet", AF_INET],
  ["inet6", AF_INET6],
  ["link", AF_PACKET],
  ["mpls", AF_MPLS],
  ["bridge", AF_BRIDGE],
]);

/** The `-f` name of an `AF_*` number. */
export function familyName(family: number): string {
  for (const [name, af] of FAMILIES) if (af === family) return name;
  return String(family);
}

/**
 * The family the global options chose, as an `AF_*` number (undefined: all).
 * The dispatcher already refused families the object does not apply.
 */
export function familyOf(ctx: Context): number | undefined {
  return ctx.opts.family;
}
