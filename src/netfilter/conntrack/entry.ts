/**
 * The typed conntrack entry and its parser: one `IPCTNL_MSG_CT_NEW` or
 * `IPCTNL_MSG_CT_DELETE` message (dump reply or event) becomes a
 * {@link ConntrackEntry}. The parser is generated from the public keys of
 * `CTA_TABLE` (`scripts/gen_codecs.ts`); {@link conntrackEntryAttrs} is the
 * table engine's inverse of it.
 *
 * @example
 * ```ts ignore
 * import { parseConntrackMessage } from "./entry.ts";
 * for await (const e of sock.dump(msg, parseConntrackMessage)) console.log(e.proto, e.orig.src);
 * ```
 *
 * @module
 */

import { TruncatedError } from "../../wire/errors.ts";
import { familyName, familyNumber } from "../../wire/family.ts";
import { type NlMsg, payloadOf } from "../../wire/message.ts";
import { NFGENMSG } from "../../wire/nfnetlink.ts";
import { publicAttrs, type PublicObject, publicObjectOf } from "../../wire/public.ts";
import { type Attrs, parseAttrs, parseStruct, structSize } from "../../wire/table.ts";
import { parseConntrackEntryAttrs } from "./_generated/tables.ts";
import { CT_PROTO_NAMES, CTA_TABLE } from "./tables.ts";
import type { ConntrackEntry } from "./types.ts";

export type * from "./types.ts";

/** Parsed top-level attributes of a conntrack message. */
export type ConntrackAttrs = Attrs<typeof CTA_TABLE>;

/** The family as conntrack-tools prints it (`ipv4`, `ipv6`, `unknown`), from an entry's `family`. */
export function conntrackFamilyText(family: string): string {
  return family === "inet" ? "ipv4" : family === "inet6" ? "ipv6" : "unknown";
}

const HDR = structSize(NFGENMSG);

/** Names a layer-4 protocol number the way conntrack-tools does (`unknown` otherwise). */
export function protoName(num: number): string {
  return (CT_PROTO_NAMES as Record<number, string>)[num] ?? "unknown";
}

/** Parses the `nfgenmsg` header and attributes of a ctnetlink message. */
export function parseConntrackAttrs(m: NlMsg): { family: number; attrs: ConntrackAttrs } {
  const off = payloadOf(m);
  if (off + HDR > m.end) throw new TruncatedError("nfgenmsg", off, HDR, m.end - off);
  const { family } = parseStruct(NFGENMSG, m.view, off, m.end);
  return { family, attrs: parseAttrs(CTA_TABLE, m.buf, m.view, off + HDR, m.end) };
}

/**
 * Parses the `CTA_*` attributes in `buf[start, end)` (a ctnetlink message
 * after its header, or a nest such as `NFQA_CT`) into a {@link ConntrackEntry}
 * of address family `family`.
 */
export function parseConntrackEntry(
  buf: Uint8Array,
  view: DataView,
  start: number,
  end: number,
  family: number,
): ConntrackEntry {
  return parseConntrackEntryAttrs(buf, view, start, end, { family: familyName(family) });
}

/**
 * Parses one conntrack message (a dump reply or an event) into a
 * {@link ConntrackEntry}. Throws `TruncatedError`/`MalformedError` on bytes
 * that are not a conntrack message.
 */
export function parseConntrackMessage(m: NlMsg): ConntrackEntry {
  const off = payloadOf(m);
  if (off + HDR > m.end) throw new TruncatedError("nfgenmsg", off, HDR, m.end - off);
  return parseConntrackEntryAttrs(m.buf, m.view, off + HDR, m.end, { family: familyName(m.view.getUint8(off)) });
}

/**
 * An entry back to `[family, attrs]`, the attributes it was parsed from (up
 * to attribute order and the wire forms of equal values), unknown ones in
 * their nests: an entry read from one namespace can be sent to another.
 */
export function conntrackEntryAttrs(e: ConntrackEntry): { family: number; attrs: ConntrackAttrs } {
  return { family: familyNumber(e.family), attrs: publicAttrs(CTA_TABLE, e as unknown as PublicObject) };
}

/**
 * The entry of `CTA_*` attributes the wire engine already parsed (the
 * `NFQA_CT`/`NFULA_CT` nest of a queued or logged packet), through the same
 * public keys of `CTA_TABLE` as the generated parser.
 */
export function entryOf(a: ConntrackAttrs, familyNum: number): ConntrackEntry {
  const out = publicObjectOf(
    CTA_TABLE,
    a as Record<string, unknown>,
    { family: familyName(familyNum) },
    "Conntrack nest",
  );
  return out as unknown as ConntrackEntry;
}
