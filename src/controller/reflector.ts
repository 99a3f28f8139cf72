// A reflector keeps a cache in step with one collection on the API server: list, then watch from the list's
// resourceVersion with bookmarks; on 410 Gone relist; on any other error re-watch after a back-off (client-node's
// ListWatch would stop for good here); relist every resync period in case a watch went silent. Readiness is
// "the first list is in". The I/O is behind `ListWatchSource` so tests drive it with fakes.
import type { Logger } from "pino";
import { classifyError } from "./errors.js";
import { backoffDelay, type BackoffOptions } from "./queue.js";
import { sleep, type Scheduler } from "./scheduler.js";
import type { Change, Meta, ReflectorStore } from "./store.js";

export interface ListResult<T> {
  items: T[];
  resourceVersion: string;
}

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

export interface WatchHandle {
  abort(): void;
}

export interface ListWatchSource<T> {
  /** Lists the whole collection (all pages). */
  list(): Promise<ListResult<T>>;
  /**
   * Watches from a resourceVersion. `onEvent` gets each event; `onDone` is called once when the watch ends
   * (null when the server closed it normally). Rejects or calls onDone with the error if it cannot start.
   */
  watch(resourceVersion: string, onEvent: (type: WatchEventType, obj: unknown) => void, onDone: (err: unknown) => void): Promise<WatchHandle>;
}

/** Why a watch was restarted: the reasons a metric can count. */
export type RestartReason = "closed" | "gone" | "error" | "list-error" | "resync";

export interface ReflectorOptions<T extends Meta> {
  /** For logs and metrics, e.g. `pods` or `events/default`. */
  name: string;
  source: ListWatchSource<unknown>;
  store: ReflectorStore<T>;
  /** Strips a raw object to what we keep, or returns null to ignore it (another shard's, not a pod's). */
  transform: (raw: unknown) => T | null;
  onChange: (change: Change<T>) => void;
  /** Called after every list has been applied (the first one and each relist). */
  onList?: () => void;
  onRestart?: (reason: RestartReason) => void;
  scheduler: Scheduler;
  backoff: BackoffOptions;
  /** Relist this often; 0 disables it. */
  resyncPeriodMs: number;
  logger: Logger;
}

interface WatchOutcome {
  err: unknown;
  gone: boolean;
  events: number;
}

export class Reflector<T extends Meta> {
  private readonly o: ReflectorOptions<T>;
  private stopped = false;
  private running: Promise<void> | null = null;
  private resourceVersion = "";
  private synced = false;
  private readonly syncWaiters: Array<() => void> = [];
  private currentWatch: { handle: WatchHandle | null; finish: (o: WatchOutcome) => void; aborted: boolean } | null = null;
  private relistRequested = false;
  private cancelResync: (() => void) | null = null;
  private readonly stopController = new AbortController();
  private failures = 0;

  constructor(options: ReflectorOptions<T>) {
    this.o = options;
  }

  /** Starts the list-watch loop in the background; `stop` ends it. */
  start(): void {
    if (this.running) return;
    this.running = this.loop().catch((err: unknown) => {
      this.o.logger.error({ err, reflector: this.o.name }, "reflector loop failed");
    });
  }

