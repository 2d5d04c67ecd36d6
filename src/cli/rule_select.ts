/**
 * `ip rule show`'s exact-match selectors `l3mdev`, `uidrange`, `ipproto`,
 * `sport` and `dport`, read as iproute2 6.1 reads them: a zero `ipproto` or
 * port start is no selector there (its filter tests them for non-zero), so
 * it is none here either.
 *
 * @module
 */

import { invalidArgument } from "./numbers.ts";
import type { RuleFilter } from "../route/rule/api.ts";
import type { RuleRange } from "../route/rule/table.ts";
import { ipProtoNumber } from "./etc_protocols.ts";

const DECIMAL = /^\d+$/;

/** `A-B` (both required, as ip's `%u-%u`) or, with `single`, `A`. */
export function ruleRange(text: string, why: string, max: number, single: boolean): RuleRange {
  const [a, b, extra] = text.split("-");
  const ok = (t: string | undefined) => t !== undefined && DECIMAL.test(t) && Number(t) <= max;
  if (extra !== undefined || !ok(a) || !(b === undefined ? single : ok(b))) throw invalidArgument(text, why);
  return { start: Number(a), end: Number(b ?? a) };
}

function ipProto(text: string): number {
  const n = ipProtoNumber(text);
  if (n === undefined) throw invalidArgument(text, `Invalid "ipproto" value`);
  return n;
}

/**
 * Applies selector `word` to `f`, reading its value with `value`; false when
 * `word` is none of these.
 */
export function ruleSelector(word: string, value: () => string, f: RuleFilter): boolean {
  if (word === "l3mdev") f.l3mdev = true;
  else if (word === "uidrange") f.uidRange = ruleRange(value(), "invalid UID range", 0xffffffff, false);
  else if (word === "ipproto") {
    const p = ipProto(value());
    if (p) f.ipProto = p;
  } else if (word === "sport" || word === "dport") {
    const r = ruleRange(value(), word === "sport" ? "invalid port range" : "invalid dport range", 0xffff, true);
    if (r.start) f[word === "sport" ? "sportRange" : "dportRange"] = r;
  } else return false;
  return true;
}
