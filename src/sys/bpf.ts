/**
 * The `bpf(2)` commands nlkit needs: opening a program pinned in a bpf
 * filesystem (`BPF_OBJ_GET`), so tc can attach it by file descriptor, and
 * reading a loaded program's name and tag by id, as `tc` shows them.
 *
 * @example
 * ```ts ignore
 * import { loadSys } from "./load.ts";
 * import { bpfObjGet } from "./bpf.ts";
 * const sys = await loadSys();
 * const fd = bpfObjGet(sys, "/sys/fs/bpf/prog");
 * sys.close(fd);
 * ```
 *
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";
import { cString, type Sys, SysError } from "./sys.ts";

/** `enum bpf_cmd` values nlkit and its tests use. */
export const BPF_CMD = {
  BPF_PROG_LOAD: 5,
  BPF_OBJ_PIN: 6,
  BPF_OBJ_GET: 7,
  BPF_PROG_GET_FD_BY_ID: 13,
  BPF_OBJ_GET_INFO_BY_FD: 15,
} as const;

/** `BPF_OBJ_GET` attributes: `pathname` (u64 pointer), `bpf_fd`, `file_flags`, `path_fd`, padded to 8 bytes. */
const OBJ_GET_SIZE = 24;

/**
 * Opens the object pinned at `path` (`BPF_OBJ_GET`) and returns its file
 * descriptor; the caller closes it. Throws {@link SysError} (`ENOENT` when
 * nothing is pinned there, `EINVAL` when `path` is not in a bpf filesystem).
 */
export function bpfObjGet(sys: Sys, path: string): number {
  if (typeof path !== "string" || path === "" || path.includes("\0")) {
    throw new InvalidArgumentError(`Cannot open pinned bpf object ${JSON.stringify(path)}: expected a file path`);
  }
  return sys.bpf(BPF_CMD.BPF_OBJ_GET, new Uint8Array(OBJ_GET_SIZE), [[0, cString(path)]]);
}

/** What `tc` shows of a loaded program (`struct bpf_prog_info`). */
export interface BpfProgInfo {
  /** The program's name (up to 15 bytes; often empty). */
  name: string;
  /** Its tag (a hash of its instructions), as hex. */
  tag: string;
  /** JIT-compiled. */
  jited: boolean;
  /** When it was loaded, ns since boot. */
  loadTime: number;
  /** The uid that loaded it. */
  createdByUid: number;
  /** Its BTF object id (0: none). */
  btfId: number;
}

// Offsets in struct bpf_prog_info, and a length covering btf_id.
const INFO = { tag: 8, jitedLen: 16, loadTime: 40, uid: 48, name: 64, btfId: 128, size: 136 } as const;

/**
 * Reads the program with id `id` (`BPF_PROG_GET_FD_BY_ID`, then
 * `BPF_OBJ_GET_INFO_BY_FD`); undefined when it cannot be opened (gone, or
 * no permission), as `tc` then shows only the id.
 */
export function bpfProgInfo(sys: Sys, id: number): BpfProgInfo | undefined {
  const byId = new Uint8Array(16);
  new DataView(byId.buffer).setUint32(0, id, true);
  let fd: number;
  try {
    fd = sys.bpf(BPF_CMD.BPF_PROG_GET_FD_BY_ID, byId);
  } catch (e) {
    if (e instanceof SysError) return undefined;
    throw e;
  }
  try {
    const info = new Uint8Array(INFO.size);
    const attr = new Uint8Array(16);
    const a = new DataView(attr.buffer);
    a.setUint32(0, fd, true);
    a.setUint32(4, info.length, true);
    sys.bpf(BPF_CMD.BPF_OBJ_GET_INFO_BY_FD, attr, [[8, info]]);
    const v = new DataView(info.buffer);
    const nameEnd = info.indexOf(0, INFO.name);
    return {
      name: new TextDecoder().decode(
        info.subarray(INFO.name, nameEnd < 0 || nameEnd > INFO.name + 16 ? INFO.name + 16 : nameEnd),
      ),
      tag: [...info.subarray(INFO.tag, INFO.tag + 8)].map((b) => b.toString(16).padStart(2, "0")).join(""),
      jited: v.getUint32(INFO.jitedLen, true) !== 0,
      loadTime: Number(v.getBigUint64(INFO.loadTime, true)),
      createdByUid: v.getUint32(INFO.uid, true),
      btfId: v.getUint32(INFO.btfId, true),
    };
  } catch (e) {
    if (e instanceof SysError) return undefined;
    throw e;
  } finally {
    sys.close(fd);
  }
}
