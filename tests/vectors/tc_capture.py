#!/usr/bin/env python3
"""Regenerates tests/vectors/tc_requests.json: the request `tc` sends for
each command line below (captured with strace in a fresh namespace), the
indexes of the links it names, and the kernel's refusal as tc prints it.
Run as root: python3 tests/vectors/tc_capture.py"""
import json, os, re, subprocess

NS = f"nlkt-capture-{os.getpid()}"
SETUP = [
    ["link", "add", "v0", "type", "veth", "peer", "name", "v1"],
]
TC_SETUP = [
    ["qdisc", "add", "dev", "v0", "clsact"],
    ["qdisc", "add", "dev", "v1", "root", "handle", "1:", "htb"],
]
U32 = ["filter", "add", "dev", "v1", "parent", "1:", "protocol", "ip", "prio", "1", "u32", "match", "u32", "0", "0"]
COMMANDS = {
    "fq_codel": ["qdisc", "add", "dev", "v0", "root", "handle", "1:", "fq_codel", "limit", "1000", "flows", "512",
                 "quantum", "1514", "target", "5ms", "interval", "100ms", "ecn", "ce_threshold", "2ms",
                 "memory_limit", "32mb", "drop_batch", "64"],
    "netem": ["qdisc", "add", "dev", "v0", "root", "netem", "delay", "100ms", "10ms", "25%", "loss", "random", "1%",
              "30%", "duplicate", "2%", "corrupt", "0.5%", "reorder", "25%", "50%", "gap", "5", "rate", "1mbit",
              "limit", "2000"],
    "netem_ecn": ["qdisc", "replace", "dev", "v0", "root", "netem", "loss", "5%", "ecn"],
    "netem_state": ["qdisc", "add", "dev", "v0", "root", "netem", "loss", "state", "1%", "90%", "5%", "80%", "2%"],
    "netem_state_default": ["qdisc", "add", "dev", "v0", "root", "netem", "loss", "state", "3%"],
    "netem_gemodel": ["qdisc", "add", "dev", "v0", "root", "netem", "loss", "gemodel", "2%", "10%", "70%", "1%",
                      "ecn"],
    "netem_slot": ["qdisc", "add", "dev", "v0", "root", "netem", "delay", "10ms", "slot", "2ms", "5ms", "packets",
                   "10", "bytes", "15000"],
    "netem_slot_dist": ["qdisc", "add", "dev", "v0", "root", "netem", "slot", "distribution", "normal", "2ms", "1ms",
                        "packets", "5", "bytes", "3000"],
    "netem_dist": ["qdisc", "add", "dev", "v0", "root", "netem", "delay", "100ms", "20ms", "distribution", "pareto"],
    "sfq": ["qdisc", "add", "dev", "v0", "root", "handle", "2:", "sfq", "perturb", "10", "quantum", "1514",
            "limit", "127", "divisor", "1024", "flows", "64", "depth", "32", "headdrop"],
    "prio": ["qdisc", "add", "dev", "v0", "root", "handle", "3:", "prio", "bands", "4", "priomap",
             "0", "1", "2", "3", "0", "1", "2", "3", "0", "1", "2", "3", "0", "1", "2", "3"],
    "prio_mq": ["qdisc", "change", "dev", "v0", "root", "handle", "3:", "prio", "multiqueue"],
    "matchall": ["filter", "add", "dev", "v0", "ingress", "prio", "1", "matchall", "skip_sw", "classid", "1:1"],
    "matchall_mirred": ["filter", "add", "dev", "v0", "ingress", "protocol", "all", "prio", "2", "matchall",
                        "action", "mirred", "egress", "redirect", "dev", "v1"],
    "flower_ip": ["filter", "add", "dev", "v0", "ingress", "protocol", "ip", "prio", "3", "flower", "classid", "1:1",
                  "dst_mac", "02:00:00:00:00:01", "src_mac", "02:00:00:00:00:02/ff:ff:ff:00:00:00",
                  "ip_proto", "tcp", "ip_tos", "0x10/0xfc", "dst_ip", "10.0.0.0/8", "src_ip", "192.168.1.1",
                  "dst_port", "80", "src_port", "1024-2048", "skip_hw"],
    "flower_ip6": ["filter", "add", "dev", "v0", "ingress", "protocol", "ipv6", "prio", "4", "flower",
                   "ip_proto", "udp", "dst_ip", "2001:db8::/32", "dst_port", "53", "action", "drop"],
    "flower_vlan": ["filter", "add", "dev", "v0", "ingress", "protocol", "802.1Q", "prio", "5", "flower",
                    "vlan_id", "100", "vlan_prio", "3", "action", "vlan", "pop"],
    "flower_ct": ["filter", "add", "dev", "v0", "ingress", "protocol", "ip", "prio", "7", "flower", "ct_state",
                  "+trk+est-new", "ct_zone", "5/0xff", "ct_mark", "0x10", "ip_proto", "tcp", "ip_ttl", "64",
                  "tcp_flags", "0x12/0x17", "action", "drop"],
    "flower_qinq": ["filter", "add", "dev", "v0", "ingress", "protocol", "802.1ad", "prio", "8", "flower",
                    "vlan_id", "10", "vlan_prio", "2", "vlan_ethtype", "802.1Q", "cvlan_id", "20", "cvlan_prio", "5",
                    "cvlan_ethtype", "ip", "ip_proto", "udp", "dst_port", "4789"],
    "flower_mpls": ["filter", "add", "dev", "v0", "ingress", "protocol", "mpls_uc", "prio", "9", "flower",
                    "mpls_label", "1000", "mpls_tc", "3", "mpls_bos", "1", "mpls_ttl", "64", "action", "pass"],
    "flower_icmp": ["filter", "add", "dev", "v0", "ingress", "protocol", "ip", "prio", "10", "flower", "ip_proto",
                    "icmp", "type", "8", "code", "0/15", "ip_flags", "frag/nofirstfrag"],
    "flower_icmp6": ["filter", "add", "dev", "v0", "ingress", "protocol", "ipv6", "prio", "11", "flower",
                     "ip_proto", "icmpv6", "src_ip", "2001:db8::1", "type", "128"],
    "flower_arp": ["filter", "add", "dev", "v0", "ingress", "protocol", "arp", "prio", "12", "flower", "arp_tip",
                   "10.0.0.0/24", "arp_sip", "10.0.0.1", "arp_op", "request", "arp_tha", "02:00:00:00:00:01",
                   "arp_sha", "02:00:00:00:00:00/24"],
    "flower_enc": ["filter", "add", "dev", "v0", "ingress", "protocol", "all", "prio", "13", "flower", "classid", "1:2", "enc_dst_ip",
                   "192.0.2.1", "enc_src_ip", "192.0.2.0/24", "enc_key_id", "42", "enc_dst_port", "4789",
                   "enc_tos", "0x10/0xfc", "enc_ttl", "64", "skip_sw"],
    "flower_enc6": ["filter", "add", "dev", "v0", "ingress", "protocol", "ip", "prio", "14", "flower",
                    "num_of_vlans", "0", "dst_ip", "10.1.0.0/16", "enc_dst_ip", "2001:db8::2", "enc_src_ip",
                    "2001:db8::/64"],
    "basic": ["filter", "add", "dev", "v0", "ingress", "prio", "6", "basic", "classid", "1:1",
              "action", "gact", "pass"],
    "basic_cmp": ["filter", "add", "dev", "v0", "ingress", "prio", "15", "basic", "match",
                  "cmp(u8 at 9 layer network eq 6)", "classid", "1:1"],
    "basic_tree": ["filter", "add", "dev", "v0", "ingress", "prio", "16", "basic", "match", "cmp(u16", "at", "2",
                   "layer", "transport", "mask", "0xff00", "gt", "20)", "and", "not", "(u32(u16 0x50 0xffff at",
                   "nexthdr+0)", "or", "cmp(u32 at 12 trans lt 0x0a000000))", "or", "u32(u8 6 0xff at 9)",
                   "action", "drop"],
    "basic_nested": ["filter", "add", "dev", "v0", "ingress", "prio", "17", "basic", "match", "not",
                     "(cmp(u8 at 0 layer 0 eq 1) and (cmp(u8 at 1 eq 2) or cmp(u8 at 2 eq 3)))", "and",
                     "(u32(u32 0x1 0xff at 4) or u32(u32 0x2 0xff at 8))", "flowid", "1:3"],
    "basic_meta": ["filter", "add", "dev", "v0", "ingress", "prio", "18", "basic", "match",
                   "meta(nf_mark gt 24) and meta(priority mask 0xf0 eq 0x10) or not meta(dev shift 1 eq \"v1\")",
                   "and", "meta(sk_bind_if eq 3)", "and", "meta(7 eq protocol)", "flowid", "1:4"],
    # One quoted string per command: tc's lexer keeps every quoted string in one buffer, so the last one wins.
    "basic_meta_var": ["filter", "add", "dev", "v0", "ingress", "prio", "19", "basic", "match", "meta(\"v0\" eq dev)",
                       "classid", "1:5"],
    "gact": U32 + ["action", "gact", "drop", "random", "determ", "pass", "10"],
    "gact_goto": U32 + ["action", "goto", "chain", "5", "index", "3"],
    "police": U32 + ["action", "police", "rate", "1mbit", "burst", "10k", "mtu", "2k", "conform-exceed", "drop/pipe"],
    "police_peak": U32 + ["action", "police", "rate", "10mbit", "burst", "20k", "peakrate", "20mbit", "mtu", "1600",
                          "drop"],
    "skbedit": U32 + ["action", "skbedit", "queue_mapping", "2", "priority", "1:10", "mark", "0x10/0xff",
                      "ptype", "host", "pipe", "index", "7"],
    "pedit": U32 + ["action", "pedit", "munge", "offset", "8", "u8", "set", "0x40", "munge", "ip", "dst", "set",
                    "10.0.0.9", "munge", "offset", "0", "u16", "set", "0x4500", "retain", "0xff00", "pipe"],
    "pedit_ip": U32 + ["action", "pedit", "munge", "ip", "ttl", "set", "64", "munge", "ip", "tos", "set", "0x10",
                       "munge", "ip", "ihl", "set", "5", "munge", "ip", "df", "set", "0x40", "munge", "ip", "dport",
                       "set", "8080", "munge", "ip", "protocol", "set", "17", "retain", "0x1f", "pipe"],
    "pedit_ex_ip": U32 + ["action", "pedit", "ex", "munge", "ip", "ttl", "set", "64", "munge", "ip", "dst", "set",
                          "10.0.0.9", "munge", "ip", "tos", "add", "4", "munge", "ip", "ttl", "decrement", "pipe"],
    "pedit_ex_l4": U32 + ["action", "pedit", "ex", "munge", "tcp", "dport", "set", "8080", "munge", "udp", "sport",
                          "set", "53", "retain", "0xff00", "munge", "tcp", "flags", "invert", "munge", "offset", "4",
                          "u16", "clear"],
    "pedit_ex_ip6": U32 + ["action", "pedit", "ex", "munge", "ip6", "src", "set", "2001:db8::1", "munge", "ip6",
                           "hoplimit", "decrement", "munge", "ip6", "traffic_class", "set", "0x2e", "munge", "ip6",
                           "flow_lbl", "set", "0x12345", "munge", "ip6", "payload_len", "set", "100"],
    "pedit_ex_eth": U32 + ["action", "pedit", "ex", "munge", "eth", "dst", "set", "02:00:00:00:00:09", "munge", "eth",
                           "src", "set", "02:00:00:00:00:0a", "munge", "eth", "type", "set", "0x86dd", "drop"],
    "pedit_legacy_icmp": U32 + ["action", "pedit", "munge", "ip", "icmp_type", "set", "8", "munge", "ip", "sport",
                                "set", "1000"],
    "vlan_push": U32 + ["action", "vlan", "push", "id", "100", "protocol", "802.1ad", "priority", "5"],
    "csum": U32 + ["action", "csum", "iph", "and", "tcp", "and", "udp", "pass"],
    "actions_police": ["actions", "add", "action", "police", "avrate", "100kbit", "drop", "index", "10"],
    "actions_gact": ["actions", "add", "action", "gact", "drop", "index", "11"],
}

