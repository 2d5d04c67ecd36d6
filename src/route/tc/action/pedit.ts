/**
 * `pedit`: rewrite packet bytes with 32-bit keys: `munge offset N
 * u8|u16|u32 CMD`, `munge ip FIELD CMD` in tc's legacy form, and with
 * `pedit ex` the extended keys (`TCA_PEDIT_KEYS_EX`: offsets from the eth,
 * ip4, ip6, tcp or udp header; `add` and `decrement`).
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import type { MessageBuilder } from "../../../wire/builder.ts";
import { NLA_F_NESTED } from "../../../wire/constants.ts";
import { type Codec, forEachAttr, parseAttrs, parseStruct, type StructValue } from "../../../wire/table.ts";
import { TC_ACT } from "../constants.ts";
import type { ActionKind } from "../kind.ts";
import type { TcWords } from "../words.ts";
import { type ActionParms, genFields, printRefs, printVerdict, readTail, TC_GEN, TCF_T } from "./control.ts";
import { mungeWords, PEDIT_HEADERS, type PeditKey } from "./pedit_keys.ts";

export type { PeditHeader, PeditKey } from "./pedit_keys.ts";

const TCA_PEDIT_TM = 1, TCA_PEDIT_PARMS = 2, TCA_PEDIT_PARMS_EX = 4, TCA_PEDIT_KEYS_EX = 5, TCA_PEDIT_KEY_EX = 6;
const TCA_PEDIT_KEY_EX_HTYPE = 1, TCA_PEDIT_KEY_EX_CMD = 2;

/** pedit options. */
export interface PeditOptions extends ActionParms {
  /** The rewrites. */
  keys: PeditKey[];
  /** `TCA_PEDIT_*` selector flags. */
  flags?: number;
  /** Extended keys (`pedit ex`): sent with their header types and commands; implied by any key's header or cmd. */
  extended?: boolean;
}

function words(w: TcWords): PeditOptions {
  const keys: PeditKey[] = [];
  const extended = w.peek() === "ex";
  if (extended) w.next();
  while (w.peek() === "munge") {
    w.next();
    mungeWords(w, keys, extended);
  }
  if (w.peek() === "ex") throw new InvalidArgumentError(`Invalid pedit: "ex" must come before the first "munge"`);
  if (keys.length === 0) throw new InvalidArgumentError(`Missing "munge" in pedit`);
  return { keys, ...(extended ? { extended } : {}), ...readTail(w, TC_ACT.TC_ACT_OK) };
}

/** `TCA_PEDIT_KEYS_EX`: one nested `TCA_PEDIT_KEY_EX` (header type, command) per key. */
const KEYS_EX: Codec<{ htype: number; cmd: number }[]> = {
  parse(_buf, view, start, end): { htype: number; cmd: number }[] {
    const out: { htype: number; cmd: number }[] = [];
    forEachAttr(view, start, end, (t, s, e) => {
      if ((t & 0x3fff) !== TCA_PEDIT_KEY_EX) return;
      const k = { htype: 0, cmd: 0 };
      forEachAttr(view, s, e, (t2, s2, e2) => {
        if (e2 - s2 < 2) return;
        if ((t2 & 0x3fff) === TCA_PEDIT_KEY_EX_HTYPE) k.htype = view.getUint16(s2, true);
        else if ((t2 & 0x3fff) === TCA_PEDIT_KEY_EX_CMD) k.cmd = view.getUint16(s2, true);
      });
      out.push(k);
    });
    return out;
  },
  build(b: MessageBuilder, keys): void {
    // tc nests both levels with NLA_F_NESTED.
    for (const k of keys) {
      b.attr(TCA_PEDIT_KEY_EX | NLA_F_NESTED, (y) => {
        y.attr(TCA_PEDIT_KEY_EX_HTYPE, (z) => void z.scalar("u16", k.htype));
        y.attr(TCA_PEDIT_KEY_EX_CMD, (z) => void z.scalar("u16", k.cmd));
      });
    }
  },
};

const SEL = { ...TC_GEN, nkeys: "u8", flags: "u8", pad: "pad2" } as const;
const KEY = { mask: "u32be", val: "u32be", off: "s32", at: "s32", offmask: "u32", shift: "u32" } as const;
const SEL_LEN = 24, KEY_LEN = 24;

/** `struct tc_pedit_sel` and the `struct tc_pedit_key`s after it. */
const PEDIT_SEL: Codec<{ sel: StructValue<typeof SEL>; keys: StructValue<typeof KEY>[] }> = {
  parse(_buf, view, s, e): { sel: StructValue<typeof SEL>; keys: StructValue<typeof KEY>[] } {
    const sel = parseStruct(SEL, view, s, e);
    const keys: StructValue<typeof KEY>[] = [];
    for (let i = 0, at = s + SEL_LEN; i < sel.nkeys && at + KEY_LEN <= e; i++, at += KEY_LEN) {
      keys.push(parseStruct(KEY, view, at, e));
    }
    return { sel, keys };
  },
  build(b, { sel, keys }): void {
    b.struct(SEL, sel);
    for (const k of keys) b.struct(KEY, k);
  },
};

