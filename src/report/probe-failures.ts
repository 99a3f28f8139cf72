// Folding newly counted probe and hook events into the running totals and the bounded history.
import type { HistoryEntry, ProbeFailures, ReportOptions } from "./types.js";
import type { CountedEvent } from "./event-cursors.js";
import { compareStrings } from "./event-cursors.js";
import { historyFields } from "./events.js";
import { withoutAbsent } from "./absent.js";
import { formatTime, parseTime, truncate } from "./text.js";

export const NO_PROBE_FAILURES: Readonly<ProbeFailures> = Object.freeze({
  total: 0,
  liveness: 0,
  readiness: 0,
  startup: 0,
  hooks: 0,
  warnings: 0,
  history: [],
});

/**
 * Adds each event's new occurrences (its delta) to the totals and to the history entry with the same probe,
 * container, reason and message, which takes the newest time. Only Unhealthy events are failures; Killing
 * repeats a liveness or startup failure already counted; ProbeWarning is a pass with a warning; hook
 * failures have their own count. History keeps the `historySize` newest entries, newest first.
 */
export function foldProbeFailures(
  previous: ProbeFailures | null | undefined,
  counted: readonly CountedEvent[],
  options: Pick<ReportOptions, "historySize" | "maxMessageLength">,
): ProbeFailures {
  const base = previous ?? NO_PROBE_FAILURES;
  const totals = {
    liveness: base.liveness,
    readiness: base.readiness,
    startup: base.startup,
    hooks: base.hooks,
    warnings: base.warnings,
  };
  const entries = new Map<string, HistoryEntry>();
  for (const entry of base.history) {
    const bounded = { ...entry, message: truncate(entry.message, options.maxMessageLength) };
    const key = historyKey(bounded);
    const same = entries.get(key);
    entries.set(key, same === undefined ? bounded : merge(same, bounded.count, bounded.time));
  }

  for (const { event, delta } of counted) {
    const fields = historyFields(event.meaning);
    if (delta <= 0 || fields === null) continue;
    const meaning = event.meaning;
    if (meaning.kind === "probe-failure") totals[meaning.probe] += delta;
    else if (meaning.kind === "probe-warning") totals.warnings += delta;
    else if (meaning.kind === "hook-failure") totals.hooks += delta;

    const entry: HistoryEntry = {
      time: formatTime(event.time),
      ...withoutAbsent({ container: event.container }),
      probe: fields.probe,
      reason: fields.reason,
      message: truncate(event.message, options.maxMessageLength),
      count: delta,
      ...(event.aggregated ? { aggregated: true } : {}),
    };
    const key = historyKey(entry);
    const same = entries.get(key);
    entries.set(key, same === undefined ? entry : merge(same, delta, entry.time));
  }

  const history = [...entries.entries()]
    .sort(([ka, a], [kb, b]) => (parseTime(b.time) ?? 0) - (parseTime(a.time) ?? 0) || compareStrings(ka, kb))
    .slice(0, options.historySize)
    .map(([, entry]) => entry);
  return { total: totals.liveness + totals.readiness + totals.startup, ...totals, history };
}

function merge(entry: HistoryEntry, count: number, time: string): HistoryEntry {
  const newer = (parseTime(time) ?? 0) > (parseTime(entry.time) ?? 0);
  return { ...entry, count: entry.count + count, time: newer ? time : entry.time };
}

function historyKey(e: Pick<HistoryEntry, "probe" | "container" | "reason" | "message" | "aggregated">): string {
  return JSON.stringify([e.probe, e.container, e.reason, e.message, e.aggregated === true]);
}
