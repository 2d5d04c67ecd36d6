/**
 * `skbedit`: set a packet's queue mapping, priority, mark (with mask) or
 * packet type.
 *
 * @module
 */

import { forEachAttr, parseStruct } from "../../../wire/table.ts";
import { TC_ACT } from "../constants.ts";
import { formatHandle, parseHandle } from "../handle.ts";
import type { ActionKind } from "../kind.ts";
import type { TcWords } from "../words.ts";
import { type ActionParms, genFields, printTail, readTail, TC_GEN, TCF_T } from "./control.ts";

const A = { tm: 1, parms: 2, priority: 3, queueMapping: 4, mark: 5, ptype: 7, mask: 8, flags: 9 } as const;
const PTYPES: Record<string, number> = { host: 0, broadcast: 1, multicast: 2, otherhost: 3 };

/** skbedit options. */
export interface SkbeditOptions extends ActionParms {
  /** Transmit queue. */
  queueMapping?: number;
  /** Priority, as a class id (`1:10`). */
  priority?: number;
  /** Firewall mark. */
  mark?: number;
  /** Bits of the mark to set. */
  mask?: number;
  /** Packet type (`host` 0, `broadcast` 1, `multicast` 2, `otherhost` 3). */
  ptype?: number;
  /** Copy the DS field into the priority (`inheritdsfield`). */
  inheritDsfield?: boolean;
}

function words(w: TcWords): SkbeditOptions {
  const o: SkbeditOptions = {};
  for (let word = w.peek(); word !== undefined; word = w.peek()) {
    if (word === "queue_mapping") o.queueMapping = (w.next(), w.int(word, 0, 0xffff));
    else if (word === "priority") o.priority = (w.next(), parseHandle(w.value(word, "class id")));
    else if (word === "mark") {
      w.next();
      const [m, mask] = w.value(word, "MARK[/MASK]").split("/");
      const num = (x: string) => {
        const n = /^(0x[0-9a-f]+|\d+)$/i.test(x) ? Number(x) : NaN;
        if (!(n >= 0 && n <= 0xffffffff)) throw new TypeError(`Invalid skbedit mark: "${x}"`);
        return n;
      };
      o.mark = num(m);
      if (mask !== undefined) o.mask = num(mask);
    } else if (word === "ptype") {
      w.next();
      const t = w.value(word, "packet type");
      if (PTYPES[t] === undefined) {
        throw new TypeError(`Invalid ptype: "${t}" (expected host, broadcast, multicast or otherhost)`);
      }
      o.ptype = PTYPES[t];
    } else if (word === "inheritdsfield") {
      w.next();
      o.inheritDsfield = true;
    } else break;
  }
  const tail = readTail(w, TC_ACT.TC_ACT_PIPE);
  if (Object.keys(o).length === 0 && tail.index === undefined) throw new TypeError("Missing skbedit parameters");
  return { ...o, ...tail };
}

/** The skbedit module. */
export const skbedit: ActionKind = {
  kind: "skbedit",
  options: {
    keys: [
      "action",
      "index",
      "refcnt",
      "bindcnt",
      "tm",
      "queueMapping",
      "priority",
      "mark",
      "mask",
      "ptype",
      "inheritDsfield",
    ],
    parse(_buf, view, start, end): SkbeditOptions {
      const o: SkbeditOptions = {};
      forEachAttr(view, start, end, (t, s, e) => {
        switch (t & 0x3fff) {
          case A.parms:
            Object.assign(o, genFields(parseStruct(TC_GEN, view, s, e)));
            break;
          case A.tm:
            o.tm = parseStruct(TCF_T, view, s, e);
            break;
          case A.priority:
            o.priority = view.getUint32(s, true);
            break;
          case A.queueMapping:
            o.queueMapping = view.getUint16(s, true);
            break;
          case A.mark:
            o.mark = view.getUint32(s, true);
            break;
          case A.mask:
            o.mask = view.getUint32(s, true);
            break;
          case A.ptype:
            o.ptype = view.getUint16(s, true);
            break;
          case A.flags:
            o.inheritDsfield = (view.getUint32(s, true) & 1) !== 0;
            break;
        }
      });
      return o;
    },
    build(b, options): void {
      const o = options as SkbeditOptions;
      b.attr(A.parms, (x) => x.struct(TC_GEN, { index: o.index ?? 0, action: o.action ?? TC_ACT.TC_ACT_PIPE }));
      if (o.queueMapping !== undefined) b.u(A.queueMapping, "u16", o.queueMapping);
      if (o.priority !== undefined) b.u(A.priority, "u32", o.priority);
      if (o.mark !== undefined) b.u(A.mark, "u32", o.mark);
      if (o.mask !== undefined) b.u(A.mask, "u32", o.mask);
      if (o.ptype !== undefined) b.u(A.ptype, "u16", o.ptype);
      if (o.inheritDsfield) b.u(A.flags, "u64", 1);
    },
    print(p, options, ctx): void {
      const o = options as SkbeditOptions;
      p.str("kind", "%s ", "skbedit");
      if (o.queueMapping !== undefined) p.uint("queue_mapping", "queue_mapping %s", o.queueMapping);
      if (o.priority !== undefined) p.str("priority", " priority %s", formatHandle(o.priority));
      if (o.mark !== undefined) p.uint("mark", " mark %s", o.mark);
      if (o.mask !== undefined) p.field("any", "mask", "/%s", o.mask.toString(16), `0x${o.mask.toString(16)}`);
      if (o.ptype !== undefined) {
        const name = Object.keys(PTYPES).find((k) => PTYPES[k] === o.ptype);
        if (name) p.str("ptype", " ptype %s", name);
        else p.uint("ptype", " ptype %s", o.ptype);
      }
      if (o.inheritDsfield) p.bool("inheritdsfield", " inheritdsfield", true);
      printTail(p, o, "\t index %s", ctx.stats);
    },
    words,
  },
};
