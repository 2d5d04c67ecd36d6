/**
 * Kinds this kernel lacks (fq_codel, netem, sfq, prio, matchall, flower,
 * basic, gact, police, skbedit, pedit, vlan, csum): the request nlkit
 * builds equals, byte for byte, the one `tc` sent for the same command
 * line (tests/vectors/tc_requests.json, from tc_capture.py); and the kernel
 * refuses nlkit's request as it refused tc's.
 *
 * @module
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { unhex } from "./_vectors.ts";
import { ip, NEEDS_ROOT, run, withTempNetns } from "./_helpers.ts";
import { nlkit } from "./_cli.ts";
import { tcRequest } from "../src/cli/tc.ts";
import { actionsRequest } from "../src/cli/tc_action.ts";
import type { TcCommand } from "../src/route/tc/request.ts";
import { parseTcMessage } from "../src/route/tc/message.ts";
import { readMessage } from "../src/wire/message.ts";
import { TcPrinter } from "../src/route/tc/printer.ts";
import { printFilter, printQdisc } from "../src/route/tc/print.ts";

interface Vector {
  name: string;
  args: string[];
  links: Record<string, number>;
  request: string;
  refusal: string | null;
}

const VECTORS: Vector[] = JSON.parse(readFileSync(new URL("./vectors/tc_requests.json", import.meta.url), "utf8"));
const COMMANDS: Record<string, TcCommand> = { add: "add", change: "change", replace: "replace", del: "delete" };

function ours(v: Vector): Uint8Array {
  const lookup = (name: string) => {
    if (!(name in v.links)) throw new TypeError(`Unknown link: "${name}"`);
    return v.links[name];
  };
  const [object, cmd, ...words] = v.args;
  const req = object === "actions"
    ? actionsRequest(cmd as "add", words, lookup)
    : tcRequest(object as "qdisc", COMMANDS[cmd], words, lookup);
  // The socket adds NLM_F_ACK, as tc does; sequence numbers and port ids stay zero in both.
  new DataView(req.buffer).setUint16(6, new DataView(req.buffer).getUint16(6, true) | 4, true);
  return req;
}

const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");

for (const v of VECTORS) {
  test(`tc ${v.name}: nlkit's request equals tc's byte for byte`, () => {
    assert.equal(hex(ours(v)), v.request, v.args.join(" "));
  });
}

test("every kind this kernel lacks has a vector", () => {
  const kinds = new Set(VECTORS.flatMap((v) => v.args));
  for (
    const k of [
      "fq_codel",
      "netem",
      "sfq",
      "prio",
      "matchall",
      "flower",
      "basic",
      "gact",
      "police",
      "skbedit",
      "pedit",
      "vlan",
      "csum",
    ]
  ) {
    assert.ok(kinds.has(k), k);
  }
});

test("requests of absent kinds decode back and print", () => {
  for (const v of VECTORS.filter((x) => x.args[0] === "qdisc" || x.args[0] === "filter")) {
    const buf = unhex(v.request);
    const m = readMessage(buf, new DataView(buf.buffer), 0, buf.length);
    const p = new TcPrinter(true);
    const opts = {
      linkName: (i: number) => Object.keys(v.links).find((k) => v.links[k] === i) ?? `if${i}`,
      details: 1,
      stats: 1,
    };
    if (v.args[0] === "qdisc") printQdisc(p, parseTcMessage(m, "qdisc"), opts);
    else printFilter(p, parseTcMessage(m, "filter"), opts);
    const json = JSON.parse(p.json());
    assert.ok(json.options && Object.keys(json.options).length > 0 || v.name === "basic", `${v.name}: ${p.json()}`);
  }
});

const skip = NEEDS_ROOT;

test("the kernel refuses nlkit's requests for absent kinds as it refused tc's", { skip }, async () => {
  await withTempNetns((ns) => {
    ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    run("tc", ["-n", ns, "qdisc", "add", "dev", "v0", "clsact"]);
    run("tc", ["-n", ns, "qdisc", "add", "dev", "v1", "root", "handle", "1:", "htb"]);
    for (const v of VECTORS) {
      const args = v.args[0] === "actions" ? ["action", ...v.args.slice(1)] : v.args;
      const r = nlkit(["-n", ns, "tc", ...args]);
      assert.equal(r.code, 1, `${v.name}: ${r.stderr}`);
      assert.equal(r.stderr.split("\n")[0], v.refusal, v.name);
    }
  });
});
