// The token bucket behind client-go's event spam filter: flowcontrol.NewTokenBucketPassiveRateLimiterWithClock
// (client-go 1.32 util/flowcontrol/throttle.go), which is golang.org/x/time/rate v0.7.0's Limiter asked
// `AllowN(now, 1)`. Pure: time comes in as a parameter.
//
// What the simulation must get exactly right, from rate.go:
// - a new limiter's last update is the zero time, so its first call finds the bucket full (burst tokens);
// - tokens refill continuously at `qps` per second, capped at burst;
// - a refused call changes nothing (reserveN only stores state when it grants), so refusals do not push the
//   refill back; a granted call stores the refilled count minus one and its time.
// client-go passes qps as a float32: 1/300 becomes 0.0033333334, so exactly 300 s refill a little over one token.

export class TokenBucket {
  private tokens = 0;
  /** Epoch ms of the last granted call; -Infinity plays Go's zero time. */
  private last = -Infinity;
  private readonly perSecond: number;

  constructor(
    qps: number,
    private readonly burst: number,
  ) {
    if (!(qps > 0) || !Number.isFinite(qps)) throw new Error(`token bucket qps must be a positive number, got ${qps}`);
    if (!Number.isInteger(burst) || burst < 1) throw new Error(`token bucket burst must be a positive integer, got ${burst}`);
    this.perSecond = Math.fround(qps);
  }

  /** rate.Limiter.AllowN(now, 1): takes a token if one is there at `nowMs`. */
  tryAccept(nowMs: number): boolean {
    // advance(): a clock that went backwards counts as no time passed.
    const last = nowMs < this.last ? nowMs : this.last;
    const refilled = Math.min(this.burst, this.tokens + ((nowMs - last) / 1000) * this.perSecond);
    const left = refilled - 1;
    // reserveN with maxFutureReserve 0: granted when the wait, truncated to whole nanoseconds as Go's Duration
    // conversion does, is zero.
    const waitNs = left < 0 ? Math.trunc((-left / this.perSecond) * 1e9) : 0;
    if (waitNs > 0) return false;
    this.tokens = left;
    this.last = nowMs;
    return true;
  }

  /** Tokens available at `nowMs` (for tests and diagnostics). */
  available(nowMs: number): number {
    const last = nowMs < this.last ? nowMs : this.last;
    return Math.min(this.burst, this.tokens + ((nowMs - last) / 1000) * this.perSecond);
  }
}
