/**
 * The destination word of `ip route get`, read as iproute2 6.1's
 * `iproute_get` reads it: a prefix is looked up as its address (ip warns and
 * asks for a full-length match), `default`/`all`/`any` as the zero address.
 *
 * @module
 */

import { UsageError } from "./args.ts";
import { notAPrefix } from "./route_select.ts";
import { AF_INET6, formatIp, parseCidr } from "../wire/addr.ts";

const ANY = new Set(["default", "all", "any"]);

/**
 * Returns the address to look up for `word`; `warn` gets ip's warning when
 * the word carries a prefix length other than the full one. `family` is the
 * `-4`/`-6` choice, if any.
 */
export function routeGetDestination(word: string, family: number | undefined, warn: (line: string) => void): string {
  let v6: boolean;
  let addr: string;
  let len: number;
  if (ANY.has(word)) {
    // Without -4/-6 ip sends an IPv4 request with no destination and no length: no warning.
    if (family === undefined) return "0.0.0.0";
    v6 = family === AF_INET6;
    addr = v6 ? "::" : "0.0.0.0";
    len = 0;
  } else {
    let c;
    try {
      c = parseCidr(word);
    } catch {
      throw notAPrefix(word);
    }
    v6 = c.family === AF_INET6;
    if (family !== undefined && family !== c.family) {
      throw new UsageError(`${family === AF_INET6 ? "inet6" : "inet"} prefix is expected rather than "${word}".`, word);
    }
    addr = formatIp(c.addr);
    len = c.prefixLen;
  }
  const full = v6 ? 128 : 32;
  if (len !== full) warn(`Warning: /${len} as prefix is invalid, only /${full} (or none) is supported.`);
  return addr;
}
