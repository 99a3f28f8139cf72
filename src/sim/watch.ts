// The watch hub: streams store events to open watch connections as newline-delimited JSON over chunked HTTP.
// Each event is serialized once per view and the same bytes go to every watcher that matches; selectors are
// applied to the object before and after a change, so an object that starts or stops matching arrives as
// ADDED or DELETED, as the real watch cache sends it.
import type { ServerResponse } from "node:http";
import { resetWhenFlushed } from "./listener.js";
import { apiVersionOf } from "./objects.js";
import { presentJson } from "./present.js";
import type { Predicate } from "./selectors.js";
import type { MemoryStore } from "./store.js";
import { expired, tooLargeResourceVersion } from "./errors.js";
import { toTable, type IncludeObject } from "./table.js";
import type { ResourceInfo } from "./resources.js";
import type { HistoryEvent } from "./history.js";
import type { KubeObject, StoreEvent } from "./types.js";

export interface WatchRequest {
  info: ResourceInfo;
  version: string;
  namespace: string | undefined;
  labels: Predicate | undefined;
  fields: Predicate | undefined;
  /** The resourceVersion query parameter as sent ("" when absent). */
  resourceVersion: string;
  allowBookmarks: boolean;
  sendInitialEvents: boolean | undefined;
  timeoutSeconds: number | undefined;
  /** Set when the client asked for meta.k8s.io Tables: each event then carries a one-row Table. */
  table: { includeObject: IncludeObject } | undefined;
  /** The "reset" fault: the connection is reset (RST) right after this many events (0: after the headers). */
  resetAfterEvents?: number;
}

export interface WatchHubOptions {
  /** How often watchers that allow bookmarks get one. Default 5,000 ms. */
  bookmarkIntervalMs?: number;
  /** A watcher whose unsent output exceeds this is dropped, as the real server drops a slow watcher. */
  maxBufferedBytes?: number;
  /**
   * How long a watch with sendInitialEvents=true waits (real time) for the store to reach a resourceVersion newer
   * than its own before it fails with "Too large resource version": the watch cache's blockTimeout, 3 s.
   */
  freshnessTimeoutMs?: number;
}

interface Watcher {
  request: WatchRequest;
  res: ServerResponse;
  /**
   * Events with a version at or below this were already covered (a watch from a future version waits); it
   * advances with every event the watcher has been shown, matching or not.
   */
  fromRv: number;
  timeout: NodeJS.Timeout | undefined;
  closed: boolean;
  /** Events written, for the reset fault. */
  eventsSent: number;
  /** An end that fell due while the hub was silenced (the black hole): carried out when it is lifted. */
  endDue: "timeout" | "end" | undefined;
}

const INITIAL_EVENTS_END = "k8s.io/initial-events-end";

/** resourceVersionTooHighRetrySeconds in the watch cache. */
const TOO_HIGH_RETRY_SECONDS = 1;

export class WatchHub {
  private readonly watchers = new Map<string, Set<Watcher>>();
  private readonly unsubscribe: () => void;
  private bookmarkTimer: NodeJS.Timeout | undefined;
  private readonly bookmarkIntervalMs: number;
  private readonly maxBufferedBytes: number;
  private readonly freshnessTimeoutMs: number;
  /** Watches waiting for the store to catch up with their resourceVersion: each entry gives up at once. */
  private readonly waiting = new Set<() => void>();
  /** Events delivered to at least one watcher, and watchers dropped for being slow: for the benchmark and tests. */
  readonly stats = { events: 0, writes: 0, slowDropped: 0 };
  /** The black hole: nothing is written to any watch (no events, no bookmarks, no ends) until `unsilence`. */
  private silent = false;

  constructor(
    private readonly store: MemoryStore,
    options: WatchHubOptions = {},
  ) {
    this.bookmarkIntervalMs = options.bookmarkIntervalMs ?? 5000;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 64 * 1024 * 1024;
    this.freshnessTimeoutMs = options.freshnessTimeoutMs ?? 3000;
    this.unsubscribe = store.subscribe((event) => this.onEvent(event));
  }

