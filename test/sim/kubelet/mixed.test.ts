// The mixed scenario: N pods in the stated blend across namespaces and owners, staggered, with churn, bounded
// memory, and nothing left running after stop().
import { ManualClock, MIXED_BLEND, MIXED_TIMING, mixedBlend, POD_SCENARIOS, EVENT_SCENARIOS, SCENARIO_ANNOTATION, startKubelet } from "../../../src/sim/kubelet/index.js";
import { derivePodStatus } from "../../../src/status/index.js";
import type { Pod } from "../../../src/status/types.js";
import { newStore } from "./helpers.js";

const MIN = 60_000;

function advance(clock: ManualClock, ms: number, step = 5000): void {
  for (let t = 0; t < ms; t += step) clock.advance(Math.min(step, ms - t));
}

describe("mixedBlend", () => {
  // Every N up to 5,000, not a sample: the old property test drew 100 of them unseeded, so the sizes where its bound
  // was wrong (20 to 22) came up in about one run in twenty, and a retry drew new ones and hid it.
  test("always adds up to N, has every scenario once N allows, and is mostly healthy once one of each leaves room", () => {
    const others = MIXED_BLEND.length - 1;
    for (let n = 0; n <= 5000; n++) {
      const blend = mixedBlend(n);
      const counts = [...blend.values()];
      expect(counts.reduce((a, b) => a + b, 0)).toBe(n);
      expect(counts.every((c) => c >= 0)).toBe(true);
      if (n >= MIXED_BLEND.length) expect(counts.every((c) => c >= 1)).toBe(true);
      // One pod of each of the 12 other scenarios leaves n - 12 healthy ones, under half until n = 24: there the
      // one-of-each rule wins (a 20-pod demo shows every failure); from 24 on, at least half are healthy.
      const healthy = blend.get("healthy") ?? 0;
      if (n >= 2 * others) expect(healthy).toBeGreaterThanOrEqual(Math.floor(n / 2));
      else if (n >= MIXED_BLEND.length) expect(healthy).toBe(n - others);
    }
  });

  test("follows the weights for a round number, over every scenario but the event-counting ones", () => {
    expect(Object.fromEntries(mixedBlend(100))).toEqual(Object.fromEntries(MIXED_BLEND));
    const blended = POD_SCENARIOS.filter((s) => !(EVENT_SCENARIOS as readonly string[]).includes(s));
    expect([...mixedBlend(100).keys()].sort()).toEqual([...blended].sort());
  });
});

describe("startKubelet({ scenario: 'mixed' })", () => {
  test("creates N pods in the blend, staggered, across namespaces, all owned", () => {
    const clock = new ManualClock();
    const store = newStore(clock);
    const n = 40;
    const kubelet = startKubelet(store, { scenario: "mixed", pods: n, clock, seed: 3 });
    // Staggered: only a few exist at first.
    expect(store.list("pods").length).toBeLessThan(5);
    advance(clock, MIXED_TIMING.startSpread + 1000, 500);

    const pods = store.list("pods");
    expect(pods).toHaveLength(n);
    const byScenario = new Map<string, number>();
    for (const p of pods) {
      const s = p.metadata?.annotations?.[SCENARIO_ANNOTATION] ?? "?";
      byScenario.set(s, (byScenario.get(s) ?? 0) + 1);
    }
    expect(Object.fromEntries(byScenario)).toEqual(Object.fromEntries([...mixedBlend(n)].filter(([, c]) => c > 0)));
    expect(new Set(pods.map((p) => p.metadata?.namespace)).size).toBeGreaterThanOrEqual(4);
    for (const p of pods) {
      const owner = p.metadata?.ownerReferences?.[0];
      expect(owner?.kind).toMatch(/^(ReplicaSet|Job)$/);
      expect(p.metadata?.name?.startsWith(`${owner?.name}-`)).toBe(true);
    }
    // Creation times are spread over the start window.
    const created = new Set(pods.map((p) => p.metadata?.creationTimestamp));
    expect(created.size).toBeGreaterThan(n / 3);
    kubelet.stop();
  });

  test("after a while shows the statuses of a troubled cluster, mostly Running", () => {
    const clock = new ManualClock();
    const store = newStore(clock);
    const kubelet = startKubelet(store, { scenario: "mixed", pods: 40, clock, seed: 5 });
    advance(clock, 4 * MIN);
    const statuses = store.list("pods").map((p) => derivePodStatus(p as Pod, new Date(clock.now())).status);
    const running = statuses.filter((s) => s === "Running").length;
    expect(running).toBeGreaterThan(statuses.length / 2);
    expect(statuses).toEqual(expect.arrayContaining(["CrashLoopBackOff", "Completed", "Init:CrashLoopBackOff"]));
    expect(statuses.some((s) => s === "ImagePullBackOff" || s === "ErrImagePull")).toBe(true);
    kubelet.stop();
  });

  test("churns (pods deleted and replaced) while pod count and event count stay bounded; stop() leaves no timers", () => {
    const clock = new ManualClock();
    const store = newStore(clock);
    const n = 20;
    const created = new Set<string>();
    store.subscribe((ev) => {
      if (ev.resource === "pods" && ev.type === "ADDED") created.add(ev.object.metadata?.uid ?? "");
    });
    const kubelet = startKubelet(store, { scenario: "mixed", pods: n, clock, seed: 11 });
    const samples: Array<{ pods: number; events: number; timers: number }> = [];
    for (let i = 0; i < 10; i++) {
      advance(clock, 15 * MIN, 10_000);
      samples.push({ pods: store.list("pods").length, events: store.list("events").length, timers: clock.pending() });
    }
    // Two and a half hours in: plenty of pods came and went...
    expect(created.size).toBeGreaterThan(n + 60);
    // ...but the live set stays near N (terminal and lost pods linger for minutes before cleanup)...
    for (const s of samples) {
      expect(s.pods).toBeGreaterThanOrEqual(n - 3);
      expect(s.pods).toBeLessThanOrEqual(n + 15);
    }
    // ...events stop growing once the TTL kicks in (one hour), and timers stay proportional to pods.
    const late = samples.slice(5).map((s) => s.events);
    expect(Math.max(...late)).toBeLessThan(1.3 * Math.min(...late));
    expect(Math.max(...samples.map((s) => s.timers))).toBeLessThan(10 * n);

    kubelet.stop();
    // The store's own grace-period timers are the store's to cancel.
    store.close();
    expect(clock.pending()).toBe(0);
    const rv = store.currentResourceVersion();
    advance(clock, 30 * MIN, 60_000);
    expect(store.currentResourceVersion()).toBe(rv);
  });
});
