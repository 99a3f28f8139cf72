// Faults on demand, for testing how a client copes with a misbehaving API server: dropped watches, failing
// requests, latency, compaction (410 Gone), a pause, connections reset mid-response, and the server itself going
// away (down, restart, black hole: see outage.ts). Failures and resets are decided when a request arrives, in
// arrival order, so a test that says "fail the next 2 lists" gets exactly the next two lists that reach the server.
import type { EventEmitter } from "node:events";
import { systemClock, type SimClock } from "./clock.js";
import type { ListenerControl } from "./listener.js";
import { Outages, type BlackHoleOptions, type DownOptions, type OutageState, type RestartOptions } from "./outage.js";
import type { MemoryStore } from "./store.js";
import type { WatchHub } from "./watch.js";
import { ApiError, type StatusReason } from "./errors.js";

export interface RequestMatch {
  /** HTTP method, case-insensitive. */
  method?: string;
  /** A regular expression (or its source) tested against the URL path. */
  path?: string | RegExp;
  /** true: only watch requests; false: only non-watch requests; absent: both. */
  watch?: boolean;
}

export interface FailureSpec extends RequestMatch {
  /** 500, 503 or 429 (any 4xx/5xx is accepted). Default 500. */
  status?: number;
  /** Sent as Retry-After (and in the Status details); for 429 defaults to 1. */
  retryAfterSeconds?: number;
}

export interface ResetSpec extends RequestMatch {
  /** For a response: body bytes sent before the reset (at most all but the last). Default: half the body. */
  afterBytes?: number;
  /** For a watch: events sent before the reset (0: right after the headers). Default 1. */
  afterEvents?: number;
}

/** How the connection of a request picked by the reset fault is cut. */
export interface ResetPlan {
  afterBytes: number | undefined;
  afterEvents: number;
}

export interface RequestInfo {
  method: string;
  path: string;
  watch: boolean;
}

interface Rule<S> {
  remaining: number;
  spec: S;
  path: RegExp | undefined;
}

export interface FaultState extends OutageState {
  paused: boolean;
  latencyMs: number;
  pendingFailures: Array<FailureSpec & { remaining: number }>;
  pendingResets: Array<ResetSpec & { remaining: number }>;
  /** Requests failed or reset so far. */
  injected: number;
}

export interface FaultsOptions {
  /** Lets down, restart and the black hole act on the listening socket. */
  listener?: ListenerControl;
  /** The clock fault durations run on (`forMs`). Default: the wall clock. */
  clock?: SimClock;
}

const REASONS: Record<number, StatusReason> = { 429: "TooManyRequests", 500: "InternalError", 503: "ServiceUnavailable", 504: "Timeout" };

function toRegExp(path: string | RegExp | undefined): RegExp | undefined {
  if (path === undefined) return undefined;
  return typeof path === "string" ? new RegExp(path) : path;
}

function matches(match: RequestMatch, path: RegExp | undefined, req: RequestInfo): boolean {
  if (match.method && match.method.toUpperCase() !== req.method.toUpperCase()) return false;
  if (match.watch !== undefined && match.watch !== req.watch) return false;
  return path ? path.test(req.path) : true;
}

function takeRule<S extends RequestMatch>(rules: Array<Rule<S>>, req: RequestInfo): S | undefined {
  const index = rules.findIndex((r) => matches(r.spec, r.path, req));
  if (index < 0) return undefined;
  const rule = rules[index];
  if (--rule.remaining === 0) rules.splice(index, 1);
  return rule.spec;
}

function checkCount(what: string, count: number): void {
  if (!Number.isInteger(count) || count < 1) throw new Error(`${what}: count must be a positive integer, got ${count}`);
}

function checkOptionalCount(what: string, name: string, n: number | undefined): void {
  if (n !== undefined && (!Number.isInteger(n) || n < 0)) throw new Error(`${what}: ${name} must be a non-negative integer, got ${n}`);
}

/** What the server does with a request before serving it: wait, and perhaps fail it or cut it short. */
export interface Gate {
  delayMs: number;
  error: ApiError | undefined;
  retryAfterSeconds: number | undefined;
  reset: ResetPlan | undefined;
}

export class Faults {
  private readonly rules: Array<Rule<FailureSpec>> = [];
  private readonly resets: Array<Rule<ResetSpec>> = [];
  private latency: { ms: number; match: RequestMatch; path: RegExp | undefined } = { ms: 0, match: {}, path: undefined };
  private pausedWaiters: Array<() => void> | undefined;
  private injected = 0;
  private readonly outages: Outages;

  constructor(
    private readonly store: MemoryStore,
    private readonly hub: WatchHub,
    options: FaultsOptions = {},
  ) {
    this.outages = new Outages(store, hub, options.listener, options.clock ?? systemClock);
  }

  /** Closes every open watch connection; `abort: true` resets them instead of ending them cleanly. */
  dropWatches(options: { abort?: boolean } = {}): number {
    return this.hub.dropAll(options.abort === true);
  }

  /** Fails the next `count` requests that match with `status` (default 500). Rules queue in call order. */
  failNext(count: number, spec: FailureSpec = {}): void {
    checkCount("failNext", count);
    const status = spec.status ?? 500;
    if (status < 400 || status > 599) throw new Error(`failNext: status must be 4xx or 5xx, got ${status}`);
    this.rules.push({ remaining: count, spec: { ...spec, status }, path: toRegExp(spec.path) });
  }

