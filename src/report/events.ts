// Reading core/v1 Events: which belong to the pod, when they were last observed, how many times they happened,
// and what each one says about probes, hooks and back-off.
import type { Pod } from "../status/types.js";
import type { CoreEvent, HistoryProbe, HistoryReason, ProbeKind } from "./types.js";
import { parseTime } from "./text.js";

/** What a tracked event means. Events of any other kind are not read at all. */
export type EventMeaning =
  /** A probe failed or errored: counted under its probe. */
  | { kind: "probe-failure"; probe: ProbeKind; reason: "Unhealthy" }
  /** A probe passed with a warning: history, and the warnings count. */
  | { kind: "probe-warning"; probe: ProbeKind; reason: "ProbeWarning" }
  /** The kubelet kills a container after its liveness or startup probe failed: history only, since the failures
   * that caused it were counted from their own Unhealthy events. */
  | { kind: "probe-kill"; probe: ProbeKind; reason: "Killing" }
  /** A postStart or preStop hook failed: history (probe `hook`) and the hooks count. */
  | { kind: "hook-failure"; probe: "hook"; reason: "FailedPostStartHook" | "FailedPreStopHook" }
  /** The kubelet backed off restarting a failed container: evidence for crash-loop entries. */
  | { kind: "back-off" };

export interface TrackedEvent {
  /** metadata.name: what the event is known by, across its re-creation after the API server's TTL. */
  name: string;
  /** metadata.uid, to match cursors written before events were known by name. */
  uid: string | null;
  /**
   * client-go's aggregator wrote it: similar events (same source, object, type and reason; any container and
   * message) combined, its message the newest of them after `(combined from similar events): `.
   */
  aggregated: boolean;
  /** How many times the event happened, at least 1. */
  count: number;
  /** The newest observation, epoch milliseconds cut to the second (0 when the event carries no time). */
  time: number;
  container: string | null;
  message: string;
  meaning: EventMeaning;
}

const PROBE_MESSAGE = /^(Liveness|Readiness|Startup) probe (failed|errored|warning)\b/;
/** The prefix client-go's EventAggregator puts before the newest message (tools/record/events_cache.go, 1.32). */
export const COMBINED_PREFIX = "(combined from similar events): ";
const KILL_MESSAGE = /\bfailed (liveness|startup) probe\b/;
const BACK_OFF_MESSAGE = /^Back-off restarting failed container(?: (\S+))?/;
const FIELD_PATH = /^spec\.(?:initContainers|containers|ephemeralContainers)\{(.+)\}$/;

/** The tracked events of this pod, or an empty list; events of other objects and untracked reasons are dropped. */
export function trackedEvents(pod: Pod, events: readonly CoreEvent[]): TrackedEvent[] {
  const out: TrackedEvent[] = [];
  for (const event of events) {
    if (!belongsToPod(pod, event)) continue;
    const tracked = readEvent(event);
    if (tracked !== null) out.push(tracked);
  }
  return out;
}

/**
 * An event belongs to the pod when it is about a Pod with the pod's namespace and name and, when both carry a uid,
 * the same uid: a pod recreated under the same name must not inherit its predecessor's failures.
 */
export function belongsToPod(pod: Pod, event: CoreEvent): boolean {
  const about = event.involvedObject ?? {};
  const meta = pod.metadata ?? {};
  if (about.kind !== undefined && about.kind !== "Pod") return false;
  if (about.name !== meta.name) return false;
  if ((about.namespace ?? event.metadata?.namespace) !== meta.namespace) return false;
  if (about.uid && meta.uid) return about.uid === meta.uid;
  // Without a uid to compare, only an event newer than the pod can be about it.
  const created = parseTime(meta.creationTimestamp);
  return created === null || eventTime(event) >= Math.floor(created / 1000) * 1000;
}

