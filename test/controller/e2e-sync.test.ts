// End to end, what the controller does with time and with a partial view: no reconcile before every cache is
// filled (a slow pod list must not look like deleted pods), a resync that re-reads the caches instead of the
// server, verdicts that change with time alone, and count-only changes written at most once per interval.
import type { PodHealthReport } from "../../src/report/index.js";
import path from "node:path";
import { KubeHttp } from "../../src/controller/kube.js";
import { packageRoot, readCrds } from "../../src/sim/index.js";
import { runScenario, type Kubelet } from "../../src/sim/kubelet/index.js";
import { countingView, divergence, probeEventCount, recordingReportApi, report, reports, run, sleep, startController, startEnv, tearDown, waitFor, type Env, type WriteRecord } from "./e2e-helpers.js";

describe("controller end to end: sync, resync and write pacing", () => {
  let env: Env;
  const kubelets: Kubelet[] = [];
  beforeEach(async () => {
    env = await startEnv();
  });
  afterEach(() => tearDown(kubelets, [env]));

  it("with a slow pod list, deletes and recreates no report and loses no count (no reconcile before every cache is filled)", async () => {
    for (const [scenario, name] of [["crashloop", "web"], ["liveness-failure", "api"], ["healthy", "ok"]]) {
      kubelets.push(runScenario(env.cluster.store, env.clock, { scenario, name }));
    }
    const first = startController(env);
    await first.controller.whenSynced();
    await run(env, 180_000, 2_000);
    await waitFor("reports match pods", () => divergence(env).length === 0);
    await first.controller.stop();
    const before = new Map(reports(env).map((r) => [r.metadata.name, countingView(r)]));
    expect(before.size).toBe(3);

    // The pod list now takes 1.5 s; events and reports list at once. No leader election (the default).
    env.cluster.faults.setLatency(1_500, { method: "GET", path: /^\/api\/v1\/pods$/, watch: false });
    const writes: WriteRecord[] = [];
    const second = startController(env, {}, { reportApi: recordingReportApi(env, "second", writes) });
    await sleep(600);
    expect(second.controller.isReady).toBe(false);
    await second.controller.whenSynced();
    env.cluster.faults.setLatency(0);
    await waitFor("ready", () => second.controller.isReady);
    await sleep(300);
    expect(writes.filter((w) => w.op === "delete" || w.op === "create")).toEqual([]);
    for (const r of reports(env)) expect(countingView(r)).toEqual(before.get(r.metadata.name));
    expect(report(env, "default", "api")?.status?.probeFailures.liveness).toBe(probeEventCount(env, "api", "Liveness"));
  });

  it("without the CRD: says once what to do, stays not ready, and starts working when the CRD is applied", async () => {
    await env.close();
    env = await startEnv([], { crdDirs: [] });
    kubelets.push(runScenario(env.cluster.store, env.clock, { scenario: "healthy", name: "ok" }));
    const { controller, logs } = startController(env);
    await waitFor("the missing CRD told", () => logs.lines.some((l) => l.level === "error" && String(l.msg).includes("the PodHealthReport CRD is not installed: kubectl apply -f crds/")));
    await sleep(1_500);
    expect(logs.lines.filter((l) => l.level === "error" && l.module === "connectivity")).toHaveLength(1);
    expect(controller.isReady).toBe(false);
    const crd = (await readCrds([path.join(packageRoot(), "crds")]))[0];
    await new KubeHttp(env.kc).post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
    await waitFor("ready", () => controller.isReady, 20_000);
    await waitFor("a report", () => report(env, "default", "ok") !== undefined, 20_000);
    expect(logs.lines.some((l) => l.level === "info" && String(l.msg).includes("works now"))).toBe(true);
  });

  it("resyncs from its caches: the periodic resync asks the server for nothing", async () => {
    await env.close();
    const lists: string[] = [];
    env = await startEnv([], { onRequest: (attrs) => attrs.verb === "list" && lists.push(attrs.resource ?? "") });
    kubelets.push(runScenario(env.cluster.store, env.clock, { scenario: "healthy", name: "ok" }));
    const { controller } = startController(env, { resyncPeriod: "1s" });
    await controller.whenSynced();
    await waitFor("a report", () => report(env, "default", "ok") !== undefined);
    expect(lists.sort()).toEqual(["events", "podhealthreports", "pods"]);
    const reconcilesBefore = controller.stats.reconciles.unchanged;
    await sleep(2_500);
    expect(lists).toHaveLength(3);
    // Every resync looked at the pod again (and found nothing to write).
    expect(controller.stats.reconciles.unchanged).toBeGreaterThanOrEqual(reconcilesBefore + 2);
  });

  it("writes nothing at rest: neither resyncs nor a restart that finds every report in place (the cache keeps digests)", async () => {
    for (const [scenario, name] of [["healthy", "ok"], ["completed", "job"], ["image-pull-backoff", "pull"]]) {
      kubelets.push(runScenario(env.cluster.store, env.clock, { scenario, name }));
    }
    const first = startController(env, { resyncPeriod: "1s" });
    await first.controller.whenSynced();
    await run(env, 60_000, 2_000);
    for (const k of kubelets.splice(0)) k.stop();
    await waitFor("reports match pods", () => divergence(env).length === 0);
    await sleep(500);
    const writes: WriteRecord[] = [];
    await first.controller.stop();
    const second = startController(env, { resyncPeriod: "1s" }, { reportApi: recordingReportApi(env, "second", writes) });
    await second.controller.whenSynced();
    const reconciled = second.controller.stats.reconciles.unchanged;
    await sleep(2_500);
    // It looked at every pod on start and at each resync, and wrote nothing.
    expect(second.controller.stats.reconciles.unchanged).toBeGreaterThanOrEqual(reconciled + 3 * 2);
    expect(writes).toEqual([]);
  });

  it("re-derives a verdict when time alone changes it: a recent restart stops being recent (no resync)", async () => {
    const kubelet = runScenario(env.cluster.store, env.clock, { scenario: "recovering", name: "cart" });
    kubelets.push(kubelet);
    const { controller } = startController(env, { resyncPeriod: "0" });
    await controller.whenSynced();
    await run(env, 120_000, 2_000);
    await waitFor("the pod runs again after its crash loop", () => report(env, "default", "cart")?.status?.reason === "RecentRestart");
    kubelet.stop(); // nothing about the pod changes from here on
    const stillRecent = report(env, "default", "cart") as PodHealthReport;
    expect(stillRecent.status.health).toBe("Degraded");
    // Eleven simulated minutes later the restart is old: Healthy, with no pod change and no resync to prompt it.
    await run(env, 11 * 60_000, 10_000);
    await waitFor("Healthy", () => report(env, "default", "cart")?.status?.health === "Healthy");
  });

  it("writes a count-only change at most once per --count-write-interval, a status change at once, and held-back counts on stop", async () => {
    const paced = await startEnv();
    try {
      const writes = { eager: [] as WriteRecord[], paced: [] as WriteRecord[] };
      for (const e of [env, paced]) {
        for (const [scenario, name] of [["readiness-flapping", "flap"], ["liveness-failure", "api"]]) kubelets.push(runScenario(e.cluster.store, e.clock, { scenario, name }));
      }
      const eager = startController(env, { countWriteInterval: "0" }, { reportApi: recordingReportApi(env, "eager", writes.eager) });
      const slow = startController(paced, { countWriteInterval: "30s" }, { reportApi: recordingReportApi(paced, "paced", writes.paced) });
      await Promise.all([eager.controller.whenSynced(), slow.controller.whenSynced()]);
      for (let t = 0; t < 60 * 60_000; t += 5_000) {
        env.clock.advance(5_000);
        paced.clock.advance(5_000);
        await sleep(5);
      }
      await sleep(300);
      const statusWrites = (log: WriteRecord[]): number => log.filter((w) => w.op === "status" && w.ok).length;
      expect(slow.controller.stats.reconciles.deferred).toBeGreaterThan(0);
      expect(statusWrites(writes.paced)).toBeLessThan(statusWrites(writes.eager));
      // Status changes are not held back: both agree on what every pod is now.
      await waitFor("reports match pods", () => divergence(paced).length === 0);
      await slow.controller.stop();
      await eager.controller.stop();
      // On stop the held-back counts were written: every failure the events tell is counted, as without pacing.
      for (const [pod, kind] of [["flap", "Readiness"], ["api", "Liveness"]] as const) {
        const field = kind === "Readiness" ? "readiness" : "liveness";
        expect(report(paced, "default", pod)?.status?.probeFailures[field]).toBe(probeEventCount(paced, pod, kind));
        expect(report(env, "default", pod)?.status?.probeFailures[field]).toBe(probeEventCount(env, pod, kind));
      }
    } finally {
      await paced.close();
    }
  });
});

