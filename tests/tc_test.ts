/**
 * tc against the kernel and iproute2's `tc`: objects nlkit creates are
 * listed by `tc -j -s -d` exactly as the same objects created by `tc`, and
 * nlkit lists objects `tc` created exactly as `tc` does (JSON and text).
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { have, NEEDS_ROOT, run, withTempNetns } from "./_helpers.ts";
import { nlkit } from "./_cli.ts";
import { maskCounters, TC_CHANGES, TC_JSON_SHOWS, TC_SETUP, TC_TEXT_SHOWS, tcLinks } from "./_tc.ts";

const skip = NEEDS_ROOT || (have("tc") ? false : "needs tc (iproute2)");

function tc(ns: string, ...args: string[]): string {
  return run("tc", ["-n", ns, ...args]);
}

function ours(ns: string, ...args: string[]): string {
  const r = nlkit(["-n", ns, ...args]);
  assert.equal(r.code, 0, `nlkit -n ${ns} ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

test("objects nlkit creates are listed by tc as tc's own", { skip }, async () => {
  await withTempNetns(async (mine) => {
    await withTempNetns((theirs) => {
      tcLinks(mine);
      tcLinks(theirs);
      for (const cmd of TC_SETUP) {
        ours(mine, "tc", ...cmd);
        tc(theirs, ...cmd);
      }
      const compare = (when: string) => {
        for (const show of TC_TEXT_SHOWS) {
          for (const flags of [["-j", "-s", "-d"], ["-s", "-d"], []]) {
            const a = maskCounters(tc(mine, ...flags, ...show));
            const b = maskCounters(tc(theirs, ...flags, ...show));
            assert.equal(a, b, `${when}: tc ${flags.join(" ")} ${show.join(" ")}`);
          }
        }
      };
      compare("created");
      for (const cmd of TC_CHANGES) {
        ours(mine, "tc", ...cmd);
        tc(theirs, ...cmd);
      }
      compare("changed");
    });
  });
});

test("nlkit lists what tc created as tc does", { skip }, async () => {
  await withTempNetns((ns) => {
    tcLinks(ns);
    for (const cmd of TC_SETUP) tc(ns, ...cmd);
    for (const show of TC_JSON_SHOWS) {
      for (const flags of [["-j", "-s", "-d"], ["-j", "-s"], ["-j"]]) {
        const a = maskCounters(ours(ns, ...flags, "tc", ...show));
        const b = maskCounters(tc(ns, ...flags, ...show));
        assert.equal(a, b, `${flags.join(" ")} ${show.join(" ")}`);
        assert.ok(JSON.parse(a).length > 0, `${show.join(" ")} lists something`);
      }
    }
    for (const show of TC_TEXT_SHOWS) {
      for (const flags of [["-s", "-d"], ["-d"], []]) {
        assert.equal(
          maskCounters(ours(ns, ...flags, "tc", ...show)),
          maskCounters(tc(ns, ...flags, ...show)),
          `${flags.join(" ")} ${show.join(" ")}`,
        );
      }
    }
  });
});
