/**
 * The socket an nf_tables operation runs on, message framing and error
 * naming.
 *
 * @module
 */

import type { NetnsTarget } from "../../netns/netns.ts";
import { type NetlinkFamily, openSocket, streamSocket, withSocket } from "../../socket/family.ts";
import type { NetlinkSocket } from "../../socket/socket.ts";
import type { MessageBuilder } from "../../wire/builder.ts";
import { NETLINK_NETFILTER } from "../../wire/constants.ts";
import { checkKeys } from "../../wire/invalid.ts";
import {
  NFNL_MSG_BATCH_BEGIN,
  NFNL_MSG_BATCH_END,
  NFNL_SUBSYS_NFTABLES,
  nfnlMessage,
  nfnlSplit,
  nfnlType,
} from "../../wire/nfnetlink.ts";
import { NFT_MSG } from "./consts.ts";

/** Where an nf_tables operation runs: a namespace, or a `NETLINK_NETFILTER` socket the caller owns. */
export interface NftOptions {
  /** Run inside this network namespace (name, path, pid or fd). */
  netns?: NetnsTarget;
  /** Use this open `NETLINK_NETFILTER` socket instead of opening one. */
  socket?: NetlinkSocket;
}

const OPTION_KEYS = ["netns", "socket"];

const MSG_NAMES: Record<number, string> = Object.fromEntries(Object.entries(NFT_MSG).map(([k, v]) => [v, k]));

/** Names an nfnetlink message type for error texts (`NFT_MSG_NEWRULE`). */
export function describeNft(type: number): string {
  if (type === NFNL_MSG_BATCH_BEGIN) return "NFNL_MSG_BATCH_BEGIN";
  if (type === NFNL_MSG_BATCH_END) return "NFNL_MSG_BATCH_END";
  const [subsys, msg] = nfnlSplit(type);
  if (subsys === NFNL_SUBSYS_NFTABLES && MSG_NAMES[msg]) return MSG_NAMES[msg];
  return `nfnetlink type ${subsys}/${msg}`;
}

/** Starts an nf_tables message of `msg` (an `NFT_MSG_*` number) for `family`. */
export function nftMessage(msg: number, flags: number, family: number): MessageBuilder {
  return nfnlMessage(nfnlType(NFNL_SUBSYS_NFTABLES, msg), flags, family);
}

/** nf_tables as a {@link NetlinkFamily}. */
export const NFTABLES: NetlinkFamily = {
  name: "nftables",
  protocol: NETLINK_NETFILTER,
  headerLength: 4, // nfgenmsg
  describe: (request) => describeNft(request[4] | (request[5] << 8)),
};

/** Opens a `NETLINK_NETFILTER` socket for `opts`. */
export function openNftSocket(opts: NftOptions = {}, receiveBuffer?: number): Promise<NetlinkSocket> {
  checkKeys(opts, OPTION_KEYS, "nftables");
  return openSocket(NFTABLES, opts, { receiveBuffer });
}

/** Runs `fn` on the caller's socket, or on a fresh one closed afterwards. */
export function withNftSocket<T>(opts: NftOptions, fn: (s: NetlinkSocket) => Promise<T>): Promise<T> {
  checkKeys(opts, OPTION_KEYS, "nftables");
  return withSocket(NFTABLES, opts, fn);
}

/** Streams on the caller's socket or a fresh one, closed when the stream ends or the loop breaks. */
export async function* streamNft<T>(
  opts: NftOptions,
  fn: (s: NetlinkSocket) => AsyncIterable<T>,
): AsyncGenerator<T, void, undefined> {
  checkKeys(opts, OPTION_KEYS, "nftables"); // when the stream is first read, as before
  yield* streamSocket(NFTABLES, opts, fn);
}
