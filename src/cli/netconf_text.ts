/**
 * ip's netconf words (`print_netconf` in ip/ipnetconf.c), shared by
 * `netconf show` and `monitor netconf`: family, device, then each setting
 * the kernel reported, in ip's order and JSON keys.
 *
 * @module
 */

import { type Netconf, RP_FILTER } from "../route/netconf.ts";
import { nameOf } from "../wire/table.ts";
import { type IndexNames, nameOfIndex } from "./names.ts";

/** [JSON key, text word, value]: each setting present in `c`, in ip's order. */
function netconfFields(c: Netconf, names: IndexNames): [string, string, unknown][] {
  const out: [string, string, unknown][] = [];
  if (c.ifindex !== undefined) {
    const dev = c.ifindex === -1 ? "all" : c.ifindex === -2 ? "default" : nameOfIndex(names, c.ifindex);
    out.push(["interface", "", dev]);
  }
  const onOff = (k: keyof Netconf, word: string) => {
    if (c[k] !== undefined) out.push([word, word, c[k] !== 0]);
  };
  onOff("forwarding", "forwarding");
  if (c.rpFilter !== undefined) out.push(["rp_filter", "rp_filter", nameOf(RP_FILTER, c.rpFilter)]);
  onOff("mcForwarding", "mc_forwarding");
  onOff("proxyNeigh", "proxy_neigh");
  onOff("ignoreRoutesWithLinkdown", "ignore_routes_with_linkdown");
  onOff("input", "input");
  return out;
}

/** One line of `ip netconf show` (`Deleted ` first for a removed device's settings). */
export function netconfText(c: Netconf, names: IndexNames, deleted = false): string {
  let s = `${deleted ? "Deleted " : ""}${c.family} `;
  for (const [, word, v] of netconfFields(c, names)) {
    const text = typeof v === "boolean" ? (v ? "on" : "off") : String(v);
    s += word ? `${word} ${text} ` : `${text} `;
  }
  return s;
}

/** One object of `ip -j netconf show`. */
export function netconfJson(c: Netconf, names: IndexNames): Record<string, unknown> {
  const o: Record<string, unknown> = { family: c.family };
  for (const [key, , v] of netconfFields(c, names)) o[key] = v;
  return o;
}
