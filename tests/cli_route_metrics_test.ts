/**
 * `route add`'s metric words (mtu, hoplimit, advmss, reordering, rtt,
 * rttvar, rto_min, window, cwnd, ssthresh, initcwnd, initrwnd, features,
 * quickack, congctl, fastopen_no_cookie, each with `lock`) and its refusals,
 * against ip (6.1): the same words give the same kernel state, nlkit lists
 * it as ip does (text and -j), and bad values are refused in ip's words.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { nlkit } from "./_cli.ts";
import { ip, NEEDS_ROOT, withTempNetns } from "./_helpers.ts";
import { sameAsIp } from "./_ip_parity.ts";

const ROUTES = [
  "10.1.0.0/24 dev lo mtu lock 1400 window 65535 rtt 100ms rttvar 50ms ssthresh 10 cwnd lock 20 reordering 5",
  "10.2.0.0/24 dev lo hoplimit 64 initcwnd 10 initrwnd lock 20 features ecn quickack 1 congctl lock reno",
  "10.3.0.0/24 dev lo fastopen_no_cookie 1 rto_min 200ms advmss lock 1300",
  "10.4.0.0/24 dev lo rtt 3 rttvar 0.5s congctl cubic rto_min 1500ms",
  "10.5.0.0/24 dev lo rtt 2s rttvar 12345ms metric 0x10 table 0x20 proto 0x11 tos 0x10",
].map((r) => r.split(" "));

test("route add metrics: the same kernel state as ip's, listed as ip lists it", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ours) => {
    await withTempNetns((theirs) => {
      for (const ns of [ours, theirs]) ip(ns, "link", "set", "lo", "up");
      for (const words of ROUTES) {
        ip(theirs, "route", "add", ...words);
        const r = nlkit(["-n", ours, "route", "add", ...words]);
        assert.equal(r.code, 0, `route add ${words.join(" ")}: ${r.stderr}`);
      }
      for (const args of [["route", "show", "table", "all"], ["-d", "-j", "route", "show", "table", "all"]]) {
        assert.equal(ip(ours, ...args), ip(theirs, ...args), args.join(" "));
        sameAsIp(ours, args);
      }
      assert.match(ip(ours, "route", "show"), /rtt 1\.5s|rto_min lock 1\.5s/);
      assert.match(ip(ours, "route", "show"), /mtu lock 1400 .*cwnd lock 20 /);
    });
  });
});

test("route add metrics: bad values are refused in ip's words, before anything is sent", {
  skip: NEEDS_ROOT,
}, async () => {
  await withTempNetns((ns) => {
    for (
      const bad of [
        "table xx",
        "metric xx",
        "proto xx",
        "scope xx",
        "mtu xx",
        "tos xx",
        "realms xx",
        "hoplimit 300",
        "window xx",
        "rtt xx",
        "rttvar 1m",
        "advmss xx",
        "pref xx",
        "expires xx",
        "initcwnd xx",
        "quickack 2",
        "quickack x",
        "features foo",
        "rto_min 5x",
        "fastopen_no_cookie 3",
        "cwnd lock x",
      ]
    ) sameAsIp(ns, ["route", "add", "10.9.0.0/24", "dev", "lo", ...bad.split(" ")]);
    assert.equal(ip(ns, "route", "show", "table", "all").includes("10.9.0.0"), false);
  });
});
