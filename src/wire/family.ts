/**
 * Address families by the names iproute2 prints (`inet`, `inet6`, `bridge`,
 * ...): every object carries its family as one of these strings; input
 * takes the string or the `AF_*` number.
 *
 * @module
 */

import { InvalidArgumentError } from "./invalid.ts";

/** `AF_*` numbers by iproute2's family names. */
const FAMILIES = { unspec: 0, inet: 2, bridge: 7, inet6: 10, mpls: 28 } as const;

/** An address family by name: `inet` (IPv4), `inet6` (IPv6), `bridge`, `mpls` or `unspec`. */
export type Family = keyof typeof FAMILIES;

const NAMES: { readonly [n: number]: Family } = Object.fromEntries(
  Object.entries(FAMILIES).map(([k, v]) => [v, k as Family]),
);

/** Names an `AF_*` number (`2` is `inet`); numbers without a name come back as decimal text. */
export function familyName(n: number): string {
  return NAMES[n] ?? String(n);
}

/**
 * The `AF_*` number of a family name or number. Throws
 * `InvalidArgumentError` for anything else.
 */
export function familyNumber(f: Family | number): number {
  if (typeof f === "number" && Number.isInteger(f) && f >= 0 && f <= 255) return f;
  if (typeof f === "string" && Object.hasOwn(FAMILIES, f)) return FAMILIES[f];
  throw new InvalidArgumentError(
    `Cannot use family ${JSON.stringify(f)}: expected one of ${Object.keys(FAMILIES).join(", ")} or an AF_* number`,
    "family",
  );
}
