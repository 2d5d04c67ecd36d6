/**
 * Parsing of route messages: `parseRouteMessage` is generated from the
 * declared public shape (`ROUTE_OBJECT` in `table.ts`) by
 * `scripts/gen_route.ts`, so no field is copied by hand.
 *
 * @example
 * ```ts
 * import { parseRouteMessage } from "./parse.ts";
 * import { readMessage } from "../../wire/message.ts";
 * // RTM_NEWROUTE for 10.0.0.0/24 dev 3 proto kernel scope link src 10.0.0.1 (captured).
 * const hex = "3c000000180022000110e30cc537000002180000fe02fd010000000008000f00fe000000" +
 *   "080001000a000000080007000a0000010800040003000000";
 * const bytes = Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16));
 * const route = parseRouteMessage(readMessage(bytes, new DataView(bytes.buffer), 0, bytes.length));
 * console.log(route.dst, route.protocol, route.scope, route.oif); // 10.0.0.0/24 kernel link 3
 * ```
 *
 * @module
 */

export { parseRouteMessage } from "./_generated/parse.ts";
