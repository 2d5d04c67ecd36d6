/**
 * `nlkit tuntap add|del|show`, in `ip tuntap`'s grammar (iproute2's
 * `ip/iptuntap.c`). Devices are made with ioctls on `/dev/net/tun` and
 * listed over rtnetlink. Unlike ip, which reads sysfs, the flags come from
 * the kernel's `IFLA_TUN_*` report, which leaves out `one_queue` (a flag the
 * kernel keeps for compatibility only). With `-d`, the processes attached to
 * each device, found in /proc as ip finds them.
 *
 * @module
 */

import { asNoDevice, NoDeviceError } from "./errors.ts";
import { NetlinkError, NlkitError } from "../wire/netlink_error.ts";
import { type Args, unknownWord, UsageError } from "./args.ts";
import type { Context } from "./context.ts";
import { idOf } from "./ids.ts";
import { parseWords, type Words, type WordTable } from "./keywords.ts";
import { JsonArrayWriter } from "./output.ts";
import { type Link, streamLinks } from "../route/link/api.ts";
import type { LinkKindData } from "../route/link/kinds/registry.ts";
import type { TuntapSpec } from "../route/link/tuntap.ts";

const WORDS: WordTable = {
  dev: { arg: "device name", key: "name" },
  name: { arg: "device name" },
  mode: { arg: "tun or tap" },
  user: { arg: "user" },
  group: { arg: "group" },
  pi: {},
  one_queue: {},
  vnet_hdr: {},
  multi_queue: {},
};

const COMMANDS: Record<string, "add" | "del" | "show"> = {
  add: "add",
  del: "del",
  delete: "del",
  show: "show",
  list: "show",
  lst: "show",
};

function spec(w: Words, cmd: string): TuntapSpec {
  if (w.mode === undefined) throw new UsageError(`Missing "mode" in tuntap ${cmd} (tun or tap)`, "mode");
  if (w.mode !== "tun" && w.mode !== "tap") throw unknownWord("tunnel mode", w.mode, ["tun", "tap"]);
  const s: TuntapSpec = { mode: w.mode };
  if (w.name !== undefined) s.name = w.name;
  for (const k of ["user", "group"] as const) {
    if (w[k] === undefined) continue;
    const id = idOf(k, w[k]!);
    if (id === undefined) throw new UsageError(`Invalid ${k}: "${w[k]}" (no such ${k})`, w[k]);
    s[k] = id;
  }
  if (w.pi !== undefined) s.pi = true;
  if (w.one_queue !== undefined) s.oneQueue = true;
  if (w.vnet_hdr !== undefined) s.vnetHdr = true;
  if (w.multi_queue !== undefined) s.multiQueue = true;
  return s;
}

/** ip's `print_flags` words, from what the kernel reports (`filter` is `!IFF_NOFILTER`, the bit of `IFF_NO_PI`). */
function flagWords(d: LinkKindData["tun"]): string[] {
  const out: string[] = [];
  if (d.type === "tun" || d.type === "tap") out.push(d.type);
  if (d.pi) out.push("pi");
  if (d.multiQueue) out.push("multi_queue");
  if (d.vnetHdr) out.push("vnet_hdr");
  if (d.persist) out.push("persist");
  if (d.pi) out.push("filter");
  return out;
}

function tunData(l: Link): LinkKindData["tun"] | undefined {
  const d = l.linkinfo?.kind === "tun" ? l.linkinfo.data : undefined;
  return d && !(d instanceof Uint8Array) ? d as LinkKindData["tun"] : undefined;
}

async function show(ctx: Context, args: Args): Promise<void> {
  const w = args.next();
  if (w !== undefined) throw new UsageError(`Unexpected argument: "${w}" (tuntap show takes none)`, w);
  const json = ctx.opts.json ? new JsonArrayWriter(ctx.out, ctx.opts.pretty) : undefined;
  // -d adds the processes attached to each device, from /proc.
  const attached = ctx.opts.details ? (await import("../route/link/tuntap.ts")).tuntapProcesses : undefined;
  for await (const l of streamLinks({ kind: "tun" }, ctx.lib)) {
    const d = tunData(l);
    // ip lists Ethernet (tap) and headerless (tun) devices only.
    if (!d || l.name === undefined || (l.linkType !== "ether" && l.linkType !== "none")) continue;
    const item: Record<string, unknown> = { ifname: l.name, flags: flagWords(d) };
    if (d.owner !== undefined) item.user = d.owner;
    if (d.group !== undefined) item.group = d.group;
    const procs = attached?.(l.name);
    if (json) {
      if (procs) item.processes = procs;
      json.item(item);
      continue;
    }
    let line = `${ctx.paint("ifname", l.name)}:${(item.flags as string[]).map((f) => ` ${f}`).join("")}`;
    if (d.owner !== undefined) line += ` user ${d.owner}`;
    if (d.group !== undefined) line += ` group ${d.group}`;
    if (procs) line += `\n\tAttached to processes:${procs.map((p) => `${p.name}(${p.pid})`).join("")}`;
    ctx.out.line(line);
  }
  json?.end();
}

/** Handles `nlkit tuntap ...`. */
export async function tuntapHandler(ctx: Context, args: Args): Promise<number | void> {
  const word = args.next() ?? "show";
  const cmd = Object.hasOwn(COMMANDS, word) ? COMMANDS[word] : undefined;
  if (!cmd) throw unknownWord("tuntap command", word, Object.keys(COMMANDS));
  if (cmd === "show") return await show(ctx, args);
  const w = parseWords(args, WORDS, `tuntap ${cmd}`, "name");
  const s = spec(w, cmd);
  const { createTuntap, deleteTuntap } = await import("../route/link/tuntap.ts");
  if (cmd === "add") {
    await createTuntap(s, ctx.lib);
    return;
  }
  if (s.name === undefined) throw new UsageError(`Missing "dev" in tuntap del`, "dev");
  const { getLink } = await import("../route/link/api.ts");
  const link = await getLink(s.name, ctx.lib).catch((e) => {
    // ip attaches by name, which makes a fresh device when there is none, and lets it go: success.
    if (asNoDevice(e, false) instanceof NoDeviceError || (e instanceof NetlinkError && e.code === "ENODEV")) {
      return undefined;
    }
    throw e;
  });
  if (!link) return;
  const d = tunData(link);
  // ip attaches with the mode given, and the kernel refuses another mode or another kind of link (EINVAL).
  if (!d) throw new NlkitError(`Cannot delete "${s.name}": not a tun/tap device`, "EINVAL", "delete tuntap");
  if (d.type !== s.mode) {
    throw new NlkitError(
      `Cannot delete "${s.name}": it is a ${d.type} device, not ${s.mode}`,
      "EINVAL",
      "delete tuntap",
    );
  }
  await deleteTuntap(s.name, ctx.lib);
}
