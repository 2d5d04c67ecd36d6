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
import { bpf, type BpfOptions } from "../src/route/tc/filter/bpf.ts";
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

test("nlkit's request for object-pinned equals tc's byte for byte", { skip: skipStrace }, async () => {
  await withPinnedProgram(async (path) => {
    await withTempNetns((ns) => {
      setup(ns);
      const words = ["dev", "v0", "ingress", "prio", "5", "bpf", "object-pinned", path, "da", "classid", "1:5"];
      const r = spawnSync("strace", [
        "-f",
        "-xx",
        "-s",
        "65535",
        "-e",
        "trace=sendmsg,bpf",
        "tc",
        "-n",
        ns,
        "filter",
        "add",
        ...words,
      ], { encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      const fd = Number(/bpf\(BPF_OBJ_GET, .*\) = (\d+)/.exec(r.stderr)?.[1]);
      const sent = [...r.stderr.matchAll(/nlmsg_type=(0x2c|RTM_NEWTFILTER)[^}]*\}, "((?:\\x[0-9a-f]{2})*)"/g)].pop();
      assert.ok(fd > 0 && sent, r.stderr);
      const theirs = sent[2].replaceAll("\\x", "");
      // The fd tc got, handed to nlkit's own open step.
      const fakeSys = { bpf: () => fd, close: () => {} } as unknown as Sys;
      const ifindex = Number(JSON.parse(run("ip", ["-n", ns, "-j", "link", "show", "v0"]))[0].ifindex);
      const opened = bpf.open!({ pinned: path, directAction: true, classid: 0x10005 }, fakeSys);
      const ours = filterRequest("add", {
        dev: ifindex,
        parent: "ingress",
        priority: 5,
        kind: "bpf",
        options: opened.options,
      }, ifindex);
      const hex = [...ours.subarray(16)].map((b) => b.toString(16).padStart(2, "0")).join("");
      assert.equal(hex, theirs);
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
    /Unknown bpf argument: "object-file"/,
  );
});
