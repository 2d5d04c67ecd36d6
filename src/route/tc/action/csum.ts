/**
 * `csum`: recompute checksums of the IPv4 header, ICMP, IGMP, TCP, UDP,
 * UDP-Lite or SCTP.
 *
 * @module
 */

import { forEachAttr, parseStruct } from "../../../wire/table.ts";
import { TC_ACT } from "../constants.ts";
import type { ActionKind } from "../kind.ts";
import type { TcWords } from "../words.ts";
import { type ActionParms, genFields, printRefs, printVerdict, readTail, TC_GEN, TCF_T } from "./control.ts";

const TCA_CSUM_PARMS = 1, TCA_CSUM_TM = 2;
const CSUM = { ...TC_GEN, updateFlags: "u32" } as const;

/** Headers by tc's words, with their `TCA_CSUM_UPDATE_FLAG_*` bits (print order). */
const HEADERS: readonly [string, number][] = [
  ["iph", 1],
  ["icmp", 2],
  ["igmp", 4],
  ["tcp", 8],
  ["udp", 16],
  ["udplite", 32],
  ["sctp", 64],
];

/** csum options. */
export interface CsumOptions extends ActionParms {
  /** Headers whose checksums are updated, by tc's words (`iph`, `tcp`, ...). */
  update: string[];
}

function words(w: TcWords): CsumOptions {
  const update: string[] = [];
  for (let word = w.peek(); word !== undefined; word = w.peek()) {
    const name = word === "ip4h" || word === "ipv4h" ? "iph" : word;
    if (HEADERS.some(([h]) => h === name)) update.push(name);
    else if (word !== "and" && word !== "or" && word !== "+") break;
    w.next();
  }
  if (update.length === 0) throw new TypeError("Missing csum headers (iph, icmp, igmp, tcp, udp, udplite, sctp)");
  return { update, ...readTail(w, TC_ACT.TC_ACT_OK) };
}

/** The csum module. */
export const csum: ActionKind = {
  kind: "csum",
  options: {
    keys: ["action", "index", "refcnt", "bindcnt", "tm", "update"],
    parse(_buf, view, start, end): CsumOptions {
      const o: CsumOptions = { update: [] };
      forEachAttr(view, start, end, (t, s, e) => {
        const type = t & 0x3fff;
        if (type === TCA_CSUM_PARMS) {
          const p = parseStruct(CSUM, view, s, e);
          Object.assign(o, genFields(p));
          o.update = HEADERS.filter(([, bit]) => p.updateFlags & bit).map(([h]) => h);
        } else if (type === TCA_CSUM_TM) o.tm = parseStruct(TCF_T, view, s, e);
      });
      return o;
    },
    build(b, options): void {
      const o = options as CsumOptions;
      let flags = 0;
      for (const h of o.update) {
        const bit = HEADERS.find(([n]) => n === h)?.[1];
        if (bit === undefined) throw new TypeError(`Invalid csum header: "${h}"`);
        flags |= bit;
      }
      if (!flags) throw new TypeError("Missing csum headers");
      b.attr(
        TCA_CSUM_PARMS,
        (x) => x.struct(CSUM, { index: o.index ?? 0, action: o.action ?? TC_ACT.TC_ACT_OK, updateFlags: flags }),
      );
    },
    print(p, options, ctx): void {
      const o = options as CsumOptions;
      p.str("kind", "%s ", "csum");
      p.str("csum", "(%s) ", o.update.join(", "));
      printVerdict(p, "", o.action ?? 0, "");
      p.nl();
      printRefs(p, o, "\tindex %s", ctx.stats);
      p.nl();
    },
    words,
  },
};
