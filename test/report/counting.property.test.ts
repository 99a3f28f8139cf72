// Properties of exact counting: any replay of the same observations, in any order and any batching, with
// duplicates and operator restarts in between, counts each event's final count once.
import fc from "fast-check";
import { assertProperty } from "../property.js";
import { foldCounts, type Counts } from "../../src/report/counts.js";
import type { CoreEvent } from "../../src/report/index.js";
import type { ContainerStatus } from "../../src/status/types.js";
import { crashLooping, event, OPTIONS, pod, roundTrip, running, T0 } from "./fixtures.js";

function foldBatches(batches: CoreEvent[][], containers: ContainerStatus[][] = []): Counts {
  let previous: Counts | null = null;
  batches.forEach((events, i) => {
    const subject = pod(containers[i] ?? [running("app", 0)]);
    previous = foldCounts({ pod: subject, events, previous: previous && roundTrip(previous), now: new Date(T0 + i * 1000), options: OPTIONS });
  });
  if (previous === null) throw new Error("no batches");
  return previous;
}

/** One growing event: its counts as observed over time, non-decreasing from at least 1. */
const growingEvent = fc.array(fc.nat(5), { minLength: 1, maxLength: 6 }).map((steps) => {
  let count = 1;
  return steps.map((step) => (count += step));
});

const scenario = fc.array(growingEvent, { minLength: 1, maxLength: 5 }).chain((events) => {
  // The recorder moves lastTimestamp forward with the count: snapshot j of event e is seen at second e*100+j.
  const snapshots = events.flatMap((counts, e) =>
    counts.map((count, j) => event({ uid: `ev-${e}`, reason: "Unhealthy", message: `Liveness probe failed: ${e}`, count, last: e * 100 + j })),
  );
  const permutation = <T>(items: T[]) => fc.shuffledSubarray(items, { minLength: items.length, maxLength: items.length });
  return fc.record({
    finals: fc.constant(events.map((counts) => counts[counts.length - 1])),
    // Every snapshot at least once, some twice, in any order; then cut into builds.
    observations: fc.shuffledSubarray(snapshots).chain((duplicates) => permutation([...snapshots, ...duplicates])),
    cuts: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 20 }),
  });
});

function cutInto<T>(items: T[], cuts: number[]): T[][] {
  const batches: T[][] = [];
  let i = 0;
  for (let c = 0; i < items.length; c++) {
    const size = cuts[c % cuts.length];
    batches.push(items.slice(i, i + size));
    i += size;
  }
  return batches;
}

describe("counting properties", () => {
  test("the total equals the sum of each event's final count, for any replay order, batching and duplicates", () => {
    assertProperty(
      fc.property(scenario, ({ finals, observations, cuts }) => {
        const counts = foldBatches(cutInto(observations, cuts));
        const want = finals.reduce((a, b) => a + b, 0);
        expect(counts.probeFailures.liveness).toBe(want);
        expect(counts.probeFailures.total).toBe(want);
        // The history holds the same occurrences.
        expect(counts.probeFailures.history.reduce((a, h) => a + h.count, 0)).toBe(want);
      }),
      { numRuns: 300 },
    );
  });

  test("replaying any earlier pod state after the newest one adds no crash-loop entries", () => {
    const states = fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 8 });
    assertProperty(
      fc.property(states, fc.array(fc.nat(), { maxLength: 8 }), (steps, replays) => {
        let restarts = 0;
        const containers = steps.map(([inBackOff, step]) => {
          restarts += step;
          return [inBackOff ? crashLooping("app", restarts) : running("app", restarts)];
        });
        const batches = containers.map(() => [] as CoreEvent[]);
        const once = foldBatches(batches, containers);
        const replayed = [...containers, ...replays.map((r) => containers[r % containers.length])];
        const again = foldBatches(replayed.map(() => []), replayed);
        expect(again.crashLoop.count).toBe(once.crashLoop.count);
        // Never more entries than restartCount values (each value is one instance, backed off at most once).
        expect(once.crashLoop.count).toBeLessThanOrEqual(restarts + 1);
      }),
      { numRuns: 300 },
    );
  });
});
