// The shapes of the report module: the core/v1 Event it reads, the PodHealthReport it builds, and its options.
// Every field of the report's status is declared in crds/podhealthreports.yaml too: a structural schema prunes
// anything it does not declare, and a pruned bookkeeping field would silently break exact counting. Optional
// fields follow the API conventions: a field without a value is left out, never written as null (a stored
// null shows as `<no value>` in `kubectl get`, and every null would be one more thing to declare nullable).
import type { ContainerSummary, DerivedPodStatus, Health, LastTermination, Pod } from "../status/types.js";

/** A core/v1 Event as the API server sends it, as plain JSON. Every field is optional. */
export interface CoreEvent {
  apiVersion?: string;
  kind?: string;
  metadata?: { uid?: string; name?: string; namespace?: string; resourceVersion?: string; creationTimestamp?: string };
  involvedObject?: { apiVersion?: string; kind?: string; name?: string; namespace?: string; uid?: string; fieldPath?: string };
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  series?: { count?: number; lastObservedTime?: string };
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  source?: { component?: string; host?: string };
  reportingController?: string;
  reportingInstance?: string;
}

export interface ReportOptions {
  /** How many history entries to keep (newest first). */
  historySize: number;
  /** Longest message kept, in characters, ellipsis included. */
  maxMessageLength: number;
  /** How many event cursors to keep for exact counting; older events fall under the high-water mark. */
  eventCursorLimit: number;
}

export interface BuildReportInput {
  pod: Pod;
  /** The events of the namespace or of the pod; events of other objects and of older pods are ignored. */
  events: readonly CoreEvent[];
  /** The report as read from the API server, if any; its status is the only memory the counting has. */
  previous?: PodHealthReport | null;
  now: Date;
  options: ReportOptions;
  /** derivePodStatus(pod, now), when the caller already has it; computed otherwise. */
  derived?: DerivedPodStatus;
}

/** What a history entry is about: one of the three probes, or a lifecycle hook. */
export type ProbeKind = "liveness" | "readiness" | "startup";
export type HistoryProbe = ProbeKind | "hook";
/** The event reasons that make history entries. */
export type HistoryReason = "Unhealthy" | "ProbeWarning" | "Killing" | "FailedPostStartHook" | "FailedPreStopHook";

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller: boolean;
  blockOwnerDeletion: boolean;
}

export interface ReportMetadata {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  ownerReferences: OwnerReference[];
  // Server-set fields, present on a report read back from the API server; the builder never sets them.
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  managedFields?: unknown[];
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

export interface ReportSpec {
  podName: string;
  podUID: string;
}

/** `T` with each field that may be null made optional instead: absent when it has no value. */
export type NullAsAbsent<T> = { [K in keyof T as null extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as null extends T[K] ? K : never]?: Exclude<T[K], null>;
};

/** A container in the report: the engine's summary, its free text truncated to the report's bound. */
export type ReportContainer = Omit<NullAsAbsent<ContainerSummary>, "lastTermination"> & { lastTermination?: NullAsAbsent<LastTermination> };

export interface ReportCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/** Each container's probes as kubectl describe words them; absent where the container has no such probe. */
export interface ReportProbes {
  container: string;
  liveness?: string;
  readiness?: string;
  startup?: string;
}

export interface CrashLoop {
  /** How many times any container entered CrashLoopBackOff (see src/report/crash-loop.ts for the rule). */
  count: number;
  /** When the newest counted entry began (the death that was backed off), RFC3339; absent before the first. */
  lastEnteredTime?: string;
  /** The container of the newest counted entry. */
  container?: string;
}

export interface HistoryEntry {
  /** The newest occurrence, RFC3339. */
  time: string;
  /** The container, from the event's fieldPath; absent when the event names none. */
  container?: string;
  probe: HistoryProbe;
  reason: HistoryReason;
  message: string;
  /** Occurrences folded into this entry (event count increases with the same probe, container, reason, message). */
  count: number;
  /**
   * True when the occurrences came through client-go's aggregated event (`(combined from similar events): `):
   * the message is the newest of the combined ones, and the container is not known.
   */
  aggregated?: boolean;
}

export interface ProbeFailures {
  /** liveness + readiness + startup: the PROBE-FAILURES column. */
  total: number;
  liveness: number;
  readiness: number;
  startup: number;
  /** Lifecycle hook failures (FailedPostStartHook, FailedPreStopHook); not in total, they are not probes. */
  hooks: number;
  /** ProbeWarning occurrences; not failures (the probe passed), so not in total. */
  warnings: number;
  /** The newest entries, newest first. */
  history: HistoryEntry[];
}

/** The memory that makes counting exact across relists and operator restarts. Not for humans. */
export interface EventCursor {
  /** The event's metadata.name, which it keeps when the API server's TTL deletes it and it is created again. */
  name?: string;
  /** The event's metadata.uid: cursors written before events were known by name. */
  uid?: string;
  /** The event count already counted. */
  count: number;
  /** The event's newest observation time, RFC3339; orders cursors for eviction. */
  time: string;
}

export interface ContainerTracking {
  name: string;
  /** restartCount at the last observation. */
  restartCount: number;
  /** Whether the last observation was Waiting(CrashLoopBackOff). */
  crashLoopBackOff: boolean;
  /** The highest restartCount whose entry into CrashLoopBackOff has been counted; -1 for none. */
  countedRestartCount: number;
  /** BackOff event increases not yet matched to a restart (the events arrived before the pod's status). */
  backOffCredit: number;
}

export interface ReportTracking {
  /** The newest events already counted, with the count counted. */
  events: EventCursor[];
  /** The newest observation among evicted cursors (see src/report/event-cursors.ts for the rules). */
  eventsCountedUntil?: string;
  /** The greatest name among evicted cursors: events named up to it were counted before. */
  eventsNamedUntil?: string;
  containers: ContainerTracking[];
}

export interface ReportStatus {
  status: string;
  ready: string;
  restarts: number;
  lastRestartTime?: string;
  phase: string;
  health: Health;
  reason?: string;
  message?: string;
  containers: ReportContainer[];
  conditions: ReportCondition[];
  qosClass?: string;
  nodeName?: string;
  probes: ReportProbes[];
  /** In-place resize: Proposed, InProgress, Deferred, Infeasible; absent when none. */
  resize?: string;
  crashLoop: CrashLoop;
  probeFailures: ProbeFailures;
  /** When `status` last changed, RFC3339. */
  lastTransitionTime: string;
  /** When this report was built, RFC3339. */
  observedAt: string;
  tracking: ReportTracking;
}

export interface PodHealthReport {
  apiVersion: string;
  kind: string;
  metadata: ReportMetadata;
  spec: ReportSpec;
  status: ReportStatus;
}

/** Which parts of two reports differ; main resource and status subresource are written by separate calls. */
export interface ReportDiff {
  /** A label the builder sets, or the ownerReferences, differ (written with the main resource). */
  metadata: boolean;
  spec: boolean;
  /** status differs other than in observedAt (written to the status subresource). */
  status: boolean;
}
