/**
 * Does `recvmmsg` beat one `recvfrom` per datagram? Reads the same route
 * dump (N routes in a throwaway namespace) and runs N GET-with-ack round
 * trips both ways on a raw netlink socket: `recvfrom` into one 64 KiB
 * buffer per datagram (what `NetlinkSocket` does), and `recvmmsg` of up to
 * 8 datagrams per call. Deno only (it binds `recvmmsg` itself). On the
 * shared 2-core Linux 6.18 VM the ratio moved with run order and load
 * (GET/ack round trips 0.64x to 1.9x, dumps 1.0x to 1.75x), which is not
 * a win to build on: the transport keeps one `recvfrom` per datagram for
 * requests and dumps. NFQUEUE and NFLOG sockets differ (one small datagram
 * per packet, thousands queued): they read with `recvmmsg` (the socket's
 * `receiveBatch` option; see bench/nfqueue.ts).
 * Usage: deno run -A bench/socket_recvmmsg.ts [N]; root required.
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { loadSys } from "../src/sys/load.ts";
import { withNetns } from "../src/netns/netns.ts";
import { MessageBuilder } from "../src/wire/builder.ts";

const N = Number(Deno.args[0] ?? 20000);
const ns = `nlkm${Deno.pid}`;
const VLEN = 8;
const BUF = 65536;
const MSG_DONTWAIT = 0x40;

const libc = Deno.dlopen("libc.so.6", {
  recvmmsg: { parameters: ["i32", "buffer", "u32", "i32", "pointer"], result: "i32" },
});
const sys = await loadSys();

// One struct mmsghdr (64 bytes on 64-bit Linux) per buffer, each with one iovec.
const bufs = Array.from({ length: VLEN }, () => new Uint8Array(BUF));
const iovs = new BigUint64Array(VLEN * 2);
const hdrs = new Uint8Array(64 * VLEN);
const hv = new DataView(hdrs.buffer);
const iovBase = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(iovs)));
bufs.forEach((b, i) => {
  iovs[i * 2] = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(b)));
  iovs[i * 2 + 1] = BigInt(BUF);
  hv.setBigUint64(i * 64 + 16, iovBase + BigInt(i * 16), true); // msg_iov
  hv.setBigUint64(i * 64 + 24, 1n, true); // msg_iovlen
});

function messagesIn(buf: Uint8Array, n: number): { count: number; done: boolean } {
  const v = new DataView(buf.buffer, 0, n);
  let count = 0, done = false;
  for (let off = 0; off < n;) {
    const len = v.getUint32(off, true);
    const type = v.getUint16(off + 4, true);
    if (type === 3 || type === 2) done = true; // NLMSG_DONE, NLMSG_ERROR
    else count++;
    off += (len + 3) & ~3;
  }
  return { count, done };
}

/** Reads until DONE or an ack; returns messages seen and receive calls made. */
function readOne(fd: number, batched: boolean): { count: number; calls: number } {
  let count = 0, calls = 0;
  for (;;) {
    calls++;
    if (!batched) {
      const n = sys.recvfrom(fd, bufs[0], BUF, MSG_DONTWAIT, null);
      if (n < 0) continue; // EAGAIN: the kernel answers inside sendto, so this is rare
      const r = messagesIn(bufs[0], n);
      count += r.count;
      if (r.done) return { count, calls };
    } else {
      const got = libc.symbols.recvmmsg(fd, hdrs, VLEN, MSG_DONTWAIT, null);
      for (let i = 0; i < got; i++) {
        const r = messagesIn(bufs[i], hv.getUint32(i * 64 + 56, true));
        count += r.count;
        if (r.done) return { count, calls };
      }
    }
  }
}

function time(fd: number, batched: boolean, req: () => Uint8Array, rounds: number): [number, number, number] {
  const t0 = performance.now();
  let count = 0, calls = 0;
  for (let i = 0; i < rounds; i++) {
    const m = req();
    sys.sendto(fd, m, 0, new Uint8Array([16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    const r = readOne(fd, batched);
    count += r.count;
    calls += r.calls;
  }
  return [performance.now() - t0, count, calls];
}

execFileSync("ip", ["netns", "add", ns]);
try {
  execFileSync("ip", ["-n", ns, "link", "add", "d0", "type", "bridge"]);
  execFileSync("ip", ["-n", ns, "link", "set", "d0", "up"]);
  const routes = Array.from({ length: N }, (_, i) => `route add 10.${i >> 16}.${(i >> 8) & 255}.${i & 255}/32 dev d0`);
  execFileSync("ip", ["-n", ns, "-batch", "-"], { input: routes.join("\n") + "\n" });
  const fd = withNetns(sys, ns, () => sys.socket(16, 3, 0));
  sys.bind(fd, new Uint8Array([16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
  const dump = () => new MessageBuilder(26, 0x301).raw(new Uint8Array(12).fill(0, 0)).finish(); // RTM_GETROUTE dump
  const get = () =>
    new MessageBuilder(18, 0x5).raw(new Uint8Array([0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])).finish();
  console.log(`# recvfrom per datagram vs recvmmsg (${VLEN} per call), deno ${Deno.version.deno}`);
  for (const [name, req, rounds] of [["dump of the route table", dump, 20], [`GET lo with ack`, get, N]] as const) {
    time(fd, false, req, 2); // warm up
    time(fd, true, req, 2);
    // Alternate three times and keep each side's best: the order alone moved results by 1.5x here.
    let a = Infinity, b = Infinity, count = 0, callsA = 0, callsB = 0;
    for (let k = 0; k < 3; k++) {
      const x = time(fd, false, req, rounds);
      const y = time(fd, true, req, rounds);
      [a, count, callsA] = x[0] < a ? x : [a, count, callsA];
      [b, , callsB] = y[0] < b ? y : [b, 0, callsB];
    }
    console.log(
      `${name} x${rounds} (${count / rounds} messages each): recvfrom ${a.toFixed(0)} ms in ${callsA} calls, ` +
        `recvmmsg ${b.toFixed(0)} ms in ${callsB} calls (${(a / b).toFixed(2)}x)`,
    );
  }
  sys.close(fd);
} finally {
  execFileSync("ip", ["netns", "del", ns]);
}
