/**
 * Decoding of `RTM_NEWNEIGH`/`RTM_DELNEIGH` messages into {@link Neighbour}
 * objects: `parseNeighbourMessage` is compiled from `NEIGHBOUR_MESSAGE`
 * (`table.ts`) by `scripts/gen_codecs.ts`.
 *
 * @example
 * ```ts
 * import { parseNeighbourMessage } from "./parse.ts";
 * import { readMessage } from "../../wire/message.ts";
 * // RTM_NEWNEIGH: proxy entry for 10.0.0.50 on ifindex 3 (ndmsg, NDA_DST).
 * const hex = "240000001c0000000000000000000000" + "020000000300000000000801" + "080001000a000032";
 * const bytes = Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16));
 * const n = parseNeighbourMessage(readMessage(bytes, new DataView(bytes.buffer), 0, bytes.length));
 * console.log(n.dst, n.flags, n.state); // 10.0.0.50 ["proxy"] ["NONE"]
 * ```
 *
 * @module
 */

export { parseNeighbourMessage } from "./_generated/table.ts";
export type { Neighbour } from "./table.ts";
