/**
 * The objects `nlkit` knows, in the order of iproute2's own table (`cmds[]`
 * in ip/ip.c), each with its command table in the order its `do_*`
 * function tries them. Order is precedence: `ip a` is address (before
 * addrlabel), `ip r` route (before rule), `ip link s` set (before show).
 * ip's objects nlkit does not implement are listed too (no `load`), so
 * their abbreviations never select another object. nlkit's own objects
 * come after ip's. Adding an object is one entry.
 *
 * @module
 */

import { AF_BRIDGE, AF_INET, AF_INET6, AF_MPLS, AF_PACKET } from "../wire/addr.ts";
import { type TableWord, wordTable } from "./aliases.ts";
import type { Handler } from "./context.ts";

/** One word of the object table. */
export interface ObjectEntry {
  /** The full word; any prefix of it selects the object (iproute2's matches()). */
  readonly word: string;
  /** Canonical name (help text key); defaults to `word`. */
  readonly name?: string;
  /** How ip's messages name the object (`try "ip address help"`); defaults to the canonical name. */
  readonly say?: string;
  /** Loads the handler; absent for ip objects nlkit does not implement. */
  readonly load?: () => Promise<Handler>;
  /**
   * The command table (see {@link wordTable}); the handler gets the
   * canonical command. Absent: the handler reads its own words (`ct` takes
   * conntrack's flags, `monitor` a list of objects).
   */
  readonly commands?: string;
  /** Address families (`-4`, `-6`, `-f`) the handler applies; others are refused. */
  readonly families?: readonly number[];
}

const INET = [AF_INET, AF_INET6] as const;
/** do_ipmonitor reads every family: it picks groups (and neighbours) by it. */
const MONITOR_FAMILIES = [...INET, AF_PACKET, AF_BRIDGE, AF_MPLS] as const;
// Each from its iproute2 (6.1) function: do_ipaddr, do_iproute, do_ipneigh, do_ipntable, do_iprule, do_iplink, do_netns,
// do_ipnh, do_iptuntap and do_multiaddr.
const ADDR_CMDS = "add change chg=change! replace delete=del list=show show lst=show flush save showdump restore help";
const ROUTE_CMDS = "add change chg=change! replace prepend append test delete=del list=show show lst=show get flush " +
  "save restore showdump help";
const NEIGH_CMDS = "add change chg=change! replace delete=del get show lst=show list=show flush help";
const RULE_CMDS = "list=show lst=show show save restore add delete=del flush help";
const LINK_CMDS = "add set change=set replace delete=del show lst=show list=show xstats afstats property help";
const NETNS_CMDS = "list=show show lst=show list-id help add set delete=del identify pids exec monitor attach";
const NEXTHOP_CMDS = "add replace delete list show lst get flush bucket help";
const NTABLE_CMDS = "change chg=change show lst=show list=show help";
const SIMPLE_CMDS = "add delete=del show lst=show list=show help";

// The objects spelled two ways; an alias keeps the first spelling as its canonical name.
const NEIGH: ObjectEntry = {
  word: "neighbor",
  name: "neigh",
  load: async () => (await import("./neigh.ts")).neighHandler,
  commands: NEIGH_CMDS,
};
const NTABLE: ObjectEntry = {
  word: "ntable",
  load: async () => (await import("./ntable.ts")).ntableHandler,
  commands: NTABLE_CMDS,
};
const TUNTAP: ObjectEntry = {
  word: "tuntap",
  load: async () => (await import("./tuntap.ts")).tuntapHandler,
  commands: SIMPLE_CMDS,
  families: [],
};
const NEXTHOP: ObjectEntry = {
  word: "nexthop",
  load: async () => (await import("./nexthop.ts")).nexthopHandler,
  commands: NEXTHOP_CMDS,
};
const CT: ObjectEntry = { word: "ct", load: async () => (await import("./ct.ts")).ctHandler, families: [] };

function alias(word: string, of: ObjectEntry): ObjectEntry {
  return { ...of, word, name: of.name ?? of.word };
}

