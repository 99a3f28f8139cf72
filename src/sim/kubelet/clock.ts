// Simulated time for the kubelet driver: a real clock that runs `timeScale` times faster than the wall clock, and a
// manual clock that tests advance explicitly. Scenario logic only ever asks these for "now" and for timers, so the
// same scenario runs deterministically in a test and at demo speed in the CLI.
//
// `now()` returns epoch milliseconds and `schedule` takes the callback first, like setTimeout: the same shape as the
// store's clock (src/sim/clock.ts) and the controller's Scheduler, so one ManualClock can drive all three in an
// end-to-end test.

export interface SimClock {
  /** Simulated milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` once after `delayMs` simulated milliseconds; the returned function cancels it. */
  schedule(fn: () => void, delayMs: number): () => void;
}

/** A clock whose pending timers can be counted, so tests can prove that stop() left nothing behind. */
export interface CountingClock extends SimClock {
  pending(): number;
}

/** Where simulated time starts when nobody says otherwise: a fixed instant keeps test output stable. */
export const DEFAULT_EPOCH = Date.UTC(2025, 0, 6, 9, 0, 0);

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * Time moves only when `advance` is called. Due timers run in time order (scheduling order breaks ties), and a
 * timer scheduled by a running callback runs in the same `advance` if it falls due within it.
 */
export class ManualClock implements CountingClock {
  private time: number;
  private seq = 0;
  private live = 0;
  // A binary min-heap on (at, seq): the mixed scenario keeps thousands of timers pending.
  private readonly heap: Timer[] = [];

  constructor(start: number = DEFAULT_EPOCH) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  schedule(fn: () => void, delayMs: number): () => void {
    const timer: Timer = { at: this.time + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false };
    this.push(timer);
    this.live++;
    return () => {
      if (timer.cancelled) return;
      timer.cancelled = true;
      this.live--;
    };
  }

  pending(): number {
    return this.live;
  }

  /** Moves time forward by `ms`, running every timer that falls due on the way, in order. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new Error(`ManualClock.advance: ms must be a non-negative number, got ${ms}`);
    this.advanceTo(this.time + ms);
  }

  advanceTo(target: number): void {
    for (;;) {
      const next = this.heap[0];
      if (next === undefined || next.at > target) break;
      this.pop();
      if (next.cancelled) continue;
      next.cancelled = true;
      this.live--;
      this.time = Math.max(this.time, next.at);
      next.fn();
    }
    this.time = Math.max(this.time, target);
  }

  /** The time the next live timer falls due, or undefined when none is pending. */
  nextDue(): number | undefined {
    while (this.heap[0]?.cancelled) this.pop();
    return this.heap[0]?.at;
  }

  private push(t: Timer): void {
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (last === undefined || h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l], h[m])) m = l;
      if (r < h.length && before(h[r], h[m])) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/**
 * Wall-clock time sped up by `timeScale`: with timeScale 10, ten simulated seconds pass per real second, so a 10 s
 * back-off is over in one real second. Simulated time starts at `start` (default: the real now).
 */
export class ScaledClock implements CountingClock {
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly realStart: number;
  private readonly simStart: number;

  constructor(
    readonly timeScale: number = 1,
    start?: number,
  ) {
    if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw new Error(`time scale must be a positive number, got ${timeScale}`);
    this.realStart = Date.now();
    this.simStart = start ?? this.realStart;
  }

  now(): number {
    return this.simStart + (Date.now() - this.realStart) * this.timeScale;
  }

  schedule(fn: () => void, delayMs: number): () => void {
    const handle = setTimeout(() => {
      this.timers.delete(handle);
      fn();
    }, Math.max(0, delayMs) / this.timeScale);
    this.timers.add(handle);
    return () => {
      clearTimeout(handle);
      this.timers.delete(handle);
    };
  }

  pending(): number {
    return this.timers.size;
  }
}

/** RFC3339 with second precision, as the API server writes metav1.Time. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** RFC3339 with microseconds, as metav1.MicroTime (events.k8s.io eventTime) is written. */
export function rfc3339Micro(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}
