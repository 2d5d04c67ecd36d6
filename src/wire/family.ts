/**
 * Address families by name, the one convention of every object: output
 * carries the name (`"inet"`, `"inet6"`, `"bridge"`, ...), input takes the
 * name or the `AF_*` number.
 *
 * @example
 * ```ts
 * import { familyName, familyNumber } from "./family.ts";
 * console.log(familyName(10), familyNumber("inet"), familyNumber(7)); // inet6 2 7
 * ```
 *
 * @module
 */

import { InvalidArgumentError } from "./invalid.ts";

/** An address family by name, as `ip` prints it (`RTNL_FAMILY_IPMR`/`IP6MR` are `ipmr`/`ip6mr`). */
export type Family = "unspec" | "inet" | "inet6" | "bridge" | "mpls" | "ipmr" | "ip6mr";

const NAMES: Readonly<Record<number, Family>> = {
  0: "unspec",
  2: "inet",
  7: "bridge",
  10: "inet6",
  28: "mpls",
  128: "ipmr",
  129: "ip6mr",
};

const NUMBERS: ReadonlyMap<string, number> = new Map(Object.entries(NAMES).map(([n, name]) => [name, Number(n)]));

/** The name of an `AF_*` number (`2` → `"inet"`); a number without one as decimal text. */
export function familyName(n: number): string {
  return NAMES[n] ?? String(n);
}

/**
 * The `AF_*` number of a family given by name or number (`"inet6"` → 10);
 * throws `InvalidArgumentError` naming the bad value.
 */
export function familyNumber(f: Family | number | string): number {
  if (typeof f === "number" && Number.isInteger(f) && f >= 0 && f <= 255) return f;
  if (typeof f === "string") {
    const n = NUMBERS.get(f) ?? (/^\d{1,3}$/.test(f) ? Number(f) : undefined);
    if (n !== undefined && n <= 255) return n;
  }
  throw new InvalidArgumentError(
    `Cannot use family ${JSON.stringify(f)}: expected one of ${[...NUMBERS.keys()].join(", ")} or an AF_* number`,
    "family",
  );
}
