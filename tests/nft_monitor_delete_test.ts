/**
 * A stateful object's deletion in `nlkit -j nft monitor`, as nftables' own
 * monitor suite expects it (`tests/monitor/testcases/object.t`): the
 * deleted object with its data. The kernel (Linux 6.x) sends a deletion
 * without the data, which nft 1.0.6 then prints as zeros; nlkit shows the
 * object as it was announced, whether it existed when the monitor started
 * or was added since.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { followWhile } from "./_cli.ts";
import { withTempNetns } from "./_helpers.ts";
import { nft, NFT_SKIP } from "./_nft.ts";

/** Each object: the command that adds it, and the JSON the suite expects on its deletion (handles as 0). */
const OBJECTS: [string, string, string][] = [
  ["quota q", "25 mbytes", '"bytes": 26214400, "used": 0, "inv": false'],
  ["limit l", "rate 1/second", '"rate": 1, "per": "second", "burst": 5'],
  ["ct helper cth", '{ type "sip" protocol tcp; l3proto ip; }', '"type": "sip", "protocol": "tcp", "l3proto": "ip"'],
  [
    "ct timeout ctt",
    "{ protocol udp; l3proto ip; policy = { unreplied : 15, replied : 12 }; }",
    '"protocol": "udp", "l3proto": "ip", "policy": {"unreplied": 15, "replied": 12}',
  ],
  ["counter c", "", '"packets": 0, "bytes": 0'],
];

function deleted(kind: string, fields: string): string {
  const [type, name] = [kind.slice(0, kind.lastIndexOf(" ")), kind.slice(kind.lastIndexOf(" ") + 1)];
  return `{"delete": {"${type}": {"family": "ip", "name": "${name}", "table": "t", "handle": 0, ${fields}}}}`;
}

for (const existing of [false, true]) {
  test(`nft -j monitor: a deleted object shows its data (${existing ? "listed at the start" : "added since"})`, {
    skip: NFT_SKIP,
  }, async () => {
    await withTempNetns(async (ns) => {
      const add = () => {
        nft(ns, ["add", "table", "ip", "t"]);
        for (const [kind, spec] of OBJECTS) {
          nft(ns, [
            "add",
            ...kind.split(" ").slice(0, -1),
            "ip",
            "t",
            kind.split(" ").at(-1)!,
            ...(spec ? [spec] : []),
          ]);
        }
      };
      if (existing) add();
      const r = await followWhile(["-n", ns, "-j", "nft", "monitor"], () => {
        if (!existing) add();
        for (const [kind] of OBJECTS) {
          nft(ns, ["delete", ...kind.split(" ").slice(0, -1), "ip", "t", kind.split(" ").at(-1)!]);
        }
      });
      const lines = r.stdout.split("\n").filter((l) => l.startsWith('{"delete"'));
      const unified = lines.map((l) => l.replace(/("handle": )\d+/, "$10"));
      assert.deepEqual(unified, OBJECTS.map(([kind, , fields]) => deleted(kind, fields)));
    });
  });
}