/** Every object word in iproute2's order, then nlkit's own. */
export const OBJECTS: readonly ObjectEntry[] = [
  {
    word: "address",
    name: "addr",
    say: "address",
    load: async () => (await import("./addr.ts")).addrHandler,
    commands: ADDR_CMDS,
    // -0 (`-f link`): `addr show` lists the links alone, as ip does.
    families: [...INET, AF_PACKET],
  },
  { word: "addrlabel" },
  {
    word: "maddress",
    load: async () => (await import("./maddr.ts")).maddrHandler,
    commands: "add delete=del list=show show lst=show help",
    families: [...INET, AF_PACKET],
  },
  { word: "route", load: async () => (await import("./route.ts")).routeHandler, commands: ROUTE_CMDS },
  { word: "rule", load: async () => (await import("./rule.ts")).ruleHandler, commands: RULE_CMDS },
  NEIGH,
  alias("neighbour", NEIGH),
  NTABLE,
  alias("ntbl", NTABLE),
  // ip lists links alike whatever the family, except bridge (ports), which nlkit refuses.
  {
    word: "link",
    load: async () => (await import("./link.ts")).linkHandler,
    commands: LINK_CMDS,
    families: [...INET, AF_PACKET, AF_MPLS],
  },
  { word: "l2tp" },
  { word: "fou" },
  { word: "ila" },
  { word: "macsec" },
  { word: "tunnel" },
  { word: "tunl" },
  TUNTAP,
  alias("tap", TUNTAP),
  {
    word: "token",
    load: async () => (await import("./token.ts")).tokenHandler,
    commands: "list=show lst=show show set add=set delete=del get help",
    families: [AF_INET6],
  },
  { word: "tcpmetrics" },
  { word: "tcp_metrics" },
  { word: "monitor", load: async () => (await import("./monitor.ts")).monitorHandler, families: MONITOR_FAMILIES },
  { word: "xfrm" },
  // mroute_list prints nothing for a family without multicast routing (-0, -f mpls...).
  {
    word: "mroute",
    load: async () => (await import("./mroute.ts")).mrouteHandler,
    commands: "list=show show lst=show help",
    families: MONITOR_FAMILIES,
  },
  { word: "mrule" },
  { word: "netns", load: async () => (await import("./netns.ts")).netnsHandler, commands: NETNS_CMDS },
  {
    word: "netconf",
    load: async () => (await import("./netconf.ts")).netconfHandler,
    commands: "show list=show lst=show help",
    families: [AF_INET, AF_INET6, AF_MPLS],
  },
  { word: "vrf" },
  { word: "sr" },
  NEXTHOP,
  { word: "mptcp" },
  { word: "ioam" },
  { word: "help" },
  { word: "stats" },
  // nlkit's own objects.
  CT,
  alias("conntrack", CT),
  alias("nh", NEXTHOP),
  { word: "genl", load: async () => (await import("./genl.ts")).genlHandler, families: [] },
  { word: "nft", load: async () => (await import("./nft.ts")).nftHandler, families: [] },
  { word: "tc", load: async () => (await import("./tc.ts")).tcHandler, families: [] },
  { word: "queue", load: async () => (await import("./queue.ts")).queueHandler, families: [] },
  { word: "log", load: async () => (await import("./log.ts")).logHandler, families: [] },
];

/** An object word resolved. */
export interface ObjectChoice {
  /** The entry. */
  readonly entry: ObjectEntry;
  /** Canonical name. */
  readonly name: string;
}

/**
 * The object `word` selects: the entry spelled exactly so (nlkit's `tc`
 * before ip's `tcpmetrics`), else the first entry it is a prefix of.
 */
export function pickObject(word: string): ObjectChoice | undefined {
  const entry = OBJECTS.find((o) => o.word === word) ??
    (word ? OBJECTS.find((o) => o.word.startsWith(word)) : undefined);
  return entry && { entry, name: entry.name ?? entry.word };
}

const tables = new Map<string, readonly TableWord[]>();

/** The parsed command table of an object (cached). */
export function commandTable(entry: ObjectEntry): readonly TableWord[] {
  let t = tables.get(entry.word);
  if (!t) tables.set(entry.word, t = wordTable(entry.commands ?? ""));
  return t;
}

/** The families an object accepts by default: ip's objects take -4 and -6. */
export function familiesOf(entry: ObjectEntry): readonly number[] {
  return entry.families ?? INET;
}
