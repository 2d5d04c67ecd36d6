/**
 * IP protocol names as the tools read them: `/etc/protocols` (what
 * `getprotobyname()`/`getprotobynumber()` read), with the built-in table
 * when the file is missing. ip's `inet_proto_a2n` takes a decimal number
 * first, then a name; `inet_proto_n2a` prints the file's first name for a
 * number, else `ipproto-N`.
 *
 * @module
 */

import { readTextOrUndefined } from "../sys/files.ts";
import { IP_PROTO_NAMES } from "../route/rule/table.ts";
import { parseProtocols } from "./protocols_text.ts";

/** IP protocols by name (aliases included) and by number (the first name). */
export interface Protocols {
  /** Numbers by name or alias. */
  byName: Map<string, number>;
  /** The name of each number. */
  byNumber: Map<number, string>;
}

let cache: Protocols | undefined;

/** The protocols of `/etc/protocols`, read once. */
function protocols(): Protocols {
  return cache ??= protocolTable(readTextOrUndefined("/etc/protocols"));
}

/** The protocols of an `/etc/protocols` text; the built-in names when there is none (`undefined`). */
export function protocolTable(text: string | undefined): Protocols {
  const byName = text === undefined
    ? new Map(Object.entries(IP_PROTO_NAMES).map(([n, name]) => [name as string, Number(n)]))
    : parseProtocols(text);
  const byNumber = new Map<number, string>();
  // The first line of a number names it (getprotobynumber); its aliases come after the name in the map.
  for (const [name, n] of byName) if (!byNumber.has(n)) byNumber.set(n, name);
  return { byName, byNumber };
}

/** ip's `inet_proto_a2n`: a decimal number 0 to 255, or a protocol name; undefined when it is neither. */
export function ipProtoNumber(word: string): number | undefined {
  if (/^\d+$/.test(word)) return Number(word) <= 255 ? Number(word) : undefined;
  return protocols().byName.get(word);
}

/** ip's `inet_proto_n2a`: the protocol's name, else `ipproto-N`. */
export function ipProtoName(n: number): string {
  return protocols().byNumber.get(n) ?? `ipproto-${n}`;
}
