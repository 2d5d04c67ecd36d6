/**
 * conntrack options nlkit used to refuse: `--state` of SCTP and DCCP
 * entries, `-i`/`--id`, `-c`/`--secmark` and the deprecated `-a`, compared
 * with conntrack 1.4.7 on tables built so that an ignored filter would
 * select more.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { withTempNetns } from "./_helpers.ts";
import { build, conntrack, ours, same, SKIP, summary } from "./_ct_cli.ts";

const TABLE: string[][] = [
  ["-p", "sctp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "1", "--dport", "2", "--state", "ESTABLISHED"]
    .concat(["--orig-vtag", "1", "--reply-vtag", "2"]),
  ["-p", "sctp", "-s", "10.0.0.3", "-d", "10.0.0.2", "--sport", "1", "--dport", "2", "--state", "COOKIE_WAIT"]
    .concat(["--orig-vtag", "1", "--reply-vtag", "2"]),
  ["-p", "sctp", "-s", "10.0.0.4", "-d", "10.0.0.2", "--sport", "1", "--dport", "2", "--state", "ESTABLISHED"]
    .concat(["--orig-vtag", "3", "--reply-vtag", "4"]),
  ["-p", "tcp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "5", "--dport", "80", "--state", "ESTABLISHED"],
  ["-p", "tcp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "6", "--dport", "80", "--state", "SYN_SENT"],
  ["-p", "udp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "7", "--dport", "53"],
];

test("ct --state of SCTP entries selects what conntrack selects, in -L and -D", { skip: SKIP }, async () => {
  await withTempNetns((ns) => {
    for (
      const args of [
        ["-L", "-p", "sctp", "--state", "ESTABLISHED"],
        ["-L", "-p", "sctp", "--state", "COOKIE_WAIT"],
        ["-D", "-p", "sctp", "--state", "ESTABLISHED"],
        ["-D", "-p", "sctp", "--state", "COOKIE_WAIT"],
        ["-L", "-p", "tcp", "--state", "ESTABLISHED"],
        // This kernel keeps no DCCP state: conntrack and nlkit both find none.
        ["-L", "-p", "dccp", "--state", "OPEN"],
      ]
    ) {
      const { theirs } = same(ns, args, TABLE);
      const all = conntrack(ns, ["-L"]).stdout.split("\n").filter(Boolean).length;
      const picked = theirs.stdout.split("\n").filter(Boolean).length;
      assert.ok(picked < all, `${args.join(" ")}: the filter leaves entries out`);
    }
  });
});

test(
  "ct -i selects the entry with that id in -D, -U and -G; -c and -a as conntrack takes them",
  { skip: SKIP },
  async () => {
    await withTempNetns((ns) => {
      const idOf = () =>
        /id=(\d+)/.exec(conntrack(ns, ["-L", "-p", "tcp", "--state", "SYN_SENT", "-o", "id"]).stdout)![1];
      build(ns, TABLE);
      const id = idOf(); // each build makes new entries, with new ids: the -G case below builds none
      for (
        const args of [
          ["-G", "-p", "tcp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "6", "--dport", "80", "-i", id],
          ["-G", "-p", "tcp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "5", "--dport", "80", "-i", id],
          ["-L", "-i", id], // illegal with -L
          ["-L", "-c", "0"],
          ["-L", "-a", "1.2.3.4"], // deprecated: a warning, then the listing
          ["-D", "-c", "5"], // illegal with -D
          [
            "-I",
            "-p",
            "udp",
            "-s",
            "10.0.0.9",
            "-d",
            "10.0.0.2",
            "--sport",
            "1",
            "--dport",
            "2",
            "-t",
            "50",
            "-c",
            "5",
          ],
          ["-L", "-c", "zz"], // conntrack reads garbage as 0; nlkit refuses it
        ]
      ) {
        const fresh = args[0] !== "-G"; // -G looks up the entry whose id was read: keep it
        if (fresh) build(ns, TABLE);
        const theirs = conntrack(ns, args);
        if (fresh) build(ns, TABLE);
        const mine = ours(ns, args);
        const what = args.join(" ");
        if (args.includes("zz")) {
          assert.equal(theirs.code, 0);
          assert.equal(mine.code, 2, what);
          continue;
        }
        assert.equal(mine.code, theirs.code, `${what}: ${mine.stderr}`);
        assert.equal(
          mine.stdout.replace(/ \d+ (?=[A-Z_]+ src=|src=)/g, " T "),
          theirs.stdout.replace(/ \d+ (?=[A-Z_]+ src=|src=)/g, " T "),
          what,
        );
        if (args.includes("-a")) assert.match(mine.stderr, /^WARNING: ignoring -a, deprecated option\.\n/);
      }
      // -D and -U with -i act on that entry only (the table holds others that match the rest).
      for (const cmd of [["-D"], ["-U", "-m", "9"]]) {
        build(ns, TABLE);
        const id = idOf();
        const r = ours(ns, [...cmd, "-i", id]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, /1 flow entries have been (deleted|updated)/);
        const left = conntrack(ns, ["-L", "-o", "id"]).stdout;
        if (cmd[0] === "-D") assert.ok(!left.includes(`id=${id}`) && left.split("\n").filter(Boolean).length === 5);
        else assert.equal(left.split("\n").filter((l) => l.includes("mark=9")).length, 1);
      }
    });
  },
);

test(
  "ct --state refuses unknown SCTP and DCCP names, and an SCTP state without its tags, with conntrack's words",
  { skip: SKIP },
  async () => {
    await withTempNetns((ns) => {
      for (
        const [args, want] of [
          [["-L", "-p", "dccp", "--state", "open"], /Unknown DCCP state `open'/],
          [["-L", "-p", "sctp", "--state", "FOO"], /Unknown SCTP state `FOO'/], // conntrack 1.4.7 crashes here
          [["-L", "-p", "udp", "--state", "X"], /unknown option `--state'/],
          [
            ["-I", "-p", "sctp", "-s", "1.1.1.1", "-d", "2.2.2.2", "--sport", "1", "--dport", "2", "--state", "CLOSED"]
              .concat(["-t", "5"]),
            /You need to supply the `--orig-vtag' option/,
          ],
        ] as const
      ) {
        const r = ours(ns, [...args]);
        assert.equal(r.code, 2, args.join(" "));
        assert.match(r.stderr, want);
      }
    });
  },
);

test("ct -h is one of conntrack's commands: with another one (or twice) it is refused, as by conntrack", {
  skip: SKIP,
}, async () => {
  await withTempNetns((ns) => {
    for (const args of [["-h", "-L"], ["-L", "-h"], ["-E", "-h"], ["-h", "-h"], ["-L", "--help"], ["-D", "-h"]]) {
      const theirs = conntrack(ns, args), mine = ours(ns, args);
      assert.equal(mine.code, theirs.code, args.join(" "));
      assert.equal(mine.stdout, "", args.join(" "));
      assert.deepEqual(summary(mine.stderr), summary(theirs.stderr), args.join(" "));
    }
    // -D with -h deletes nothing: the table keeps its entries.
    build(ns, TABLE);
    assert.equal(ours(ns, ["-D", "-h"]).code, 2);
    assert.equal(conntrack(ns, ["-C"]).stdout.trim(), String(TABLE.length));
    const help = ours(ns, ["-h"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: nlkit ct/);
  });
});
