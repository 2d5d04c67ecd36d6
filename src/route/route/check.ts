/**
 * The value checks shared by route requests (`build.ts`) and route filters
 * (`filter.ts`): a filter needs them without the request encoder and the
 * nexthop code behind it.
 *
 * @module
 */

import { type Cidr, parseCidr } from "../../wire/addr.ts";
import { valueOfName } from "../../wire/table.ts";
import { InvalidArgumentError } from "../../wire/invalid.ts";
import { tableNumber } from "./tables.ts";
import { RT_SCOPE_NAMES } from "./names.ts";

const U32_MAX = 0xffffffff;

/** Checks an unsigned integer field; returns it. */
export function checkUint(what: string, v: unknown, max = U32_MAX, min = 0): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new InvalidArgumentError(`Invalid ${what}: "${String(v)}" (must be ${min} to ${max})`);
  }
  return v;
}

/** Looks up a name of an 8-bit enumeration (or checks a number). */
export function enumValue(names: Record<number, string>, v: string | number, what: string, max = 255): number {
  const n = valueOfName(names, v, what);
  return checkUint(what, n, max);
}

/** Resolves a table id or name (`main`, `local`, `default`, names of `rt_tables`). */
export function tableId(v: string | number): number {
  return tableNumber(v);
}

/** Resolves a scope name (`universe` is accepted for `global`) or number. */
export function scopeValue(v: string | number): number {
  return enumValue(RT_SCOPE_NAMES, v === "universe" ? "global" : v, "scope");
}

/** Parses a destination or source prefix and rejects one with host bits set. */
export function parsePrefix(text: string, what: string): Cidr {
  if (typeof text !== "string") throw new InvalidArgumentError(`Invalid ${what}: "${String(text)}"`);
  const c = parseCidr(text);
  for (let bit = c.prefixLen; bit < c.addr.length * 8; bit++) {
    if (c.addr[bit >> 3] & (0x80 >> (bit & 7))) {
      throw new InvalidArgumentError(`Invalid ${what}: "${text}" (host bits are set beyond /${c.prefixLen})`);
    }
  }
  return c;
}
