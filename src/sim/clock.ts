// The simulated cluster's notion of "now". Tests and the kubelet driver pass a fake or time-scaled clock so
// that ages, deletion grace periods and timestamps follow simulated time rather than the wall clock. The shape
// matches the kubelet driver's clock (src/sim/kubelet/clock.ts), so one ManualClock can drive both.

export interface SimClock {
  /** Milliseconds since the epoch, as Date.now(). */
  now(): number;
  /** Runs `fn` once after `delayMs` of this clock's time; returns a cancel function. */
  schedule?(fn: () => void, delayMs: number): () => void;
}

/** The wall clock. Its timers are unref'd: a pending grace period must not keep a process alive. */
export const systemClock: SimClock = {
  now: () => Date.now(),
  schedule: (fn, delayMs) => {
    const timer = setTimeout(fn, Math.max(0, delayMs));
    timer.unref();
    return () => clearTimeout(timer);
  },
};

/**
 * The wall clock with timers that keep the process alive: fault durations run on it, because a `sim` whose API
 * server is down, and due back in 20 s, has nothing else holding its event loop open.
 */
export const wallClock: SimClock = {
  now: () => Date.now(),
  schedule: (fn, delayMs) => {
    const timer = setTimeout(fn, Math.max(0, delayMs));
    return () => clearTimeout(timer);
  },
};

/** Schedules on the clock when it can, else on the wall clock (a clock that only tells the time). */
export function scheduleOn(clock: SimClock, fn: () => void, delayMs: number): () => void {
  return clock.schedule ? clock.schedule(fn, delayMs) : (systemClock.schedule as NonNullable<SimClock["schedule"]>)(fn, delayMs);
}

/** RFC3339 with second precision, as the API server writes metav1.Time. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}
