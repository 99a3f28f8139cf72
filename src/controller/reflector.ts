// A reflector keeps a cache in step with one collection on the API server, the way client-go's reflector does
// (k8s.io/client-go 1.32 tools/cache/reflector.go):
//   - list, then watch from the list's resourceVersion with bookmarks;
//   - the first list asks for resourceVersion "0" (the API server answers from its watch cache, not etcd); a
//     relist asks for the last version seen, and for "" (a quorum read) only after that version was refused as
//     expired or too large;
//   - a watch that ends, cleanly or not, once it was established is resumed from the last version seen, with no
//     relist; a watch that cannot be started is retried from the same version when the server refused the
//     connection or throttled (429), and otherwise is followed by a relist;
//   - 410 Gone (a resourceVersion too old) anywhere means relist;
//   - every failure backs off exponentially with jitter, capped, forever: a reflector never gives up.
// There is no periodic relist: client-go's resync replays the cache, it does not ask the server again, and the
// controller does that from its own caches. Readiness is "the first list is in"; `failingSince` tells whether
// the cache is still current. The I/O is behind `ListWatchSource` so tests drive it with fakes.
import type { Logger } from "pino";
import { classifyError, type ClassifiedError } from "./errors.js";
import { jitteredBackoff, type BackoffOptions } from "./queue.js";
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

export interface ListWatchSource {
  /**
   * Lists the whole collection (all pages), each item passed through `keep` as it arrives (null drops it).
   * `resourceVersion` "0" accepts any cached version, another version asks for one not older than it, and ""
   * for the newest (a consistent read).
   */
  list<T>(resourceVersion: string, keep: (raw: unknown) => T | null): Promise<ListResult<T>>;
  /**
   * Watches from a resourceVersion. Rejects when the watch cannot be started (connection refused, timeout,
   * an HTTP error). Once started, `onEvent` gets each event, and `onDone` is called once when the stream ends:
   * with null when the server closed it normally, else with the error that ended it.
   */
  watch(resourceVersion: string, onEvent: (type: WatchEventType, obj: unknown) => void, onDone: (err: unknown) => void): Promise<WatchHandle>;
}

/** Why a watch was restarted: the reasons a metric can count. */
export type RestartReason = "closed" | "gone" | "error" | "list-error";

/** What a reflector tells about each failure and each recovery (the controller's connectivity log). */
export interface ReflectorHealth {
  failed(source: string, phase: Phase, error: ClassifiedError, retryInMs: number): void;
  recovered(source: string, phase: Phase): void;
}

export type Phase = "list" | "watch";

export interface ReflectorOptions<T extends Meta> {
  /** For logs and metrics, e.g. `/api/v1/pods`. */
  name: string;
  source: ListWatchSource;
  store: ReflectorStore<T>;
  /** Strips a raw object to what we keep, or returns null to ignore it (another shard's, not a pod's). */
  transform: (raw: unknown) => T | null;
  onChange: (change: Change<T>) => void;
  /** Called after every list has been applied (the first one and each relist). */
  onList?: () => void;
  onRestart?: (reason: RestartReason) => void;
  health?: ReflectorHealth;
  scheduler: Scheduler;
  backoff: BackoffOptions;
  /** Source of randomness for the back-off jitter (tests pass a constant). */
  random?: () => number;
  logger: Logger;
}

interface WatchOutcome {
  /** Ended by `stop` or `relist`, not by the server. */
  aborted: boolean;
  /** The watch could not be started. */
  startErr: unknown;
  /** The established stream ended with this error (null: a clean end). */
  streamErr: unknown;
  gone: boolean;
  events: number;
}

/** client-go resets its back-off after this long without a failure (the manager's resetDuration). */
const BACKOFF_RESET_MS = 2 * 60_000;

export class Reflector<T extends Meta> {
  private readonly o: ReflectorOptions<T>;
  private stopped = false;
  private running: Promise<void> | null = null;
  private resourceVersion = "";
  /** The last version seen was refused (expired or too large): the next list must be a consistent read. */
  private versionUnavailable = false;
  private synced = false;
  private readonly syncWaiters: Array<() => void> = [];
  private currentWatch: { finish: (o: WatchOutcome) => void; aborted: boolean } | null = null;
  private relistRequested = false;
  private readonly stopController = new AbortController();
  private failures = 0;
  private lastFailureAt = -Infinity;
  /** Since when each phase has failed with no success of it since (a good watch also clears the list). */
  private readonly failingSinceMs: Record<Phase, number | null> = { list: null, watch: null };
  private lastContactMs: number | null = null;

