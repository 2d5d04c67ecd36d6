/**
 * nftables over nf_tables netlink: tables, chains, rules with typed
 * expressions, sets and maps with elements, stateful objects, flowtables;
 * atomic generation-checked transactions; nft's JSON in both directions and
 * nft's text; ruleset events.
 *
 * @example Load a ruleset as nft JSON, list it back as nft JSON and as text
 * ```ts
 * import assert from "node:assert/strict";
 * import { createNetns, deleteNetns } from "@nlkit/netlink/netns";
 * import { applyJson, formatRuleset, listRuleset, rulesetJson } from "@nlkit/netlink/nftables";
 *
 * const netns = `doc-${crypto.randomUUID().slice(0, 8)}`;
 * await createNetns(netns);
 * try {
 *   const chain = { family: "inet", table: "filter", chain: "input" };
 *   await applyJson({
 *     nftables: [
 *       { add: { table: { family: "inet", name: "filter" } } },
 *       { add: { chain: { family: "inet", table: "filter", name: "input", type: "filter", hook: "input", prio: 0, policy: "accept" } } },
 *       {
 *         add: {
 *           rule: {
 *             ...chain,
 *             expr: [
 *               { match: { op: "==", left: { payload: { protocol: "tcp", field: "dport" } }, right: 22 } },
 *               { accept: null },
 *             ],
 *           },
 *         },
 *       },
 *     ],
 *   }, { netns });
 *   const { nftables } = rulesetJson(await listRuleset({}, { netns }));
 *   assert.ok(nftables.some((o) => typeof o === "object" && o !== null && "rule" in o), "the rule is listed");
 *   assert.match(formatRuleset(nftables), /tcp dport 22 accept/);
 * } finally {
 *   await deleteNetns(netns);
 * }
 * ```
 *
 * @module
 */

export * from "./consts.ts";
export * from "./socket.ts";
export * from "./data.ts";
export * from "./table.ts";
export * from "./chain.ts";
export * from "./rule.ts";
export * from "./set.ts";
export * from "./element.ts";
export * from "./obj.ts";
export * from "./flowtable.ts";
export * from "./gen.ts";
export * from "./trace.ts";
export type * from "./_generated/types.ts";
export * from "./udata.ts";
export * from "./expr/registry.ts";
export { buildExpr, EXPR_LIST, parseExpr } from "./expr/list.ts";
export * from "./list.ts";
export * from "./ifnames.ts";
export * from "./transaction.ts";
export * from "./transaction_error.ts";
export * from "./transaction_specs.ts";
export * from "./ops.ts";
export * from "./reset.ts";
export * from "./get_elements.ts";
export * from "./events.ts";
export { concatTypes, type Json, NFT_TYPES, type NftType, typeById, typeByName } from "./json/types.ts";
export { type DataRender, elementsJson, type ElemRender, type ElemStmt } from "./json/elements.ts";
export { type ElementShape, elementsOf } from "./json/values.ts";
export * from "./json/ruleset_json.ts";
export { ruleStatements } from "./json/rule_json.ts";
export type { RuleContext } from "./json/rule_json_base.ts";
export { ruleExpressions } from "./json/linearize.ts";
export type { LinearizeContext } from "./json/linearize_base.ts";
export { applyJson, type ApplyOptions, DocumentPlanner } from "./json/apply.ts";
export { MonitorJson } from "./json/event_json.ts";
export { nftJsonText } from "./json/serialize.ts";
export { parseNftJson } from "./json/big_int.ts";
export { formatRuleset, type TextOptions } from "./text/ruleset_text.ts";
export { type SetDecl, setDecl } from "./text/set_decl.ts";
export { parseCommand } from "./text/parse.ts";
export { parseStatements } from "./text/statement.ts";
