/**
 * bpf filters with a pinned program (`object-pinned`, `da`): a `return 0`
 * classifier loaded and pinned through nlkit's own `bpf(2)` call, attached
 * by nlkit (CLI and API) and by `tc`, listed identically by both tools;
 * and the request nlkit sends equals the one `tc` sent (captured with
 * strace), descriptor number included.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { have, ip, NEEDS_ROOT, run, withTempNetns } from "./_helpers.ts";
import { nlkit } from "./_cli.ts";
import { withPinnedProgram } from "./_bpf.ts";
import { addFilter, listFilters } from "../src/route/tc/ops.ts";
import { filterRequest } from "../src/route/tc/request.ts";
import type { BpfOptions } from "../src/route/tc/filter/bpf.ts";
import { u32 } from "../src/route/tc/filter/u32.ts";
import { openActions, openFilterOptions } from "../src/route/tc/open.ts";
import { actionRequest } from "../src/route/tc/actions.ts";
import { TcWords } from "../src/route/tc/words.ts";
import { TcPrinter } from "../src/route/tc/printer.ts";
import { printFilter } from "../src/route/tc/print.ts";
import { parseTcMessage } from "../src/route/tc/message.ts";
import { readMessage } from "../src/wire/message.ts";
import { tcRequest } from "../src/cli/tc.ts";
import { bpfObjGet } from "../src/sys/bpf.ts";
import { loadSys } from "../src/sys/load.ts";
import { SysError } from "../src/sys/sys.ts";
import type { Sys } from "../src/sys/sys.ts";

const skip = NEEDS_ROOT || (have("tc") ? false : "needs tc (iproute2)");
const skipStrace = skip || (have("strace") ? false : "needs strace");

function setup(ns: string): void {
  ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
  run("tc", ["-n", ns, "qdisc", "add", "dev", "v0", "clsact"]);
}

const ADDS = (path: string) => [
  ["filter", "add", "dev", "v0", "ingress", "bpf", "object-pinned", path, "da"],
  ["filter", "add", "dev", "v0", "egress", "prio", "3", "bpf", "pinned", path, "flowid", "1:2"],
];

test("a pinned program attached by nlkit is listed by tc as tc's own, and nlkit lists it as tc", { skip }, async () => {
  await withPinnedProgram(async (path) => {
    await withTempNetns(async (mine) => {
      await withTempNetns(async (theirs) => {
        setup(mine);
        setup(theirs);
        for (const cmd of ADDS(path)) {
          const r = nlkit(["-n", mine, "tc", ...cmd]);
          assert.equal(r.code, 0, r.stderr);
          run("tc", ["-n", theirs, ...cmd]);
        }
        // The API opens the pinned program too (and closes it after).
        await addFilter({
          dev: "v0",
          parent: "egress",
          priority: 7,
          kind: "bpf",
          options: { pinned: path, directAction: true } satisfies BpfOptions,
        }, { netns: mine });
        run("tc", [
          "-n",
          theirs,
          "filter",
          "add",
          "dev",
          "v0",
          "egress",
          "prio",
          "7",
          "bpf",
          "object-pinned",
          path,
          "da",
        ]);
        for (const hook of ["ingress", "egress"]) {
          for (const flags of [["-j", "-s", "-d"], ["-s", "-d"], ["-j"], []]) {
            const show = [...flags, "filter", "show", "dev", "v0", hook];
            const theirsText = run("tc", ["-n", theirs, ...show]);
            assert.equal(run("tc", ["-n", mine, ...show]), theirsText, `tc ${show.join(" ")}`);
            const r = nlkit(["-n", theirs, ...flags, "tc", ...show.slice(flags.length)]);
            assert.equal(r.stdout, theirsText, `nlkit ${show.join(" ")}`);
          }
        }
        const [, f] = await listFilters({ dev: "v0", parent: "ingress" }, { netns: mine });
        const o = f.options as BpfOptions;
        assert.equal(o.name, `${path.slice(path.lastIndexOf("/") + 1)}:[*fsobj]`);
        assert.equal(o.directAction, true);
        assert.match(o.tag ?? "", /^[0-9a-f]{16}$/);
      });
    });
  });
});

/** Runs `tc -n NS ARGS` under strace: the payload of its last tc request, as hex, and the bpf fd it opened. */
function captureTc(ns: string, args: string[]): { hex: string; fd: number; status: number | null } {
  const r = spawnSync("strace", ["-f", "-xx", "-s", "65535", "-e", "trace=sendmsg,bpf", "tc", "-n", ns, ...args], {
    encoding: "utf8",
  });
  const fd = Number(/bpf\(BPF_OBJ_GET, .*\) = (\d+)/.exec(r.stderr)?.[1] ?? NaN);
  const sent = [
    ...r.stderr.matchAll(/nlmsg_type=(0x2c|0x30|RTM_NEWTFILTER|RTM_NEWACTION)[^}]*\}, "((?:\\x[0-9a-f]{2})*)"/g),
  ]
    .pop();
  assert.ok(sent, r.stderr);
  return { hex: sent[2].replaceAll("\\x", ""), fd, status: r.status };
}

