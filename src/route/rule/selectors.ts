/**
 * The exact-match selectors of `ip rule show` (iproute2 6.1's `filter_nlmsg`):
 * `l3mdev`, `uidrange`, `ipproto`, `sport`, `dport`.
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import { checkKeys } from "../../wire/invalid.ts";
import { valueOfName } from "../../wire/table.ts";
import { IP_PROTO_NAMES, type Rule, type RuleRange } from "./table.ts";

/** Selectors a rule must match exactly; a range matches only the same range. */
export interface RuleSelectors {
  /** `true`: only rules that look up the l3mdev (VRF) table; `false`: only rules that do not. */
  l3mdev?: boolean;
  /** Only rules with exactly this uid range. */
  uidRange?: RuleRange;
  /** Only rules for this IP protocol (name or number); 0 selects rules with none. */
  ipProto?: number | string;
  /** Only rules with exactly this source port range. */
  sportRange?: RuleRange;
  /** Only rules with exactly this destination port range. */
  dportRange?: RuleRange;
}

/** The keys of {@link RuleSelectors}. */
export const SELECTOR_KEYS = ["l3mdev", "uidRange", "ipProto", "sportRange", "dportRange"] as const;

function range(what: string, r: RuleRange | undefined, max: number): RuleRange | undefined {
  if (r === undefined) return undefined;
  if (typeof r !== "object" || r === null) throw new InvalidArgumentError(`Invalid ${what} filter: "${String(r)}"`);
  checkKeys(r, ["start", "end"], `${what} filter`);
  for (const v of [r.start, r.end]) {
    if (!Number.isInteger(v) || v < 0 || v > max) {
      throw new InvalidArgumentError(`Invalid ${what} filter: "${String(v)}" (must be 0 to ${max})`);
    }
  }
  return r;
}

const same = (a: RuleRange | undefined, b: RuleRange): boolean => a?.start === b.start && a.end === b.end;

/** Checks the selectors of `f` and returns the test each rule must pass. */
export function selectorMatcher(f: RuleSelectors): (r: Rule) => boolean {
  if (f.l3mdev !== undefined && typeof f.l3mdev !== "boolean") {
    throw new InvalidArgumentError(`Invalid l3mdev filter: "${String(f.l3mdev)}" (must be a boolean)`);
  }
  const uid = range("uid range", f.uidRange, 0xffffffff);
  const sport = range("source port", f.sportRange, 0xffff);
  const dport = range("destination port", f.dportRange, 0xffff);
  const proto = f.ipProto === undefined ? undefined : valueOfName(IP_PROTO_NAMES, f.ipProto, "IP protocol filter");
  if (proto !== undefined && !(Number.isInteger(proto) && proto >= 0 && proto <= 255)) {
    throw new InvalidArgumentError(`Invalid IP protocol filter: "${String(f.ipProto)}" (must be 0 to 255)`);
  }
  return (r) =>
    (f.l3mdev === undefined || !!r.l3mdev === f.l3mdev) &&
    (!uid || same(r.uidRange, uid)) &&
    (proto === undefined || (r.ipProto ?? 0) === proto) &&
    (!sport || same(r.sportRange, sport)) &&
    (!dport || same(r.dportRange, dport));
}