  get size(): number {
    let n = 0;
    for (const set of this.watchers.values()) n += set.size;
    return n;
  }

  /**
   * Starts streaming to `res`. The initial or replayed events are written before this returns, except for a
   * watch-list (sendInitialEvents=true) from a resourceVersion the store has not reached yet: as the 1.32 watch
   * cache (Cacher.Watch, waitUntilWatchCacheFreshAndForceAllEvents → watchCache.waitUntilFreshAndBlock), it waits
   * up to 3 s for the store to get there, then fails with a watch ERROR event, 504 "Too large resource version".
   * A plain watch from such a version is accepted and waits silently: it gets only newer events (cacheWatcher.process).
   */
  start(request: WatchRequest, res: ServerResponse): void {
    res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private", "Transfer-Encoding": "chunked" });
    res.flushHeaders();
    const rvParam = request.resourceVersion;
    const requested = /^\d+$/.test(rvParam) ? Number(rvParam) : 0;
    if (request.sendInitialEvents === true && requested > Number(this.store.currentResourceVersion())) {
      this.waitUntilFresh(requested, res, (fresh) => {
        if (fresh) this.begin(request, res);
        else this.writeStatusError(res, tooLargeResourceVersion(requested, Number(this.store.currentResourceVersion()), TOO_HIGH_RETRY_SECONDS).toStatus());
      });
      return;
    }
    this.begin(request, res);
  }

  /** Calls `done(true)` once the store reaches `rv`, or `done(false)` after the freshness timeout. */
  private waitUntilFresh(rv: number, res: ServerResponse, done: (fresh: boolean) => void): void {
    // `finish` runs from the callbacks below, never before they exist.
    const finish = (fresh: boolean | undefined): void => {
      if (!this.waiting.delete(giveUp)) return;
      clearTimeout(timer);
      unsubscribe();
      res.off("close", onClose);
      if (fresh !== undefined) done(fresh);
    };
    const giveUp = (): void => {
      finish(undefined);
      res.end();
    };
    const onClose = (): void => finish(undefined);
    this.waiting.add(giveUp);
    res.on("close", onClose);
    const timer = setTimeout(() => finish(false), this.freshnessTimeoutMs);
    const unsubscribe = this.store.subscribe(() => {
      if (Number(this.store.currentResourceVersion()) >= rv) finish(true);
    });
  }

  private begin(request: WatchRequest, res: ServerResponse): void {
    const rvParam = request.resourceVersion;
    const fromRv = rvParam === "" || rvParam === "0" ? Number(this.store.currentResourceVersion()) : Number(rvParam);
    const watcher: Watcher = { request, res, fromRv, timeout: undefined, closed: false, eventsSent: 0, endDue: undefined };
    if (request.resetAfterEvents === 0) {
      resetWhenFlushed(res);
      return;
    }

    if (rvParam === "" || rvParam === "0" || request.sendInitialEvents === true) {
      // "Get state and start at most recent": synthetic ADDED events for what exists, then the changes.
      for (const obj of this.store.scan(request.info.storage, request.namespace)) {
        if (this.matches(request, obj)) this.writeEvent(watcher, "ADDED", obj);
      }
      if (request.sendInitialEvents === true && request.allowBookmarks) this.writeBookmark(watcher, true);
    } else {
      if (!/^\d+$/.test(rvParam)) {
        this.writeError(watcher, 400, "BadRequest", `invalid resource version "${rvParam}"`);
        return;
      }
      const backlog = this.store.history.since(fromRv);
      if (!backlog) {
        this.writeExpired(watcher, rvParam);
        return;
      }
      for (const event of backlog) {
        if (event.resource === request.info.storage) this.deliver(watcher, event, new Map());
      }
    }
    if (watcher.closed) return;

    let set = this.watchers.get(request.info.storage);
    if (!set) {
      set = new Set();
      this.watchers.set(request.info.storage, set);
    }
    set.add(watcher);
    res.on("close", () => this.detach(watcher));
    if (request.timeoutSeconds !== undefined && request.timeoutSeconds > 0) {
      watcher.timeout = setTimeout(() => this.end(watcher, true), request.timeoutSeconds * 1000);
    }
    if (request.allowBookmarks) this.ensureBookmarkTimer();
  }

