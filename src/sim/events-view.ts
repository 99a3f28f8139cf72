// core/v1 Event and events.k8s.io/v1 Event are two views of one stored object, as on the real server. Events
// are stored in the core shape; these convert on the way in and out of the events.k8s.io endpoints.
import type { KubeObject } from "./types.js";

function compact(obj: Record<string, unknown>): KubeObject {
  for (const k of Object.keys(obj)) if (obj[k] === undefined) delete obj[k];
  return obj as KubeObject;
}

interface CoreEvent {
  involvedObject?: unknown;
  related?: unknown;
  reason?: string;
  message?: string;
  type?: string;
  action?: string;
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string };
  reportingComponent?: string;
  reportingInstance?: string;
  source?: { component?: string; host?: string };
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  count?: number;
}

interface NewEvent {
  regarding?: unknown;
  related?: unknown;
  reason?: string;
  note?: string;
  type?: string;
  action?: string;
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string };
  reportingController?: string;
  reportingInstance?: string;
  deprecatedSource?: { component?: string; host?: string };
  deprecatedFirstTimestamp?: string | null;
  deprecatedLastTimestamp?: string | null;
  deprecatedCount?: number;
}

/** A stored (core/v1) event as events.k8s.io/v1 serves it. */
export function toEventsV1(core: KubeObject): KubeObject {
  const e = core as KubeObject & CoreEvent;
  return compact({
    kind: "Event",
    apiVersion: "events.k8s.io/v1",
    metadata: core.metadata,
    eventTime: e.eventTime ?? null,
    series: e.series,
    reportingController: e.reportingComponent ?? e.source?.component,
    reportingInstance: e.reportingInstance ?? e.source?.host,
    action: e.action,
    reason: e.reason,
    regarding: e.involvedObject,
    related: e.related,
    note: e.message,
    type: e.type,
    deprecatedSource: e.source,
    deprecatedFirstTimestamp: e.firstTimestamp ?? undefined,
    deprecatedLastTimestamp: e.lastTimestamp ?? undefined,
    deprecatedCount: e.count,
  });
}

/** An events.k8s.io/v1 event as the store keeps it (core/v1). */
export function fromEventsV1(event: KubeObject): KubeObject {
  const e = event as KubeObject & NewEvent;
  return compact({
    kind: "Event",
    apiVersion: "v1",
    metadata: event.metadata,
    involvedObject: e.regarding ?? {},
    related: e.related,
    reason: e.reason,
    message: e.note,
    type: e.type,
    action: e.action,
    eventTime: e.eventTime ?? undefined,
    series: e.series,
    reportingComponent: e.reportingController ?? "",
    reportingInstance: e.reportingInstance ?? "",
    source: e.deprecatedSource ?? (e.reportingController ? compact({ component: e.reportingController, host: e.reportingInstance }) : undefined),
    firstTimestamp: e.deprecatedFirstTimestamp ?? undefined,
    lastTimestamp: e.deprecatedLastTimestamp ?? undefined,
    count: e.deprecatedCount,
  });
}