/** `TCA_PEDIT_*`, in the order tc sends them. */
const PEDIT_ATTRS = {
  parms: { type: TCA_PEDIT_PARMS, kind: "codec", codec: PEDIT_SEL },
  parmsEx: { type: TCA_PEDIT_PARMS_EX, kind: "codec", codec: PEDIT_SEL },
  keysEx: { type: TCA_PEDIT_KEYS_EX, kind: "codec", codec: KEYS_EX },
  tm: { type: TCA_PEDIT_TM, kind: "struct", struct: TCF_T },
} as const;

/** The pedit module. */
export const pedit: ActionKind = {
  kind: "pedit",
  options: {
    keys: ["keys", "flags", "extended"],
    parse(buf, view, start, end): PeditOptions {
      const a = parseAttrs(PEDIT_ATTRS, buf, view, start, end);
      const p = a.parmsEx ?? a.parms;
      const keys: PeditKey[] = (p?.keys ?? []).map((k, i) => {
        const ex = a.keysEx?.[i];
        if (!a.parmsEx || !ex) return k;
        return { ...k, header: PEDIT_HEADERS[ex.htype] ?? "network", cmd: ex.cmd ? "add" : "set" };
      });
      const o: PeditOptions = p ? { ...genFields(p.sel), flags: p.sel.flags, keys } : { keys: [] };
      if (a.parmsEx) o.extended = true;
      if (a.tm) o.tm = a.tm;
      return o;
    },
    build(b, options): void {
      const o = options as PeditOptions;
      if (!o.keys.length) throw new InvalidArgumentError("Missing pedit keys");
      if (o.keys.length > 128) throw new InvalidArgumentError("Cannot use more than 128 pedit keys");
      for (const k of o.keys) {
        if (k.header !== undefined && !PEDIT_HEADERS.includes(k.header)) {
          throw new InvalidArgumentError(`Invalid pedit header: "${k.header}" (expected ${PEDIT_HEADERS.join(", ")})`);
        }
        if (k.cmd !== undefined && k.cmd !== "set" && k.cmd !== "add") {
          throw new InvalidArgumentError(`Invalid pedit cmd: "${k.cmd}" (expected set or add)`);
        }
      }
      const extended = o.extended || o.keys.some((k) => (k.header ?? "network") !== "network" || k.cmd === "add");
      const sel = { index: o.index ?? 0, capab: 0, action: o.action ?? TC_ACT.TC_ACT_OK, refcnt: 0, bindcnt: 0 };
      const keys = o.keys.map(({ mask, val, off, at, offmask, shift }) => ({ mask, val, off, at, offmask, shift }));
      const parms = { sel: { ...sel, nkeys: keys.length, flags: o.flags ?? 0 }, keys };
      const keysEx = o.keys.map((k) => ({
        htype: PEDIT_HEADERS.indexOf(k.header ?? "network"),
        cmd: k.cmd === "add" ? 1 : 0,
      }));
      b.attrs(PEDIT_ATTRS, extended ? { parmsEx: parms } : { parms });
      // tc nests the list with NLA_F_NESTED, which a table's codec entry does not set.
      if (extended) b.attr(TCA_PEDIT_KEYS_EX | NLA_F_NESTED, (y) => KEYS_EX.build(y, keysEx));
    },
    print(p, options, ctx): void {
      const o = options as PeditOptions;
      p.str("kind", " %s ", "pedit");
      printVerdict(p, "action ", o.action ?? 0, " ");
      p.uint("nkeys", "keys %s\n", o.keys.length);
      printRefs(p, o, " \t index %s", ctx.stats);
      p.openArray("keys");
      o.keys.forEach((k, i) => {
        p.open();
        p.text(`\n\t key #${i}  at `);
        // print_pedit_location: the header's name and a signed offset, or a bare offset for network keys.
        const h = k.header ?? "network";
        if (h === "network") {
          p.str("htype", "", "network", "json");
          p.uint("offset", "%s", k.off);
        } else {
          p.str("htype", "%s", h === "ip4" ? "ipv4" : h === "ip6" ? "ipv6" : h);
          p.field("any", "offset", "%s", k.off, `${k.off < 0 ? "" : "+"}${k.off}`);
        }
        p.text(k.cmd === "add" ? ": add" : ": val");
        p.str("cmd", "", k.cmd ?? "set", "json");
        p.field("any", "val", " %s", k.val.toString(16), k.val.toString(16).padStart(8, "0"));
        p.field("any", "mask", " mask %s", k.mask.toString(16), k.mask.toString(16).padStart(8, "0"));
        p.close();
      });
      p.close();
      p.nl();
    },
    words,
  },
};
