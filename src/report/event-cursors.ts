// Exact counting of repeated events across relists, watch restarts, operator restarts and the API server's event
// TTL, with a bounded memory.
//
// An event that repeats keeps its object and raises its count, so what happened since the last report is the
// increase of each event's count. An event is known by its name: client-go's recorder names it
// `<object>.<creation time in unix nanoseconds, hex>` and, when the API server has deleted it (its TTL, an hour
// after the last update by default) and it happens again, creates it anew under the same name with the count
// going on (k8s.io/client-go 1.32 tools/record/event.go, recordToSink); the uid is new, the name is not.
//
// The report remembers, for the `limit` most recently updated events, the count already counted (a cursor).
// Evicted cursors leave two marks: the greatest name among them (`nameMark`) and the newest observation time
// among them (`timeMark`). The rules, for each event's newest observation:
//   1. with a cursor: count `max(0, count - cursor.count)`; the cursor keeps the larger count;
//   2. without a cursor, named after the name mark: a new event; count its whole count;
//   3. without a cursor, named at or before the name mark, observed at or before the time mark: an event
//      counted before its cursor went (a replay, e.g. after a relist); count 0;
//   4. without a cursor, named at or before the name mark, observed after the time mark: an event counted before
//      its cursor went, which has happened again since; count 1, and remember it again.
// What this guarantees, for the events of one pod (names from one kubelet rise with creation time):
//   - no occurrence is counted twice, whatever the order, repetition or replay of observations and restarts;
//   - a new event is never missed (rule 2), and a repeat of an event that has a cursor is counted exactly;
//   - with no more than `limit` distinct events updated between two looks, every count is exact.
// What it cannot: after more than `limit` other events were updated since an event's last counted update,
// a repeat of that event counts 1 however many times it happened meanwhile (rule 4), or 0 when it is not newer
// than every evicted cursor (rule 3); and a kubelet clock stepping back can make a new event's name look old.
// Evicting the least recently updated first keeps the events that repeat.
import type { EventCursor } from "./types.js";
import type { TrackedEvent } from "./events.js";
import { formatTime, parseTime } from "./text.js";

export interface EventMemory {
  cursors: EventCursor[];
  /** Newest observation among evicted cursors. */
  countedUntil: string | null;
  /** Greatest name among evicted cursors. */
  nameMark: string | null;
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

interface Cursor {
  count: number;
  time: number;
}

export function foldEvents(previous: EventMemory, events: readonly TrackedEvent[], limit: number): FoldedEvents {
  const cursors = new Map<string, Cursor>();
  // Cursors written before events were known by name carry the uid; they are matched by uid, then kept by name.
  const legacy = new Map<string, Cursor>();
  for (const c of previous.cursors) {
    const cursor = { count: c.count, time: parseTime(c.time) ?? 0 };
    if (c.name) cursors.set(c.name, cursor);
    else if (c.uid) legacy.set(c.uid, cursor);
  }
  let timeMark = parseTime(previous.countedUntil);
  let nameMark = previous.nameMark;
  // A report written before names were kept has a time mark alone: there, as then, an event without a cursor is
  // new when it is newer than the mark.
  const timeOnly = nameMark === null && timeMark !== null;

  const counted: CountedEvent[] = [];
  for (const event of newestObservations(events)) {
    let cursor = cursors.get(event.name);
    if (cursor === undefined && event.uid !== null && legacy.has(event.uid)) {
      cursor = legacy.get(event.uid)!;
      legacy.delete(event.uid);
      cursors.set(event.name, cursor);
    }
    let delta: number;
    if (cursor !== undefined) {
      delta = Math.max(0, event.count - cursor.count);
      cursor.count = Math.max(cursor.count, event.count);
      cursor.time = Math.max(cursor.time, event.time);
    } else if (timeOnly ? event.time > timeMark! : nameMark === null || compareEventNames(event.name, nameMark) > 0) {
      delta = event.count;
      cursors.set(event.name, { count: event.count, time: event.time });
    } else if (timeMark === null || event.time > timeMark) {
      delta = 1;
      cursors.set(event.name, { count: event.count, time: event.time });
    } else {
      delta = 0;
    }
    counted.push({ event, delta });
  }

  // Legacy cursors not matched this time stay until they age out like any other.
  for (const [uid, c] of legacy) cursors.set(`uid:${uid}`, c);
  const ordered = [...cursors.entries()].sort(([ka, a], [kb, b]) => b.time - a.time || compareEventNames(kb, ka));
  for (const [name, evicted] of ordered.slice(limit)) {
    timeMark = Math.max(timeMark ?? evicted.time, evicted.time);
    if (!name.startsWith("uid:") && (nameMark === null || compareEventNames(name, nameMark) > 0)) nameMark = name;
  }
  return {
    counted,
    memory: {
      cursors: ordered.slice(0, limit).map(([key, c]) => ({ ...(key.startsWith("uid:") ? { uid: key.slice(4) } : { name: key }), count: c.count, time: formatTime(c.time) })),
      countedUntil: timeMark === null ? null : formatTime(timeMark),
      nameMark,
    },
  };
}

/**
 * Orders event names by creation: client-go names an event `<object>.<unix nanoseconds in hex>`, so for one
 * object the hexadecimal suffix, read as a number, is the creation time. Names that do not end so compare as
 * strings after those that do.
 */
export function compareEventNames(a: string, b: string): number {
  const x = creationNanos(a);
  const y = creationNanos(b);
  if (x !== null && y !== null) return x < y ? -1 : x > y ? 1 : compareStrings(a, b);
  if (x !== null) return -1;
  if (y !== null) return 1;
  return compareStrings(a, b);
}

const NANOS_SUFFIX = /\.([0-9a-f]{1,16})$/;

function creationNanos(name: string): bigint | null {
  const m = NANOS_SUFFIX.exec(name);
  return m === null ? null : BigInt(`0x${m[1]}`);
}

/** One observation per event (the largest count, the newest time), oldest first, so input order never matters. */
function newestObservations(events: readonly TrackedEvent[]): TrackedEvent[] {
  const byName = new Map<string, TrackedEvent>();
  for (const e of events) {
    const seen = byName.get(e.name);
    if (seen === undefined) byName.set(e.name, e);
    else if (e.count > seen.count || (e.count === seen.count && e.time > seen.time)) byName.set(e.name, { ...e, time: Math.max(e.time, seen.time) });
    else if (e.time > seen.time) byName.set(e.name, { ...seen, time: e.time });
  }
  return [...byName.values()].sort((a, b) => a.time - b.time || compareEventNames(a.name, b.name));
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
