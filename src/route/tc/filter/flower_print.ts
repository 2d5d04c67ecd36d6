/**
 * Printing flower options as `tc` does, in text and JSON: the scalar keys
 * in tc's order, with the addresses, ports and flags tc prints between them.
 *
 * @module
 */

import { formatIp } from "../../../wire/addr.ts";
import { printActionList } from "../action/list.ts";
import { formatHandle } from "../handle.ts";
import type { PrintContext } from "../kind.ts";
import type { TcPrinter } from "../printer.ts";
import { printClsFlags } from "./flags.ts";
import { FLOWER_SCALARS, type Masked, printCtState, printScalar } from "./flower_keys.ts";
import { ipAttrs, macMask, maskBits } from "./flower_masks.ts";
import type { FlowerOptions, PortMatch } from "./flower_options.ts";
import { IP_FLAGS, IP_PROTOS } from "./flower_words.ts";

/** `print_indent_name_value`: a new line, two spaces, `NAME VALUE` (a JSON string). */
function line(p: TcPrinter, key: string, v: string): void {
  p.nl();
  p.str(key, `  ${key} %s`, v);
}

function printMac(p: TcPrinter, key: string, m?: Masked<string>): void {
  if (!m) return;
  const bits = m.mask === undefined ? 48 : maskBits(macMask(m));
  line(p, key, `${m.value}${bits < 0 ? `/${m.mask}` : bits < 48 ? `/${bits}` : ""}`);
}

function printPrefix(p: TcPrinter, key: string, prefix?: string): void {
  if (!prefix) return;
  const { v6, addr, mask } = ipAttrs(prefix);
  const bits = maskBits(mask);
  line(p, key, `${addr}${bits < 0 ? `/${formatIp(mask)}` : bits < (v6 ? 128 : 32) ? `/${bits}` : ""}`);
}

function printPort(p: TcPrinter, key: string, v?: PortMatch): void {
  if (!v || "min" in v) return;
  p.nl();
  p.uint(key, `  ${key} %s`, v.port);
  if (v.mask !== undefined && v.mask !== 0xffff) p.hex(`${key}_mask`, "/0x%s", v.mask);
}

function printRange(p: TcPrinter, key: string, v?: PortMatch): void {
  if (!v || !("min" in v)) return;
  if (p.isJson) {
    p.open(key);
    p.uint("start", "", v.min, "json");
    p.uint("end", "", v.max, "json");
    p.close();
  } else line(p, key, `${v.min}-${v.max}`);
}

const ETH_NAMES: Record<number, string> = { 0x800: "ipv4", 0x86dd: "ipv6", 0x806: "arp", 0x8035: "rarp" };

/** The keys tc prints between the number keys, by the number key they come before. */
const PRINT_BEFORE: Record<string, (p: TcPrinter, o: FlowerOptions) => void> = {
  ipTos(p, o): void {
    printMac(p, "dst_mac", o.dstMac);
    printMac(p, "src_mac", o.srcMac);
    if (o.ethType !== undefined) line(p, "eth_type", ETH_NAMES[o.ethType] ?? o.ethType.toString(16).padStart(4, "0"));
    if (o.ipProto !== undefined) {
      const name = Object.keys(IP_PROTOS).find((k) => IP_PROTOS[k] === o.ipProto);
      line(p, "ip_proto", name ?? o.ipProto.toString(16).padStart(2, "0"));
    }
  },
  mplsLabel(p, o): void {
    if (!o.mplsLse) return;
    p.nl();
    p.text("  mpls");
    p.openArray("mpls");
    for (const lse of o.mplsLse) {
      p.nl();
      p.text("    lse");
      p.open();
      for (const k of ["depth", "label", "tc", "bos", "ttl"] as const) {
        if (lse[k] !== undefined) p.uint(k, ` ${k} %s`, lse[k]);
      }
      p.close();
    }
    p.close();
  },
  tcpFlags(p, o): void {
    // tc prints the addresses only for its own ethernet type (not one inside a VLAN tag).
    if (o.ethType === 0x800 || o.ethType === 0x86dd) {
      printPrefix(p, "dst_ip", o.dstIp);
      printPrefix(p, "src_ip", o.srcIp);
    }
    printPort(p, "dst_port", o.dstPort);
    printPort(p, "src_port", o.srcPort);
    printRange(p, "dst_port", o.dstPort);
    printRange(p, "src_port", o.srcPort);
  },
  arpOp(p, o): void {
    printPrefix(p, "arp_sip", o.arpSip);
    printPrefix(p, "arp_tip", o.arpTip);
  },
  encKeyId(p, o): void {
    printMac(p, "arp_sha", o.arpSha);
    printMac(p, "arp_tha", o.arpTha);
    printPrefix(p, "enc_dst_ip", o.encDstIp);
    printPrefix(p, "enc_src_ip", o.encSrcIp);
  },
  ctZone(p, o): void {
    if (o.ipFlags?.mask) {
      p.nl();
      p.text("  ip_flags ");
      p.open("ip_flags");
      const set = IP_FLAGS.filter(([, f]) => o.ipFlags!.mask & f);
      set.forEach(([n, f], i) => {
        if (i) p.text("/");
        p.bool(n, "", (o.ipFlags!.flags & f) !== 0, "json");
        p.text(o.ipFlags!.flags & f ? n : `no${n}`);
      });
      p.close();
    }
    if (o.ctState) printCtState(p, o.ctState);
  },
};

/** Prints flower options (after the kind name). */
export function print(p: TcPrinter, o: FlowerOptions, ctx: PrintContext): void {
  if (ctx.handle) p.field("any", "handle", "handle %s ", ctx.handle, `0x${ctx.handle.toString(16)}`);
  if (o.classid !== undefined) {
    const min = o.classid & 0xffff;
    if (min >= 0xffe0 && min <= 0xffef) p.uint("hw_tc", "hw_tc %s ", min - 0xffe0);
    else p.str("classid", "classid %s ", formatHandle(o.classid));
  }
  if (o.indev !== undefined) {
    p.nl();
    p.str("indev", "  indev %s", o.indev);
  }
  p.open("keys");
  const opts = o as Record<string, unknown>;
  for (const s of FLOWER_SCALARS) {
    PRINT_BEFORE[s.option]?.(p, o);
    const v = opts[s.option] as number | Masked<number> | undefined;
    if (v !== undefined) printScalar(p, s, v);
  }
  p.close();
  printClsFlags(p, o.flags ?? 0, true);
  if (o.actions) printActionList(p, o.actions, ctx, true);
}
