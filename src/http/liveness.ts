// Liveness of the event loop. A loop blocked for good answers no request, so the kubelet's probe times out on
// its own; what that misses is a loop that is blocked again and again, between stalls just long enough to answer.
// A heartbeat timer measures how late it fires: /healthz fails while a stall longer than `maxStallMs` was seen
// within the last `windowMs`, and while the heartbeat itself is overdue by that much.

export interface WatchdogOptions {
  /** Heartbeat period. Default 1 s. */
  intervalMs?: number;
  /** A heartbeat later than this is a stall. Default 5 s: no healthy GC pause comes near it. */
  maxStallMs?: number;
  /** How long a stall keeps /healthz failing after it ended. Default 30 s: across three 10-second probes. */
  windowMs?: number;
  /** A monotonic clock, ms. Default performance.now. */
  now?: () => number;
}

export interface Liveness {
  ok: boolean;
  /** For the response body: what failed, or "ok". */
  detail: string;
}

export class EventLoopWatchdog {
  readonly intervalMs: number;
  readonly maxStallMs: number;
  readonly windowMs: number;
  private readonly now: () => number;
  private last: number;
  private stall: { ms: number; at: number } | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(options: WatchdogOptions = {}) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.maxStallMs = options.maxStallMs ?? 5000;
    this.windowMs = options.windowMs ?? 30_000;
    this.now = options.now ?? (() => performance.now());
    this.last = this.now();
  }

  /** Starts the heartbeat; its timer never keeps the process alive. */
  start(): void {
    if (this.timer) return;
    this.last = this.now();
    this.timer = setInterval(() => this.beat(this.now()), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One heartbeat at time `t`: records how late it came. */
  beat(t: number): void {
    const late = t - this.last - this.intervalMs;
    if (late > this.maxStallMs) this.stall = { ms: late, at: t };
    this.last = t;
  }

  check(t: number = this.now()): Liveness {
    const overdue = t - this.last - this.intervalMs;
    if (overdue > this.maxStallMs) return { ok: false, detail: `event loop heartbeat overdue by ${Math.round(overdue)}ms` };
    if (this.stall !== null && t - this.stall.at <= this.windowMs) {
      return { ok: false, detail: `event loop stalled for ${Math.round(this.stall.ms)}ms ${Math.round(t - this.stall.at)}ms ago` };
    }
    return { ok: true, detail: "ok" };
  }
}
