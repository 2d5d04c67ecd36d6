/**
 * `csum`: recompute checksums of the IPv4 header, ICMP, IGMP, TCP, UDP,
 * UDP-Lite or SCTP.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import { parseAttrs } from "../../../wire/table.ts";
import { TC_ACT } from "../constants.ts";
import type { ActionKind } from "../kind.ts";
import type { TcWords } from "../words.ts";
import { type ActionParms, genFields, genParms, printRefs, printVerdict, readTail, TC_GEN, TCF_T } from "./control.ts";

const TCA_CSUM_PARMS = 1, TCA_CSUM_TM = 2;
const CSUM = { ...TC_GEN, updateFlags: "u32" } as const;

/** `TCA_CSUM_*`, in the order tc sends them. */
const CSUM_ATTRS = {
  parms: { type: TCA_CSUM_PARMS, kind: "struct", struct: CSUM },
  tm: { type: TCA_CSUM_TM, kind: "struct", struct: TCF_T },
} as const;

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
  if (update.length === 0) {
    throw new InvalidArgumentError("Missing csum headers (iph, icmp, igmp, tcp, udp, udplite, sctp)");
  }
  return { update, ...readTail(w, TC_ACT.TC_ACT_OK) };
}

/** The csum module. */
export const csum: ActionKind = {
  kind: "csum",
  options: {
    keys: ["update"],
    parse(buf, view, start, end): CsumOptions {
      const { parms: p, tm } = parseAttrs(CSUM_ATTRS, buf, view, start, end);
      const o: CsumOptions = { update: [] };
      if (p) {
        Object.assign(o, genFields(p));
        o.update = HEADERS.filter(([, bit]) => p.updateFlags & bit).map(([h]) => h);
      }
      if (tm) o.tm = tm;
      return o;
    },
    build(b, options): void {
      const o = options as CsumOptions;
      let flags = 0;
      for (const h of o.update) {
        const bit = HEADERS.find(([n]) => n === h)?.[1];
        if (bit === undefined) throw new InvalidArgumentError(`Invalid csum header: "${h}"`);
        flags |= bit;
      }
      if (!flags) throw new InvalidArgumentError("Missing csum headers");
      b.attrs(CSUM_ATTRS, { parms: { ...genParms(o, TC_ACT.TC_ACT_OK), updateFlags: flags } });
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
