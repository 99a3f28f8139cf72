// The spam filter's token bucket against golang.org/x/time/rate v0.7.0 Limiter.AllowN(now, 1), as client-go 1.32's
// flowcontrol.NewTokenBucketPassiveRateLimiterWithClock(1/300, 25, clock) uses it.
import { TokenBucket } from "../../../../src/sim/kubelet/record/token-bucket.js";

const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);
const MIN = 60_000;

test("rate.Limiter.AllowN: a new limiter is full, grants burst calls at one instant, refuses the next", () => {
  const b = new TokenBucket(1 / 300, 25);
  const granted = Array.from({ length: 30 }, () => b.tryAccept(T0));
  expect(granted.filter(Boolean)).toHaveLength(25);
  expect(granted.indexOf(false)).toBe(25);
});

test("rate.Limiter.AllowN: one token comes back after 300 s (float32 qps rounds up), not before", () => {
  const b = new TokenBucket(1 / 300, 25);
  for (let i = 0; i < 25; i++) b.tryAccept(T0);
  expect(b.tryAccept(T0 + 299_999)).toBe(false);
  expect(b.tryAccept(T0 + 300_000)).toBe(true);
  expect(b.tryAccept(T0 + 300_000)).toBe(false);
  // The next token is measured from the grant, so it takes another full 5 minutes.
  expect(b.tryAccept(T0 + 599_999)).toBe(false);
  expect(b.tryAccept(T0 + 600_000)).toBe(true);
});

test("rate.Limiter.reserveN: a refused call stores nothing, so refusals do not push the refill back", () => {
  const b = new TokenBucket(1 / 300, 2);
  expect(b.tryAccept(T0)).toBe(true);
  expect(b.tryAccept(T0)).toBe(true);
  for (let t = T0; t < T0 + 5 * MIN; t += 10_000) expect(b.tryAccept(t)).toBe(false);
  expect(b.tryAccept(T0 + 5 * MIN)).toBe(true);
});

test("rate.Limiter.advance: refills cap at burst, and a clock that went back counts as no time", () => {
  const b = new TokenBucket(1 / 300, 3);
  b.tryAccept(T0);
  expect(b.available(T0 + 24 * 60 * MIN)).toBe(3);
  expect(b.available(T0 - MIN)).toBeCloseTo(2, 9);
});

test("bad parameters are refused with a clear error", () => {
  expect(() => new TokenBucket(0, 25)).toThrow(/qps/);
  expect(() => new TokenBucket(1, 0)).toThrow(/burst/);
});
