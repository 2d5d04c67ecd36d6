/**
 * Policy routing rules (`ip rule`): list, add and delete IPv4 and IPv6
 * rules, in any namespace.
 *
 * @example
 * ```ts ignore
 * import { addRule, deleteRule, listRules } from "./rule.ts";
 * await addRule({ priority: 100, src: "10.0.0.0/8", table: 100 }, { netns: "blue" });
 * for (const r of await listRules({ family: 2 }, { netns: "blue" })) console.log(r.priority, r.table);
 * await deleteRule({ priority: 100 }, { netns: "blue" });
 * ```
 *
 * @module
 */

import { AF_INET, AF_INET6, AF_UNSPEC } from "../wire/addr.ts";
import { MessageBuilder } from "../wire/builder.ts";
import { DumpStream, type RouteOptions, RTM, withRouteSocket } from "./rtnl.ts";
import { buildRuleMessage, type RuleSpec } from "./rule_build.ts";
import { parseRuleMessage, type Rule } from "./rule_parse.ts";
import { FIB_RULE_HDR } from "./rule_table.ts";

/** Which rules to list. */
export interface RuleFilter {
  /** Only `AF_INET` or `AF_INET6` rules; by default every family (multicast rules included). */
  family?: number;
}

/** Dumps are retried this often when the rule set changes under them. */
const DUMP_RETRIES = 3;

/** Encodes the dump request of `filter` (validated). */
export function ruleDumpRequest(filter: RuleFilter = {}): Uint8Array {
  const family = filter.family ?? AF_UNSPEC;
  if (family !== AF_UNSPEC && family !== AF_INET && family !== AF_INET6) {
    throw new TypeError(`Invalid rule family: "${family}" (must be AF_INET or AF_INET6)`);
  }
  return new MessageBuilder(RTM.RTM_GETRULE, 0).struct(FIB_RULE_HDR, { family }).finish();
}

/** Lists the rules of `filter`, in priority order per family. */
export async function listRules(filter: RuleFilter = {}, opts: RouteOptions = {}): Promise<Rule[]> {
  const req = ruleDumpRequest(filter);
  return await withRouteSocket(opts, (s) => s.dumpAll(req, parseRuleMessage, { retries: DUMP_RETRIES }));
}

/** Streams the rules of `filter` one at a time (memory stays at one receive buffer). */
export function streamRules(filter: RuleFilter = {}, opts: RouteOptions = {}): AsyncGenerator<Rule, void, undefined> {
  const req = ruleDumpRequest(filter);
  return new DumpStream(opts, () => ({ request: req, parse: parseRuleMessage }));
}

/** Adds a rule; fails with `EEXIST` if an identical one exists. */
export async function addRule(spec: RuleSpec, opts: RouteOptions = {}): Promise<void> {
  const req = buildRuleMessage("add", spec);
  await withRouteSocket(opts, (s) => s.request(req));
}

/** Deletes the first rule matching every field of `spec`; fails with `ENOENT` if none does. */
export async function deleteRule(spec: RuleSpec, opts: RouteOptions = {}): Promise<void> {
  const req = buildRuleMessage("delete", spec);
  await withRouteSocket(opts, (s) => s.request(req));
}
