/**
 * `tc -p`'s decoded u32 keys (f_u32.c's `print_ipv4` and `print_ipv6`):
 * a key of an `ip` or `ipv6` filter at a known offset and mask prints as
 * `match IP src 10.0.0.1/32`, `match IP protocol 6`, `match dport 80`;
 * any other key of those filters prints nothing, as in tc. Both printers
 * read IPv4 offsets (tc's own IPv6 printer is a copy of its IPv4 one).
 *
 * @module
 */

import type { TcPrinter } from "../printer.ts";
import type { U32Key } from "./u32_keys.ts";

/** Prefix length of a contiguous mask (`mask2bits`), or -1. */
function maskBits(mask: number): number {
  const host = ~mask >>> 0;
  return (host & (host + 1)) === 0 ? Math.clz32(host) : -1;
}

function address(p: TcPrinter, key: U32Key, name: "src" | "dst"): void {
  const bits = maskBits(key.mask);
  if (bits < 0) return;
  p.nl();
  p.text(`  match IP ${name} `);
  p.open(name);
  const v = key.val;
  p.str("address", "%s", `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`);
  p.uint("prefixlen", "/%s", bits);
  p.close();
}

// Ports at offset 20: IPv4 names the low half dport, IPv6 (as tc prints it) the low half sport.
function ports(p: TcPrinter, key: U32Key, v6: boolean): void {
  const lo = key.val & 0xffff, hi = key.val >>> 16;
  const [loName, hiName] = v6 ? ["sport", "dport"] : ["dport", "sport"];
  if (key.mask === 0x0000ffff) {
    if (v6) p.nl();
    p.uint(loName, v6 ? "  match sport %s" : "match dport %s", lo);
  } else if (key.mask === 0xffff0000) {
    if (!v6) p.nl();
    p.uint(hiName, v6 ? "match dport %s" : "  match sport %s", hi);
  } else if (key.mask === 0xffffffff) {
    p.nl();
    p.uint(loName, `  match ${loName} %s, `, lo);
    p.uint(hiName, `match ${hiName} %s`, hi);
  }
}

/** Prints one key as `tc -p` does for a filter of `ip` (`v6` false) or `ipv6` (true). */
export function printPrettyKey(p: TcPrinter, key: U32Key, v6: boolean): void {
  p.open("match");
  if (key.off === 0 && key.mask === 0x0f000000) {
    p.nl();
    p.uint("ip_ihl", "  match IP ihl %s", key.val >>> 24);
  } else if (key.off === 0 && key.mask === 0x00ff0000) {
    p.nl();
    p.hex0x("ip_dsfield", "  match IP dsfield %s", key.val >>> 16);
  } else if (key.off === 8 && key.mask === 0x00ff0000) {
    p.nl();
    p.uint("ip_protocol", "  match IP protocol %s", key.val >>> 16);
  } else if (key.off === 12 || key.off === 16) address(p, key, key.off === 12 ? "src" : "dst");
  else if (key.off === 20) ports(p, key, v6);
  p.close();
}