  /** Ends every open watch (the "drop watches" fault, and shutdown). `abort` resets the connections instead. */
  dropAll(abort = false): number {
    let n = 0;
    for (const set of this.watchers.values()) {
      for (const w of [...set]) {
        n++;
        if (abort) {
          this.detach(w);
          w.res.socket?.resetAndDestroy();
        } else this.end(w, false);
      }
    }
    return n;
  }

  /** Ends the watches on one resource (its CRD was deleted). */
  closeResource(storage: string): void {
    for (const w of [...(this.watchers.get(storage) ?? [])]) this.end(w, false);
  }

  /**
   * The black hole begins: open watches go quiet, as streams from a hung server do. Events keep being recorded
   * in the store's history; nothing is written.
   */
  silence(): void {
    this.silent = true;
  }

  /**
   * The black hole is lifted: each watch catches up from the history with what it missed (or gets 410 Expired
   * when the history no longer reaches back), then any end that fell due meanwhile is carried out.
   */
  unsilence(): void {
    if (!this.silent) return;
    this.silent = false;
    for (const set of [...this.watchers.values()]) {
      for (const w of [...set]) this.catchUp(w);
    }
  }

  get silenced(): boolean {
    return this.silent;
  }

  close(): void {
    this.silent = false;
    this.dropAll();
    this.unsubscribe();
    if (this.bookmarkTimer) clearInterval(this.bookmarkTimer);
    this.bookmarkTimer = undefined;
    for (const giveUp of [...this.waiting]) giveUp();
  }

  private onEvent(event: StoreEvent): void {
    const set = this.watchers.get(event.resource);
    if (!set || set.size === 0) return;
    const lines = new Map<string, Buffer>();
    for (const w of set) this.deliver(w, event as HistoryEvent, lines);
    if (lines.size > 0) this.stats.events++;
  }

  private matches(request: WatchRequest, obj: KubeObject | undefined): boolean {
    if (!obj) return false;
    if (request.namespace !== undefined && obj.metadata?.namespace !== request.namespace) return false;
    if (request.labels && !request.labels(obj)) return false;
    if (request.fields && !request.fields(obj)) return false;
    return true;
  }

  /** Sends one store event to one watcher, translated by its selectors; `lines` caches bytes per view. */
  private deliver(w: Watcher, event: HistoryEvent | StoreEvent, lines: Map<string, Buffer>): void {
    if (w.closed || this.silent) return;
    const rv = Number(event.object.metadata?.resourceVersion ?? 0);
    if (rv <= w.fromRv) return;
    w.fromRv = rv;
    const now = this.matches(w.request, event.object);
    const was = event.type === "ADDED" ? false : this.matches(w.request, event.previous);
    if (!now && !was) return;
    let type: string;
    if (event.type !== "MODIFIED") type = event.type;
    else if (now && was) type = "MODIFIED";
    else type = now ? "ADDED" : "DELETED";
    if (w.request.table) {
      this.writeEvent(w, type, event.object);
      return;
    }
    const key = `${type} ${w.request.info.key} ${w.request.version}`;
    let line = lines.get(key);
    if (!line) {
      line = Buffer.from(`{"type":"${type}","object":${presentJson(w.request.info, w.request.version, event.object)}}\n`);
      lines.set(key, line);
    }
    this.writeLine(w, line);
    this.countEvent(w);
  }

  private writeEvent(w: Watcher, type: string, obj: KubeObject): void {
    const { info, version, table } = w.request;
    const body = table
      ? JSON.stringify(toTable(info, version, [obj], { resourceVersion: obj.metadata?.resourceVersion }, { now: this.store.clock.now(), includeObject: table.includeObject }))
      : presentJson(info, version, obj);
    this.writeLine(w, `{"type":"${type}","object":${body}}\n`);
    this.countEvent(w);
  }

  /** The reset fault: after the Nth event, the connection is reset instead of carrying on. */
  private countEvent(w: Watcher): void {
    const limit = w.request.resetAfterEvents;
    if (limit === undefined || w.closed || ++w.eventsSent < limit) return;
    this.detach(w);
    resetWhenFlushed(w.res);
  }

