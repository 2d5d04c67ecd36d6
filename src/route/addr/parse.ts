/**
 * Decoding of `RTM_NEWADDR`/`RTM_DELADDR` messages into {@link Address}
 * objects: `parseAddressMessage` is compiled from `ADDRESS_MESSAGE`
 * (`table.ts`) by `scripts/gen_codecs.ts`.
 *
 * @example
 * ```ts
 * import { parseAddressMessage } from "./parse.ts";
 * import { readMessage } from "../../wire/message.ts";
 * // RTM_NEWADDR for 10.0.0.1/24 on ifindex 2 (header, IFA_ADDRESS, IFA_LOCAL).
 * const hex = "28000000140000000000000000000000" + "0218800002000000" + "080001000a000001" + "080002000a000001";
 * const bytes = Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16));
 * const addr = parseAddressMessage(readMessage(bytes, new DataView(bytes.buffer), 0, bytes.length));
 * console.log(addr.address, addr.ifindex, addr.flags); // 10.0.0.1/24 2 ["permanent"]
 * ```
 *
 * @module
 */

export { parseAddressMessage } from "./_generated/table.ts";
export type { Address } from "./table.ts";
