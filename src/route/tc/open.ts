/**
 * Opening what a request names outside the message before it is built:
 * the pinned programs of bpf classifiers and bpf actions, whose
 * descriptors go into the request and are closed once it is answered.
 *
 * @module
 */

import type { Sys } from "../../sys/sys.ts";
import type { OpenedOptions } from "./kind.ts";
import type { TcAction } from "./action/list.ts";
import { actionKind } from "./action/registry.ts";
import { filterKind } from "./filter/registry.ts";

/** Actions made ready to send, and how to release what that opened. */
export interface OpenedActions {
  /** The actions to build the request from. */
  actions: TcAction[];
  /** Closes what was opened. */
  close(): void;
}

/** Opens what each action names (act_bpf's pinned program); on failure, closes what was opened. */
export function openActions(actions: readonly TcAction[], sys: Sys): OpenedActions {
  const closers: (() => void)[] = [];
  const close = () => closers.splice(0).reverse().forEach((c) => c());
  try {
    const out = actions.map((a) => {
      const open = actionKind(a.kind)?.open;
      if (!open || a.options === undefined) return a;
      const r = open(a.options, sys);
      closers.push(r.close);
      return { ...a, options: r.options };
    });
    return { actions: out, close };
  } catch (e) {
    close();
    throw e;
  }
}

/** Opens what a filter's options name: its own program, then its actions'. */
export function openFilterOptions(kind: string | undefined, options: unknown, sys: Sys): OpenedOptions {
  const open = kind === undefined ? undefined : filterKind(kind)?.open;
  const first = open ? open(options, sys) : { options, close: () => {} };
  const o = first.options as { actions?: unknown } | undefined;
  if (!o || !Array.isArray(o.actions)) return first;
  try {
    const acts = openActions(o.actions, sys);
    return {
      options: { ...o, actions: acts.actions },
      close: () => {
        acts.close();
        first.close();
      },
    };
  } catch (e) {
    first.close();
    throw e;
  }
}
