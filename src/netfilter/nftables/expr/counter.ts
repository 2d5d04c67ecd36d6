/**
 * The `counter` expression: counts packets and bytes.
 *
 * @module
 */

export { NFTA_COUNTER_TABLE } from "../chain.ts";
