// Faults on demand, for testing how a client copes with a misbehaving API server: dropped watches, failing
// requests, latency, compaction (410 Gone) and a pause. Failures are decided when a request arrives, in arrival
// order, so a test that says "fail the next 2 lists" gets exactly the next two lists that reach the server.
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

export interface RequestInfo {
  method: string;
  path: string;
  watch: boolean;
}

interface FailureRule {
  remaining: number;
  spec: FailureSpec;
  path: RegExp | undefined;
}

export interface FaultState {
  paused: boolean;
  latencyMs: number;
  pendingFailures: Array<FailureSpec & { remaining: number }>;
  injected: number;
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

/** What the server does with a request before serving it: wait, and perhaps fail it. */
export interface Gate {
  delayMs: number;
  error: ApiError | undefined;
  retryAfterSeconds: number | undefined;
}

export class Faults {
  private readonly rules: FailureRule[] = [];
  private latency: { ms: number; match: RequestMatch; path: RegExp | undefined } = { ms: 0, match: {}, path: undefined };
  private pausedWaiters: Array<() => void> | undefined;
  private injected = 0;

  constructor(
    private readonly store: MemoryStore,
    private readonly hub: WatchHub,
  ) {}

  /** Closes every open watch connection; `abort: true` resets them instead of ending them cleanly. */
  dropWatches(options: { abort?: boolean } = {}): number {
    return this.hub.dropAll(options.abort === true);
  }

  /** Fails the next `count` requests that match with `status` (default 500). Rules queue in call order. */
  failNext(count: number, spec: FailureSpec = {}): void {
    if (!Number.isInteger(count) || count < 1) throw new Error(`failNext: count must be a positive integer, got ${count}`);
    const status = spec.status ?? 500;
    if (status < 400 || status > 599) throw new Error(`failNext: status must be 4xx or 5xx, got ${status}`);
    this.rules.push({ remaining: count, spec: { ...spec, status }, path: toRegExp(spec.path) });
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

  /** Clears failures and latency and resumes; dropped watches and compactions stay done. */
  reset(): void {
    this.rules.length = 0;
    this.latency = { ms: 0, match: {}, path: undefined };
    this.resume();
  }

  state(): FaultState {
    return {
      paused: this.paused,
      latencyMs: this.latency.ms,
      pendingFailures: this.rules.map((r) => ({ ...r.spec, path: r.path?.source, remaining: r.remaining })),
      injected: this.injected,
    };
  }

  /** Decides, on arrival, what happens to a request. */
  gate(req: RequestInfo): Gate {
    const delayMs = this.latency.ms > 0 && matches(this.latency.match, this.latency.path, req) ? this.latency.ms : 0;
    const index = this.rules.findIndex((r) => matches(r.spec, r.path, req));
    if (index < 0) return { delayMs, error: undefined, retryAfterSeconds: undefined };
    const rule = this.rules[index];
    if (--rule.remaining === 0) this.rules.splice(index, 1);
    this.injected++;
    const status = rule.spec.status ?? 500;
    const retryAfterSeconds = rule.spec.retryAfterSeconds ?? (status === 429 ? 1 : undefined);
    const reason = REASONS[status] ?? (status >= 500 ? "InternalError" : "BadRequest");
    const message =
      status === 429 ? "Too many requests, please try again later." : status === 503 ? "the server is currently unable to handle the request" : "Internal error occurred: injected fault";
    const details = retryAfterSeconds !== undefined ? { retryAfterSeconds } : undefined;
    return { delayMs, error: new ApiError(status, reason, message, details), retryAfterSeconds };
  }

  /** Resolves when the server is not paused (at once when it is not). */
  whenResumed(): Promise<void> {
    const waiters = this.pausedWaiters;
    if (!waiters) return Promise.resolve();
    return new Promise((resolve) => waiters.push(resolve));
  }
}