export function readEvent(event: CoreEvent): TrackedEvent | null {
  const meaning = eventMeaning(event);
  if (meaning === null) return null;
  const name = event.metadata?.name;
  if (!name) return null;
  const aggregated = isAggregated(event);
  return {
    name,
    uid: event.metadata?.uid ?? null,
    aggregated,
    count: eventCount(event),
    time: eventTime(event),
    container: eventContainer(event, meaning, aggregated),
    message: ownMessage(event),
    meaning,
  };
}

function isAggregated(event: CoreEvent): boolean {
  return (event.message ?? "").startsWith(COMBINED_PREFIX);
}

/** The message without the aggregator's prefix: the newest combined event's own words. */
function ownMessage(event: CoreEvent): string {
  const message = event.message ?? "";
  return message.startsWith(COMBINED_PREFIX) ? message.slice(COMBINED_PREFIX.length) : message;
}

/**
 * What an event means for counting. An aggregated event means what its newest message means: its count rises
 * with every similar event, and each rise is counted under the probe its current message names.
 */
export function eventMeaning(event: CoreEvent): EventMeaning | null {
  const message = ownMessage(event);
  switch (event.reason) {
    case "Unhealthy":
    case "ProbeWarning": {
      const match = PROBE_MESSAGE.exec(message);
      if (match === null) return null;
      const probe = match[1].toLowerCase() as ProbeKind;
      // The reason decides, not the verb: a ProbeWarning is never a failure, an Unhealthy always is.
      return event.reason === "ProbeWarning" || match[2] === "warning"
        ? { kind: "probe-warning", probe, reason: "ProbeWarning" }
        : { kind: "probe-failure", probe, reason: "Unhealthy" };
    }
    case "Killing": {
      const match = KILL_MESSAGE.exec(message);
      return match === null ? null : { kind: "probe-kill", probe: match[1] as ProbeKind, reason: "Killing" };
    }
    case "FailedPostStartHook":
    case "FailedPreStopHook":
      return { kind: "hook-failure", probe: "hook", reason: event.reason };
    case "BackOff":
      // BackOff also means image pull back-off; only the restart back-off is about crash loops.
      return BACK_OFF_MESSAGE.test(message) ? { kind: "back-off" } : null;
    default:
      return null;
  }
}

/** The history fields of a meaning that makes history, or null for back-off. */
export function historyFields(meaning: EventMeaning): { probe: HistoryProbe; reason: HistoryReason } | null {
  return meaning.kind === "back-off" ? null : { probe: meaning.probe, reason: meaning.reason };
}

/** An event repeated by the recorder keeps its object and raises `count` (old API) or `series.count` (new API). */
export function eventCount(event: CoreEvent): number {
  return Math.max(1, event.count ?? 0, event.series?.count ?? 0);
}

/**
 * The newest observation of the event, cut to the second: the recorder moves this forward whenever the count
 * rises, which is what makes a high-water mark meaningful. 0 when the event carries no time at all.
 */
export function eventTime(event: CoreEvent): number {
  const candidates = [event.series?.lastObservedTime, event.lastTimestamp, event.eventTime, event.firstTimestamp, event.metadata?.creationTimestamp];
  const times = candidates.map(parseTime).filter((t): t is number => t !== null);
  const newest = times.length === 0 ? 0 : Math.max(...times);
  return Math.floor(newest / 1000) * 1000;
}

/**
 * The container an event is about: from its fieldPath, or for a back-off from its message. An aggregated event
 * keeps the fieldPath of the first event it combined, whichever containers the later ones were about, so only
 * its message can tell (a back-off's does; a probe failure's does not).
 */
function eventContainer(event: CoreEvent, meaning: EventMeaning, aggregated: boolean): string | null {
  if (aggregated) return meaning.kind === "back-off" ? (BACK_OFF_MESSAGE.exec(ownMessage(event))?.[1] ?? null) : null;
  const fromPath = FIELD_PATH.exec(event.involvedObject?.fieldPath ?? "");
  if (fromPath !== null) return fromPath[1];
  if (meaning.kind === "back-off") return BACK_OFF_MESSAGE.exec(ownMessage(event))?.[1] ?? null;
  return null;
}
