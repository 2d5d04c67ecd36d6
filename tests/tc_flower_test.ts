/**
 * flower's keys (this kernel has no flower; tc_vectors_test.ts checks the
 * requests byte for byte against tc's): what nlkit prints for each
 * captured request, as f_flower.c (iproute2 6.1) prints those attributes,
 * and the keys refused before anything is sent when the protocol does not
 * allow them, as tc refuses them.
 *
 * @module
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { unhex } from "./_vectors.ts";
import { tcRequest } from "../src/cli/tc.ts";
import { parseTcMessage } from "../src/route/tc/message.ts";
import { readMessage } from "../src/wire/message.ts";
import { TcPrinter } from "../src/route/tc/printer.ts";
import { printFilter } from "../src/route/tc/print.ts";

interface Vector {
  name: string;
  request: string;
}

const VECTORS: Vector[] = JSON.parse(readFileSync(new URL("./vectors/tc_requests.json", import.meta.url), "utf8"));

function printed(name: string, json: boolean): string {
  const v = VECTORS.find((x) => x.name === name)!;
  const buf = unhex(v.request);
  const p = new TcPrinter(json);
  printFilter(p, parseTcMessage(readMessage(buf, new DataView(buf.buffer), 0, buf.length), "filter"), {
    linkName: () => "v0",
    hideDev: true,
  });
  return json ? p.json() : p.take();
}

/** tc -j's keys for each captured request (flower_print_opt: masked numbers, strings for u8s, names). */
const KEYS: Record<string, unknown> = {
  flower_ip: {
    dst_mac: "02:00:00:00:00:01",
    src_mac: "02:00:00:00:00:02/24",
    eth_type: "ipv4",
    ip_proto: "tcp",
    ip_tos: 16,
    ip_tos_mask: "fc",
    dst_ip: "10.0.0.0/8",
    src_ip: "192.168.1.1",
    dst_port: 80,
    src_port: { start: 1024, end: 2048 },
  },
  flower_ct: {
    eth_type: "ipv4",
    ip_proto: "tcp",
    ip_ttl: 64,
    tcp_flags: "0x12/17",
    ct_state: "+trk-new+est",
    ct_zone: 5,
    ct_zone_mask: "ff",
    ct_mark: 16,
  },
  flower_qinq: {
    vlan_id: 10,
    vlan_prio: 2,
    vlan_ethtype: "802.1Q",
    cvlan_id: 20,
    cvlan_prio: 5,
    cvlan_ethtype: "ip",
    eth_type: "88a8",
    ip_proto: "udp",
    dst_port: 4789,
  },
  flower_mpls: { eth_type: "8847", mpls_label: 1000, mpls_tc: "3", mpls_bos: "1", mpls_ttl: "64" },
  flower_icmp: {
    eth_type: "ipv4",
    ip_proto: "icmp",
    icmp_type: "8",
    icmp_code: "0/15",
    ip_flags: { frag: true, firstfrag: false },
  },
  flower_icmp6: { eth_type: "ipv6", ip_proto: "icmpv6", src_ip: "2001:db8::1", icmp_type: "128" },
  flower_arp: {
    eth_type: "arp",
    arp_sip: "10.0.0.1",
    arp_tip: "10.0.0.0/24",
    arp_op: "request",
    arp_sha: "02:00:00:00:00:00/24",
    arp_tha: "02:00:00:00:00:01",
  },
  flower_enc: {
    enc_dst_ip: "192.0.2.1",
    enc_src_ip: "192.0.2.0/24",
    enc_key_id: 42,
    enc_dst_port: 4789,
    enc_tos: 16,
    enc_tos_mask: "fc",
    enc_ttl: 64,
  },
  flower_enc6: {
    num_of_vlans: 0,
    eth_type: "ipv4",
    dst_ip: "10.1.0.0/16",
    enc_dst_ip: "2001:db8::2",
    enc_src_ip: "2001:db8::/64",
  },
};

for (const [name, keys] of Object.entries(KEYS)) {
  test(`flower ${name}: the keys print as tc -j prints them, in tc's order`, () => {
    const json = printed(name, true);
    // Key order is part of tc's output: compare the text, not just the values.
    assert.ok(json.includes(`"keys":${JSON.stringify(keys)}`), json);
  });
}

test("flower keys print as tc's text, each on its own line", () => {
  assert.equal(
    printed("flower_ct", false),
    "filter ingress protocol ip pref 7 flower \n  eth_type ipv4\n  ip_proto tcp\n  ip_ttl 64\n  tcp_flags 0x12/17" +
      "\n  ct_state +trk-new+est\n  ct_zone 5/0xff\n  ct_mark 16\n\taction order 1: gact action drop\n" +
      "\t random type none pass val 0\n\t index 0 ref 0 bind 0\n\n",
  );
  assert.equal(
    printed("flower_icmp", false),
    "filter ingress protocol ip pref 10 flower \n  eth_type ipv4\n  ip_proto icmp\n  icmp_type 8\n  icmp_code 0/15" +
      "\n  ip_flags frag/nofirstfrag\n",
  );
});

test("flower keys the protocol does not allow are refused before anything is sent", () => {
  const flower = (proto: string, line: string) =>
    tcRequest(
      "filter",
      "add",
      ["dev", "v0", "ingress", "protocol", proto, "prio", "1", "flower", ...line.split(" ")],
      () => 2,
    );
  const cases: [string, string, RegExp][] = [
    ["ip", "vlan_id 5", /Cannot match "vlan_id" unless the protocol is 802.1Q/],
    ["802.1Q", "cvlan_id 5", /Cannot match "cvlan_id" unless vlan_ethtype/],
    ["ip", "mpls_label 5", /"mpls_label" unless the ethernet type is MPLS/],
    ["ip", "arp_op request", /"arp_op" unless the ethernet type is arp/],
    ["ip", "ip_proto tcp type 8", /"type" unless ip_proto is icmp/],
    ["ipv6", "ip_proto icmp type 8", /"type" unless ip_proto is icmp/],
    ["ip", "ct_state +trk+bogus", /Invalid ct_state/],
    ["ip", "ct_state trk", /Invalid ct_state/],
    ["ip", "ip_flags frag/bogus", /Invalid ip_flags/],
    ["ip", "tcp_flags 0x1000", /Invalid tcp_flags/],
    ["ip", "mpls_tc 1", /"mpls_tc" unless the ethernet type is MPLS/],
    ["mpls_uc", "mpls_tc 8", /Invalid mpls_tc/],
    ["arp", "arp_op 3", /Invalid arp_op/],
    ["arp", "arp_tip 2001:db8::1", /the protocol is IPv4/],
    ["all", "dst_ip 10.0.0.1", /"dstIp" unless the protocol is ip or ipv6/],
    ["802.1Q", "ip_proto tcp", /"ip_proto" unless the protocol is ip or ipv6/],
    ["ip", "frobnicate 1", /Unknown flower argument: "frobnicate"/],
  ];
  for (const [proto, line, message] of cases) assert.throws(() => flower(proto, line), message, `${proto}: ${line}`);
  // Inside VLAN tags the inner ethernet type decides: ip_proto is allowed after vlan_ethtype ip.
  assert.ok(flower("802.1Q", "vlan_ethtype ip ip_proto tcp dst_port 80").length > 0);
  assert.ok(flower("ip", "num_of_vlans 1 vlan_id 7").length > 0);
});
