/**
 * The action kinds nlkit knows: adding one means writing its module and
 * listing it here.
 *
 * @module
 */

import type { ActionKind } from "../kind.ts";
import { gact } from "./gact.ts";
import { mirred } from "./mirred.ts";
import { csum } from "./csum.ts";
import { pedit } from "./pedit.ts";
import { police } from "./police.ts";
import { skbedit } from "./skbedit.ts";
import { vlan } from "./vlan.ts";
import { mpls } from "./mpls.ts";
import { actBpf } from "./bpf.ts";

const KINDS: readonly ActionKind[] = [gact, mirred, police, skbedit, pedit, vlan, mpls, csum, actBpf];

const BY_NAME = new Map(KINDS.map((k) => [k.kind, k]));

/** The module of an action kind, if nlkit knows it. */
export function actionKind(kind: string): ActionKind | undefined {
  return BY_NAME.get(kind);
}
