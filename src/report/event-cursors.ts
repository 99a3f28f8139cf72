// Exact counting of repeated events across relists, watch restarts and operator restarts.
//
// An event that repeats keeps its object and raises its count, so what happened since the last report is the
// increase of each event's count. The report remembers, for the newest `limit` events, the count it has
// already counted (a cursor); an event whose cursor was evicted is remembered only through a high-water mark:
// the newest time among evicted cursors. The rules:
//   - an event with a cursor counts `max(0, count - cursor.count)`, and the cursor keeps the larger count;
//   - an event without a cursor, observed at or before the mark, counts 0 (it was counted, then evicted);
//   - any other event is new and counts its whole count.
// Counted totals and cursors are written together in one status, so replaying any set of observations in any
// order, with duplicates, from any previous report, gives the same total: per event, the largest count seen.
// The one case this cannot make exact is an event that grows again after `limit` newer events evicted its
// cursor; its newer observation then counts whole. Evicting the oldest first makes that the least likely.
import type { EventCursor } from "./types.js";
import type { TrackedEvent } from "./events.js";
import { formatTime, parseTime } from "./text.js";

export interface EventMemory {
  cursors: EventCursor[];
  countedUntil: string | null;
}

export interface CountedEvent {
  event: TrackedEvent;
  /** The occurrences not counted before: 0 for a replay. */
  delta: number;
}

export interface FoldedEvents {
  counted: CountedEvent[];
  memory: EventMemory;
}

export function foldEvents(previous: EventMemory, events: readonly TrackedEvent[], limit: number): FoldedEvents {
  const cursors = new Map<string, { count: number; time: number }>();
  for (const c of previous.cursors) cursors.set(c.uid, { count: c.count, time: parseTime(c.time) ?? 0 });
  let mark = parseTime(previous.countedUntil);

  const counted: CountedEvent[] = [];
  for (const event of newestObservations(events)) {
    const cursor = cursors.get(event.key);
    if (cursor !== undefined) {
      counted.push({ event, delta: Math.max(0, event.count - cursor.count) });
      cursor.count = Math.max(cursor.count, event.count);
      cursor.time = Math.max(cursor.time, event.time);
    } else if (mark !== null && event.time <= mark) {
      counted.push({ event, delta: 0 });
    } else {
      counted.push({ event, delta: event.count });
      cursors.set(event.key, { count: event.count, time: event.time });
    }
  }

  const ordered = [...cursors.entries()].sort(([ka, a], [kb, b]) => b.time - a.time || compareStrings(ka, kb));
  for (const [, evicted] of ordered.slice(limit)) mark = Math.max(mark ?? evicted.time, evicted.time);
  return {
    counted,
    memory: {
      cursors: ordered.slice(0, limit).map(([uid, c]) => ({ uid, count: c.count, time: formatTime(c.time) })),
      countedUntil: mark === null ? null : formatTime(mark),
    },
  };
}

/** One observation per event (the largest count, the newest time), oldest first, so input order never matters. */
function newestObservations(events: readonly TrackedEvent[]): TrackedEvent[] {
  const byKey = new Map<string, TrackedEvent>();
  for (const e of events) {
    const seen = byKey.get(e.key);
    if (seen === undefined) byKey.set(e.key, e);
    else if (e.count > seen.count || (e.count === seen.count && e.time > seen.time)) byKey.set(e.key, { ...e, time: Math.max(e.time, seen.time) });
    else if (e.time > seen.time) byKey.set(e.key, { ...seen, time: e.time });
  }
  return [...byKey.values()].sort((a, b) => a.time - b.time || compareStrings(a.key, b.key));
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
