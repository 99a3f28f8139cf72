import { EventLoopWatchdog } from "../../src/http/liveness.js";

describe("EventLoopWatchdog", () => {
  const make = (): { w: EventLoopWatchdog; at: { t: number } } => {
    const at = { t: 0 };
    return { w: new EventLoopWatchdog({ intervalMs: 100, maxStallMs: 500, windowMs: 2_000, now: () => at.t }), at };
  };

  it("is live while heartbeats come on time, late ones within the allowance included", () => {
    const { w } = make();
    for (let t = 100; t <= 1_000; t += 100) w.beat(t);
    w.beat(1_550); // 450 ms late: not a stall
    expect(w.check(1_560)).toEqual({ ok: true, detail: "ok" });
  });

  it("fails for the window after a stall longer than the allowance, then recovers", () => {
    const { w } = make();
    w.beat(100);
    w.beat(800); // 600 ms late
    expect(w.check(810).ok).toBe(false);
    expect(w.check(810).detail).toMatch(/stalled for 600ms/);
    for (let t = 900; t <= 2_700; t += 100) w.beat(t);
    expect(w.check(2_700).ok).toBe(false); // 1.9 s after the stall: still inside the window
    w.beat(2_800);
    w.beat(2_900);
    expect(w.check(2_900).ok).toBe(true);
  });

  it("fails while the heartbeat itself is overdue", () => {
    const { w } = make();
    w.beat(100);
    expect(w.check(650).ok).toBe(true);
    expect(w.check(800)).toEqual({ ok: false, detail: "event loop heartbeat overdue by 600ms" });
  });
});
