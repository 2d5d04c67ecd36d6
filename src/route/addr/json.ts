/**
 * `ip -j addr show` output for links and their {@link Address}es: the keys
 * and value forms of iproute2 (6.1), so scripts written against `ip -j`
 * read nlkit's JSON unchanged.
 *
 * @example
 * ```ts ignore
 * import { listLinks } from "../link/api.ts";
 * import { listAddresses } from "./api.ts";
 * import { addressesToIpJson } from "./json.ts";
 * const opts = { netns: "lab" };
 * const json = addressesToIpJson(await listLinks({}, opts), await listAddresses({}, opts));
 * console.log(json[0].addr_info); // [{ family: "inet", local: "127.0.0.1", prefixlen: 8, ... }]
 * ```
 *
 * @module
 */

import type { Link } from "../link/api.ts";
import { type IpJsonOptions, type IpLinkJson, linkIndexMap, linkToIpJson } from "../link/json.ts";
import { type Address, IFA_F_NAMES } from "./table.ts";

/** An object in the shape of one element of `addr_info` in `ip -j addr show`. */
export type IpAddrInfoJson = Record<string, unknown>;

/** The order `print_ifa_flags` walks the flags in, with the word (and JSON key) of each. */
const FLAG_WORDS: readonly (readonly [string, string])[] = [
  ["secondary", "secondary"],
  ["nodad", "nodad"],
  ["optimistic", "optimistic"],
  ["dadfailed", "dadfailed"],
  ["homeaddress", "home"],
  ["deprecated", "deprecated"],
  ["tentative", "tentative"],
  ["permanent", "permanent"],
  ["mngtmpaddr", "mngtmpaddr"],
  ["noprefixroute", "noprefixroute"],
  ["autojoin", "autojoin"],
  ["stable-privacy", "stable-privacy"],
];

const KNOWN_FLAGS: ReadonlySet<string> = new Set(Object.values(IFA_F_NAMES));

/**
 * The flags of an address as iproute2 prints them, text and JSON alike
 * (`print_ifa_flags`): in its order, every flag set whatever the family,
 * the absence of `permanent` as `dynamic`, IPv6 `secondary` as `temporary`.
 */
export function addressFlagWords(a: Address): string[] {
  const has = new Set(a.flags);
  const out: string[] = [];
  for (const [name, word] of FLAG_WORDS) {
    if (name === "permanent") {
      if (!has.has(name)) out.push("dynamic");
    } else if (has.has(name)) out.push(name === "secondary" && a.family === "inet6" ? "temporary" : word);
  }
  return out;
}

function flagsJson(a: Address, out: IpAddrInfoJson): void {
  for (const word of addressFlagWords(a)) out[word] = true;
  let rest = 0;
  for (const f of a.flags) if (!KNOWN_FLAGS.has(f)) rest |= parseInt(f, 16);
  if (rest) out.ifa_flags = (rest >>> 0).toString(16).padStart(2, "0");
}

/** Renders one address as an element of `addr_info` (`print_addrinfo`). */
export function addressToIpJson(a: Address): IpAddrInfoJson {
  const out: IpAddrInfoJson = {};
  if (a.family === "inet" || a.family === "inet6") out.family = a.family;
  else out.family_index = Number(a.family);
  if (a.local !== "") {
    out.local = a.local;
    if (a.peer !== undefined) out.address = a.peer;
    out.prefixlen = a.prefixLen;
  }
  if (a.metric !== undefined) out.metric = a.metric;
  if (a.broadcast !== undefined) out.broadcast = a.broadcast;
  if (a.anycast !== undefined) out.anycast = a.anycast;
  out.scope = a.scope;
  flagsJson(a, out);
  if (a.label !== undefined) out.label = a.label;
  if (a.cacheinfo) {
    out.valid_life_time = a.cacheinfo.valid;
    // A deprecated address's preferred lifetime is printed signed.
    const p = a.cacheinfo.preferred;
    out.preferred_life_time = a.flags.includes("deprecated") && p !== 0xffffffff ? p | 0 : p;
  }
  return out;
}

/**
 * Renders links with their addresses the way `ip -j addr show` does: each
 * link as {@link linkToIpJson} prints it plus `addr_info`, in the order
 * the addresses were dumped. Links keep the order given.
 */
export function addressesToIpJson(
  links: readonly Link[],
  addresses: readonly Address[],
  options: IpJsonOptions = {},
): IpLinkJson[] {
  const byIndex = options.byIndex ?? linkIndexMap(links);
  return links.map((link) => {
    // `ip addr` prints the link as `ip link` does, except the link mode.
    const { stats64, linkmode: _mode, ...out } = linkToIpJson(link, { ...options, byIndex });
    out.addr_info = addresses.filter((a) => a.ifindex === link.index).map(addressToIpJson);
    // `ip -s addr` prints the counters after the addresses.
    if (stats64 !== undefined) out.stats64 = stats64;
    return out;
  });
}
