// The clocks: the manual one runs due timers in order as time is advanced; the scaled one runs timeScale times
// faster than the wall clock.
import { ManualClock, ScaledClock } from "../../../src/sim/kubelet/index.js";

test("ManualClock runs due timers in time order, ties in scheduling order, and only when advanced", () => {
  const clock = new ManualClock(1000);
  const log: string[] = [];
  clock.schedule(() => log.push(`b@${clock.now()}`), 200);
  clock.schedule(() => log.push(`a@${clock.now()}`), 100);
  clock.schedule(() => log.push(`c@${clock.now()}`), 200);
  expect(log).toEqual([]);
  expect(clock.pending()).toBe(3);
  clock.advance(150);
  expect(log).toEqual(["a@1100"]);
  expect(clock.now()).toBe(1150);
  clock.advance(1000);
  expect(log).toEqual(["a@1100", "b@1200", "c@1200"]);
  expect(clock.now()).toBe(2150);
  expect(clock.pending()).toBe(0);
});

test("ManualClock runs timers scheduled by callbacks within the same advance when they fall due", () => {
  const clock = new ManualClock(0);
  const log: number[] = [];
  const tick = (): void => {
    log.push(clock.now());
    if (log.length < 5) clock.schedule(tick, 10);
  };
  clock.schedule(tick, 10);
  clock.advance(35);
  expect(log).toEqual([10, 20, 30]);
  clock.advance(0);
  expect(log).toEqual([10, 20, 30]);
  clock.advance(100);
  expect(log).toEqual([10, 20, 30, 40, 50]);
});

test("ManualClock cancellation is idempotent and keeps the pending count right", () => {
  const clock = new ManualClock(0);
  let fired = 0;
  const cancel = clock.schedule(() => fired++, 10);
  clock.schedule(() => fired++, 20);
  cancel();
  cancel();
  expect(clock.pending()).toBe(1);
  expect(clock.nextDue()).toBe(20);
  clock.advance(100);
  expect(fired).toBe(1);
  expect(clock.pending()).toBe(0);
  expect(clock.nextDue()).toBeUndefined();
  expect(() => clock.advance(-1)).toThrow(/non-negative/);
});

test("ManualClock keeps order across many timers (heap)", () => {
  const clock = new ManualClock(0);
  const fired: number[] = [];
  const delays = Array.from({ length: 500 }, (_, i) => (i * 7919) % 1000);
  for (const d of delays) clock.schedule(() => fired.push(clock.now()), d);
  clock.advance(1000);
  expect(fired).toEqual([...delays].sort((a, b) => a - b));
});

test("ScaledClock runs timeScale simulated seconds per real second", async () => {
  const clock = new ScaledClock(1000, Date.UTC(2025, 0, 1));
  expect(clock.now()).toBeGreaterThanOrEqual(Date.UTC(2025, 0, 1));
  const realStart = Date.now();
  // Ten simulated seconds are ten real milliseconds.
  await new Promise<void>((resolve) => clock.schedule(resolve, 10_000));
  const realElapsed = Date.now() - realStart;
  expect(realElapsed).toBeLessThan(1000);
  expect(clock.now() - Date.UTC(2025, 0, 1)).toBeGreaterThanOrEqual(10_000);
  expect(clock.pending()).toBe(0);
  const cancel = clock.schedule(() => undefined, 60_000);
  expect(clock.pending()).toBe(1);
  cancel();
  expect(clock.pending()).toBe(0);
  expect(() => new ScaledClock(0)).toThrow(/time scale/);
});
