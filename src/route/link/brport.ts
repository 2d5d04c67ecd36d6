/**
 * Bridge port settings (`bridge link set`, vishvananda's `LinkSetHairpin`,
 * `LinkSetLearning`...): one call, {@link setBridgePort}, sends an
 * `RTM_SETLINK` of family `AF_BRIDGE` with `IFLA_PROTINFO`, as `bridge`
 * does. {@link listBridgePorts} dumps the ports with their settings; link
 * events carry the same values (`Link.bridgePort`) when a port changes.
 *
 * @example
 * ```ts ignore
 * import { listBridgePorts, setBridgePort } from "./brport.ts";
 * await setBridgePort("v1", { hairpin: true, learning: false, cost: 10, state: "blocking" }, { netns: "lab" });
 * for (const p of await listBridgePorts({ netns: "lab" })) console.log(p.name, p.bridgePort);
 * ```
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import { MessageBuilder } from "../../wire/builder.ts";
import { AF_BRIDGE } from "../../wire/addr.ts";
import type { Attrs } from "../../wire/table.ts";
import { checkTarget } from "../../socket/target.ts";
import { DumpStream, type RouteOptions, RTM, withRouteSocket } from "../rtnl.ts";
import { IFINFOMSG } from "./table.ts";
import { BR_STATE, IFLA_BRPORT_ATTRS } from "./kinds/bridge.ts";
import { checkLinkIndex, getLink, type Link, parseLinkMessage } from "./api.ts";

/** `IFLA_PROTINFO`. */
const IFLA_PROTINFO = 12;

/** A bridge port's STP state, as `BR_STATE` names them (`tests/public_types_test.ts` proves both the same). */
export type BridgePortState = "disabled" | "listening" | "learning" | "forwarding" | "blocking";

/** The settings of a bridge port, named as `bridge link set` names them (camelCase). */
export interface BridgePortSettings {
  /** STP state (`BR_STATE_*`). */
  state?: BridgePortState;
  /** STP port priority (0 to 63). */
  priority?: number;
  /** STP path cost. */
  cost?: number;
  /** Send frames back out of the port they came in on (`hairpin`, `IFLA_BRPORT_MODE`). */
  hairpin?: boolean;
  /** Drop STP BPDUs received on the port (`guard`). */
  guard?: boolean;
  /** Never let the port become root port (`root_block`, `IFLA_BRPORT_PROTECT`). */
  rootBlock?: boolean;
  /** Leave multicast groups at once on IGMP leave (`fastleave`). */
  fastLeave?: boolean;
  /** Learn source addresses (`learning`). */
  learning?: boolean;
  /** Flood unknown unicast (`flood`, `IFLA_BRPORT_UNICAST_FLOOD`). */
  flood?: boolean;
  /** Flood unknown multicast (`mcast_flood`). */
  mcastFlood?: boolean;
  /** Flood broadcast (`bcast_flood`). */
  bcastFlood?: boolean;
  /** Send multicast as unicast to each member (`mcast_to_unicast`). */
  mcastToUnicast?: boolean;
  /** Answer ARP and ND from the bridge's neighbour entries (`neigh_suppress`). */
  neighSuppress?: boolean;
  /** Forward only to non-isolated ports (`isolated`). */
  isolated?: boolean;
  /** Proxy ARP (`proxy_arp`). */
  proxyArp?: boolean;
  /** Proxy ARP for Wi-Fi (`proxy_arp_wifi`). */
  proxyArpWifi?: boolean;
  /** VLAN-to-tunnel mapping (`vlan_tunnel`). */
  vlanTunnel?: boolean;
  /** 802.1X port lock (`locked`). */
  locked?: boolean;
}

