/**
 * A throwaway pinned BPF program for tests: a bpf filesystem mounted on a
 * fresh temporary directory, holding a two-instruction `return 0`
 * classifier loaded through nlkit's own `bpf(2)` call; unmounted and
 * removed after, even on failure.
 *
 * @module
 */

import { mkdtempSync, rmdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSys } from "../src/sys/load.ts";
import { BPF_CMD } from "../src/sys/bpf.ts";
import { cString } from "../src/sys/sys.ts";

const BPF_PROG_TYPE_SCHED_CLS = 3;
const MNT_DETACH = 2;

/** Runs `fn` with the path of a pinned `return 0` sched_cls program. */
export async function withPinnedProgram<T>(fn: (path: string) => T | Promise<T>): Promise<T> {
  const sys = await loadSys();
  const dir = mkdtempSync(join(tmpdir(), "nlkit-bpffs-"));
  try {
    sys.mount("bpf", dir, "bpf", 0);
    try {
      // r0 = 0; exit
      const insns = new Uint8Array([0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]);
      const load = new Uint8Array(128);
      const v = new DataView(load.buffer);
      v.setUint32(0, BPF_PROG_TYPE_SCHED_CLS, true);
      v.setUint32(4, 2, true);
      const prog = sys.bpf(BPF_CMD.BPF_PROG_LOAD, load, [[8, insns], [16, cString("GPL")]]);
      const path = join(dir, "prog");
      try {
        const pin = new Uint8Array(24);
        new DataView(pin.buffer).setUint32(8, prog, true);
        sys.bpf(BPF_CMD.BPF_OBJ_PIN, pin, [[0, cString(path)]]);
      } finally {
        sys.close(prog);
      }
      return await fn(path);
    } finally {
      sys.umount2(dir, MNT_DETACH);
    }
  } finally {
    rmdirSync(dir);
  }
}
