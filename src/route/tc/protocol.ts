/**
 * Ethernet protocol names as `tc` reads and prints them (`ip`, `ipv6`,
 * `all`, `arp`, `802.1Q`, ...).
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";

/** `ETH_P_*` numbers by tc's names. */
export const ETH_PROTOCOLS: { readonly [name: string]: number } = {
  loop: 0x0060,
  all: 0x0003,
  ip: 0x0800,
  arp: 0x0806,
  rarp: 0x8035,
  "802.1Q": 0x8100,
  "802.1ad": 0x88a8,
  ipv6: 0x86dd,
  mpls_uc: 0x8847,
  mpls_mc: 0x8848,
  lldp: 0x88cc,
};

const NAMES = new Map(Object.entries(ETH_PROTOCOLS).map(([k, v]) => [v, k]));

/** Names a protocol as tc prints it (`ip`, `all`; unknown as `[N]`). */
export function protocolName(proto: number): string {
  return NAMES.get(proto) ?? `[${proto}]`;
}

/** Parses a protocol name or number (`ip`, `ipv6`, `all`, `0x88cc`). */
export function parseProtocol(text: string | number): number {
  if (typeof text === "number") return text;
  const byName = ETH_PROTOCOLS[text] ?? ETH_PROTOCOLS[text.toLowerCase()];
  if (byName !== undefined) return byName;
  const n = /^(0x[0-9a-f]{1,4}|\d+)$/i.test(text) ? Number(text) : NaN;
  if (!(n >= 0 && n <= 0xffff)) {
    throw new InvalidArgumentError(`Invalid protocol: "${text}" (expected ip, ipv6, all, arp, 802.1Q or a number)`);
  }
  return n;
}
