// Exact counting against what client-go's recorder really writes: the simulated kubelet's recorder (the 1.32
// correlator, aggregator and spam filter) writes probe failures into a store with the API server's event TTL,
// and the counting folds what a controller would see at random moments, each fold starting from the previous
// report as read back from the server (so every fold is also an operator restart and a relist). Whatever the
// sequence (repeats, TTL deletions and re-creations under the same name, `(combined from similar events)`,
// spam-filtered jumps), the total is the number of failures the events that reached the API server tell.
import fc from "fast-check";
import { foldCounts, type Counts } from "../../src/report/counts.js";
import type { CoreEvent, ReportOptions } from "../../src/report/index.js";
import { MemoryStore } from "../../src/sim/index.js";
import { ManualClock } from "../../src/sim/kubelet/clock.js";
import { EventRecorder } from "../../src/sim/kubelet/events.js";
import { Rng } from "../../src/sim/kubelet/random.js";
import { assertProperty } from "../property.js";
import { OPTIONS, pod, POD_UID, roundTrip, T0 } from "./fixtures.js";

type Action = { kind: "fail"; probe: "Liveness" | "Readiness" | "Startup"; message: number; afterSeconds: number } | { kind: "look" };

const PROBES = ["Liveness", "Readiness", "Startup"] as const;

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("fail" as const),
      probe: fc.constantFrom(...PROBES),
      message: fc.integer({ min: 0, max: 12 }),
      // Mostly a probe period apart, sometimes minutes, sometimes hours (past the event TTL).
      afterSeconds: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 30 }) }, { weight: 2, arbitrary: fc.integer({ min: 60, max: 900 }) }, { weight: 1, arbitrary: fc.integer({ min: 3_600, max: 8_000 }) }),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: "look" as const }) },
);

interface Run {
  counts: Counts;
  /** Per event name, the largest count any look saw. */
  seen: Map<string, number>;
}

function replay(actions: Action[], options: ReportOptions, seed: number): Run {
  const clock = new ManualClock(T0);
  const store = new MemoryStore({ clock, eventTtlSeconds: 3_600 });
  store.create("namespaces", { metadata: { name: "shop" } });
  const recorder = new EventRecorder(store, clock, new Rng(seed));
  const ref = { namespace: "shop", name: "web-0", uid: POD_UID };
  let previous: Counts | null = null;
  const seen = new Map<string, number>();
  const look = (): void => {
    const events = store.list("events", "shop") as CoreEvent[];
    for (const e of events) {
      const name = e.metadata?.name ?? "";
      seen.set(name, Math.max(seen.get(name) ?? 0, e.count ?? 1));
    }
    previous = foldCounts({ pod: pod(), events, previous: previous && roundTrip(previous), now: new Date(clock.now()), options });
  };
  for (const a of actions) {
    if (a.kind === "look") {
      look();
      continue;
    }
    clock.advance(a.afterSeconds * 1000);
    recorder.record(ref, { component: "kubelet", host: "node-1" }, "Warning", "Unhealthy", `${a.probe} probe failed: output ${a.message}`, "spec.containers{app}");
  }
  look();
  store.close();
  return { counts: previous!, seen };
}

const sum = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

describe("counting what client-go's recorder writes", () => {
  test("with room for every event: the total is exactly what the events on the server told, looks and restarts anywhere", () => {
    assertProperty(
      fc.property(fc.array(action, { minLength: 1, maxLength: 80 }), fc.integer({ min: 1, max: 1_000 }), (actions, seed) => {
        const { counts, seen } = replay(actions, OPTIONS, seed);
        expect(counts.probeFailures.total).toBe(sum(seen));
        expect(counts.probeFailures.liveness + counts.probeFailures.readiness + counts.probeFailures.startup).toBe(counts.probeFailures.total);
      }),
      { numRuns: 150 },
    );
  });

  test("past the memory bound: never an occurrence counted twice, never a new event missed", () => {
    const small = { ...OPTIONS, eventCursorLimit: 3 };
    assertProperty(
      fc.property(fc.array(action, { minLength: 1, maxLength: 80 }), fc.integer({ min: 1, max: 1_000 }), (actions, seed) => {
        const { counts, seen } = replay(actions, small, seed);
        expect(counts.probeFailures.total).toBeLessThanOrEqual(sum(seen));
        expect(counts.probeFailures.total).toBeGreaterThanOrEqual(seen.size);
      }),
      { numRuns: 150 },
    );
  });
});
