// Probe, warning, kill and hook events folded into totals and history, across relists and operator restarts.
import { foldCounts, type Counts } from "../../src/report/counts.js";
import type { CoreEvent, ReportOptions } from "../../src/report/index.js";
import type { Pod } from "../../src/status/types.js";
import { event, liveness, OPTIONS, pod, readiness, roundTrip, startup, T0 } from "./fixtures.js";

/** Each step is one build with the events the informer cache holds then; memory is only the previous status. */
function fold(steps: CoreEvent[][], options: ReportOptions = OPTIONS, subject: Pod = pod()): Counts {
  let previous: Counts | null = null;
  steps.forEach((events, i) => {
    const counts = foldCounts({ pod: subject, events, previous: previous && roundTrip(previous), now: new Date(T0 + i * 1000), options });
    previous = counts;
  });
  if (previous === null) throw new Error("no steps");
  return previous;
}

const totals = (c: Counts) => {
  const { history: _history, ...rest } = c.probeFailures;
  return rest;
};
const zero = { total: 0, liveness: 0, readiness: 0, startup: 0, hooks: 0, warnings: 0 };

describe("probe failures from events", () => {
  const cases: Array<{ name: string; steps: CoreEvent[][]; want: Partial<typeof zero> }> = [
    {
      name: "liveness seen at count 1, then 3, then 3 again (relist), then replayed after a restart",
      steps: [[liveness("e1", 1)], [liveness("e1", 3)], [liveness("e1", 3)], [liveness("e1", 3)]],
      want: { total: 3, liveness: 3 },
    },
    {
      name: "a stale observation after a newer one counts nothing",
      steps: [[liveness("e1", 5)], [liveness("e1", 2)], [liveness("e1", 5)]],
      want: { total: 5, liveness: 5 },
    },
    {
      name: "two events in one list, in either order, with a duplicate",
      steps: [[readiness("r1", 2), liveness("e1", 3), readiness("r1", 2)], [liveness("e1", 3), readiness("r1", 2)]],
      want: { total: 5, liveness: 3, readiness: 2 },
    },
    {
      name: "the same two events the other way round",
      steps: [[liveness("e1", 3), readiness("r1", 2)], [readiness("r1", 2), liveness("e1", 3)]],
      want: { total: 5, liveness: 3, readiness: 2 },
    },
    {
      name: "Killing after a liveness failure is history, not another failure",
      steps: [[liveness("e1", 3), event({ uid: "k1", reason: "Killing", message: "Container app failed liveness probe, will be restarted", last: 3 })]],
      want: { total: 3, liveness: 3 },
    },
    {
      name: "Killing that is not about a probe is ignored",
      steps: [[event({ uid: "k1", reason: "Killing", message: "Stopping container app" })]],
      want: {},
    },
    {
      name: "readiness and startup failures count under their probes",
      steps: [[readiness("r1", 4), startup("s1", 2)]],
      want: { total: 6, readiness: 4, startup: 2 },
    },
    {
      name: "a probe warning is a warning, not a failure",
      steps: [[event({ uid: "w1", reason: "ProbeWarning", message: "Readiness probe warning: Probe terminated redirects", count: 2 })]],
      want: { warnings: 2 },
    },
    {
      name: "postStart and preStop hook failures count as hooks, not probes",
      steps: [[
        event({ uid: "h1", reason: "FailedPostStartHook", message: "PostStartHook failed" }),
        event({ uid: "h2", reason: "FailedPreStopHook", message: "PreStopHook failed", count: 2 }),
      ]],
      want: { hooks: 3 },
    },
    {
      name: "events of an older pod with the same name do not count",
      steps: [[event({ uid: "old", reason: "Unhealthy", message: "Liveness probe failed: x", count: 9, podUID: "older-pod" })]],
      want: {},
    },
    {
      name: "an event that disappears (expired) keeps its count",
      steps: [[liveness("e1", 4)], []],
      want: { total: 4, liveness: 4 },
    },
  ];
  test.each(cases)("$name", ({ steps, want }) => {
    expect(totals(fold(steps))).toEqual({ ...zero, ...want });
  });

  test("history entries carry time, container, probe, reason, message and count", () => {
    const c = fold([
      [liveness("e1", 1)],
      [liveness("e1", 3), event({ uid: "k1", reason: "Killing", message: "Container app failed liveness probe, will be restarted", last: 4 })],
      [event({ uid: "h1", reason: "FailedPreStopHook", message: "PreStopHook failed", container: "sidecar", last: 5 })],
    ]);
    expect(c.probeFailures.history).toEqual([
      { time: "2025-03-01T10:00:05Z", container: "sidecar", probe: "hook", reason: "FailedPreStopHook", message: "PreStopHook failed", count: 1 },
      { time: "2025-03-01T10:00:04Z", container: "app", probe: "liveness", reason: "Killing", message: "Container app failed liveness probe, will be restarted", count: 1 },
      { time: "2025-03-01T10:00:03Z", container: "app", probe: "liveness", reason: "Unhealthy", message: "Liveness probe failed: HTTP probe failed with statuscode: 500", count: 3 },
    ]);
  });

  test("init container events name the init container", () => {
    const c = fold([[event({ uid: "i1", reason: "Unhealthy", message: "Startup probe failed: x", container: "migrate", init: true })]]);
    expect(c.probeFailures.history[0].container).toBe("migrate");
  });

  test("history keeps the N newest entries, newest first, with truncated messages", () => {
    const options = { ...OPTIONS, historySize: 3, maxMessageLength: 30 };
    const events = [1, 2, 3, 4, 5].map((i) =>
      event({ uid: `e${i}`, reason: "Unhealthy", message: `Liveness probe failed #${i}: ${"body ".repeat(40)}`, last: i }),
    );
    const c = fold([events.slice(0, 2), events], options);
    expect(c.probeFailures.history.map((h) => h.message)).toEqual([
      "Liveness probe failed #5: bod…",
      "Liveness probe failed #4: bod…",
      "Liveness probe failed #3: bod…",
    ]);
    expect(c.probeFailures.history.map((h) => Array.from(h.message).length)).toEqual([30, 30, 30]);
    expect(c.probeFailures.liveness).toBe(5);
  });

  test("failures whose truncated messages are equal fold into one entry", () => {
    const options = { ...OPTIONS, maxMessageLength: 24 };
    const events = [1, 2, 3].map((i) => event({ uid: `e${i}`, reason: "Unhealthy", message: `Liveness probe failed: attempt ${i}`, last: i }));
    expect(fold([events], options).probeFailures.history).toEqual([
      { time: "2025-03-01T10:00:03Z", container: "app", probe: "liveness", reason: "Unhealthy", message: "Liveness probe failed: …", count: 3 },
    ]);
  });

  test("a replay changes nothing at all, bookkeeping included", () => {
    const events = [liveness("e1", 3), readiness("r1", 2), event({ uid: "w1", reason: "ProbeWarning", message: "Liveness probe warning: slow" })];
    const once = fold([events]);
    expect(fold([events, events, [...events].reverse()])).toEqual(once);
  });

  describe("with few cursors, evicted events fall under the marks", () => {
    const options = { ...OPTIONS, eventCursorLimit: 2 };
    const a = liveness("a", 1, 1);
    const b = liveness("b", 1, 2);
    const c = liveness("c", 1, 3);
    test.each([
      { name: "all three at once, then replayed", steps: [[a, b, c], [c, b, a]], want: 3 },
      { name: "one by one, then all replayed", steps: [[a], [b], [c], [a, b, c]], want: 3 },
      { name: "the evicted one replayed alone after a restart", steps: [[a, b, c], [a]], want: 3 },
      { name: "a kept one grows", steps: [[a, b, c], [liveness("c", 4, 9)]], want: 6 },
    ])("$name", ({ steps, want }) => {
      const counts = fold(steps, options);
      expect(counts.probeFailures.liveness).toBe(want);
      expect(counts.tracking.events.map((e) => e.name)).toEqual(["web-0.c", "web-0.b"]);
      expect(counts.tracking.eventsCountedUntil).toBe("2025-03-01T10:00:01Z");
      expect(counts.tracking.eventsNamedUntil).toBe("web-0.a");
    });
  });
});
