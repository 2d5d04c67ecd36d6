/**
 * `vlan`: pop, push or modify a VLAN tag (push_eth and pop_eth too).
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import { parseAttrs } from "../../../wire/table.ts";
import { TC_ACT } from "../constants.ts";
import type { ActionKind, WordsContext } from "../kind.ts";
import { readInt, readWords, type WordReader, type WordRule, type WordTable } from "../word_table.ts";
import { parseProtocol, protocolName } from "../protocol.ts";
import type { TcWords } from "../words.ts";
import { type ActionParms, genFields, genParms, printTail, readTail, TC_GEN, TCF_T } from "./control.ts";

const TCA_VLAN_TM = 1, TCA_VLAN_PARMS = 2, TCA_VLAN_PUSH_VLAN_ID = 3, TCA_VLAN_PUSH_VLAN_PROTOCOL = 4;
const TCA_VLAN_PUSH_VLAN_PRIORITY = 6, TCA_VLAN_PUSH_ETH_DST = 7, TCA_VLAN_PUSH_ETH_SRC = 8;
const VLAN_PARMS = { ...TC_GEN, vAction: "s32" } as const;

/** `TCA_VLAN_*`, in the order tc sends them. */
const VLAN_ATTRS = {
  parms: { type: TCA_VLAN_PARMS, kind: "struct", struct: VLAN_PARMS },
  id: { type: TCA_VLAN_PUSH_VLAN_ID, kind: "u16" },
  protocol: { type: TCA_VLAN_PUSH_VLAN_PROTOCOL, kind: "u16be" },
  priority: { type: TCA_VLAN_PUSH_VLAN_PRIORITY, kind: "u8" },
  dstMac: { type: TCA_VLAN_PUSH_ETH_DST, kind: "mac" },
  srcMac: { type: TCA_VLAN_PUSH_ETH_SRC, kind: "mac" },
  tm: { type: TCA_VLAN_TM, kind: "struct", struct: TCF_T },
} as const;
const VERBS = ["", "pop", "push", "modify", "pop_eth", "push_eth"];

/** vlan options. */
export interface VlanOptions extends ActionParms {
  /** `pop`, `push`, `modify`, `pop_eth` or `push_eth`. */
  vlanAction: "pop" | "push" | "modify" | "pop_eth" | "push_eth";
  /** VLAN id (push, modify). */
  id?: number;
  /** Tag protocol: 0x8100 (802.1Q) or 0x88a8 (802.1ad). */
  protocol?: number;
  /** Priority bits (0 to 7). */
  priority?: number;
  /** Destination MAC (push_eth). */
  dstMac?: string;
  /** Source MAC (push_eth). */
  srcMac?: string;
}

/** A word only some verbs take (`id` with push and modify, `dst_mac` with push_eth). */
function verbWord<K extends keyof VlanOptions>(
  key: K,
  verbs: readonly string[],
  read: WordReader,
): WordRule<VlanOptions> {
  return {
    key,
    apply: (w, word, o, ctx) => {
      if (!verbs.includes(o.vlanAction)) {
        throw new InvalidArgumentError(`Cannot use "${word}" with vlan ${o.vlanAction}`);
      }
      o[key] = read(w, word, ctx) as VlanOptions[K];
    },
  };
}

const TAGGING = ["push", "modify"];

/** vlan's words after the verb, before the verdict and index. */
const WORDS: WordTable<VlanOptions> = {
  id: verbWord("id", TAGGING, readInt(0, 0xfff)),
  protocol: verbWord("protocol", TAGGING, (w, word) => {
    const protocol = parseProtocol(w.value(word, "protocol"));
    if (protocol !== 0x8100 && protocol !== 0x88a8) {
      throw new InvalidArgumentError(`Invalid vlan protocol: only 802.1Q and 802.1ad`);
    }
    return protocol;
  }),
  priority: verbWord("priority", TAGGING, readInt(0, 7)),
  dst_mac: verbWord("dstMac", ["push_eth"], (w, word) => w.value(word, "address")),
  src_mac: verbWord("srcMac", ["push_eth"], (w, word) => w.value(word, "address")),
};

function words(w: TcWords, ctx: WordsContext): VlanOptions {
  const verb = w.value("vlan", "pop, push or modify");
  const vAction = VERBS.indexOf(verb);
  if (vAction < 1) {
    throw new InvalidArgumentError(`Invalid vlan action: "${verb}" (expected pop, push, modify, pop_eth or push_eth)`);
  }
  const o: VlanOptions = { vlanAction: verb as VlanOptions["vlanAction"] };
  readWords<VlanOptions>(w, "vlan", WORDS, o, ctx, true);
  if (TAGGING.includes(verb) && o.id === undefined) throw new InvalidArgumentError(`Missing vlan "id" for ${verb}`);
  if (verb === "push_eth" && (!o.dstMac || !o.srcMac)) {
    throw new InvalidArgumentError(`Missing "dst_mac" and "src_mac" for push_eth`);
  }
  return { ...o, ...readTail(w, TC_ACT.TC_ACT_PIPE) };
}

/** The vlan module. */
export const vlan: ActionKind = {
  kind: "vlan",
  options: {
    keys: [
      "vlanAction",
      "id",
      "protocol",
      "priority",
      "dstMac",
      "srcMac",
    ],
    parse(buf, view, start, end): VlanOptions {
      const { parms: p, unknown: _, ...rest } = parseAttrs(VLAN_ATTRS, buf, view, start, end);
      const o = { vlanAction: "pop", ...rest } as VlanOptions;
      if (p) {
        Object.assign(o, { vlanAction: VERBS[p.vAction] ?? String(p.vAction), ...genFields(p) });
      }
      return o;
    },
    build(b, options): void {
      const o = options as VlanOptions;
      const vAction = VERBS.indexOf(o.vlanAction);
      if (vAction < 1) throw new InvalidArgumentError(`Invalid vlan action: "${o.vlanAction}"`);
      b.attrs(VLAN_ATTRS, {
        parms: { ...genParms(o, TC_ACT.TC_ACT_PIPE), vAction },
        id: o.id,
        protocol: o.protocol,
        priority: o.priority,
        dstMac: o.dstMac,
        srcMac: o.srcMac,
      });
    },
    print(p, options, ctx): void {
      const o = options as VlanOptions;
      p.str("kind", "%s ", "vlan");
      p.str("vlan_action", " %s", o.vlanAction);
      if (o.id !== undefined) p.uint("id", " id %s", o.id);
      if (o.protocol !== undefined) p.str("protocol", " protocol %s", protocolName(o.protocol));
      if (o.priority !== undefined) p.uint("priority", " priority %s", o.priority);
      if (o.dstMac !== undefined) p.str("dst_mac", " dst_mac %s", o.dstMac);
      if (o.srcMac !== undefined) p.str("src_mac", " src_mac %s", o.srcMac);
      printTail(p, o, "\t index %s", ctx.stats);
    },
    words,
  },
};