  constructor(options: ReflectorOptions<T>) {
    this.o = options;
  }

  /** Starts the list-watch loop in the background; `stop` ends it. */
  start(): void {
    if (this.running) return;
    this.running = this.loop().catch((err: unknown) => {
      // The loop catches every I/O error itself; reaching here is a bug, and the cache would silently freeze.
      this.o.logger.error({ err, reflector: this.o.name }, "reflector loop failed; restarting it");
      this.running = null;
      if (!this.stopped) this.start();
    });
  }

  /** Stops the loop and the current watch; resolves when the loop has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopController.abort();
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

  /**
   * Since when (scheduler ms) lists or watches have been failing with no success between; null when both work.
   * A watch that cannot be started while lists still work (a missing watch permission) counts as failing: the
   * cache is then only as fresh as the last relist.
   */
  get failingSince(): number | null {
    const { list, watch } = this.failingSinceMs;
    return list === null ? watch : watch === null ? list : Math.min(list, watch);
  }

  /** When the server last answered this reflector (a list, a watch start or a watch event); null before that. */
  get lastContact(): number | null {
    return this.lastContactMs;
  }

  /** Ends the current watch and lists again from the last version seen. */
  relist(): void {
    this.relistRequested = true;
    this.abortWatch();
  }

  private async loop(): Promise<void> {
    let needList = true;
    while (!this.stopped) {
      if (needList || this.relistRequested) {
        this.relistRequested = false;
        if (!(await this.listOnce())) {
          needList = true;
          continue;
        }
        needList = false;
      }
      const started = this.o.scheduler.now();
      const outcome = await this.watchOnce();
      if (this.stopped || outcome.aborted) continue;
      if (outcome.gone) {
        this.o.logger.debug({ reflector: this.o.name }, "watch: resourceVersion too old, relisting");
        this.o.onRestart?.("gone");
        this.versionUnavailable = true;
        needList = true;
        continue;
      }
      if (outcome.startErr !== null) {
        const c = classifyError(outcome.startErr);
        this.o.onRestart?.("error");
        await this.backOff("watch", c);
        // client-go retries the watch alone only when the server refused the connection or throttled; any other
        // failure to start a watch may mean the version is no longer servable, so it lists again.
        if (!(c.class === "throttled" || isConnectionRefused(outcome.startErr))) needList = true;
        continue;
      }
      if (outcome.streamErr !== null) {
        const c = classifyError(outcome.streamErr);
        this.o.onRestart?.("error");
        this.o.logger.debug({ reflector: this.o.name, error: c.message, events: outcome.events }, "watch stream broke; resuming from the last version");
        if (outcome.events === 0) await this.backOff("watch", c);
        continue;
      }
      // A normal close (the server's timeoutSeconds). Re-watch at once, unless it closed straight away with
      // nothing in it, which would otherwise become a hot loop (client-go's "very short watch").
      this.o.onRestart?.("closed");
      if (outcome.events === 0 && this.o.scheduler.now() - started < 1_000) {
        await this.backOff("watch", classifyError(new Error("the watch closed at once with no events")), false);
      }
    }
  }

  /** One full list applied to the store; false (after a back-off) when it failed. */
  private async listOnce(): Promise<boolean> {
    const version = this.versionUnavailable ? "" : this.resourceVersion === "" ? "0" : this.resourceVersion;
    let result: ListResult<T>;
    try {
      result = await this.o.source.list(version, this.o.transform);
    } catch (err) {
      if (this.stopped) return false;
      const c = classifyError(err);
      // A version the server refuses (expired, or newer than it has: a restarted server) is not retried.
      if (c.class === "gone" || isTooLargeVersion(err)) this.versionUnavailable = true;
      this.o.onRestart?.("list-error");
      await this.backOff("list", c);
      return false;
    }
    if (this.stopped) return false;
    this.contact("list");
    const items = result.items;
    const changes = this.o.store.replace(items);
    this.resourceVersion = result.resourceVersion;
    this.versionUnavailable = false;
    for (const c of changes) this.o.onChange(c);
    this.o.logger.debug({ reflector: this.o.name, version, items: items.length, changes: changes.length, resourceVersion: this.resourceVersion }, "listed");
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
    this.o.onList?.();
    return true;
  }