  /**
   * A watch from a version the history no longer reaches: an ERROR event carrying a 410 Expired Status inside
   * the 200 stream, and the end. Mirrors Kubernetes 1.32 apiserver storage/cacher: watch_cache.go
   * getAllEventsSinceLocked refuses a version below the oldest it can serve ("too old resource version: %d
   * (%d)", naming that oldest version), and cacher.go Watch returns the error through newErrWatcher, so the
   * response is still 200. After an API server restart the oldest is the version of the cache's initial list.
   */
  private writeExpired(w: Watcher, rv: string): void {
    const status = expired(`too old resource version: ${rv} (${this.store.history.compactedThrough})`).toStatus();
    this.writeLine(w, JSON.stringify({ type: "ERROR", object: status }) + "\n");
    this.detach(w);
    w.res.end();
  }

  private catchUp(w: Watcher): void {
    if (w.closed) return;
    const backlog = this.store.history.since(w.fromRv);
    if (!backlog) {
      this.writeExpired(w, String(w.fromRv));
      return;
    }
    for (const event of backlog) {
      if (event.resource === w.request.info.storage) this.deliver(w, event, new Map());
    }
    if (w.endDue) this.end(w, w.endDue === "timeout");
  }

  private writeBookmark(w: Watcher, initialEventsEnd = false): void {
    const { info, version } = w.request;
    const current = Number(this.store.currentResourceVersion());
    // A watch from a version the store has not reached gets no bookmark until it has: the cache's bookmarks carry
    // its own version, and cacheWatcher.process sends nothing older than what the watch asked for.
    if (current < w.fromRv) return;
    const metadata: Record<string, unknown> = { resourceVersion: String(current) };
    if (initialEventsEnd) metadata.annotations = { [INITIAL_EVENTS_END]: "true" };
    this.writeLine(w, JSON.stringify({ type: "BOOKMARK", object: { kind: info.kind, apiVersion: apiVersionOf(info.group, version), metadata } }) + "\n");
  }

  /** One ERROR event and the end of the stream: how a watch fails once it has started (newErrWatcher). */
  private writeStatusError(res: ServerResponse, status: object): void {
    if (!res.writableEnded) res.end(JSON.stringify({ type: "ERROR", object: status }) + "\n");
  }

  private writeError(w: Watcher, code: number, reason: string, message: string): void {
    this.writeLine(w, JSON.stringify({ type: "ERROR", object: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code } }) + "\n");
    w.res.end();
  }

  private writeLine(w: Watcher, line: string | Buffer): void {
    if (w.closed || w.res.writableEnded) return;
    w.res.write(line);
    this.stats.writes++;
    if (w.res.writableLength > this.maxBufferedBytes) {
      this.stats.slowDropped++;
      this.end(w, false);
    }
  }

  private end(w: Watcher, timedOut: boolean): void {
    if (w.closed) return;
    if (this.silent) {
      w.endDue = w.endDue === "timeout" || timedOut ? "timeout" : "end";
      return;
    }
    // A watch that ends on its timeout tells the client how far it got, so the next one resumes without a gap.
    if (timedOut && w.request.allowBookmarks) this.writeBookmark(w);
    this.detach(w);
    w.res.end();
  }

  private detach(w: Watcher): void {
    if (w.closed) return;
    w.closed = true;
    if (w.timeout) clearTimeout(w.timeout);
    const set = this.watchers.get(w.request.info.storage);
    set?.delete(w);
    if (set?.size === 0) this.watchers.delete(w.request.info.storage);
    if (this.size === 0 && this.bookmarkTimer) {
      clearInterval(this.bookmarkTimer);
      this.bookmarkTimer = undefined;
    }
  }

  private ensureBookmarkTimer(): void {
    if (this.bookmarkTimer) return;
    this.bookmarkTimer = setInterval(() => {
      if (this.silent) return;
      for (const set of this.watchers.values()) for (const w of set) if (w.request.allowBookmarks) this.writeBookmark(w);
    }, this.bookmarkIntervalMs);
  }
}
