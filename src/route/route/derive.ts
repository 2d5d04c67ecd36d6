/**
 * The values of a {@link Route} that are computed rather than read: a
 * prefix from its address and the header's length, names of the header's
 * numbers, the table by name. The composes of `ROUTE_TABLE` and
 * `ROUTE_MESSAGE` (in `table.ts`) name these functions, and
 * `scripts/gen_codecs.ts` compiles the calls into `parseRouteMessage`.
 *
 * @module
 */

import { AF_INET, AF_INET6 } from "../../wire/addr.ts";
import { familyName } from "../../wire/family.ts";
import { bitNames, type NameMap, nameOf } from "../../wire/table.ts";
import { decodeEncap, type RouteEncap } from "./encap.ts";
import { ROUTE_FLAG_NAMES, RT_SCOPE_NAMES, RTCF_NAMES, RTM_F_CLONED, RTN_NAMES, RTPROT_NAMES } from "./names.ts";
import { tableName } from "./tables.ts";

/** Every value of an 8-bit enumeration, named once: looking names up in sparse maps per route is slow. */
function byteNames(names: NameMap): string[] {
  return Array.from({ length: 256 }, (_, i) => nameOf(names, i));
}

const PROTOCOLS = byteNames(RTPROT_NAMES);
const SCOPES = byteNames(RT_SCOPE_NAMES);
const TYPES = byteNames(RTN_NAMES);
const FAMILIES = Array.from({ length: 256 }, (_, i) => familyName(i));

/** Seconds per clock tick of `rta_cacheinfo` (the kernel's `USER_HZ`). */
const USER_HZ = 100;

/** The family's name (`inet`, `inet6`, ...). */
export function familyText(family: number): string {
  return FAMILIES[family];
}

/** The origin's name (`kernel`, `boot`, `static`, ...). */
export function protocolText(protocol: number): string {
  return PROTOCOLS[protocol];
}

/** The scope's name (`global`, `link`, `host`, ...). */
export function scopeText(scope: number): string {
  return SCOPES[scope];
}

/** The route type's name (`unicast`, `local`, `blackhole`, ...). */
export function typeText(type: number): string {
  return TYPES[type];
}

/** A prefix as text: `"default"` for a zero-length one, `"10.0.0.0/24"`, or the family's zero address. */
export function prefixText(family: number, addr: string | undefined, len: number): string {
  if (addr !== undefined) return `${addr}/${len}`;
  if (len === 0) return "default";
  return `${family === AF_INET6 ? "::" : "0.0.0.0"}/${len}`;
}

/** The source prefix, when the route is source-specific. */
export function sourceText(family: number, addr: string | undefined, len: number): string | undefined {
  return addr !== undefined || len ? prefixText(family, addr, len) : undefined;
}

/** The table by name: `RTA_TABLE` when present (ids above 255), else the header's byte. */
export function tableText(attr: number | undefined, header: number): string | number {
  return tableName(attr ?? header);
}

/** IPv4 lookup answers (`RTM_F_CLONED`) reuse the upper flag bits for `RTCF_*` cache flags. */
function cloned4(family: number, flags: number): boolean {
  return family === AF_INET && (flags & RTM_F_CLONED) !== 0;
}

/** The route flags by name, without an IPv4 lookup answer's cache bits. */
export function flagsText(family: number, flags: number): string[] {
  if (flags === 0) return [];
  return bitNames(ROUTE_FLAG_NAMES, cloned4(family, flags) ? flags & 0xffff : flags);
}

/** The `RTCF_*` cache flags of an IPv4 lookup answer, by name. */
export function cacheText(family: number, flags: number): string[] | undefined {
  return cloned4(family, flags) ? bitNames(RTCF_NAMES, flags & 0xffff0000) : undefined;
}

/** Seconds until expiry: `RTA_EXPIRES` when present, else the cache info's ticks. */
export function expiresOf(attr: number | undefined, cacheinfo: { expires: number } | undefined): number | undefined {
  if (attr !== undefined) return attr;
  return cacheinfo?.expires ? Math.trunc(cacheinfo.expires / USER_HZ) : undefined;
}

/** The encapsulation, decoded by its type; neither alone makes one. */
export function encapOf(type: number | undefined, data: Uint8Array | undefined): RouteEncap | undefined {
  return type !== undefined && data !== undefined ? decodeEncap(type, data) : undefined;
}
