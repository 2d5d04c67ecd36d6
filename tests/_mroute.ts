/**
 * Multicast routing for tests: the kernel keeps MFC entries only while a
 * process holds its multicast routing socket (a raw IGMP socket after
 * `MRT_INIT`, or a raw ICMPv6 one after `MRT6_INIT`), so the test holds one
 * in the namespace, adds virtual interfaces and cache entries with
 * `setsockopt`, and closes it (which flushes them) when done.
 *
 * @module
 */

import { withNetns } from "../src/netns/netns.ts";
import { loadSys } from "../src/sys/load.ts";
import type { Sys } from "../src/sys/sys.ts";
import { parseIp } from "../src/wire/addr.ts";
import { ip, withTempNetns } from "./_helpers.ts";

const AF_INET = 2, AF_INET6 = 10, SOCK_RAW = 3, SOCK_CLOEXEC = 0x80000;
const IPPROTO_IGMP = 2, IPPROTO_ICMPV6 = 58, IPPROTO_IP = 0, IPPROTO_IPV6 = 41;
// <linux/mroute.h>, <linux/mroute6.h>: MRT_BASE and MRT6_BASE are both 200.
const MRT_INIT = 200, MRT_ADD_VIF = 202, MRT_ADD_MFC = 204, MRT_DEL_MFC = 205, MRT_TABLE = 209;
const VIFF_USE_IFINDEX = 0x8;

/** One cache entry to add: source, group, input device and output devices with their TTL thresholds. */
export interface MfcEntry {
  src: string;
  group: string;
  iif: string;
  /** Output devices; a number is the TTL threshold (1 when only the name is given). */
  oifs: (string | [string, number])[];
}

/** A held multicast routing socket of one family (and table) in a namespace. */
export class MrouteSocket implements Disposable {
  readonly #sys: Sys;
  readonly #fd: number;
  readonly #v6: boolean;
  readonly #ns: string;
  readonly #vifs = new Map<string, number>();

  private constructor(sys: Sys, fd: number, v6: boolean, ns: string) {
    this.#sys = sys;
    this.#fd = fd;
    this.#v6 = v6;
    this.#ns = ns;
  }

  /** Opens the socket in `ns` (for `table` when given) and takes the multicast routing role. */
  static async open(ns: string, family: "inet" | "inet6", table?: number): Promise<MrouteSocket> {
    const sys = await loadSys();
    const v6 = family === "inet6";
    const fd = withNetns(
      sys,
      ns,
      () => sys.socket(v6 ? AF_INET6 : AF_INET, SOCK_RAW | SOCK_CLOEXEC, v6 ? IPPROTO_ICMPV6 : IPPROTO_IGMP),
    );
    const s = new MrouteSocket(sys, fd, v6, ns);
    try {
      if (table !== undefined) s.#opt(MRT_TABLE, u32(table));
      s.#opt(MRT_INIT, u32(1));
    } catch (e) {
      sys.close(fd);
      throw e;
    }
    return s;
  }

