/**
 * The qdisc kinds nlkit knows: adding one means writing its module and
 * listing it here.
 *
 * @module
 */

import type { QdiscKind } from "../kind.ts";
import { htb } from "./htb.ts";
import { tbf } from "./tbf.ts";
import { bfifo, pfifo } from "./fifo.ts";
import { pfifoFast, prio } from "./prio.ts";
import { clsact, ingress } from "./ingress.ts";
import { fqCodel } from "./fq_codel.ts";
import { netem } from "./netem.ts";
import { sfq } from "./sfq.ts";

const KINDS: readonly QdiscKind[] = [htb, tbf, pfifo, bfifo, pfifoFast, prio, ingress, clsact, fqCodel, netem, sfq];

const BY_NAME = new Map(KINDS.map((k) => [k.kind, k]));

/** The module of a qdisc kind, if nlkit knows it. */
export function qdiscKind(kind: string): QdiscKind | undefined {
  return BY_NAME.get(kind);
}

/** Names of every known qdisc kind. */
export function qdiscKinds(): string[] {
  return [...BY_NAME.keys()];
}
