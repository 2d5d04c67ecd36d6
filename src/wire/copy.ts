/**
 * Copies an object's present fields into another in a declared order (the
 * order its JSON prints them): converters list the fields they carry over
 * instead of writing a test and an assignment for each.
 *
 * @example
 * ```ts
 * import { copyDefined } from "./copy.ts";
 * const out: Record<string, unknown> = {};
 * copyDefined(out, { mtu: 1500, minMtu: 68, maxMtu: undefined }, ["mtu", ["min_mtu", "minMtu"], ["max_mtu", "maxMtu"]]);
 * console.log(out); // { mtu: 1500, min_mtu: 68 }
 * ```
 *
 * @module
 */

/** The fields to copy, in order: a name kept as it is, or `[to, from]`. */
export type FieldCopies = readonly (string | readonly [to: string, from: string])[];

/** Copies each field of `from` named in `fields` whose value is not `undefined` into `to`, in order. */
export function copyDefined(to: object, from: object, fields: FieldCopies): void {
  const t = to as Record<string, unknown>, f = from as Record<string, unknown>;
  for (const k of fields) {
    const v = f[typeof k === "string" ? k : k[1]];
    if (v !== undefined) t[typeof k === "string" ? k : k[0]] = v;
  }
}