  /**
   * Resets the connection (RST) in the middle of the next `count` matching requests: a response after some of
   * its body was sent (the client sees a truncated body), a watch after `afterEvents` events. A request that a
   * failure rule also matches fails instead, and keeps the reset for a later one.
   */
  resetNext(count: number, spec: ResetSpec = {}): void {
    checkCount("resetNext", count);
    checkOptionalCount("resetNext", "afterBytes", spec.afterBytes);
    checkOptionalCount("resetNext", "afterEvents", spec.afterEvents);
    this.resets.push({ remaining: count, spec: { ...spec }, path: toRegExp(spec.path) });
  }

  /**
   * The API server goes down: the listener closes (connects get ECONNREFUSED) and every open connection, watches
   * included, is cut. The store is untouched; it comes back on the same port after `forMs` or on `up()`.
   * Resolves once it is down.
   */
  down(options: DownOptions = {}): Promise<void> {
    return this.outages.down(options);
  }

  /** Brings a down server back now; resolves once it listens again. */
  up(): Promise<void> {
    return this.outages.up();
  }

  /** Resolves once the server is up (at once when it is). */
  whenUp(): Promise<void> {
    return this.outages.whenUp();
  }

  /**
   * Down, then back (after `forMs`, default at once) without its watch cache: watches from any version before
   * the restart get 410 Expired, and so do paged-list continue tokens unless `keepEtcdHistory`. Lists without a
   * version (or "0") work; resourceVersions keep rising across it. Resolves once down.
   */
  restart(options: RestartOptions = {}): Promise<void> {
    return this.outages.restart(options);
  }

  /**
   * A hung server: connections are still accepted, but no request is answered and open watches fall silent (no
   * events, no bookmarks) until it is lifted, after `forMs` or by `liftBlackHole()`. The /sim admin API keeps
   * answering, so that it can be lifted.
   */
  blackHole(options: BlackHoleOptions = {}): void {
    this.outages.blackHole(options);
  }

  liftBlackHole(): void {
    this.outages.liftBlackHole();
  }

  /** Resolves when the black hole (if any) lets this request through, or its connection closes. */
  whenReachable(res: Pick<EventEmitter, "once" | "off">): Promise<void> {
    return this.outages.hold(res);
  }

  /** Delays every matching request by `ms` (0 turns it off). */
  setLatency(ms: number, match: RequestMatch = {}): void {
    if (!(ms >= 0)) throw new Error(`setLatency: ms must be >= 0, got ${ms}`);
    this.latency = { ms, match, path: toRegExp(match.path) };
  }

  /** Compacts the watch history: watches and paged lists from any earlier version get 410 Gone. */
  compact(): string {
    return this.store.compact();
  }

  /** Holds every new request until `resume`. Open watch streams keep flowing. */
  pause(): void {
    this.pausedWaiters ??= [];
  }

  resume(): void {
    const waiters = this.pausedWaiters ?? [];
    this.pausedWaiters = undefined;
    for (const w of waiters) w();
  }

  get paused(): boolean {
    return this.pausedWaiters !== undefined;
  }

  /**
   * Clears failures, resets and latency, resumes, lifts a black hole and brings a down server back up (await
   * `whenUp()`); dropped watches, compactions and a restart's lost watch cache stay done.
   */
  reset(): void {
    this.rules.length = 0;
    this.resets.length = 0;
    this.latency = { ms: 0, match: {}, path: undefined };
    this.resume();
    this.outages.reset();
  }

  /** Clears everything and cancels every fault timer for good: the cluster is closing, nothing comes back up. */
  close(): void {
    this.rules.length = 0;
    this.resets.length = 0;
    this.latency = { ms: 0, match: {}, path: undefined };
    this.resume();
    this.outages.close();
  }

  state(): FaultState {
    return {
      paused: this.paused,
      latencyMs: this.latency.ms,
      pendingFailures: this.rules.map((r) => ({ ...r.spec, path: r.path?.source, remaining: r.remaining })),
      pendingResets: this.resets.map((r) => ({ ...r.spec, path: r.path?.source, remaining: r.remaining })),
      injected: this.injected,
      ...this.outages.state(),
    };
  }

  /** Decides, on arrival, what happens to a request. */
  gate(req: RequestInfo): Gate {
    const delayMs = this.latency.ms > 0 && matches(this.latency.match, this.latency.path, req) ? this.latency.ms : 0;
    const failure = takeRule(this.rules, req);
    if (!failure) {
      const reset = takeRule(this.resets, req);
      if (reset) this.injected++;
      const plan = reset ? { afterBytes: reset.afterBytes, afterEvents: reset.afterEvents ?? 1 } : undefined;
      return { delayMs, error: undefined, retryAfterSeconds: undefined, reset: plan };
    }
    this.injected++;
    const status = failure.status ?? 500;
    const retryAfterSeconds = failure.retryAfterSeconds ?? (status === 429 ? 1 : undefined);
    const reason = REASONS[status] ?? (status >= 500 ? "InternalError" : "BadRequest");
    const message =
      status === 429 ? "Too many requests, please try again later." : status === 503 ? "the server is currently unable to handle the request" : "Internal error occurred: injected fault";
    const details = retryAfterSeconds !== undefined ? { retryAfterSeconds } : undefined;
    return { delayMs, error: new ApiError(status, reason, message, details), retryAfterSeconds, reset: undefined };
  }

  /** Resolves when the server is not paused (at once when it is not). */
  whenResumed(): Promise<void> {
    const waiters = this.pausedWaiters;
    if (!waiters) return Promise.resolve();
    return new Promise((resolve) => waiters.push(resolve));
  }
}
