/**
 * Shared by the tc test files: the commands that build one tc setup of
 * every kind this kernel has, and the masking of counters that move.
 *
 * @module
 */

import { ip } from "./_helpers.ts";

/** Splits a command line into words; single quotes keep a word's spaces. */
export function words(line: string): string[] {
  return line.match(/'[^']*'|\S+/g)!.map((w) => w.replace(/^'|'$/g, ""));
}

/** A namespace with four veth ends, left down so no traffic moves counters. */
export function tcLinks(ns: string): void {
  ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
  ip(ns, "link", "add", "v2", "type", "veth", "peer", "name", "v3");
}

/** tc command lines (after `tc -n NS`) covering htb, tbf, fifos, pfifo_fast, clsact, ingress, u32, bpf, mirred. */
export const TC_SETUP: string[][] = [
  "qdisc add dev v0 root handle 1: htb default 10 r2q 5",
  "class add dev v0 parent 1: classid 1:1 htb rate 100mbit",
  "class add dev v0 parent 1:1 classid 1:10 htb rate 1mbit ceil 2mbit burst 15k prio 1 quantum 1500",
  "class add dev v0 parent 1:1 classid 1:20 htb rate 1.5kbit ceil 10mbit cburst 3000",
  "qdisc add dev v0 parent 1:10 handle 10: pfifo limit 100",
  "qdisc add dev v0 parent 1:20 handle 20: bfifo limit 10kb",
  "qdisc add dev v1 root handle 2: tbf rate 1mbit burst 10kb latency 50ms",
  "qdisc add dev v2 root handle 3: tbf rate 10mbit burst 10kb limit 30000 peakrate 20mbit mtu 2000",
  "qdisc add dev v3 root handle 4: estimator 250ms 1s pfifo_fast",
  "qdisc add dev v0 clsact",
  "qdisc add dev v1 ingress",
  "filter add dev v0 parent 1: protocol ip prio 1 u32 match ip dst 10.0.0.0/24 match ip dport 80 0xffff flowid 1:10",
  "filter add dev v0 parent 1: protocol ipv6 prio 2 u32 match ip6 src 2001:db8::/32 match tcp dst 443 0xffff flowid 1:20",
  "filter add dev v0 parent 1: protocol ip prio 3 u32 match u16 0x1000 0xf000 at 0 match udp src 53 0xffff classid 1:20",
  "filter add dev v0 parent 1: prio 4 handle 5: protocol ip u32 divisor 16",
  "filter add dev v0 parent 1: prio 4 protocol ip u32 ht 800:: match ip src 10.1.0.0/16 hashkey mask 0x000000ff at 12 link 5:",
  "filter add dev v0 ingress protocol all prio 2 u32 match u32 0 0 action mirred egress redirect dev v1",
  "filter add dev v0 egress protocol ip prio 3 u32 match ip protocol 17 0xff action mirred egress mirror dev v2",
  "filter add dev v1 parent ffff: protocol all prio 1 bpf bytecode '1,6 0 0 4294967295,' classid 1:1",
].map(words);

/** Changes applied after {@link TC_SETUP}: change, replace and delete of each object. */
export const TC_CHANGES: string[][] = [
  "class change dev v0 parent 1:1 classid 1:10 htb rate 2mbit ceil 3mbit prio 2",
  "class replace dev v0 parent 1:1 classid 1:30 htb rate 5mbit",
  "qdisc replace dev v1 root handle 2: tbf rate 2mbit burst 20kb latency 70ms",
  "qdisc change dev v1 root handle 2: tbf rate 3mbit burst 20kb latency 70ms",
  "filter replace dev v0 parent 1: protocol ip prio 1 handle 800::800 u32 match ip dst 10.0.1.0/24 flowid 1:30",
  "filter del dev v0 parent 1: prio 3",
  "qdisc del dev v2 root",
].map(words);

/** Show commands (after `-n NS`) whose JSON both tools print. */
export const TC_JSON_SHOWS: string[][] = [
  "qdisc show",
  "qdisc show dev v0",
  "filter show dev v0",
  "filter show dev v0 parent 1:",
  "filter show dev v0 ingress",
  "filter show dev v0 egress",
  "filter show dev v1 parent ffff:",
].map(words);

/** Show commands compared as text (tc 6.1 prints classes as text even with -j). */
export const TC_TEXT_SHOWS: string[][] = [
  ["class", "show", "dev", "v0"],
  ...TC_JSON_SHOWS,
];

const MOVING = [
  "bytes",
  "packets",
  "drops",
  "overlimits",
  "requeues",
  "backlog",
  "qlen",
  "tokens",
  "ctokens",
  "lended",
  "borrowed",
  "giants",
  "direct_packets_stat",
  "installed",
  "last_used",
  "first_used",
  "rate",
  "pps",
];

/** Replaces counters that move between two listings (JSON keys and their text forms) by `#`. */
export function maskCounters(s: string): string {
  let out = s.replace(new RegExp(`"(${MOVING.filter((k) => k !== "rate").join("|")})":\\d+`, "g"), '"$1":0');
  out = out.replace(
    /Sent \d+ bytes \d+ pkt \(dropped \d+, overlimits \d+ requeues \d+\)/g,
    "Sent # bytes # pkt (dropped #, overlimits # requeues #)",
  );
  out = out.replace(/backlog \d+b \d+p requeues \d+/g, "backlog #b #p requeues #");
  out = out.replace(/(lended|borrowed|giants|tokens|ctokens|direct_packets_stat): ?-?\d+/g, "$1 #");
  out = out.replace(/direct_packets_stat \d+/g, "direct_packets_stat #");
  return out.replace(/(installed|used|firstused) \d+ sec/g, "$1 # sec");
}