/** Each setting's `IFLA_BRPORT_*` key, and whether it is a boolean sent as u8. */
const SETTINGS: { readonly [K in keyof BridgePortSettings]-?: readonly [keyof typeof IFLA_BRPORT_ATTRS, boolean] } = {
  state: ["state", false],
  priority: ["priority", false],
  cost: ["cost", false],
  hairpin: ["mode", true],
  guard: ["guard", true],
  rootBlock: ["protect", true],
  fastLeave: ["fastLeave", true],
  learning: ["learning", true],
  flood: ["unicastFlood", true],
  mcastFlood: ["mcastFlood", true],
  bcastFlood: ["bcastFlood", true],
  mcastToUnicast: ["mcastToUcast", true],
  neighSuppress: ["neighSuppress", true],
  isolated: ["isolated", true],
  proxyArp: ["proxyarp", true],
  proxyArpWifi: ["proxyarpWifi", true],
  vlanTunnel: ["vlanTunnel", true],
  locked: ["locked", true],
};

function checkInt(key: string, v: unknown, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > max) {
    throw new InvalidArgumentError(`Invalid ${key}: "${v}" (must be 0 to ${max})`);
  }
  return v;
}

/** Checks the settings and turns them into `IFLA_BRPORT_*` values. */
export function bridgePortAttrs(s: BridgePortSettings): Attrs<typeof IFLA_BRPORT_ATTRS> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(s)) {
    if (!Object.hasOwn(SETTINGS, key)) {
      throw new InvalidArgumentError(
        `Unknown bridge port setting: "${key}" (expected one of ${Object.keys(SETTINGS).join(", ")})`,
      );
    }
    if (v === undefined) continue;
    const [attr, bool] = SETTINGS[key as keyof BridgePortSettings];
    if (bool) {
      if (typeof v !== "boolean") throw new InvalidArgumentError(`Invalid ${key}: "${v}" (must be true or false)`);
      out[attr] = v ? 1 : 0;
    } else if (key === "state") {
      if (!Object.values(BR_STATE).includes(v as never)) {
        throw new InvalidArgumentError(`Invalid state: "${v}" (must be one of ${Object.values(BR_STATE).join(", ")})`);
      }
      out[attr] = v;
    } else {
      out[attr] = checkInt(key, v, key === "priority" ? 63 : 0xffffffff);
    }
  }
  if (Object.keys(out).length === 0) {
    throw new InvalidArgumentError(`Invalid bridge port settings: "{}" (nothing to change)`);
  }
  return out as Attrs<typeof IFLA_BRPORT_ATTRS>;
}

/** Builds the `RTM_SETLINK` (family `AF_BRIDGE`, `IFLA_PROTINFO`) that changes port `index`. */
export function bridgePortRequest(index: number, settings: BridgePortSettings): Uint8Array {
  const attrs = bridgePortAttrs(settings);
  return new MessageBuilder(RTM.RTM_SETLINK, 0)
    .struct(IFINFOMSG, { family: AF_BRIDGE, index: checkLinkIndex(index) })
    .nest(IFLA_PROTINFO, (n) => n.attrs(IFLA_BRPORT_ATTRS, attrs))
    .finish();
}

/** Changes the settings of a bridge port (a link enslaved to a bridge), by name or index. */
export function setBridgePort(
  port: string | number,
  settings: BridgePortSettings,
  opts: RouteOptions = {},
): Promise<void> {
  bridgePortAttrs(settings); // bad settings fail before any lookup
  checkTarget(opts, "setBridgePort");
  return withRouteSocket(opts, async (s) => {
    const index = typeof port === "number" ? checkLinkIndex(port) : (await getLink(port, { socket: s })).index;
    await s.request(bridgePortRequest(index, settings));
  });
}

/** Streams the bridge ports (an `AF_BRIDGE` link dump), each with `bridgePort` holding its settings. */
export function streamBridgePorts(opts: RouteOptions = {}): AsyncGenerator<Link, void, undefined> {
  checkTarget(opts, "a bridge port listing", ["retries"]);
  return new DumpStream(opts, () => ({
    request: new MessageBuilder(RTM.RTM_GETLINK, 0).struct(IFINFOMSG, { family: AF_BRIDGE }).finish(),
    parse: parseLinkMessage,
  }));
}

/** Lists the bridge ports with their settings (see {@link streamBridgePorts}). */
export async function listBridgePorts(opts: RouteOptions = {}): Promise<Link[]> {
  return await Array.fromAsync(streamBridgePorts(opts));
}