  /**
   * Waits out the back-off for the next attempt. A failure (`failed`, the default) is reported and marks the
   * cache as not current; a watch the server closed at once is only slowed down.
   */
  private async backOff(phase: Phase, c: ClassifiedError, failed = true): Promise<void> {
    const now = this.o.scheduler.now();
    if (now - this.lastFailureAt > BACKOFF_RESET_MS) this.failures = 0;
    this.lastFailureAt = now;
    if (failed) this.failingSinceMs[phase] ??= now;
    const delay = Math.max(jitteredBackoff(this.failures, this.o.backoff, this.o.random ?? Math.random), c.retryAfterMs ?? 0);
    this.failures++;
    this.o.logger.debug({ reflector: this.o.name, phase, error: c.message, status: c.status, delayMs: delay }, `${phase} failed, retrying after back-off`);
    if (failed) this.o.health?.failed(this.o.name, phase, c, delay);
    await sleep(this.o.scheduler, delay, this.stopController.signal);
  }

  /** The server answered a list, or a watch started or sent something. */
  private contact(phase: Phase): void {
    this.lastContactMs = this.o.scheduler.now();
    const cleared: Phase[] = phase === "watch" ? ["list", "watch"] : ["list"];
    for (const p of cleared) {
      if (this.failingSinceMs[p] === null) continue;
      this.failingSinceMs[p] = null;
      this.o.health?.recovered(this.o.name, p);
    }
  }

  private watchOnce(): Promise<WatchOutcome> {
    return new Promise((resolve) => {
      let finished = false;
      let events = 0;
      let gone = false;
      let errorEvent: unknown = null;
      let handle: WatchHandle | null = null;
      const state = {
        aborted: false,
        finish: (o: WatchOutcome): void => {
          if (finished) return;
          finished = true;
          if (this.currentWatch === state) this.currentWatch = null;
          handle?.abort();
          resolve(o);
        },
      };
      this.currentWatch = state;
      const onEvent = (type: WatchEventType, obj: unknown): void => {
        if (finished) return;
        events++;
        this.contact("watch");
        if (type === "ERROR") {
          // The server ends the stream after an ERROR event; a 410 inside it means relist.
          const c = classifyError(obj);
          if (c.class === "gone") gone = true;
          else errorEvent = obj;
          return;
        }
        const rv = (obj as Meta | undefined)?.metadata?.resourceVersion;
        if (type !== "BOOKMARK") this.apply(type, obj);
        if (rv) this.resourceVersion = rv;
      };
      const onDone = (err: unknown): void => {
        if (state.aborted) return state.finish({ aborted: true, startErr: null, streamErr: null, gone: false, events });
        const c = err ? classifyError(err) : null;
        const streamErr = c && c.class !== "gone" ? err : errorEvent;
        state.finish({ aborted: false, startErr: null, streamErr: streamErr ?? null, gone: gone || c?.class === "gone", events });
      };
      this.o.source.watch(this.resourceVersion, onEvent, onDone).then(
        (h) => {
          handle = h;
          if (finished || state.aborted) h.abort();
          else this.contact("watch");
        },
        (err: unknown) => {
          if (state.aborted) return state.finish({ aborted: true, startErr: null, streamErr: null, gone: false, events });
          const gone410 = classifyError(err).class === "gone";
          state.finish({ aborted: false, startErr: gone410 ? null : err, streamErr: null, gone: gone410, events });
        },
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
    w.finish({ aborted: true, startErr: null, streamErr: null, gone: false, events: 0 });
  }
}

/** ECONNREFUSED anywhere in the error's cause chain (client-go: utilnet.IsConnectionRefused). */
export function isConnectionRefused(err: unknown): boolean {
  for (let e = err, depth = 0; typeof e === "object" && e !== null && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === "ECONNREFUSED") return true;
  }
  return false;
}

/**
 * The API server's answer to a list or watch from a resourceVersion newer than it has (a restarted server whose
 * versions went back, or a lagging replica): 504 Timeout with cause ResourceVersionTooLarge, or a message
 * saying "Too large resource version" (apiserver/pkg/storage/errors.go, 1.32).
 */
export function isTooLargeVersion(err: unknown): boolean {
  const text = JSON.stringify((err as { body?: unknown } | null)?.body ?? "") + String((err as Error | null)?.message ?? "");
  return /ResourceVersionTooLarge|Too large resource version/i.test(text);
}
