// The events cache, indexed by the pod they are about (involvedObject namespace/name), so reconcile gets a
// pod's events without scanning, and bounded per pod: a pod with a storm of distinct events keeps its newest.
import type { CoreEvent } from "../report/index.js";
import { keyOf, objectKey } from "./keys.js";
import type { Change, ReflectorStore } from "./store.js";

/** The newest time an event was observed, in epoch ms (0 when it carries none). */
export function eventTime(ev: CoreEvent): number {
  for (const t of [ev.series?.lastObservedTime, ev.lastTimestamp, ev.eventTime, ev.firstTimestamp, ev.metadata?.creationTimestamp]) {
    if (t) {
      const ms = Date.parse(t);
      if (!Number.isNaN(ms)) return ms;
    }
  }
  return 0;
}

export function podKeyOfEvent(ev: CoreEvent): string {
  return keyOf(ev.involvedObject?.namespace ?? ev.metadata?.namespace, ev.involvedObject?.name);
}

/**
 * Changes carry the *pod* key, which is what the controller enqueues. Evicting an event to respect the bound
 * is not reported as a change: the pod's report already counted it when it arrived.
 */
export class EventIndex implements ReflectorStore<CoreEvent> {
  private readonly byPod = new Map<string, Map<string, CoreEvent>>();
  private readonly podOf = new Map<string, string>();
  private readonly maxPerPod: number;
  private evicted = 0;

  constructor(maxPerPod: number) {
    this.maxPerPod = maxPerPod;
  }

  /** The pod's events, oldest first. */
  eventsFor(podKey: string): CoreEvent[] {
    const m = this.byPod.get(podKey);
    return m ? [...m.values()].sort((a, b) => eventTime(a) - eventTime(b)) : [];
  }

  /** Number of events held. */
  get size(): number {
    return this.podOf.size;
  }

  /** Events dropped because their pod had too many. */
  get evictions(): number {
    return this.evicted;
  }

  replace(items: readonly CoreEvent[]): Change<CoreEvent>[] {
    const changes: Change<CoreEvent>[] = [];
    const seen = new Set(items.map((e) => objectKey(e)));
    for (const [evKey, podKey] of [...this.podOf]) {
      if (!seen.has(evKey)) {
        const ev = this.byPod.get(podKey)?.get(evKey);
        if (ev) {
          const c = this.remove(ev);
          if (c) changes.push(c);
        }
      }
    }
    for (const ev of items) {
      const c = this.upsert(ev);
      if (c) changes.push(c);
    }
    return changes;
  }

  upsert(ev: CoreEvent): Change<CoreEvent> | null {
    const evKey = objectKey(ev);
    const podKey = podKeyOfEvent(ev);
    let bucket = this.byPod.get(podKey);
    const old = bucket?.get(evKey);
    if (old && old.metadata?.resourceVersion !== undefined && old.metadata.resourceVersion === ev.metadata?.resourceVersion) return null;
    if (!bucket) {
      bucket = new Map();
      this.byPod.set(podKey, bucket);
    }
    bucket.set(evKey, ev);
    this.podOf.set(evKey, podKey);
    if (bucket.size > this.maxPerPod) {
      const oldest = this.oldestOf(bucket);
      bucket.delete(oldest);
      this.podOf.delete(oldest);
      this.evicted++;
      if (oldest === evKey) return null;
    }
    return old ? { type: "updated", key: podKey, obj: ev, old } : { type: "added", key: podKey, obj: ev };
  }

  remove(ev: CoreEvent): Change<CoreEvent> | null {
    const evKey = objectKey(ev);
    const podKey = this.podOf.get(evKey);
    if (podKey === undefined) return null;
    const bucket = this.byPod.get(podKey);
    const old = bucket?.get(evKey);
    bucket?.delete(evKey);
    if (bucket && bucket.size === 0) this.byPod.delete(podKey);
    this.podOf.delete(evKey);
    return old ? { type: "deleted", key: podKey, obj: old } : null;
  }

  private oldestOf(bucket: Map<string, CoreEvent>): string {
    let oldestKey = "";
    let oldestTime = Infinity;
    for (const [k, ev] of bucket) {
      const t = eventTime(ev);
      if (t < oldestTime) {
        oldestTime = t;
        oldestKey = k;
      }
    }
    return oldestKey;
  }
}
