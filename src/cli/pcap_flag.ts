/**
 * `nlkit --pcap FILE ...`: records every netlink datagram the command sends
 * and receives as a `LINKTYPE_NETLINK` pcap (read it with `tcpdump -r`,
 * Wireshark, or nlkit's `readPcap`). The pcap code loads only when asked for.
 *
 * @module
 */

import { UsageError } from "./args.ts";

/** Installs the process-wide capture writing `file`; returns the function that stops it and closes the file. */
export async function startNetlinkCapture(file: string): Promise<() => void> {
  if (file === "-" || file === "") {
    throw new UsageError(
      `Cannot write the netlink capture to "${file}": give a file (stdout carries the output)`,
      file,
    );
  }
  const { NetlinkPcapCapture } = await import("../pcap/netlink.ts");
  const { setGlobalCapture } = await import("../socket/capture.ts");
  const capture = NetlinkPcapCapture.open(file);
  setGlobalCapture(capture);
  return () => {
    setGlobalCapture(undefined);
    capture.close();
  };
}