  #opt(name: number, value: Uint8Array): void {
    this.#sys.setsockopt(this.#fd, this.#v6 ? IPPROTO_IPV6 : IPPROTO_IP, name, value);
  }

  /** Makes `dev` a virtual interface (VIF/MIF) of the table. */
  addVif(dev: string): void {
    const vifi = this.#vifs.size;
    const ifindex = Number(ip(this.#ns, "-j", "link", "show", dev).match(/"ifindex":(\d+)/)![1]);
    if (this.#v6) {
      const m = new Uint8Array(12); // struct mif6ctl
      const v = new DataView(m.buffer);
      v.setUint16(0, vifi, true);
      m[3] = 1; // threshold
      v.setUint16(4, ifindex, true); // mif6c_pifi
      this.#opt(MRT_ADD_VIF, m);
    } else {
      const c = new Uint8Array(16); // struct vifctl
      const v = new DataView(c.buffer);
      v.setUint16(0, vifi, true);
      c[2] = VIFF_USE_IFINDEX;
      c[3] = 1; // threshold
      v.setInt32(8, ifindex, true); // vifc_lcl_ifindex
      this.#opt(MRT_ADD_VIF, c);
    }
    this.#vifs.set(dev, vifi);
  }

  #vif(dev: string): number {
    const i = this.#vifs.get(dev);
    if (i === undefined) throw new Error(`${dev} is not a VIF`);
    return i;
  }

  #mfc(e: MfcEntry): Uint8Array {
    const oifs = e.oifs.map((o) => typeof o === "string" ? [this.#vif(o), 1] : [this.#vif(o[0]), o[1]]);
    if (this.#v6) {
      const m = new Uint8Array(92); // struct mf6cctl
      const v = new DataView(m.buffer);
      for (const [off, addr] of [[0, e.src], [28, e.group]] as const) {
        v.setUint16(off, AF_INET6, true);
        m.set(parseIp(addr), off + 8); // sockaddr_in6.sin6_addr
      }
      v.setUint16(56, this.#vif(e.iif), true);
      for (const [i] of oifs) m[60 + (i >> 3)] |= 1 << (i & 7); // if_set bits, little-endian words
      return m;
    }
    const m = new Uint8Array(60); // struct mfcctl
    m.set(parseIp(e.src), 0);
    m.set(parseIp(e.group), 4);
    new DataView(m.buffer).setUint16(8, this.#vif(e.iif), true);
    for (const [i, ttl] of oifs) m[10 + i] = ttl;
    return m;
  }

  /** Adds (or replaces) a cache entry. */
  addMfc(e: MfcEntry): void {
    this.#opt(MRT_ADD_MFC, this.#mfc(e));
  }

  /** Deletes a cache entry. */
  deleteMfc(e: MfcEntry): void {
    this.#opt(MRT_DEL_MFC, this.#mfc(e));
  }

  /** Gives up the role: the kernel flushes the table's entries and VIFs. */
  close(): void {
    this.#sys.close(this.#fd);
  }

  /** {@link close}. */
  [Symbol.dispose](): void {
    this.close();
  }
}

function u32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return b;
}

/** Links a0..c0 (and a longer name), IPv4 entries in tables default and 7, IPv6 in main. */
export async function withMfc(fn: (ns: string) => Promise<void> | void): Promise<void> {
  await withTempNetns(async (ns) => {
    for (const d of ["a", "b", "c"]) ip(ns, "link", "add", `${d}0`, "type", "veth", "peer", "name", `${d}1`);
    ip(ns, "link", "add", "longername0", "type", "veth", "peer", "name", "l1");
    for (const d of ["a0", "b0", "c0", "longername0"]) ip(ns, "link", "set", d, "up");
    using v4 = await MrouteSocket.open(ns, "inet");
    for (const d of ["a0", "b0", "c0", "longername0"]) v4.addVif(d);
    v4.addMfc({ src: "10.0.0.1", group: "239.1.1.1", iif: "a0", oifs: ["b0", ["longername0", 5]] });
    v4.addMfc({ src: "10.0.0.2", group: "239.1.1.2", iif: "longername0", oifs: ["a0"] });
    v4.addMfc({ src: "10.9.0.1", group: "239.2.0.1", iif: "b0", oifs: [] });
    using t7 = await MrouteSocket.open(ns, "inet", 7);
    for (const d of ["c0", "a0"]) t7.addVif(d);
    t7.addMfc({ src: "10.0.0.1", group: "239.1.1.1", iif: "c0", oifs: ["a0"] });
    using v6 = await MrouteSocket.open(ns, "inet6");
    for (const d of ["a0", "b0"]) v6.addVif(d);
    v6.addMfc({ src: "2001:db8::1", group: "ff05::1", iif: "a0", oifs: ["b0"] });
    v6.addMfc({ src: "2001:db8:1::1", group: "ff05::2", iif: "b0", oifs: ["a0"] });
    await fn(ns);
  });
}
