/**
 * pedit's extended keys (`pedit ex`; this kernel has no pedit, and
 * tc_vectors_test.ts checks the requests byte for byte against tc's): the
 * keys print as m_pedit.c prints them (header and signed offset, `add`),
 * and words tc refuses are refused before anything is sent.
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

const VECTORS: { name: string; request: string }[] = JSON.parse(
  readFileSync(new URL("./vectors/tc_requests.json", import.meta.url), "utf8"),
);

function printed(name: string, json: boolean): string {
  const buf = unhex(VECTORS.find((x) => x.name === name)!.request);
  const p = new TcPrinter(json);
  printFilter(p, parseTcMessage(readMessage(buf, new DataView(buf.buffer), 0, buf.length), "filter"), {
    linkName: () => "v0",
  });
  return json ? p.json() : p.take();
}

test("pedit ex keys print with their header, signed offset and command, as tc prints them", () => {
  assert.ok(
    printed("pedit_ex_ip", false).endsWith(
      "pedit action pipe keys 4\n \t index 0 ref 0 bind 0" +
        "\n\t key #0  at ipv4+8: val 40000000 mask 00ffffff\n\t key #1  at ipv4+16: val 0a000009 mask 00000000" +
        "\n\t key #2  at ipv4+0: add 00040000 mask ff00ffff\n\t key #3  at ipv4+8: add ff000000 mask 00ffffff\n\n",
    ),
  );
  const json = JSON.parse(printed("pedit_ex_l4", true));
  assert.deepEqual(json.options.actions[0].keys, [
    { htype: "tcp", offset: 0, cmd: "set", val: "1f90", mask: "ffff0000" },
    { htype: "udp", offset: 0, cmd: "set", val: "0", mask: "ffffff" },
    { htype: "tcp", offset: 12, cmd: "set", val: "ff0000", mask: "ffffffff" },
    { htype: "network", offset: 4, cmd: "set", val: "0", mask: "ffff" },
  ]);
  // Legacy keys keep tc's old text: a bare offset and "val".
  assert.match(printed("pedit_legacy_icmp", false), /key #0 {2}at 20: val 08000000 mask 00ffffff/);
});

test("pedit words tc refuses are refused before anything is sent", () => {
  const pedit = (line: string) =>
    tcRequest(
      "filter",
      "add",
      ["dev", "v0", "parent", "1:", "u32", "match", "u32", "0", "0", "action", "pedit", ...line.split(" ")],
      () => 2,
    );
  const cases: [string, RegExp][] = [
    ["munge ip ttl add 1", /"add" without "ex"/],
    ["munge ip ttl decrement", /"decrement" without "ex"/],
    ["ex munge ip tos decrement", /Cannot decrement this pedit field/],
    ["munge ip6 src set 2001:db8::1", /Cannot munge "ip6" without "pedit ex"/],
    ["munge tcp dport set 80", /Cannot munge "tcp" without "pedit ex"/],
    ["ex munge ip dport set 80", /Cannot munge ip "dport"/],
    ["ex munge ip6 src set 2001:db8::1 retain 0xff", /longer than 32 bits/],
    ["ex munge ip6 src set 10.0.0.1", /Invalid IPv6 address/],
    ["ex munge eth dst set 10.0.0.1", /Invalid MAC|Invalid .*address/],
    ["ex munge sctp dport set 80", /Cannot munge "sctp"/],
    ["munge ip ttl set 64 ex", /"ex" must come before the first "munge"/],
    ["ex munge ip ttl set 256", /does not fit in 8 bits/],
  ];
  for (const [line, message] of cases) assert.throws(() => pedit(line), message, line);
});
