/**
 * Policy routing rules (`ip rule`): list, add and delete IPv4 and IPv6
 * rules, in any namespace.
 *
 * @example
 * ```ts ignore
 * import { addRule, deleteRule, listRules } from "./api.ts";
 * await addRule({ priority: 100, src: "10.0.0.0/8", table: 100 }, { netns: "blue" });
 * for (const r of await listRules({ family: "inet" }, { netns: "blue" })) console.log(r.priority, r.table);
 * await deleteRule({ priority: 100 }, { netns: "blue" });
 * ```
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import { AF_INET, AF_INET6, AF_UNSPEC, type Cidr, inPrefix, parseCidr } from "../../wire/addr.ts";
import { type Family, familyName, familyNumber } from "../../wire/family.ts";
import { checkKeys } from "../../wire/invalid.ts";
import { tableName, tableNumber } from "../route/tables.ts";
import { checkRouteOptions } from "../options.ts";
import { MessageBuilder } from "../../wire/builder.ts";
import { DumpStream, type RouteOptions, RTM, withRouteSocket } from "../rtnl.ts";
import { buildRuleMessage, type RuleSpec } from "./build.ts";
import { parseRuleMessage, type Rule } from "./parse.ts";
import { FIB_RULE_HDR } from "./table.ts";
import { type RuleSelectors, SELECTOR_KEYS, selectorMatcher } from "./selectors.ts";

/** Which rules to list; every field set must match (`ip rule show` selectors). */
export interface RuleFilter extends RuleSelectors {
  /** Only `inet` or `inet6` rules (names or `AF_*` numbers); by default every family (multicast rules included). */
  family?: Family | number | string;
  /** Priority (`pref`). */
  priority?: number;
  /** Table looked up, by name (`main`, `local`, `default`, names of `rt_tables`) or id. */
  table?: number | string;
  /** TOS / DS field. */
  tos?: number;
  /** Rules whose source prefix lies inside this prefix (`from`). */
  src?: string;
  /** Rules whose destination prefix lies inside this prefix (`to`). */
  dst?: string;
  /** Firewall mark. */
  fwmark?: number;
  /** Firewall mark mask. */
  fwmask?: number;
  /** Input interface name (`iif`/`dev`). */
  iif?: string;
  /** Output interface name. */
  oif?: string;
  /** `true`: only negated rules (`not`); `false`: only rules that are not negated. */
  invert?: boolean;
}

const FILTER_KEYS = [
  ...["family", "priority", "table", "tos", "src", "dst", "fwmark", "fwmask", "iif", "oif", "invert"],
  ...SELECTOR_KEYS,
];

/** Checks `filter` and returns the test each rule must pass. */
function ruleMatcher(filter: RuleFilter): (r: Rule) => boolean {
  checkKeys(filter, FILTER_KEYS, "rule filter");
  const u32 = (what: string, v: number | undefined, max = 0xffffffff): number | undefined => {
    if (v !== undefined && !(Number.isInteger(v) && v >= 0 && v <= max)) {
      throw new InvalidArgumentError(`Invalid ${what} filter: "${v}" (must be 0 to ${max})`);
    }
    return v;
  };
  const priority = u32("priority", filter.priority), tos = u32("tos", filter.tos, 255);
  const fwmark = u32("fwmark", filter.fwmark), fwmask = u32("fwmask", filter.fwmask);
  const table = filter.table === undefined ? undefined : tableName(tableNumber(filter.table));
  const prefix = (what: string, v: string | undefined): Cidr | undefined => {
    if (v === undefined) return undefined;
    try {
      return parseCidr(String(v));
    } catch {
      throw new InvalidArgumentError(`Invalid ${what} filter: "${v}" (expected an address or prefix)`);
    }
  };
  const src = prefix("src", filter.src), dst = prefix("dst", filter.dst);
  const selected = selectorMatcher(filter);
  if (filter.invert !== undefined && typeof filter.invert !== "boolean") {
    throw new InvalidArgumentError(`Invalid invert filter: "${String(filter.invert)}" (must be a boolean)`);
  }
  const inside = (p: Cidr, prefix: string | undefined, family: string): boolean => {
    if (familyName(p.family) !== family) return false;
    const c = prefix === undefined ? undefined : parseCidr(prefix);
    return p.prefixLen <= (c?.prefixLen ?? 0) &&
      inPrefix(c?.addr ?? new Uint8Array(p.addr.length), p.addr, p.prefixLen);
  };
  return (r) =>
    (priority === undefined || r.priority === priority) &&
    (table === undefined || r.table === table) &&
    (tos === undefined || r.tos === tos) &&
    (!src || inside(src, r.src, r.family)) &&
    (!dst || inside(dst, r.dst, r.family)) &&
    (fwmark === undefined || (r.fwmark ?? 0) === fwmark) &&
    (fwmask === undefined || (r.fwmask ?? 0) === fwmask) &&
    (filter.iif === undefined || r.iif === filter.iif) &&
    (filter.oif === undefined || r.oif === filter.oif) &&
    (filter.invert === undefined || r.invert === filter.invert) &&
    selected(r);
}

/** Dumps are retried this often when the rule set changes under them. */
const DUMP_RETRIES = 3;

/** Encodes the dump request of `filter` (validated). */
export function ruleDumpRequest(filter: RuleFilter = {}): Uint8Array {
  const family = filter.family === undefined ? AF_UNSPEC : familyNumber(filter.family);
  if (family !== AF_UNSPEC && family !== AF_INET && family !== AF_INET6) {
    throw new InvalidArgumentError(`Invalid rule family: "${family}" (must be AF_INET or AF_INET6)`);
  }
  return new MessageBuilder(RTM.RTM_GETRULE, 0).struct(FIB_RULE_HDR, { family }).finish();
}

/** Lists the rules of `filter`, in priority order per family. */
export async function listRules(filter: RuleFilter = {}, opts: RouteOptions = {}): Promise<Rule[]> {
  checkRouteOptions(opts, "listRules", true);
  const req = ruleDumpRequest(filter);
  const keep = ruleMatcher(filter);
  const all = await withRouteSocket(opts, (s) => s.dumpAll(req, parseRuleMessage, { retries: DUMP_RETRIES }));
  return all.filter(keep);
}

/** Streams the rules of `filter` one at a time (memory stays at one receive buffer). */
export function streamRules(filter: RuleFilter = {}, opts: RouteOptions = {}): AsyncGenerator<Rule, void, undefined> {
  checkRouteOptions(opts, "streamRules", true);
  const req = ruleDumpRequest(filter);
  const keep = ruleMatcher(filter);
  return new DumpStream(opts, () => ({ request: req, parse: parseRuleMessage, keep }));
}

/** Adds a rule; fails with `EEXIST` if an identical one exists. */
export async function addRule(spec: RuleSpec, opts: RouteOptions = {}): Promise<void> {
  checkRouteOptions(opts, "addRule");
  const req = buildRuleMessage("add", spec);
  await withRouteSocket(opts, (s) => s.request(req));
}

/** Deletes the first rule matching every field of `spec`; fails with `ENOENT` if none does. */
export async function deleteRule(spec: RuleSpec, opts: RouteOptions = {}): Promise<void> {
  checkRouteOptions(opts, "deleteRule");
  const req = buildRuleMessage("delete", spec);
  await withRouteSocket(opts, (s) => s.request(req));
}
