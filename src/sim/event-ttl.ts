// The API server's --event-ttl: every write of an Event (create, update, patch) attaches it to an etcd lease, and
// etcd deletes it when that lease runs out, so an Event lives `ttl` after its *last write*, however long ago it was
// first seen. The lease is handed out as kube-apiserver's lease manager does (k8s.io/apiserver 1.32,
// pkg/storage/etcd3/lease_manager.go): to spare etcd one lease per write, a lease is granted for
// ttl + min(5% of ttl, 60 s) and reused by later writes while it still covers their ttl, for up to 1000 objects.
// So an Event goes between ttl and ttl + 60 s after its last write (with the default hour, between 1h and 1h1m).
//
// Pure bookkeeping: the store tells it of writes and asks which events are due; time comes in as a parameter.

/** leaseManager defaults: defaultLeaseReuseDurationSeconds, the 5% of newDefaultLeaseManager, defaultLeaseMaxObjectCount. */
const REUSE_SECONDS = 60;
const REUSE_FRACTION = 0.05;
const MAX_OBJECTS_PER_LEASE = 1000;

/** kube-apiserver's default --event-ttl. */
export const DEFAULT_EVENT_TTL_SECONDS = 3600;

export class EventTtl {
  // Object key → when its lease expires (epoch ms). Leases are granted in time order and a reused lease is the
  // newest one, so re-inserting on every write keeps the map ordered by expiry: the first entry is due first.
  private readonly expiries = new Map<string, number>();
  private leaseExpiry = -Infinity;
  private leaseObjects = 0;

  constructor(readonly ttlSeconds: number) {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) throw new Error(`event TTL must be a positive whole number of seconds, got ${ttlSeconds}`);
  }

  /** A write at `nowMs`: the object now goes with the lease this write gets. Returns when that lease expires. */
  written(key: string, nowMs: number): number {
    const expiry = this.lease(nowMs);
    this.expiries.delete(key);
    this.expiries.set(key, expiry);
    return expiry;
  }

  /** The object was deleted by other means. */
  forget(key: string): void {
    this.expiries.delete(key);
  }

  /** When the next object is due, or undefined when none is tracked. */
  nextExpiry(): number | undefined {
    for (const expiry of this.expiries.values()) return expiry;
    return undefined;
  }

  /** Keys whose lease has expired at `nowMs`, oldest first. They stay tracked until `forget`. */
  due(nowMs: number): string[] {
    const out: string[] = [];
    for (const [key, expiry] of this.expiries) {
      if (expiry > nowMs) break;
      out.push(key);
    }
    return out;
  }

  get size(): number {
    return this.expiries.size;
  }

  /** leaseManager.GetLease at `nowMs`; returns the lease's expiry. */
  private lease(nowMs: number): number {
    const reuse = Math.min(Math.trunc(REUSE_FRACTION * this.ttlSeconds), REUSE_SECONDS);
    const valid = nowMs + this.ttlSeconds * 1000 < this.leaseExpiry;
    const sufficient = nowMs + (this.ttlSeconds + reuse) * 1000 > this.leaseExpiry;
    // Counted before the check, and reset to 1 by a new lease, as upstream.
    this.leaseObjects++;
    if (valid && sufficient && this.leaseObjects <= MAX_OBJECTS_PER_LEASE) return this.leaseExpiry;
    this.leaseExpiry = nowMs + (this.ttlSeconds + reuse) * 1000;
    this.leaseObjects = 1;
    return this.leaseExpiry;
  }
}
