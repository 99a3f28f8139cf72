// End to end, counts against the recorder-faithful kubelet: client-go's correlator, aggregator and spam filter
// write the events and the API server's TTL deletes them an hour after their last update. For one failure every
// 2 h over 12 h (each re-created under its old name), 40 failures with 11 distinct messages in 10 minutes
// (aggregated), and 100 distinct failures for one pod (past the report's memory bound), with the controller
// restarted at random moments, the report counts exactly what the events that reached the API server tell.
import type { CoreEvent } from "../../src/report/index.js";
import { Rng } from "../../src/sim/kubelet/random.js";
import { runScenario, type Kubelet } from "../../src/sim/kubelet/index.js";
import { report, run, sleep, startController, startEnv, tearDown, waitFor, type Env } from "./e2e-helpers.js";

/** Per event name, the largest count the API server ever stored for a probe failure about `pod`. */
function trackProbeFailures(env: Env, pod: string): Map<string, number> {
  const seen = new Map<string, number>();
  env.cluster.store.subscribe((e) => {
    if (e.resource !== "events" || e.type === "DELETED") return;
    const ev = e.object as CoreEvent;
    if (ev.involvedObject?.name !== pod || ev.reason !== "Unhealthy") return;
    const name = ev.metadata?.name ?? "";
    seen.set(name, Math.max(seen.get(name) ?? 0, ev.count ?? 1));
  });
  return seen;
}

const total = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

describe("controller end to end: counts as the events tell them", () => {
  let env: Env;
  const kubelets: Kubelet[] = [];
  beforeEach(async () => {
    env = await startEnv();
  });
  afterEach(() => tearDown(kubelets, [env]));

  /**
   * Runs `simMs` of simulated time in steps, stopping the controller at a few seeded random moments and
   * starting a new one after a few simulated minutes (less than the event TTL: the events it missed are still
   * there when it comes back).
   */
  async function runWithRestarts(simMs: number, stepMs: number, seed: number, extra: Parameters<typeof startController>[2] = {}): Promise<number> {
    const rng = new Rng(seed);
    const restartAt = new Set(Array.from({ length: 3 }, () => Math.floor(rng.int(1, Math.floor(simMs / stepMs) - 1))));
    let current = startController(env, {}, extra);
    await current.controller.whenSynced();
    let restarts = 0;
    for (let step = 0; step * stepMs < simMs; step++) {
      env.clock.advance(stepMs);
      await sleep(5);
      if (restartAt.has(step)) {
        await current.controller.stop();
        await run(env, 5 * 60_000, 30_000);
        current = startController(env, {}, extra);
        await current.controller.whenSynced();
        restarts++;
      }
    }
    return restarts;
  }

  it("one failure every 2 h over 12 h: each re-created after the TTL under its old name counts once", async () => {
    const truth = trackProbeFailures(env, "rare");
    kubelets.push(runScenario(env.cluster.store, env.clock, { scenario: "rare-probe-failure", name: "rare" }));
    const restarts = await runWithRestarts(12 * 3_600_000 + 120_000, 60_000, 7);
    expect(restarts).toBeGreaterThan(0);
    expect(truth.size).toBe(1); // one event, re-created again and again under its name
    expect(total(truth)).toBe(6);
    await waitFor("six failures counted", () => report(env, "default", "rare")?.status?.probeFailures?.liveness === 6, 15_000, () => JSON.stringify(report(env, "default", "rare")?.status?.probeFailures));
    expect(report(env, "default", "rare")?.status?.probeFailures.total).toBe(6);
  });

  it("40 failures with 11 distinct messages in 10 minutes: the aggregated event's rises count too, and say so", async () => {
    const truth = trackProbeFailures(env, "storm");
    kubelets.push(runScenario(env.cluster.store, env.clock, { scenario: "probe-message-storm", name: "storm" }));
    await runWithRestarts(15 * 60_000, 5_000, 11);
    const combined = [...truth.keys()].filter((name) => (env.cluster.store.get("events", "default", name) as CoreEvent | undefined)?.message?.startsWith("(combined from similar events): "));
    expect(combined.length).toBeGreaterThan(0);
    await waitFor("every failure the events tell counted", () => report(env, "default", "storm")?.status?.probeFailures?.readiness === total(truth), 15_000, () => `${JSON.stringify(report(env, "default", "storm")?.status?.probeFailures)} vs ${total(truth)}`);
    const history = report(env, "default", "storm")!.status.probeFailures.history;
    expect(history.some((h) => h.aggregated === true && h.probe === "readiness" && h.container === undefined)).toBe(true);
  });

  it("100 distinct failures for one pod, past the report's memory bound: nothing counted twice or missed", async () => {
    const truth = trackProbeFailures(env, "flood");
    kubelets.push(runScenario(env.cluster.store, env.clock, { scenario: "event-flood", name: "flood" }));
    await runWithRestarts(12 * 60_000, 5_000, 13, { eventCursorLimit: 4 });
    expect(truth.size).toBeGreaterThan(4);
    await waitFor("every failure the events tell counted", () => report(env, "default", "flood")?.status?.probeFailures?.readiness === total(truth), 15_000, () => `${JSON.stringify(report(env, "default", "flood")?.status?.probeFailures.readiness)} vs ${total(truth)}`);
    expect(report(env, "default", "flood")?.status?.tracking.events.length).toBeLessThanOrEqual(4);
  });
});
