/**
 * `link set DEV type bridge_slave WORDS`: a bridge port's settings in ip's
 * words (iproute2's `iplink_bridge_slave.c`), for `setBridgePort`.
 *
 * @module
 */

import { toInt, unknownWord } from "./args.ts";
import type { Words, WordTable } from "./keywords.ts";
import { onOff } from "./link_words.ts";
import type { BridgePortSettings } from "../route/link/brport.ts";
import { BR_STATE } from "../route/link/kinds.ts";

/** On/off words and the setting each drives. */
const SWITCHES = {
  hairpin: "hairpin",
  guard: "guard",
  root_block: "rootBlock",
  fastleave: "fastLeave",
  mcast_fast_leave: "fastLeave",
  learning: "learning",
  flood: "flood",
  mcast_flood: "mcastFlood",
  bcast_flood: "bcastFlood",
  mcast_to_unicast: "mcastToUnicast",
  neigh_suppress: "neighSuppress",
  isolated: "isolated",
  proxy_arp: "proxyArp",
  proxy_arp_wifi: "proxyArpWifi",
  vlan_tunnel: "vlanTunnel",
  locked: "locked",
} as const;

/** The words after `type bridge_slave`. */
export const BRIDGE_SLAVE_WORDS: WordTable = {
  state: { arg: "port state" },
  priority: { arg: "priority" },
  cost: { arg: "cost" },
  ...Object.fromEntries(Object.keys(SWITCHES).map((w) => [w, { arg: "on or off" }])),
};

/** The port settings the words name; `state` by name or number, as ip takes it. */
export function bridgeSlaveSettings(w: Words): BridgePortSettings {
  const s: BridgePortSettings = {};
  for (const [word, key] of Object.entries(SWITCHES)) if (w[word] !== undefined) s[key] = onOff(word, w[word]!);
  if (w.state !== undefined) {
    const names = Object.values(BR_STATE);
    const n = /^\d+$/.test(w.state) ? BR_STATE[Number(w.state) as keyof typeof BR_STATE] : undefined;
    const state = n ?? names.find((x) => x === w.state);
    if (!state) throw unknownWord("port state", w.state, names);
    s.state = state;
  }
  if (w.priority !== undefined) s.priority = toInt(w.priority, "priority", 0, 63);
  if (w.cost !== undefined) s.cost = toInt(w.cost, "cost");
  return s;
}
