// The work queue of namespace/name keys: a key waits once however often it is added, is never handed to two
// workers at once, comes back if it was added while being processed, and is retried with a per-key
// exponential back-off. Pure apart from the injected scheduler.
import type { Scheduler } from "./scheduler.js";

export interface BackoffOptions {
  /** Delay after the first failure. */
  baseMs: number;
  /** The cap on the delay. */
  maxMs: number;
}

export interface WorkQueueOptions {
  scheduler: Scheduler;
  backoff?: BackoffOptions;
}

export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = Object.freeze({ baseMs: 200, maxMs: 60_000 });

/** The delay before the (failures+1)th retry: base·2^failures, capped. */
export function backoffDelay(failures: number, opts: BackoffOptions): number {
  if (failures <= 0) return opts.baseMs;
  // 2^failures overflows into Infinity for large counts, which the cap absorbs.
  return Math.min(opts.baseMs * 2 ** failures, opts.maxMs);
}

/**
 * The delay before retry number failures+1 of a list or watch: the capped exponential delay plus up to as much
 * again at random, as client-go's reflector back-off does (wait.Backoff with Jitter 1.0), so that many clients
 * cut off together do not come back together.
 */
export function jitteredBackoff(failures: number, opts: BackoffOptions, random: () => number): number {
  const d = backoffDelay(failures, opts);
  return Math.round(d + d * Math.min(1, Math.max(0, random())));
}

/** Keys to add later, one timer per key (the earliest wins), on a given clock. */
export class DelayedAdds {
  private readonly timers = new Map<string, { at: number; cancel: () => void }>();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly fire: (key: string) => void,
  ) {}

  add(key: string, delayMs: number): void {
    const at = this.scheduler.now() + delayMs;
    const existing = this.timers.get(key);
    if (existing && existing.at <= at) return;
    existing?.cancel();
    const cancel = this.scheduler.schedule(() => {
      this.timers.delete(key);
      this.fire(key);
    }, delayMs);
    this.timers.set(key, { at, cancel });
  }

  cancelAll(): void {
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }

  get size(): number {
    return this.timers.size;
  }
}

export class WorkQueue {
  private readonly scheduler: Scheduler;
  private readonly backoff: BackoffOptions;
  /** Keys that need processing, in arrival order; a Set keeps FIFO order and deduplicates. */
  private readonly ready = new Set<string>();
  /** Keys added (ready, or added again while processing). */
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly delayed: DelayedAdds;
  /** Keys backing off after a failure: not handed out again before this time, whatever adds them. */
  private readonly notBefore = new Map<string, number>();
  private readonly getters: Array<(key: string | undefined) => void> = [];
  private shuttingDown = false;
  private paused = false;

  constructor(options: WorkQueueOptions) {
    this.scheduler = options.scheduler;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.delayed = new DelayedAdds(this.scheduler, (key) => this.add(key));
  }

  /**
   * Marks a key as needing processing. Returns false only once the queue is shutting down. There is no size
   * limit to drop at: a key waits once however often it is added, so the queue never holds more keys than the
   * caches hold pods and reports, which are the real bound.
   */
  add(key: string): boolean {
    if (this.shuttingDown) return false;
    if (this.dirty.has(key)) return true;
    if (this.backingOff(key)) return true;
    this.dirty.add(key);
    if (!this.processing.has(key)) {
      this.ready.add(key);
      this.dispatch();
    }
    return true;
  }

  /** Adds the key after a delay; a key already waiting for an earlier time keeps that time. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    this.delayed.add(key, delayMs);
  }

  /** Re-adds a failed key after its back-off, or after `minDelayMs` (a server's Retry-After) if longer. */
  addRateLimited(key: string, minDelayMs = 0): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const delay = Math.max(backoffDelay(n, this.backoff), minDelayMs);
    this.notBefore.set(key, this.scheduler.now() + delay);
    this.addAfter(key, delay);
    return delay;
  }

  /**
   * True (and a delayed add is in place) while a key waits out its back-off: a change meanwhile (a server's
   * Retry-After included) is picked up by the retry, not sooner.
   */
  private backingOff(key: string): boolean {
    const until = this.notBefore.get(key);
    if (until === undefined) return false;
    const wait = until - this.scheduler.now();
    if (wait <= 0) {
      this.notBefore.delete(key);
      return false;
    }
    this.delayed.add(key, wait);
    return true;
  }

  /** Clears a key's failure count after it succeeded. */
  forget(key: string): void {
    this.failures.delete(key);
    this.notBefore.delete(key);
  }

  /** How many times in a row a key has failed. */
  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /**
   * The next key to process, waiting for one if needed; undefined once the queue shuts down. The caller must
   * call `done(key)` when finished with it.
   */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.paused ? undefined : this.take();
    if (key !== undefined) return Promise.resolve(key);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** Ends the processing of a key; if it was added meanwhile, it becomes ready again. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key) && this.backingOff(key)) {
      // Added while it ran, but it has just failed: the retry after the back-off covers that change too.
      this.dirty.delete(key);
      return;
    }
    if (this.dirty.has(key) && !this.shuttingDown) {
      this.ready.add(key);
      this.dispatch();
    }
  }

  /** Stops handing out keys (they stay queued) until `resume`. Used while this replica is not the leader. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.dispatch();
  }

  /** Stops taking work: waiting and future `get` calls return undefined; queued and delayed keys are dropped. */
  shutDown(): void {
    this.shuttingDown = true;
    this.delayed.cancelAll();
    this.notBefore.clear();
    this.ready.clear();
    this.dirty.clear();
    for (const g of this.getters.splice(0)) g(undefined);
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Keys ready to be handed out. */
  len(): number {
    return this.ready.size;
  }

  /** The queue's state for metrics and tests. */
  depth(): { ready: number; processing: number; delayed: number } {
    return { ready: this.ready.size, processing: this.processing.size, delayed: this.delayed.size };
  }

  private take(): string | undefined {
    const next = this.ready.values().next();
    if (next.done) return undefined;
    const key = next.value;
    this.ready.delete(key);
    this.dirty.delete(key);
    this.processing.add(key);
    return key;
  }

  private dispatch(): void {
    while (!this.paused && this.getters.length > 0 && this.ready.size > 0) {
      const key = this.take();
      if (key === undefined) break;
      this.getters.shift()?.(key);
    }
  }
}
