// Writes core/v1 Events the way the kubelet's event recorder does, including client-go's correlator: an event
// identical to one already sent (same source, involved object, type, reason and message) is not a new object but
// the same one with `count` raised and `lastTimestamp` moved, so a probe failing every 10 s for an hour is one
// Event with count 360, not 360 Events.
import type { KubeObject, ObjectStore } from "../types.js";
import { rfc3339, rfc3339Micro, type SimClock } from "./clock.js";
import type { Rng } from "./random.js";

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

/** client-go keeps this many correlation keys (maxLruCacheEntries); older ones are forgotten. */
export const CORRELATOR_CACHE_SIZE = 4096;

/** Components whose events this recorder writes; the TTL sweep only touches these. */
const OWN_COMPONENTS = new Set(["kubelet", "default-scheduler", "node-controller", "taint-eviction-controller"]);

export class EventRecorder {
  // Insertion-ordered, so the first key is the least recently used one.
  private readonly seen = new Map<string, string>();
  private lastNanos = 0n;

  constructor(
    private readonly store: ObjectStore,
    private readonly clock: SimClock,
    private readonly rng: Rng,
    private readonly cacheSize: number = CORRELATOR_CACHE_SIZE,
  ) {}

  /**
   * A core/v1 Event from an old-style recorder (kubelet, node controller): `source`, `firstTimestamp`,
   * `lastTimestamp` and `count`, aggregated with an identical earlier event.
   */
  record(pod: PodRef, source: EventSource, type: EventType, reason: string, message: string, fieldPath?: string): KubeObject {
    const involvedObject: Record<string, string> = { kind: "Pod", namespace: pod.namespace, name: pod.name, uid: pod.uid, apiVersion: "v1" };
    if (fieldPath !== undefined) involvedObject.fieldPath = fieldPath;
    const key = [source.component, source.host ?? "", "Pod", pod.namespace, pod.name, fieldPath ?? "", pod.uid, "v1", type, reason, message].join("\u0000");
    const now = rfc3339(this.clock.now());

    const name = this.seen.get(key);
    if (name !== undefined) {
      this.seen.delete(key);
      this.seen.set(key, name);
      const existing = this.store.get("events", pod.namespace, name);
      // Gone means the API server's TTL removed it; client-go then creates it afresh.
      if (existing !== undefined) {
        const count = typeof existing.count === "number" ? existing.count : 1;
        return this.store.replace("events", { ...existing, count: count + 1, lastTimestamp: now });
      }
    }

    const created = this.create(pod, {
      involvedObject,
      reason,
      message,
      source: source.host === undefined ? { component: source.component } : { component: source.component, host: source.host },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: source.component,
      reportingInstance: source.host ?? "",
    });
    this.remember(key, created.metadata?.name ?? "");
    return created;
  }

  /**
   * An Event as the scheduler writes it through events.k8s.io/v1, seen through core/v1: `eventTime` and
   * `reportingComponent` are set, `source`, `firstTimestamp` and `lastTimestamp` are empty. Readers of real
   * clusters meet both shapes, so the simulation produces both.
   */
  recordNew(pod: PodRef, reportingController: string, reportingInstance: string, type: EventType, reason: string, action: string, message: string): KubeObject {
    return this.create(pod, {
      involvedObject: { kind: "Pod", namespace: pod.namespace, name: pod.name, uid: pod.uid, apiVersion: "v1" },
      reason,
      message,
      source: {},
      firstTimestamp: null,
      lastTimestamp: null,
      type,
      eventTime: rfc3339Micro(this.clock.now()),
      action,
      reportingComponent: reportingController,
      reportingInstance,
    });
  }

  /**
   * Removes events from these components last seen more than `ttlMs` ago: the API server's event TTL (one hour by
   * default), which keeps a long simulation's memory bounded.
   */
  sweep(ttlMs: number): number {
    const cutoff = this.clock.now() - ttlMs;
    let removed = 0;
    for (const ev of this.store.list("events")) {
      if (!OWN_COMPONENTS.has(String(ev.reportingComponent ?? ""))) continue;
      const last = Date.parse(String(ev.lastTimestamp ?? ev.eventTime ?? ""));
      if (!(last < cutoff)) continue;
      if (this.store.remove("events", ev.metadata?.namespace ?? "", ev.metadata?.name ?? "") !== undefined) removed++;
    }
    return removed;
  }

  /** Correlation keys currently remembered (bounded by the cache size). */
  get cached(): number {
    return this.seen.size;
  }

  private create(pod: PodRef, body: Record<string, unknown>): KubeObject {
    // client-go names events `<object>.<unix nanoseconds in hex>`. The simulated clock has millisecond steps, so the
    // nanoseconds are made up, but kept increasing: sorting events by name sorts them by creation, as in a cluster.
    for (let attempt = 0; ; attempt++) {
      const base = BigInt(Math.floor(this.clock.now())) * 1_000_000n + BigInt(this.rng.int(0, 999));
      const nanos = base > this.lastNanos ? base : this.lastNanos + BigInt(this.rng.int(1, 9999));
      this.lastNanos = nanos;
      const event: KubeObject = {
        apiVersion: "v1",
        kind: "Event",
        metadata: { name: `${pod.name}.${nanos.toString(16).padStart(16, "0")}`, namespace: pod.namespace },
        ...body,
      };
      try {
        return this.store.create("events", event);
      } catch (err) {
        if (attempt < 3 && isConflict(err)) continue;
        throw new Error(`record event ${String(body.reason)} for pod ${pod.namespace}/${pod.name}`, { cause: err });
      }
    }
  }

  private remember(key: string, name: string): void {
    this.seen.set(key, name);
    if (this.seen.size > this.cacheSize) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
  }
}

function isConflict(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 409;
}
