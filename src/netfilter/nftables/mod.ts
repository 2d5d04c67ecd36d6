/**
 * nftables over nf_tables netlink: tables, chains, rules with typed
 * expressions, sets and maps with elements, stateful objects, flowtables;
 * atomic generation-checked transactions; nft's JSON in both directions and
 * nft's text; ruleset events.
 *
 * @example
 * ```ts ignore
 * import { listRuleset, rulesetJson } from "./mod.ts";
 * const doc = rulesetJson(await listRuleset({}, { netns: "lab" }));
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
export * from "./udata.ts";
export * from "./expr/registry.ts";
export { buildExpr, EXPR_LIST, parseExpr } from "./expr/list.ts";
export * from "./list.ts";
export * from "./ifnames.ts";
export * from "./transaction.ts";
export * from "./ops.ts";
export * from "./events.ts";
export { concatTypes, type Json, NFT_TYPES, type NftType, typeById, typeByName } from "./json/types.ts";
export { type DataRender, elementsJson } from "./json/elements.ts";
export { type ElementShape, elementsOf } from "./json/values.ts";
export * from "./json/ruleset_json.ts";
export { type RuleContext, ruleStatements } from "./json/rule_json.ts";
export { type LinearizeContext, ruleExpressions } from "./json/linearize.ts";
export { applyJson, type ApplyOptions, DocumentPlanner } from "./json/apply.ts";
export { MonitorJson } from "./json/event_json.ts";
export { nftJsonText } from "./json/serialize.ts";
export { formatRuleset, type TextOptions } from "./text/ruleset_text.ts";
export { parseCommand, parseStatements } from "./text/parse.ts";
