// End to end, the hard cases: a controller restarted mid-scenario, and an API server that drops watches,
// compacts its history (410 Gone), fails requests (500) and throttles (429 + Retry-After). Each runs next to a
// reference cluster with the same seed and the same simulated time, whose controller sees no trouble: the
// reports must come out the same.
import type { PodHealthReport } from "../../src/report/index.js";
import { runScenario, startKubelet, type Kubelet } from "../../src/sim/kubelet/index.js";
import { countingView, divergence, probeEventCount, recordingReportApi, report, reports, runAll, startController, startEnv, tearDown, waitFor, type Env, type WriteRecord } from "./e2e-helpers.js";

function views(env: Env): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const sorted = reports(env).sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
  for (const r of sorted) {
    out[`${r.metadata.namespace}/${r.metadata.name}`] = countingView(r);
  }
  return out;
}

describe("controller end to end, under trouble", () => {
  const envs: Env[] = [];
  const kubelets: Kubelet[] = [];
  afterEach(() => tearDown(kubelets, envs.splice(0)));

  async function twins(start: (env: Env) => void): Promise<[Env, Env]> {
    const ref = await startEnv();
    const test = await startEnv();
    envs.push(ref, test);
    start(ref);
    start(test);
    return [ref, test];
  }

  it("restarting the controller mid-scenario double-counts nothing", async () => {
    const [ref, test] = await twins((env) => {
      for (const [scenario, name] of [["crashloop", "web"], ["liveness-failure", "api"], ["readiness-flapping", "flap"]]) {
        kubelets.push(runScenario(env.cluster.store, env.clock, { scenario, name }));
      }
    });
    const reference = startController(ref);
    let current = startController(test);
    await Promise.all([reference.controller.whenSynced(), current.controller.whenSynced()]);

    await runAll([ref, test], 120_000);
    await current.controller.stop();
    // Down for three simulated minutes: restarts, probe failures and event count bumps happen unseen.
    await runAll([ref, test], 180_000, 2_000);
    current = startController(test);
    await runAll([ref, test], 120_000, 2_000);
    // And once more, stopped and started with nothing happening in between: the same events again.
    await current.controller.stop();
    current = startController(test);

    await waitFor("both converged", () => divergence(ref).length === 0 && divergence(test).length === 0);
    await waitFor("same counts as the uninterrupted controller", () => JSON.stringify(views(test)) === JSON.stringify(views(ref)));
    expect(views(test)).toEqual(views(ref));
    const api = report(test, "default", "api") as PodHealthReport;
    expect(api.status.probeFailures.liveness).toBe(probeEventCount(test, "api", "Liveness"));
    expect((report(test, "default", "web") as PodHealthReport).status.crashLoop.count).toBeGreaterThan(3);
    await reference.controller.stop();
    await current.controller.stop();
  });

  it("loses no transition through dropped watches, 410 Gone, 500s and 429s", async () => {
    const [ref, test] = await twins((env) => {
      kubelets.push(startKubelet(env.cluster.store, { scenario: "mixed", pods: 40, clock: env.clock, seed: 7 }));
    });
    const reference = startController(ref);
    const faulty = startController(test);
    await Promise.all([reference.controller.whenSynced(), faulty.controller.whenSynced()]);

    const f = test.cluster.faults;
    const faults: Array<() => void> = [
      () => f.dropWatches(),
      () => f.dropWatches({ abort: true }),
      () => {
        f.compact();
        f.dropWatches();
      },
      () => f.failNext(3, { status: 500 }),
      () => f.failNext(2, { status: 503, watch: true }),
      () => f.failNext(3, { status: 429, retryAfterSeconds: 1 }),
      () => {
        f.compact();
        f.failNext(1, { status: 500, watch: false, path: "/pods" });
        f.dropWatches();
      },
    ];
    let i = 0;
    await runAll([ref, test], 8 * 60_000, 1_000, 10, (elapsed) => {
      if (elapsed % 15_000 === 0) faults[i++ % faults.length]();
    });
    f.reset();

    await waitFor("both converged", () => divergence(ref).length === 0 && divergence(test).length === 0, 30_000, () => [...divergence(ref), ...divergence(test)].join("\n"));
    // Probe failures, their history and the crash-loop count come out exactly as the undisturbed controller's,
    // however the watches went (the pod watch lagging the event watch included).
    await waitFor("same reports as the undisturbed controller", () => JSON.stringify(views(test)) === JSON.stringify(views(ref)), 30_000, () => {
      const [vt, vr] = [views(test), views(ref)];
      return Object.keys({ ...vt, ...vr })
        .filter((k) => JSON.stringify(vt[k]) !== JSON.stringify(vr[k]))
        .map((k) => `${k}\n  faulty:    ${JSON.stringify(vt[k])}\n  reference: ${JSON.stringify(vr[k])}`)
        .join("\n");
    });
    expect(views(test)).toEqual(views(ref));

    const stats = faulty.controller.stats;
    expect(stats.totalWatchRestarts()).toBeGreaterThan(10);
    expect(Object.values(stats.watchRestarts).some((r) => (r.gone ?? 0) > 0)).toBe(true);
    expect(reference.controller.stats.totalWatchRestarts()).toBe(0);
    await reference.controller.stop();
    await faulty.controller.stop();
  }, 90_000);

  it("waits out a 429's Retry-After before writing again", async () => {
    const env = await startEnv();
    envs.push(env);
    kubelets.push(runScenario(env.cluster.store, env.clock, { scenario: "crashloop", name: "web" }));
    const writes: WriteRecord[] = [];
    const { controller } = startController(env, {}, { reportApi: recordingReportApi(env, "a", writes) });
    await controller.whenSynced();
    await waitFor("report", () => report(env, "default", "web") !== undefined);
    await waitFor("idle", () => controller.stats.queueDepth().processing === 0);
    env.cluster.faults.failNext(1, { status: 429, retryAfterSeconds: 2, method: "PUT" });
    const from = writes.length;
    await runAll([env], 20_000);
    await waitFor("a write after the 429", () => {
      const failed = writes.slice(from).find((w) => w.status === 429);
      return failed !== undefined && writes.some((w) => w.ok && w.key === failed.key && w.at > failed.at);
    });
    const failed = writes.slice(from).find((w) => w.status === 429) as WriteRecord;
    const retried = writes.find((w) => w.ok && w.key === failed.key && w.at > failed.at) as WriteRecord;
    expect(retried.at - failed.at).toBeGreaterThanOrEqual(2_000);
    expect(controller.stats.errors.throttled).toBe(1);
    await controller.stop();
  });
});
