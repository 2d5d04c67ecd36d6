/**
 * The classifier kinds nlkit knows: adding one means writing its module
 * and listing it here.
 *
 * @module
 */

import type { FilterKind } from "../kind.ts";
import { bpf } from "./bpf.ts";
import { u32 } from "./u32.ts";
import { basic } from "./basic.ts";
import { flower } from "./flower.ts";
import { matchall } from "./matchall.ts";

const KINDS: readonly FilterKind[] = [u32, bpf, matchall, flower, basic];

const BY_NAME = new Map(KINDS.map((k) => [k.kind, k]));

/** The module of a classifier kind, if nlkit knows it. */
export function filterKind(kind: string): FilterKind | undefined {
  return BY_NAME.get(kind);
}
