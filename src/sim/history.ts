// The bounded watch history: a ring buffer of the most recent store events, global across resources like etcd's
// revision log. A watch may resume from any version at or after `compactedThrough`; older ones get 410 Expired,
// which is what forces a client to re-list after it fell too far behind or after a compaction.
import type { KubeObject, ResourceKey, StoreEventType } from "./types.js";

export interface HistoryEvent {
  /** The resourceVersion this write produced, as a number. */
  rv: number;
  type: StoreEventType;
  resource: ResourceKey;
  object: KubeObject;
  /** The object before a MODIFIED (or DELETED) write; watches with selectors need it to send ADDED/DELETED. */
  previous: KubeObject | undefined;
}

export class WatchHistory {
  private readonly buffer: Array<HistoryEvent | undefined>;
  private start = 0;
  private size = 0;
  /** Every event with rv <= this is gone; a watch from an older version must be answered with 410. */
  private compacted = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`watch history size must be a positive integer, got ${capacity}`);
    this.buffer = new Array<HistoryEvent | undefined>(capacity);
  }

  push(event: HistoryEvent): void {
    if (this.size === this.capacity) {
      const evicted = this.buffer[this.start] as HistoryEvent;
      this.compacted = evicted.rv;
      this.buffer[this.start] = event;
      this.start = (this.start + 1) % this.capacity;
      return;
    }
    this.buffer[(this.start + this.size) % this.capacity] = event;
    this.size++;
  }

  get compactedThrough(): number {
    return this.compacted;
  }

  /** Drops everything up to and including `rv`, as an etcd compaction does. */
  compact(rv: number): void {
    while (this.size > 0 && (this.at(0).rv <= rv)) {
      this.buffer[this.start] = undefined;
      this.start = (this.start + 1) % this.capacity;
      this.size--;
    }
    this.compacted = Math.max(this.compacted, rv);
  }

  /**
   * The events after `rv`, oldest first; undefined when history no longer reaches back that far.
   */
  since(rv: number): HistoryEvent[] | undefined {
    if (rv < this.compacted) return undefined;
    // Binary search for the first event newer than rv: rvs in the buffer are strictly increasing.
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid).rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    const out: HistoryEvent[] = [];
    for (let i = lo; i < this.size; i++) out.push(this.at(i));
    return out;
  }

  get length(): number {
    return this.size;
  }

  private at(i: number): HistoryEvent {
    return this.buffer[(this.start + i) % this.capacity] as HistoryEvent;
  }
}