const hexOf = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");

/** A Sys whose BPF_OBJ_GET hands out `fd` (the one tc got), for building the request tc sent. */
const sysGiving = (fd: number) => ({ bpf: () => fd, close: () => {} }) as unknown as Sys;

test("nlkit's requests for pinned programs equal tc's byte for byte (filter, action in a filter, shared action)", {
  skip: skipStrace,
}, async () => {
  await withPinnedProgram(async (path) => {
    await withTempNetns((ns) => {
      setup(ns);
      run("tc", ["-n", ns, "qdisc", "add", "dev", "v1", "root", "handle", "1:", "htb"]);
      const index = (dev: string) => Number(JSON.parse(run("ip", ["-n", ns, "-j", "link", "show", dev]))[0].ifindex);
      // The classifier, attached by tc for real.
      const filter = captureTc(ns, [
        "filter",
        "add",
        "dev",
        "v0",
        "ingress",
        "prio",
        "5",
        "bpf",
        "object-pinned",
        path,
        "da",
        "classid",
        "1:5",
      ]);
      assert.equal(filter.status, 0);
      const opened = openFilterOptions(
        "bpf",
        { pinned: path, directAction: true, classid: 0x10005 },
        sysGiving(filter.fd),
      );
      const spec = { dev: 0, parent: "ingress", priority: 5, kind: "bpf", options: opened.options };
      assert.equal(hexOf(filterRequest("add", spec, index("v0")).subarray(16)), filter.hex);
      // act_bpf (absent from this kernel: tc sends, the kernel refuses) inside a u32 filter.
      const u32Words = ["match", "u32", "0", "0", "action", "bpf", "object-pinned", path, "pipe", "index", "4"];
      const inFilter = captureTc(ns, [
        "filter",
        "add",
        "dev",
        "v1",
        "parent",
        "1:",
        "protocol",
        "ip",
        "prio",
        "1",
        "u32",
        ...u32Words,
      ]);
      const u32Options = u32.options.words(new TcWords(u32Words), { linkIndex: index });
      const withAct = openFilterOptions("u32", u32Options, sysGiving(inFilter.fd));
      const u32Spec = { dev: 0, parent: "1:", protocol: "ip", priority: 1, kind: "u32", options: withAct.options };
      const u32Req = filterRequest("add", u32Spec, index("v1"));
      assert.equal(hexOf(u32Req.subarray(16)), inFilter.hex);
      // ...and it decodes back and prints as tc's m_bpf prints it.
      const p = new TcPrinter(true);
      const m = readMessage(u32Req, new DataView(u32Req.buffer), 0, u32Req.length);
      printFilter(p, parseTcMessage(m, "filter"), { linkName: String });
      const [act] = JSON.parse(p.json()).options.actions;
      assert.deepEqual(
        [act.kind, act.bpf_name, act.control_action.type, act.index],
        ["bpf", `${path.slice(path.lastIndexOf("/") + 1)}:[*fsobj]`, "pipe", 4],
      );
      // A shared act_bpf.
      const shared = captureTc(ns, ["actions", "add", "action", "bpf", "object-pinned", path, "drop", "index", "5"]);
      const acts = openActions([{ kind: "bpf", options: { pinned: path, action: 2, index: 5 } }], sysGiving(shared.fd));
      assert.equal(hexOf(actionRequest("add", acts.actions).subarray(16)), shared.hex);
      // nlkit's own attempt is refused by the kernel too.
      const r = nlkit(["-n", ns, "tc", "actions", "add", "action", "bpf", "object-pinned", path, "index", "5"]);
      assert.equal(r.code, 1, r.stderr);
    });
  });
});

test("a pinned path outside a bpf filesystem is a SysError, and an unopened pinned program is refused", async () => {
  if (!NEEDS_ROOT) {
    const sys = await loadSys();
    assert.throws(() => bpfObjGet(sys, "/nonexistent/nlkit-prog"), (e) => e instanceof SysError && e.code === "ENOENT");
  }
  assert.throws(() => bpfObjGet({} as Sys, ""), /Cannot open pinned bpf object ""/);
  assert.throws(
    () => filterRequest("add", { dev: 1, kind: "bpf", options: { pinned: "/sys/fs/bpf/x" } }, 1),
    /Cannot send pinned program "\/sys\/fs\/bpf\/x" unopened/,
  );
  assert.throws(
    () => tcRequest("filter", "add", ["dev", "v0", "ingress", "bpf", "object-pinned", "/sys/fs/bpf/x"], () => 1),
    /Cannot send pinned program "\/sys\/fs\/bpf\/x" unopened/,
  );
  assert.throws(
    () => tcRequest("filter", "add", ["dev", "v0", "bpf", "object-file", "x.o"], () => 1),
    /Cannot load "object-file" programs: load and pin them/,
  );
});
