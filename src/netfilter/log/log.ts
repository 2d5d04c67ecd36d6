/**
 * An NFLOG consumer: binds a log group in a namespace and yields each
 * logged packet, with an explicit signal where the kernel lost some.
 *
 * @example
 * ```ts ignore
 * import { openLog } from "./log.ts";
 * await using g = await openLog(5, { netns: "lab", flags: ["seq"] });
 * for await (const p of g) if (p.kind === "packet") console.log(p.prefix, p.seq);
 * ```
 *
 * @module
 */

import type { NetnsTarget } from "../../netns/netns.ts";
import type { NetlinkCapture } from "../../socket/capture.ts";
import { NFNL_SUBSYS_ULOG, nfnlDescriber } from "../../wire/nfnetlink.ts";
import { checkReceiveBuffer, checkU16 } from "../packet.ts";
import { checkKeys } from "../../wire/invalid.ts";
import { InterfaceNames } from "../ifnames.ts";
import { openPacketSocket, PacketStream } from "../packet_stream.ts";
import type { NetlinkSocket } from "../../socket/socket.ts";
import { buildLogConfig, type LogConfig } from "./codec.ts";
import { NFULNL_MSG } from "./tables.ts";
import { type LogPacket, parseLogMessage } from "./packet.ts";

/** Options of {@link openLog}: the group's configuration plus where and how to listen. */
export interface OpenLogOptions extends LogConfig {
  /** Bind the group inside this network namespace. */
  netns?: NetnsTarget;
  /** Kernel receive buffer in bytes (`SO_RCVBUFFORCE`). */
  receiveBuffer?: number;
  /** Ends the stream when aborted. */
  signal?: AbortSignal;
  /** Sees every datagram of this group's socket (falls back to the global netlink capture). */
  capture?: NetlinkCapture;
  /** Fill in the packets' interface names (`indevName`, ...) from link dumps of the namespace. Default false. */
  interfaceNames?: boolean;
}

/** The kernel could not deliver logged packets (ENOBUFS): some are missing from the stream. */
export interface LogOverrun {
  /** Discriminates the signal from a packet. */
  kind: "overrun";
}

/** One item of a {@link NfLog} stream. */
export type LogItem = LogPacket | LogOverrun;

const OPEN_KEYS = [
  "copyMode",
  "copyRange",
  "threshold",
  "timeout",
  "bufferSize",
  "flags",
  "netns",
  "receiveBuffer",
  "signal",
  "capture",
  "interfaceNames",
];

const describeLog = nfnlDescriber(NFNL_SUBSYS_ULOG, NFULNL_MSG);

/** A bound log group: an async iterator of {@link LogItem}s. */
export class NfLog extends PacketStream<LogPacket, LogOverrun> {
  /** The group number. */
  readonly group: number;

  private constructor(group: number, socket: NetlinkSocket, signal?: AbortSignal, names?: InterfaceNames) {
    super(
      socket,
      (m) => {
        const p = parseLogMessage(m);
        return p?.group === group ? p : undefined;
      },
      signal,
      names,
    );
    this.group = group;
  }

  /** Opens a socket, binds `group` and configures it. Bad options throw before anything is opened. */
  static async open(group: number, opts: OpenLogOptions = {}): Promise<NfLog> {
    checkU16(group, "log group");
    checkKeys(opts, OPEN_KEYS, "log options");
    const { copyMode, copyRange, threshold, timeout, bufferSize, flags } = opts;
    const cfg: LogConfig = Object.fromEntries(
      Object.entries({ copyMode, copyRange, threshold, timeout, bufferSize, flags }).filter(([, v]) => v !== undefined),
    );
    const bind = buildLogConfig(group, cfg, "bind");
    checkReceiveBuffer(opts.receiveBuffer);
    const socket = await openPacketSocket({
      netns: opts.netns,
      receiveBuffer: opts.receiveBuffer,
      capture: opts.capture,
      describe: describeLog,
    });
    const g = new NfLog(group, socket, opts.signal, opts.interfaceNames ? new InterfaceNames(opts.netns) : undefined);
    await g.bind(bind);
    return g;
  }

  /** The overrun signal. */
  protected override onOverrun(): Promise<LogOverrun> {
    return Promise.resolve({ kind: "overrun" });
  }

  /** Changes the group's configuration. */
  async configure(cfg: LogConfig): Promise<void> {
    await this.socket.request(buildLogConfig(this.group, cfg, "none"));
  }
}

/** Binds NFLOG group `group` (0..65535) and returns its consumer. */
export function openLog(group: number, opts: OpenLogOptions = {}): Promise<NfLog> {
  return NfLog.open(group, opts);
}
