/**
 * Helpers of the event tests (`route_events_test.ts`, `monitor_names_test.ts`).
 *
 * @module
 */

import type { RouteEventStream, WatchEvent } from "../src/route/events.ts";
import type { MonitorEvent } from "../src/route/monitor_events.ts";

/** Closes `stream` after `ms` so a missing event fails the test instead of hanging it. */
export function deadline(stream: RouteEventStream<unknown>, ms = 10000): { clear(): void } {
  const t = setTimeout(() => stream.close(), ms);
  return { clear: () => clearTimeout(t) };
}

/** `type kind key@dev` of an event, with the link names it carries; undefined for events the tests did not cause. */
export function named(ev: WatchEvent | MonitorEvent): string | undefined {
  if (ev.type === "overrun" || ev.type === "synced") return ev.type;
  switch (ev.kind) {
    case "addr":
      return ev.object.family === "inet" ? `${ev.type} addr ${ev.object.address}@${ev.object.dev}` : undefined;
    case "route":
      return ev.object.dst.startsWith("10.7.") ? `${ev.type} route ${ev.object.dst}@${ev.object.dev}` : undefined;
    case "neigh":
      if (ev.object.family !== "inet" || ev.type === "new" && ev.object.state.includes("FAILED")) return undefined;
      return `${ev.type} neigh ${ev.object.dst}@${ev.object.dev}`;
    case "nexthop":
      return `${ev.type} nexthop ${ev.object.id}@${ev.object.dev}`;
    case "link":
      return `${ev.type} link ${ev.object.name}`;
  }
  return undefined;
}
