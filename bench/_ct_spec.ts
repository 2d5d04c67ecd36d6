/**
 * The conntrack entries the insert and list benchmarks create: entry `i` is
 * tcp or udp by turns, IPv4 and IPv6 alternating in pairs, with a unique
 * tuple.
 *
 * @module
 */

import type { ConntrackSpec } from "../src/netfilter/conntrack/spec.ts";

/** Entry i: tcp/udp alternating, IPv4 and IPv6 alternating in pairs, unique tuples. */
export function spec(i: number): ConntrackSpec {
  const v6 = (i & 2) !== 0;
  const tcp = (i & 1) === 0;
  const src = v6
    ? `fd00::${(i >>> 16).toString(16)}:${(i & 0xffff).toString(16)}`
    : `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
  return {
    proto: tcp ? "tcp" : "udp",
    orig: { src, dst: v6 ? "fd00::ffff" : "10.255.255.254", sport: 1024 + (i % 50000), dport: tcp ? 443 : 53 },
    timeout: 3600,
    ...(tcp ? { tcpState: "ESTABLISHED" } : {}),
  };
}
