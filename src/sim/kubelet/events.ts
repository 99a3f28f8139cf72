// Writes core/v1 Events as the kubelet and the controllers that touch pods write them: through client-go's
// old-style recorder (tools/record, client-go 1.32), one per process, each with its own correlator. So a
// simulated cluster shows what a real one shows, quirks included:
// - an identical repeat is a PATCH raising `count` and `lastTimestamp` of the same object (record/event-logger.ts);
// - the 10th distinct message of one reason within 10 minutes turns into `(combined from similar events): ...`
//   (record/aggregator.ts);
// - past 25 events per source, object and type, only one in 5 minutes gets through (record/spam-filter.ts);
// - a repeat of an event the API server's TTL deleted is created again under the same name, with the same
//   firstTimestamp and count + 1 (record/sink.ts).
// Scheduler events go through the newer events.k8s.io recorder and keep its shape (`recordNew`).
import type { KubeObject, ObjectStore } from "../types.js";
import { rfc3339Micro, type SimClock } from "./clock.js";
import { CORRELATOR_CACHE_SIZE, EventCorrelator } from "./record/correlator.js";
import { type CoreEvent, eventName } from "./record/event.js";
import { type EventSink, StoreEventSink, writeEvent } from "./record/sink.js";
import type { Rng } from "./random.js";

export { CORRELATOR_CACHE_SIZE } from "./record/correlator.js";

export interface PodRef {
  namespace: string;
  name: string;
  uid: string;
}

export interface EventSource {
  /** `kubelet`, `node-controller`, ... */
  component: string;
  /** The node, for components that run on one. */
  host?: string;
}

export type EventType = "Normal" | "Warning";

export interface RecorderOptions {
  /** Entries in each correlator cache (default 4096, client-go's maxLruCacheEntries). */
  cacheSize?: number;
  /** Where events are written (default: the store, as the API server would). */
  sink?: EventSink;
}

/** What became of one `record` call. */
export type RecordOutcome =
  /** Written: `created` is false for a PATCH of the remembered event. */
  | { kind: "created" | "patched"; event: KubeObject }
  /** Dropped by the spam filter before any request. */
  | { kind: "filtered" }
  /** The server refused the request (e.g. the namespace is terminating); the recorder does not retry. */
  | { kind: "refused"; error: unknown };

/** How the recorder's `record` calls ended, summed over its life. */
export interface RecorderStats {
  created: number;
  patched: number;
  filtered: number;
  refused: number;
}

export class EventRecorder {
  /** Tally of outcomes: what the kubelet tried to say, against what reached the API. */
  readonly stats: RecorderStats = { created: 0, patched: 0, filtered: 0, refused: 0 };
  /** One correlator per recording process, keyed by source (a kubelet per node, each controller). */
  private readonly correlators = new Map<string, EventCorrelator>();
  private readonly sink: EventSink;
  private readonly cacheSize: number;
  private lastNanos = 0n;

  constructor(
    store: ObjectStore,
    private readonly clock: SimClock,
    private readonly rng: Rng,
    options: RecorderOptions = {},
  ) {
    this.sink = options.sink ?? new StoreEventSink(store);
    this.cacheSize = options.cacheSize ?? CORRELATOR_CACHE_SIZE;
  }

  /**
   * An event from an old-style recorder (kubelet, node controller) about a pod: generateEvent and makeEvent, then
   * recordToSink. Returns the written event, or undefined when it was filtered or refused (see `recordDetailed`).
   */
  record(pod: PodRef, source: EventSource, type: EventType, reason: string, message: string, fieldPath?: string): KubeObject | undefined {
    const outcome = this.recordDetailed(pod, source, type, reason, message, fieldPath);
    return outcome.kind === "created" || outcome.kind === "patched" ? outcome.event : undefined;
  }

  recordDetailed(pod: PodRef, source: EventSource, type: EventType, reason: string, message: string, fieldPath?: string): RecordOutcome {
    const outcome = this.send(pod, source, type, reason, message, fieldPath);
    this.stats[outcome.kind]++;
    return outcome;
  }

  private send(pod: PodRef, source: EventSource, type: EventType, reason: string, message: string, fieldPath: string | undefined): RecordOutcome {
    const now = this.clock.now();
    const host = source.host ?? "";
    const event: CoreEvent = {
      name: eventName(pod.name, this.nanos(now)),
      // makeEvent: an object without a namespace has its events in `default`.
      namespace: pod.namespace === "" ? "default" : pod.namespace,
      resourceVersion: "",
      involvedObject: { kind: "Pod", namespace: pod.namespace, name: pod.name, uid: pod.uid, apiVersion: "v1", fieldPath: fieldPath ?? "" },
      reason,
      message,
      source: { component: source.component, host },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type,
      reportingController: source.component,
      reportingInstance: host,
    };
    const correlator = this.correlatorFor(source.component, host);
    const result = correlator.correlate(event, now, () => this.nanos(this.clock.now()));
    if (result.skip) return { kind: "filtered" };
    const outcome = writeEvent(this.sink, correlator, result.event, result.patch);
    if (outcome.written === undefined) return { kind: "refused", error: outcome.refused };
    return { kind: outcome.created ? "created" : "patched", event: outcome.written };
  }

  /**
   * An Event as the scheduler writes it through events.k8s.io/v1, seen through core/v1: `eventTime` and
   * `reportingComponent` are set, `source`, `firstTimestamp` and `lastTimestamp` are empty. Readers of real
   * clusters meet both shapes, so the simulation produces both. (The scheduler writes one Scheduled event per
   * pod, so that recorder's series and isomorphism logic never comes into play here.)
   */
  recordNew(pod: PodRef, reportingController: string, reportingInstance: string, type: EventType, reason: string, action: string, message: string): KubeObject {
    const now = this.clock.now();
    return this.sink.create({
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: eventName(pod.name, this.nanos(now)), namespace: pod.namespace },
      involvedObject: { kind: "Pod", namespace: pod.namespace, name: pod.name, uid: pod.uid, apiVersion: "v1" },
      reason,
      message,
      source: {},
      firstTimestamp: null,
      lastTimestamp: null,
      type,
      eventTime: rfc3339Micro(now),
      action,
      reportingComponent: reportingController,
      reportingInstance,
    });
  }

  /** Entries in the largest correlator cache of any source: bounded by the cache size. */
  get cached(): number {
    let max = 0;
    for (const c of this.correlators.values()) max = Math.max(max, c.aggregator.cached, c.logger.cached, c.spamFilter.cached);
    return max;
  }

  private correlatorFor(component: string, host: string): EventCorrelator {
    const key = `${component}\u0000${host}`;
    let correlator = this.correlators.get(key);
    if (correlator === undefined) {
      correlator = new EventCorrelator({ cacheSize: this.cacheSize, pick: (n) => this.rng.int(0, n - 1) });
      this.correlators.set(key, correlator);
    }
    return correlator;
  }

  /**
   * Unix nanoseconds for an event name. The simulated clock has millisecond steps, so the nanoseconds within the
   * millisecond are made up, but kept increasing: names stay unique and sort by creation, as in a cluster.
   */
  private nanos(ms: number): bigint {
    const base = BigInt(Math.floor(ms)) * 1_000_000n + BigInt(this.rng.int(0, 999));
    this.lastNanos = base > this.lastNanos ? base : this.lastNanos + BigInt(this.rng.int(1, 9999));
    return this.lastNanos;
  }
}
