/**
 * Generic netlink framing (`<linux/genetlink.h>`): the `genlmsghdr` after
 * the netlink header, and the controller family (`nlctrl`) that names
 * every other family, its operations and its multicast groups.
 *
 * @module
 */

import { TruncatedError } from "./errors.ts";
import { type Attrs, type AttrTable, type Codec, parseAttrs } from "./table.ts";
import type { MessageBuilder } from "./builder.ts";

/** `struct genlmsghdr`: command, family version, reserved. */
export const GENLMSGHDR = { cmd: "u8", version: "u8", reserved: "pad2" } as const;

/** Size of `struct genlmsghdr`. */
export const GENL_HDRLEN = 4;

/** `GENL_ID_CTRL`: the controller's fixed family id (the message type of its requests). */
export const GENL_ID_CTRL = 0x10;

/** `CTRL_CMD_*`: controller commands. */
export const CTRL_CMD = {
  CTRL_CMD_NEWFAMILY: 1,
  CTRL_CMD_DELFAMILY: 2,
  CTRL_CMD_GETFAMILY: 3,
  CTRL_CMD_NEWOPS: 4,
  CTRL_CMD_DELOPS: 5,
  CTRL_CMD_GETOPS: 6,
  CTRL_CMD_NEWMCAST_GRP: 7,
  CTRL_CMD_DELMCAST_GRP: 8,
  CTRL_CMD_GETMCAST_GRP: 9,
  CTRL_CMD_GETPOLICY: 10,
} as const;

/** `GENL_*` operation flag bits, named as `genl ctrl list` words them. */
export const GENL_OP_FLAGS = {
  0x1: "admin-perm", // GENL_ADMIN_PERM
  0x2: "do", // GENL_CMD_CAP_DO
  0x4: "dump", // GENL_CMD_CAP_DUMP
  0x8: "has-policy", // GENL_CMD_CAP_HASPOL
  0x10: "uns-admin-perm", // GENL_UNS_ADMIN_PERM
} as const;

/**
 * An "indexed array" (YNL's `array-nest`): a nest whose children are
 * numbered 1, 2, ... and each hold the attributes of `table`. Parsed in
 * wire order; built with indices from 1.
 */
export function indexedArray<T extends AttrTable>(table: T): Codec<Attrs<T>[]> {
  return {
    parse(buf: Uint8Array, view: DataView, start: number, end: number): Attrs<T>[] {
      const out: Attrs<T>[] = [];
      let off = start;
      while (off + 4 <= end) {
        const len = view.getUint16(off, true);
        if (len < 4 || off + len > end) {
          throw new TruncatedError("indexed array element", off, Math.max(len, 4), end - off);
        }
        out.push(parseAttrs(table, buf, view, off + 4, off + len));
        off += (len + 3) & ~3;
      }
      return out;
    },
    build(b: MessageBuilder, items: Attrs<T>[]): void {
      items.forEach((item, i) => b.nest(i + 1, (n) => n.attrs(table, item)));
    },
  };
}

/** `CTRL_ATTR_OP_*`: one operation of a family. */
export const CTRL_OP_ATTRS = {
  id: { type: 1, kind: "u32" }, // CTRL_ATTR_OP_ID
  flags: { type: 2, kind: "u32" }, // CTRL_ATTR_OP_FLAGS
} as const;

/** `CTRL_ATTR_MCAST_GRP_*`: one multicast group of a family. */
export const CTRL_MCAST_GRP_ATTRS = {
  name: { type: 1, kind: "string" }, // CTRL_ATTR_MCAST_GRP_NAME
  id: { type: 2, kind: "u32" }, // CTRL_ATTR_MCAST_GRP_ID
} as const;

/** `CTRL_ATTR_OPS` payload. */
export const CTRL_OPS_CODEC: Codec<Attrs<typeof CTRL_OP_ATTRS>[]> = indexedArray(CTRL_OP_ATTRS);
/** `CTRL_ATTR_MCAST_GROUPS` payload. */
export const CTRL_MCAST_GROUPS_CODEC: Codec<Attrs<typeof CTRL_MCAST_GRP_ATTRS>[]> = indexedArray(
  CTRL_MCAST_GRP_ATTRS,
);

/** `CTRL_ATTR_*`: a family as the controller describes it. */
export const CTRL_ATTRS = {
  familyId: { type: 1, kind: "u16" }, // CTRL_ATTR_FAMILY_ID
  familyName: { type: 2, kind: "string" }, // CTRL_ATTR_FAMILY_NAME
  version: { type: 3, kind: "u32" }, // CTRL_ATTR_VERSION
  hdrsize: { type: 4, kind: "u32" }, // CTRL_ATTR_HDRSIZE
  maxattr: { type: 5, kind: "u32" }, // CTRL_ATTR_MAXATTR
  ops: { type: 6, kind: "codec", codec: CTRL_OPS_CODEC }, // CTRL_ATTR_OPS
  mcastGroups: { type: 7, kind: "codec", codec: CTRL_MCAST_GROUPS_CODEC }, // CTRL_ATTR_MCAST_GROUPS
} as const;