def run(*args, **kw):
    return subprocess.run(args, capture_output=True, text=True, **kw)

def request(strace_err):
    # The last sendmsg that is not a link lookup (RTM_GETLINK, 0x12) is the tc request.
    found = None
    for line in strace_err.splitlines():
        m = re.search(r'iov_base=\[\{nlmsg_len=(\d+), nlmsg_type=(0x[0-9a-f]+|\w+)[^,]*, nlmsg_flags=([^,]+), '
                      r'nlmsg_seq=\d+, nlmsg_pid=\d+\}, "((?:\\x[0-9a-f]{2})*)"', line)
        if not m or m.group(2) == "0x12" or "RTM_GETLINK" in m.group(2):
            continue
        found = m
    assert found, strace_err[-300:]
    length, mtype, payload = int(found.group(1)), found.group(2), bytes.fromhex(found.group(4).replace("\\x", ""))
    return length, mtype, payload

def flags_of(text):
    names = {"NLM_F_REQUEST": 1, "NLM_F_ACK": 4}
    return sum(names.get(p, int(p, 16) if p.startswith("0x") else 0) for p in text.split("|"))

def main():
    run("ip", "netns", "add", NS)
    try:
        for s in SETUP:
            run("ip", "-n", NS, *s)
        for s in TC_SETUP:
            run("tc", "-n", NS, *s)
        links = {l["ifname"]: l["ifindex"] for l in json.loads(run("ip", "-n", NS, "-j", "link").stdout)}
        out = []
        for name, args in COMMANDS.items():
            r = run("strace", "-xx", "-s", "65536", "-e", "trace=sendmsg", "tc", "-n", NS, *args)
            print(name)
            length, mtype, payload = request(r.stderr)
            line = [l for l in r.stderr.splitlines() if l.startswith("sendmsg")][-1]
            flags = flags_of(re.search(r"nlmsg_flags=([^,]+)", line).group(1))
            mtype_n = int(mtype, 16)
            header = length.to_bytes(4, "little") + mtype_n.to_bytes(2, "little") + flags.to_bytes(2, "little") + bytes(8)
            refusal = [l for l in r.stderr.splitlines() if l.startswith(("Error:", "RTNETLINK answers:"))]
            out.append({"name": name, "args": args, "links": links, "request": (header + payload).hex(),
                        "refusal": refusal[0] if refusal else None})
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tc_requests.json")
        with open(path, "w") as f:
            json.dump(out, f, indent=2)
            f.write("\n")
    finally:
        run("ip", "netns", "del", NS)

main()