  /** Stops the loop and the current watch; resolves when the loop has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopController.abort();
    this.cancelResync?.();
    this.abortWatch();
    await this.running;
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves once the first list has been applied. */
  whenSynced(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /** The resourceVersion the next watch would start from. */
  get lastResourceVersion(): string {
    return this.resourceVersion;
  }

  /** Asks for a relist now (the periodic resync does the same). */
  relist(): void {
    this.relistRequested = true;
    this.abortWatch();
  }

  private async loop(): Promise<void> {
    let needList = true;
    while (!this.stopped) {
      if (needList || this.relistRequested) {
        this.relistRequested = false;
        if (!(await this.listOnce())) continue;
        needList = false;
      }
      const started = this.o.scheduler.now();
      const outcome = await this.watchOnce();
      if (this.stopped) break;
      if (this.relistRequested) {
        this.o.onRestart?.("resync");
        continue;
      }
      if (outcome.gone) {
        this.o.logger.debug({ reflector: this.o.name }, "watch: resourceVersion too old, relisting");
        this.o.onRestart?.("gone");
        this.resourceVersion = "";
        needList = true;
        continue;
      }
      if (outcome.err !== null && outcome.err !== undefined) {
        const c = classifyError(outcome.err);
        this.failures++;
        const delay = Math.max(backoffDelay(this.failures - 1, this.o.backoff), c.retryAfterMs ?? 0);
        this.o.logger.debug({ reflector: this.o.name, error: c.message, status: c.status, delayMs: delay }, "watch failed, restarting after back-off");
        this.o.onRestart?.("error");
        await sleep(this.o.scheduler, delay, this.stopController.signal);
        continue;
      }
      // A normal close (server timeout). Re-watch at once, unless it closed straight away with nothing in it,
      // which would otherwise become a hot loop.
      this.o.onRestart?.("closed");
      if (outcome.events === 0 && this.o.scheduler.now() - started < this.o.backoff.baseMs) {
        this.failures++;
        await sleep(this.o.scheduler, backoffDelay(this.failures - 1, this.o.backoff), this.stopController.signal);
      }
    }
  }

  /** One full list applied to the store; false (after a back-off) when it failed. */
  private async listOnce(): Promise<boolean> {
    let result: ListResult<unknown>;
    try {
      result = await this.o.source.list();
    } catch (err) {
      if (this.stopped) return false;
      const c = classifyError(err);
      this.failures++;
      const delay = Math.max(backoffDelay(this.failures - 1, this.o.backoff), c.retryAfterMs ?? 0);
      this.o.logger.warn({ reflector: this.o.name, error: c.message, status: c.status, delayMs: delay }, "list failed, retrying after back-off");
      this.o.onRestart?.("list-error");
      await sleep(this.o.scheduler, delay, this.stopController.signal);
      return false;
    }
    if (this.stopped) return false;
    const items: T[] = [];
    for (const raw of result.items) {
      const t = this.o.transform(raw);
      if (t) items.push(t);
    }
    const changes = this.o.store.replace(items);
    this.resourceVersion = result.resourceVersion;
    this.failures = 0;
    for (const c of changes) this.o.onChange(c);
    this.o.logger.debug({ reflector: this.o.name, items: items.length, changes: changes.length, resourceVersion: this.resourceVersion }, "listed");
    this.scheduleResync();
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
    this.o.onList?.();
    return true;
  }

  private scheduleResync(): void {
    this.cancelResync?.();
    this.cancelResync = null;
    if (this.o.resyncPeriodMs <= 0 || this.stopped) return;
    this.cancelResync = this.o.scheduler.schedule(() => {
      this.cancelResync = null;
      this.relist();
    }, this.o.resyncPeriodMs);
  }

  private watchOnce(): Promise<WatchOutcome> {
    return new Promise<WatchOutcome>((resolve) => {
      let finished = false;
      let events = 0;
      const state = {
        handle: null as WatchHandle | null,
        aborted: false,
        finish: (o: WatchOutcome): void => {
          if (finished) return;
          finished = true;
          if (this.currentWatch === state) this.currentWatch = null;
          state.handle?.abort();
          resolve(o);
        },
      };
      this.currentWatch = state;
      let gone = false;
      let streamErr: unknown = null;
      const onEvent = (type: WatchEventType, obj: unknown): void => {
        if (finished) return;
        events++;
        if (type === "ERROR") {
          const c = classifyError(obj);
          if (c.class === "gone") gone = true;
          else streamErr = obj;
          return;
        }
        const rv = (obj as Meta | undefined)?.metadata?.resourceVersion;
        if (type !== "BOOKMARK") this.apply(type, obj);
        if (rv) this.resourceVersion = rv;
        this.failures = 0;
      };
      const onDone = (err: unknown): void => {
        if (state.aborted) return state.finish({ err: null, gone: false, events });
        const c = err ? classifyError(err) : null;
        state.finish({ err: c && c.class !== "gone" ? err : streamErr, gone: gone || c?.class === "gone", events });
      };
      this.o.source.watch(this.resourceVersion, onEvent, onDone).then(
        (handle) => {
          state.handle = handle;
          if (finished || state.aborted) handle.abort();
        },
        (err: unknown) => onDone(err),
      );
    });
  }

  private apply(type: "ADDED" | "MODIFIED" | "DELETED", raw: unknown): void {
    const obj = this.o.transform(raw);
    if (!obj) return;
    const change = type === "DELETED" ? this.o.store.remove(obj) : this.o.store.upsert(obj);
    if (change) this.o.onChange(change);
  }

  private abortWatch(): void {
    const w = this.currentWatch;
    if (!w) return;
    w.aborted = true;
    w.finish({ err: null, gone: false, events: 0 });
  }
}
