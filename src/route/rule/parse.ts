/**
 * Decoding of `RTM_NEWRULE`/`RTM_DELRULE` messages into {@link Rule}
 * objects: `parseRuleMessage` is compiled from `RULE_MESSAGE` (`table.ts`)
 * by `scripts/gen_codecs.ts`.
 *
 * @module
 */

export { parseRuleMessage } from "./_generated/table.ts";
export type { Rule, RuleRange } from "./table.ts";

/** Fields of a listed {@link Rule} that the kernel reports but does not take back: accepted by `deleteRule`/`addRule` and ignored. */
export const RULE_OUTPUT_ONLY = ["unknown"] as const;
