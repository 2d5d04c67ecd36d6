/**
 * Helpers of the event tests (`route_events_test.ts`, `monitor_names_test.ts`).
 *
 * @module
 */

import assert from "node:assert/strict";
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
    case "mroute":
      return `${ev.type} mroute ${ev.object.dst}@${ev.object.iifName}`;
  }
  return undefined;
}

/** Reads `events` as {@link named} lines until one passes `last` (within the {@link deadline}). */
export async function collectNamed(
  events: RouteEventStream<WatchEvent | MonitorEvent>,
  last: (line: string) => boolean,
): Promise<string[]> {
  const timer = deadline(events);
  const seen: string[] = [];
  for await (const ev of events) {
    const line = named(ev);
    if (line) seen.push(line);
    if (line && last(line)) break;
  }
  timer.clear();
  return seen;
}

/**
 * The naming assertions of the event tests: no event lacks its link's name
 * (`@undefined`, or ip's `@ifN` for an unknown index), link events only when
 * asked for (`links`), and every line of `want` was seen.
 */
export function assertNamed(seen: readonly string[], want: readonly string[], links = false): void {
  const all = seen.join("\n");
  if (!links) {
    assert.ok(!seen.some((l) => l.includes(" link ")), `link events are not yielded unless asked for: ${all}`);
  }
  assert.ok(!seen.some((l) => /@(undefined|if\d+)$/.test(l)), `every event is named: ${all}`);
  for (const w of want) assert.ok(seen.includes(w), `${w} in:\n${all}`);
}
