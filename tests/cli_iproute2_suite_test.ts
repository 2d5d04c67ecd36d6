/**
 * What iproute2's own testsuite (testsuite/tests/{ip,tc,bridge}; run whole by
 * scripts/iproute2_suite.sh) exercises, compared with ip and tc in the same
 * throwaway namespace. Where this kernel lacks the kind (act_mpls, act_vlan,
 * act_pedit, cls_flower, cls_matchall), the request nlkit sends must equal
 * tc's byte for byte (tc's request read from `strace -e write=all`), and
 * what nlkit prints for that filter must carry the words the suite greps for.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { nlkit } from "./_cli.ts";
import { ip, ipJson, NEEDS_ROOT, withTempNetns } from "./_helpers.ts";
import { EXIT } from "./_ip_parity.ts";
import { tcRequest } from "../src/cli/tc.ts";
import { parseTcMessage } from "../src/route/tc/message.ts";
import { printFilter } from "../src/route/tc/print.ts";
import { TcPrinter } from "../src/route/tc/printer.ts";
import { readMessage } from "../src/wire/message.ts";
import { Args } from "../src/cli/args.ts";
import { parseLinkAdd } from "../src/cli/link.ts";
import { parseLinkMessage } from "../src/route/link/api.ts";
import { createLinkRequest, type CreateLinkSpec } from "../src/route/link/change.ts";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const HAS_STRACE = spawnSync("strace", ["-V"]).status === 0;

/** The last netlink request `TOOL ARGS...` (tc or ip) wrote (strace's hex dump of the buffer). */
function tcSent(ns: string, args: string[], tool = "tc"): Uint8Array {
  const r = spawnSync("ip", ["netns", "exec", ns, "strace", "-e", "trace=sendmsg", "-e", "write=all", tool, ...args], {
    encoding: "utf8",
  });
  const dumps = r.stderr.split(/^sendmsg\(/m).slice(1);
  const last = dumps.at(-1);
  assert.ok(last, `${tool} ${args.join(" ")} sent nothing: ${r.stderr}`);
  const hex = [...last.matchAll(/^ \| [0-9a-f]{5} {2}((?:[0-9a-f]{2} {1,2})+)/gm)].map((m) => m[1].replace(/ /g, ""));
  return Uint8Array.from(hex.join("").match(/../g)!.map((b) => parseInt(b, 16)));
}

/** A request with its sequence number and port id zeroed (they differ on every run), NLM_F_ACK set (the socket adds it). */
function unstamped(b: Uint8Array): Uint8Array {
  const c = b.slice();
  c.fill(0, 8, 16);
  c[6] |= 4;
  return c;
}

/** What nlkit prints for the filter its own request describes (as the kernel would list it back). */
function printedFilter(words: string[], index: number): string {
  const req = tcRequest("filter", "add", words, () => index);
  const f = parseTcMessage(readMessage(req, new DataView(req.buffer), 0, req.length), "filter");
  const p = new TcPrinter(false);
  printFilter(p, f, { linkName: () => "d0", hideDev: true });
  return p.take();
}

/** From testsuite/tests/tc/{mpls,vlan,flower_mpls,pedit}.t: each command and the patterns its `show` must match. */
const TC_CASES: [string, RegExp[]][] = [
  ["ingress protocol mpls_uc matchall action mpls pop protocol ip", [/mpls/, /pop protocol ip pipe/]],
  [
    "ingress protocol ip matchall action mpls push protocol mpls_uc label 20 tc 3 bos 1 ttl 64",
    [/mpls/, /push/, /protocol mpls_uc/, /label 20/, /tc 3/, /bos 1/, /ttl 64/, /pipe/],
  ],
  [
    "ingress matchall action mpls mac_push protocol mpls_uc label 20 tc 3 bos 1 ttl 64",
    [/mac_push/, /protocol mpls_uc/, /label 20/, /tc 3/, /bos 1/, /ttl 64/, /pipe/],
  ],
  [
    "ingress protocol mpls_uc matchall action mpls modify label 20 tc 3 ttl 64",
    [/modify/, /label 20/, /tc 3/, /ttl 64/, /pipe/],
  ],
  ["ingress protocol mpls_uc matchall action mpls dec_ttl", [/mpls/, /dec_ttl/, /pipe/]],
  ["ingress matchall action vlan pop", [/vlan/, /pop/, /pipe/]],
  // The suite also greps "protocol 802.1Q priority 0" here: defaults the kernel reports, absent from a request.
  ["ingress matchall action vlan push id 5", [/push/, /id 5/, /pipe/]],
  [
    "ingress matchall action vlan modify id 5 protocol 802.1ad priority 2",
    [/modify/, /id 5/, /protocol 802.1ad/, /priority 2/, /pipe/],
  ],
  [
    "ingress matchall action vlan push_eth dst_mac 02:00:00:00:00:02 src_mac 02:00:00:00:00:01",
    [/push_eth/, /dst_mac 02:00:00:00:00:02/, /src_mac 02:00:00:00:00:01/, /pipe/],
  ],
  [
    "ingress protocol mpls_uc flower mpls_label 1048575 mpls_tc 7 mpls_bos 1 mpls_ttl 255 action drop",
    [/mpls_label 1048575/, /mpls_tc 7/, /mpls_bos 1/, /mpls_ttl 255/],
  ],
  [
    "ingress protocol mpls_uc flower mpls lse depth 2 label 0 tc 0 bos 0 ttl 0 action drop",
    [/mpls/, /lse/, /depth 2/, /label 0/, /tc 0/, /bos 0/, /ttl 0/],
  ],
  [
    "ingress protocol mpls_uc flower mpls lse depth 1 label 0 tc 0 bos 0 ttl 0 lse depth 2 label 1048575 tc 7 bos 1 ttl 255 action drop",
    [/depth 1 label 0 tc 0 bos 0 ttl 0/, /depth 2 label 1048575 tc 7 bos 1 ttl 255/],
  ],
  ["parent ffff: u32 match u32 0 0 action pedit munge offset 14 u16 set 0x1234", [
    /key #0 {2}at 12: val 00001234 mask ffff0000/,
  ]],
  ["parent ffff: u32 match u32 0 0 action pedit munge ip ce set 0xf3", [/key #0 {2}at 4: val 00008000 mask ffff7fff/]],
];

test("iproute2 suite (tc/mpls, vlan, flower_mpls, pedit): nlkit sends tc's request byte for byte", {
  skip: NEEDS_ROOT || (!HAS_STRACE && "needs strace (tc's request is read from its hex dump)"),
}, async () => {
  await withTempNetns((ns) => {
    ip(ns, "link", "add", "d0", "up", "type", "veth");
    const index = ipJson(ns, "link", "show", "d0")[0].ifindex as number;
    spawnSync("tc", ["-n", ns, "qdisc", "add", "dev", "d0", "ingress"]);
    for (const [line] of TC_CASES) {
      const args = ["filter", "add", "dev", "d0", ...line.split(" ")];
      const ours = tcRequest("filter", "add", ["dev", "d0", ...line.split(" ")], () => index);
      assert.deepEqual(unstamped(ours), unstamped(tcSent(ns, args)), `tc ${args.join(" ")}`);
    }
  });
});

test("iproute2 suite (tc/mpls, vlan, flower_mpls, pedit): the filter nlkit sent lists with the words the suite expects", () => {
  for (const [line, patterns] of TC_CASES) {
    const out = printedFilter(["dev", "d0", ...line.split(" ")], 7);
    for (const re of patterns) assert.match(out, re, `${line}\n${out}`);
  }
  // mpls lse prints one entry per line under "mpls", as tc's flower_print_mpls_opts.
  assert.match(
    printedFilter("dev d0 ingress protocol mpls_uc flower mpls lse depth 1 label 5 lse depth 2 ttl 9".split(" "), 7),
    /\n {2}mpls\n {4}lse depth 1 label 5\n {4}lse depth 2 ttl 9\n/,
  );
});

test("tc mpls and flower mpls: what tc refuses is refused before anything is sent", () => {
  const refused = [
    "ingress matchall action mpls pop", // pop needs the next protocol
    "ingress matchall action mpls push protocol mpls_uc", // push needs a label
    "ingress matchall action mpls push label 1 protocol ip", // not an MPLS ethertype
    "ingress matchall action mpls pop protocol ip label 5", // label only for push/mac_push/modify
    "ingress matchall action mpls dec_ttl protocol ip",
    "ingress matchall action mpls modify ttl 0",
    "ingress matchall action mpls modify tc 8",
    "ingress matchall action mpls modify label 1048576",
    "ingress matchall action mpls pop push protocol ip",
    "ingress protocol mpls_uc flower mpls lse label 1 action drop", // depth is required
    "ingress protocol mpls_uc flower mpls lse depth 0 action drop",
    "ingress protocol mpls_uc flower mpls lse depth 1 tc 8 action drop",
    "ingress protocol ip flower mpls lse depth 1 action drop", // not an MPLS ethertype
    "ingress protocol mpls_uc flower mpls_label 3 mpls lse depth 1 action drop", // two formats
  ];
  for (const line of refused) {
    assert.throws(() => tcRequest("filter", "add", ["dev", "d0", ...line.split(" ")], () => 7), /./, line);
  }
});

test("iproute2 suite (bridge/vlan/show.t): vxlan external as ip makes it, enslaved to a bridge", {
  skip: NEEDS_ROOT,
}, async () => {
  await withTempNetns((ns) => {
    ip(ns, "link", "add", "br0", "type", "bridge");
    ip(ns, "link", "add", "vxip", "type", "vxlan", "dstport", "4789", "external");
    const r = nlkit(["-n", ns, "link", "add", "vxnl", "type", "vxlan", "dstport", "4790", "external"]);
    assert.equal(r.code, 0, r.stderr);
    for (const dev of ["vxip", "vxnl"]) ip(ns, "link", "set", "dev", dev, "master", "br0");
    assert.equal(nlkit(["-n", ns, "link", "set", "dev", "vxnl", "type", "bridge_slave", "vlan_tunnel", "on"]).code, 0);
    ip(ns, "link", "set", "dev", "vxip", "type", "bridge_slave", "vlan_tunnel", "on");
    const data = (dev: string) => {
      const d = ipJson(ns, "-d", "link", "show", dev)[0].linkinfo;
      return { ...d.info_data, port: undefined, slave: d.info_slave_data.vlan_tunnel };
    };
    assert.deepEqual(data("vxnl"), data("vxip"));
    assert.equal(data("vxnl").external, true);
    assert.equal(data("vxnl").learning, false);
    // The text of -d link show, as ip prints it.
    const theirs = spawnSync("ip", ["-n", ns, "-d", "link", "show", "vxnl"], { encoding: "utf8" });
    assert.equal(nlkit(["-n", ns, "-d", "link", "show", "vxnl"]).stdout, theirs.stdout);
    // `external` with a VNI, and a VNI missing without `external`, are refused as ip refuses them.
    for (
      const args of [
        ["link", "add", "vx2", "type", "vxlan", "external", "id", "5"],
        ["link", "add", "vx2", "type", "vxlan", "noexternal", "dstport", "0"],
      ]
    ) {
      const ipr = spawnSync("ip", ["-n", ns, ...args], { encoding: "utf8" });
      const ours = nlkit(["-n", ns, ...args]);
      assert.equal(ours.code, EXIT[ipr.status!], `${args.join(" ")}: nlkit ${ours.code}, ip ${ipr.status}`);
    }
    assert.equal(spawnSync("ip", ["-n", ns, "link", "show", "vx2"]).status, 1);
  });
});

/** From testsuite/tests/ip/link/add_type_{bareudp,xfrm}.t (this kernel has neither kind). */
const LINK_CASES: [string, RegExp[]][] = [
  ["dev bu0 type bareudp dstport 6635 ethertype mpls_uc", [/dstport 6635/, /ethertype mpls_uc/, /nomultiproto/]],
  ["dev bu0 type bareudp dstport 6635 ethertype mpls_mc", [/dstport 6635/, /ethertype mpls_mc/, /nomultiproto/]],
  ["dev bu0 type bareudp dstport 6635 ethertype mpls_uc multiproto", [/ethertype mpls_uc/, / multiproto/]],
  ["dev bu0 type bareudp dstport 6635 ethertype ipv4", [/dstport 6635/, /ethertype ip /, /nomultiproto/]],
  ["dev bu0 type bareudp dstport 6635 ethertype ipv6", [/ethertype ipv6/, /nomultiproto/]],
  ["dev bu0 type bareudp dstport 6635 ethertype ipv4 multiproto srcportmin 100", [/srcportmin 100 multiproto/]],
  ["dev xf0 type xfrm dev lo if_id 0xf", [/if_id 0xf/]],
  ["dev xf0 type xfrm external", [/xfrm external/]],
];

test(
  "iproute2 suite (ip/link/add_type_bareudp.t, add_type_xfrm.t): nlkit sends ip's kind data; -d prints the suite's words",
  {
    skip: NEEDS_ROOT || (!HAS_STRACE && "needs strace (ip's request is read from its hex dump)"),
  },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "nlkit-kinds-"));
    try {
      await withTempNetns((ns) => {
        for (const [line, patterns] of LINK_CASES) {
          const theirs = tcSent(ns, ["link", "add", ...line.split(" ")], "ip");
          const spec = parseLinkAdd(new Args(line.split(" "))) as CreateLinkSpec & { parent?: string | number };
          if (spec.parent !== undefined) spec.parent = 1; // lo
          const ours = createLinkRequest(spec);
          const parse = (b: Uint8Array) => parseLinkMessage(readMessage(b, new DataView(b.buffer), 0, b.length));
          assert.deepEqual(parse(ours).linkinfo, parse(theirs).linkinfo, line);
          // ip's own request, read back by `monitor file`, prints the kind's words as -d link show would.
          const file = join(dir, "req.nl");
          writeFileSync(file, theirs);
          const r = nlkit(["-d", "monitor", "file", file]);
          assert.equal(r.code, 0, r.stderr);
          for (const re of patterns) assert.match(r.stdout, re, `${line}\n${r.stdout}`);
          // The kernel refuses the kind as it refused ip.
          const ipr = spawnSync("ip", ["-n", ns, "link", "add", ...line.split(" ")], { encoding: "utf8" });
          const nl = nlkit(["-n", ns, "link", "add", ...line.split(" ")]);
          assert.equal(nl.code, EXIT[ipr.status!], `${line}: nlkit ${nl.code} ${nl.stderr}, ip ${ipr.status}`);
        }
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // What ip refuses.
    for (
      const line of [
        "bu0 type bareudp ethertype ipv4",
        "bu0 type bareudp dstport 6635",
        "bu0 type bareudp dstport 6635 ethertype foo",
        "bu0 type bareudp dstport 70000 ethertype ipv4",
        "xf0 type xfrm",
        "xf0 type xfrm if_id 0",
        "xf0 type xfrm external if_id 5",
      ]
    ) {
      assert.throws(() => parseLinkAdd(new Args(line.split(" "))), /./, line);
    }
  },
);
