// The controller measuring itself: plain counters that the metrics module reads at scrape time. Label values
// are bounded sets (results, error classes, resources, restart reasons), never free text.
import type { ErrorClass } from "./errors.js";
import type { RestartReason } from "./reflector.js";

/** What a reconcile did; `deferred` held a count-only change back (--count-write-interval). */
export type ReconcileResult = "unchanged" | "created" | "updated" | "deleted" | "deferred" | "skipped" | "error";

/** Upper bounds (seconds) of the reconcile duration histogram, prom-client's defaults. */
export const DURATION_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface Histogram {
  /** Cumulative counts per bucket upper bound, same order as DURATION_BUCKETS. */
  buckets: number[];
  count: number;
  sum: number;
}

export interface QueueDepth {
  ready: number;
  processing: number;
  delayed: number;
}

export class ControllerStats {
  readonly reconciles: Record<ReconcileResult, number> = { unchanged: 0, created: 0, updated: 0, deleted: 0, deferred: 0, skipped: 0, error: 0 };
  readonly errors: Partial<Record<ErrorClass, number>> = {};
  readonly duration: Histogram = { buckets: DURATION_BUCKETS.map(() => 0), count: 0, sum: 0 };
  /** Watch restarts by resource (pods, events, podhealthreports) and reason. */
  readonly watchRestarts: Record<string, Partial<Record<RestartReason, number>>> = {};
  /** Writes (create, update, status, delete) that hit a 409 and were retried. */
  conflicts = 0;
  /** Lease transitions this replica saw itself win. */
  leaderTransitions = 0;
  isLeader = false;
  /** Set by the controller: reads the queue's depth at scrape time. */
  queueDepth: () => QueueDepth = () => ({ ready: 0, processing: 0, delayed: 0 });
  /** Set by the controller: objects per cache. */
  cacheSizes: () => Record<string, number> = () => ({});
  /**
   * Set by the controller: when every cache was last known to be current, epoch ms (the oldest of the caches'
   * last answers from the server: a list, a watch event or a bookmark); null before every cache had one.
   */
  lastSyncMs: () => number | null = () => null;

  observeReconcile(result: ReconcileResult, seconds: number): void {
    this.reconciles[result]++;
    this.duration.count++;
    this.duration.sum += seconds;
    DURATION_BUCKETS.forEach((le, i) => {
      if (seconds <= le) this.duration.buckets[i]++;
    });
  }

  observeError(cls: ErrorClass): void {
    this.errors[cls] = (this.errors[cls] ?? 0) + 1;
  }

  observeWatchRestart(resource: string, reason: RestartReason): void {
    const r = (this.watchRestarts[resource] ??= {});
    r[reason] = (r[reason] ?? 0) + 1;
  }

  /** Total watch restarts of a resource, all reasons. */
  totalWatchRestarts(resource?: string): number {
    let n = 0;
    for (const [res, reasons] of Object.entries(this.watchRestarts)) {
      if (resource !== undefined && res !== resource) continue;
      for (const v of Object.values(reasons)) n += v ?? 0;
    }
    return n;
  }

  /** Total reconciles that wrote something. */
  get writes(): number {
    return this.reconciles.created + this.reconciles.updated + this.reconciles.deleted;
  }
}
