/**
 * Shared action objects (`tc actions`): add, replace, change, delete, get
 * and list actions that filters refer to by index, with their statistics.
 *
 * @module
 */

import { InvalidArgumentError, notFound } from "../../errors.ts";
import { MessageBuilder } from "../../wire/builder.ts";
import { NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, NLM_F_ROOT } from "../../wire/constants.ts";
import { type NlMsg, payloadOf } from "../../wire/message.ts";
import { parseAttrs } from "../../wire/table.ts";
import { DumpStream, type RouteOptions, withRouteSocket } from "../rtnl.ts";
import { TC_ACTION_LIST, type TcAction } from "./action/list.ts";
import { RTM_TC, TCA_ACT, TCA_ROOT } from "./constants.ts";
import type { TcCommand } from "./request.ts";
import { openActions } from "./open.ts";
import { loadSys } from "../../sys/load.ts";

const TCAMSG_LEN = 4;

/** `TCA_ROOT_*` of an action message. */
const TCA_ROOT_ATTRS = {
  actions: { type: TCA_ROOT.TCA_ROOT_TAB, kind: "codec", codec: TC_ACTION_LIST },
  count: { type: TCA_ROOT.TCA_ROOT_COUNT, kind: "u32" },
} as const;

function header(type: number, flags: number): MessageBuilder {
  return new MessageBuilder(type, flags).struct({ family: "u8", pad: "pad3" }, {});
}

/** Builds a request adding, replacing, changing or deleting shared actions. */
export function actionRequest(cmd: TcCommand, actions: readonly TcAction[]): Uint8Array {
  const flags = cmd === "add" ? NLM_F_CREATE | NLM_F_EXCL : cmd === "replace" ? NLM_F_CREATE | NLM_F_REPLACE : 0;
  const b = header(cmd === "delete" ? RTM_TC.RTM_DELACTION : RTM_TC.RTM_NEWACTION, flags);
  if (cmd === "delete") {
    b.attr(TCA_ROOT.TCA_ROOT_TAB, (x) =>
      actions.forEach((a, i) =>
        x.attr(i + 1, (y) => {
          y.string(TCA_ACT.TCA_ACT_KIND, a.kind);
          y.u(TCA_ACT.TCA_ACT_INDEX, "u32", indexOf(a));
        })
      ));
  } else b.attrs(TCA_ROOT_ATTRS, { actions: [...actions] });
  return b.finish();
}

function indexOf(a: TcAction): number {
  const i = a.index ?? (a.options as { index?: number } | undefined)?.index;
  if (!i) throw new InvalidArgumentError(`Missing index of the ${a.kind} action`);
  return i;
}

/** One action message: its actions and the count the kernel reports (`TCA_ROOT_COUNT`). */
export interface ActionMessage {
  /** The actions, in the order the kernel numbered them. */
  actions: TcAction[];
  /** Actions in this message, as the kernel counts them (absent in replies to a get). */
  count?: number;
}

/** Decodes an action message. */
export function parseActionMessage(m: NlMsg): ActionMessage {
  const { actions = [], count } = parseAttrs(TCA_ROOT_ATTRS, m.buf, m.view, payloadOf(m) + TCAMSG_LEN, m.end);
  return count === undefined ? { actions } : { actions, count };
}

/** Adds, replaces, changes or deletes shared actions. */
export async function modifyActions(
  cmd: TcCommand,
  actions: readonly TcAction[],
  opts: RouteOptions = {},
): Promise<void> {
  // Pinned programs (act_bpf) are opened for the request and closed once it is answered.
  const opened = cmd === "delete" ? undefined : openActions(actions, await loadSys());
  try {
    const req = actionRequest(cmd, opened?.actions ?? actions);
    await withRouteSocket(opts, (s) => s.request(req));
  } finally {
    opened?.close();
  }
}

/** Builds the request deleting every shared action of one kind (`tc actions flush action KIND`). */
export function flushActionsRequest(kind: string): Uint8Array {
  const b = header(RTM_TC.RTM_DELACTION, NLM_F_ROOT);
  b.attr(TCA_ROOT.TCA_ROOT_TAB, (x) => x.attr(1, (y) => y.string(TCA_ACT.TCA_ACT_KIND, kind)));
  return b.finish();
}

/** Deletes every shared action of one kind. */
export async function flushActions(kind: string, opts: RouteOptions = {}): Promise<void> {
  const req = flushActionsRequest(kind);
  await withRouteSocket(opts, (s) => s.request(req));
}

/** Fetches one shared action by kind and index. */
export async function getAction(kind: string, index: number, opts: RouteOptions = {}): Promise<TcAction> {
  const b = header(RTM_TC.RTM_GETACTION, 0);
  b.attr(TCA_ROOT.TCA_ROOT_TAB, (x) =>
    x.attr(1, (y) => {
      y.string(TCA_ACT.TCA_ACT_KIND, kind);
      y.u(TCA_ACT.TCA_ACT_INDEX, "u32", index);
    }));
  const req = b.finish();
  const [msg] = await withRouteSocket(opts, (s) => s.request(req, parseActionMessage));
  if (!msg?.actions[0]) {
    throw notFound({ kind: `${kind} action`, key: index }, "RTM_GETACTION", `No ${kind} action with index ${index}`);
  }
  return msg.actions[0];
}

/** Streams the shared actions of one kind, one kernel message (a batch of actions) at a time. */
export function streamActionMessages(kind: string, opts: RouteOptions = {}): DumpStream<ActionMessage> {
  const b = header(RTM_TC.RTM_GETACTION, 0);
  b.attr(TCA_ROOT.TCA_ROOT_TAB, (x) => x.attr(1, (y) => y.string(TCA_ACT.TCA_ACT_KIND, kind)));
  // TCA_ACT_FLAG_LARGE_DUMP_ON, as tc asks: more than 32 actions per message, and counts filled in.
  b.attr(TCA_ROOT.TCA_ROOT_FLAGS, (x) => x.scalar("u32", 1).scalar("u32", 1));
  const req = b.finish();
  return new DumpStream(opts, () => ({ request: req, parse: parseActionMessage }));
}

/** Lists the shared actions of one kind. */
export async function listActions(kind: string, opts: RouteOptions = {}): Promise<TcAction[]> {
  const out: TcAction[] = [];
  for await (const m of streamActionMessages(kind, opts)) out.push(...m.actions);
  return out;
}
