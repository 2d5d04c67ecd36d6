/**
 * `veth`: a pair of connected virtual Ethernet links. The peer travels in
 * the create request as a whole `ifinfomsg` with its own attributes.
 *
 * @module
 */

import type { MessageBuilder } from "../../../wire/builder.ts";
import { TruncatedError } from "../../../wire/errors.ts";
import { type Attrs, type Codec, parseAttrs, parseStruct, type StructValue } from "../../../wire/table.ts";
import type { NetnsTarget } from "../../../netns/netns.ts";
import { IFINFOMSG, IFINFOMSG_LEN, IFLA_ATTRS } from "../table.ts";
import type { KindWordReader, KindWordsSpec, LinkKind } from "./kind.ts";

/** The peer of a new veth pair: an `ifinfomsg` header plus link attributes. */
export interface VethPeer {
  /** Interface index to request for the peer (0 = any). */
  index?: number;
  /** Link attributes of the peer (name, address, mtu, target namespace...). */
  attrs: Attrs<typeof IFLA_ATTRS>;
}

/** `VETH_INFO_PEER` payload: a whole `ifinfomsg` with attributes. */
export const VETH_PEER_CODEC: Codec<VethPeer> = {
  parse(buf: Uint8Array, view: DataView, start: number, end: number): VethPeer {
    if (end - start < IFINFOMSG_LEN) throw new TruncatedError("veth peer ifinfomsg", start, IFINFOMSG_LEN, end - start);
    const h: StructValue<typeof IFINFOMSG> = parseStruct(IFINFOMSG, view, start, end);
    return { index: h.index, attrs: parseAttrs(IFLA_ATTRS, buf, view, start + IFINFOMSG_LEN, end) };
  },
  build(b: MessageBuilder, value: VethPeer): void {
    b.struct(IFINFOMSG, { index: value.index ?? 0 }).attrs(IFLA_ATTRS, value.attrs);
  },
};

/** `VETH_INFO_*`: only sent when creating a pair. */
export const VETH_INFO_ATTRS = {
  peer: { type: 1, kind: "codec", codec: VETH_PEER_CODEC },
} as const;

/** The far end of a new veth pair: its name (the kernel picks `vethN` if left out) and settings; `netns` places it. */
export interface VethPeerSpec {
  /** Name of the peer. */
  name?: string;
  /** Its MAC address (`aa:bb:cc:dd:ee:ff`). */
  address?: string;
  /** Its MTU. */
  mtu?: number;
  /** Its transmit queue length. */
  txqlen?: number;
  /** Its number of transmit queues (1 to 4096). */
  numTxQueues?: number;
  /** Its number of receive queues (1 to 4096). */
  numRxQueues?: number;
  /** The namespace to create it in (name, path, pid or fd). */
  netns?: NetnsTarget;
}

function read(r: KindWordReader): KindWordsSpec {
  const k = r.words;
  if (k.name !== undefined && k.peer === undefined) throw r.usage(`Missing "peer" before "name"`, "name");
  const peer: VethPeerSpec = {};
  if (k.name !== undefined) peer.name = k.name;
  if (k.address !== undefined) peer.address = k.address;
  if (k.mtu !== undefined) peer.mtu = r.int(k.mtu, "MTU");
  if (k.netns !== undefined) peer.netns = k.netns;
  return { peer: peer as Record<string, unknown> };
}

/** A new veth pair: what `createLink` takes for kind `veth`. */
export interface VethLinkSpec {
  /** `IFLA_INFO_KIND`. */
  kind: "veth";
  /** The far end. */
  peer?: VethPeerSpec;
}

/** The `veth` kind. */
export const VETH_KIND: LinkKind<"veth", typeof VETH_INFO_ATTRS, never, Omit<VethLinkSpec, "kind">> = {
  kind: "veth",
  data: VETH_INFO_ATTRS,
  types: {
    data: { name: "VethData", prefix: "VETH_INFO_", doc: "veth pair settings" },
  },
  peerKey: "peer",
  words: {
    peer: {},
    name: { arg: "peer name" },
    address: { arg: "MAC address" },
    mtu: { arg: "MTU" },
    netns: { arg: "namespace" },
  },
  read,
  help: "veth [ peer [ name PEER ] [ address MAC ] [ mtu N ] [ netns NS ] ]",
};
