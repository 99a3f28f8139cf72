// End to end against the simulated cluster: pods driven by the simulated kubelet, the controller writing
// PodHealthReports through the HTTP API, assertions on what the API server holds.
import { RESOURCE_KEY, type PodHealthReport } from "../../src/report/index.js";
import { runScenario, type Kubelet } from "../../src/sim/kubelet/index.js";
import { divergence, probeEventCount, report, run, runAll, startController, startEnv, tearDown, waitFor, type Env } from "./e2e-helpers.js";

describe("controller end to end", () => {
  let env: Env;
  const kubelets: Kubelet[] = [];
  beforeEach(async () => {
    env = await startEnv();
  });
  afterEach(() => tearDown(kubelets, [env]));

  it("reports a crash loop with a rising count, and liveness failures with their messages", async () => {
    kubelets.push(runScenario(env.cluster.store, env.clock, { scenario: "crashloop", name: "web" }));
    kubelets.push(runScenario(env.cluster.store, env.clock, { scenario: "liveness-failure", name: "api" }));
    const { controller, logs } = startController(env);
    await controller.whenSynced();

    await run(env, 90_000);
    await waitFor("web in CrashLoopBackOff", () => report(env, "default", "web")?.status?.status === "CrashLoopBackOff");
    const first = report(env, "default", "web") as PodHealthReport;
    expect(first.status).toMatchObject({ health: "Unhealthy", reason: "CrashLoopBackOff" });
    expect(first.status.crashLoop.count).toBeGreaterThan(0);

    await run(env, 240_000, 2_000);
    await waitFor("reports match pods", () => divergence(env).length === 0);
    const later = report(env, "default", "web") as PodHealthReport;
    expect(later.status.crashLoop.count).toBeGreaterThan(first.status.crashLoop.count);
    expect(later.status.crashLoop.container).toBe("app");

    await waitFor("liveness failures counted", () => (report(env, "default", "api")?.status?.probeFailures?.liveness ?? 0) === probeEventCount(env, "api", "Liveness"));
    const api = report(env, "default", "api") as PodHealthReport;
    expect(api.status.probeFailures.liveness).toBeGreaterThanOrEqual(3);
    const entry = api.status.probeFailures.history.find((h) => h.probe === "liveness");
    expect(entry).toMatchObject({ reason: "Unhealthy", container: "app" });
    expect(entry?.message).toMatch(/HTTP probe failed with statuscode: 500/);

    // One info line per status/health change, with namespace, pod, from and to.
    const changes = logs.lines.filter((l) => l.level === "info" && l.module === "reconcile" && l.pod === "web");
    expect(changes.length).toBeGreaterThan(2);
    expect(changes[changes.length - 1]).toMatchObject({ namespace: "default", to: { status: later.status.status } });
    await controller.stop();
  });

  it("takes a recovering pod back to Healthy", async () => {
    const kubelet = runScenario(env.cluster.store, env.clock, { scenario: "recovering", name: "cart" });
    kubelets.push(kubelet);
    const { controller } = startController(env);
    await controller.whenSynced();
    await run(env, 120_000);
    await waitFor("cart crash-looped", () => (report(env, "default", "cart")?.status?.crashLoop?.count ?? 0) > 0);
    // Healthy once the last restart is older than the ten-minute window: a time-based recheck, no pod change.
    await run(env, 12 * 60_000, 5_000);
    await waitFor("cart Healthy", () => report(env, "default", "cart")?.status?.health === "Healthy", 5000, () => JSON.stringify([report(env, "default", "cart")?.status?.health, report(env, "default", "cart")?.status?.lastRestartTime, new Date(env.clock.now()).toISOString(), divergence(env)]));
    expect(report(env, "default", "cart")?.status).toMatchObject({ status: "Running", ready: "1/1", restarts: 3 });
    expect(divergence(env)).toEqual([]);
    await controller.stop();
  });

  it("recreates a report a user deleted, and restores one a user edited", async () => {
    kubelets.push(runScenario(env.cluster.store, env.clock, { scenario: "healthy", name: "web" }));
    const { controller } = startController(env);
    await controller.whenSynced();
    await run(env, 30_000);
    await waitFor("report", () => report(env, "default", "web")?.status?.health === "Healthy");
    const uid = report(env, "default", "web")?.metadata.uid;

    env.cluster.store.delete(RESOURCE_KEY, "default", "web");
    await waitFor("report recreated", () => {
      const r = report(env, "default", "web");
      return r !== undefined && r.metadata.uid !== uid && r.status?.health === "Healthy";
    });

    const edited = structuredClone(report(env, "default", "web") as PodHealthReport);
    edited.status.health = "Failed";
    edited.metadata.labels = {};
    env.cluster.store.replace(RESOURCE_KEY, edited as never);
    await waitFor("report restored", () => {
      const r = report(env, "default", "web");
      return r?.status?.health === "Healthy" && r.metadata.labels?.["app.kubernetes.io/managed-by"] === "pod-health-operator";
    });
    await controller.stop();
  });

  it("with --report-mode unhealthy keeps reports only for pods that are not Healthy, for the healthy grace", async () => {
    kubelets.push(runScenario(env.cluster.store, env.clock, { scenario: "healthy", name: "ok" }));
    kubelets.push(runScenario(env.cluster.store, env.clock, { scenario: "recovering", name: "cart" }));
    const { controller } = startController(env, { reportMode: "unhealthy", healthyGrace: "2m" });
    await controller.whenSynced();
    await run(env, 120_000);
    await waitFor("cart reported", () => (report(env, "default", "cart")?.status?.crashLoop?.count ?? 0) > 0);
    // ok was reported while it started (Progressing), and is gone two minutes after it became Healthy.
    await run(env, 30_000);
    await waitFor("ok's report removed", () => report(env, "default", "ok") === undefined);
    // cart turns Healthy ten minutes after its last restart; its report says so, then goes two minutes later.
    let healthyAt = 0;
    let goneAt = 0;
    await runAll([env], 16 * 60_000, 5_000, 10, () => {
      const r = report(env, "default", "cart");
      if (!healthyAt && r?.status?.health === "Healthy") healthyAt = env.clock.now();
      if (healthyAt && !goneAt && !r) goneAt = env.clock.now();
    });
    expect(healthyAt).toBeGreaterThan(0);
    expect(goneAt - healthyAt).toBeGreaterThanOrEqual(2 * 60_000 - 10_000);
    expect(goneAt - healthyAt).toBeLessThanOrEqual(2 * 60_000 + 30_000);
    expect(report(env, "default", "ok")).toBeUndefined();
    await controller.stop();
  });

  it("on start removes reports whose pod went away while it was down, and replaces those of an earlier pod", async () => {
    const k1 = runScenario(env.cluster.store, env.clock, { scenario: "healthy", name: "gone" });
    const k2 = runScenario(env.cluster.store, env.clock, { scenario: "healthy", name: "reborn" });
    const k3 = runScenario(env.cluster.store, env.clock, { scenario: "healthy", name: "stays" });
    kubelets.push(k1, k2, k3);
    const first = startController(env);
    await first.controller.whenSynced();
    await run(env, 20_000);
    await waitFor("three reports", () => ["gone", "reborn", "stays"].every((n) => report(env, "default", n)?.status?.health === "Healthy"));
    await first.controller.stop();

    // While the controller is down: one pod disappears, another is replaced by a new pod of the same name.
    // The reports' owner references go first, so that the garbage collector does not clean up for us (as when
    // GC lags, or a report predates owner references): the controller must do it.
    for (const name of ["gone", "reborn"]) {
      const r = structuredClone(report(env, "default", name) as PodHealthReport);
      r.metadata.ownerReferences = [];
      env.cluster.store.replace(RESOURCE_KEY, r as never);
    }
    k1.stop();
    k2.stop();
    env.cluster.store.remove("pods", "default", "gone");
    env.cluster.store.remove("pods", "default", "reborn");
    expect(report(env, "default", "gone")).toBeDefined();
    const reborn = runScenario(env.cluster.store, env.clock, { scenario: "crashloop", name: "reborn" });
    kubelets.push(reborn);
    await run(env, 30_000);

    const second = startController(env);
    await waitFor("orphan removed", () => report(env, "default", "gone") === undefined);
    const newUid = (env.cluster.store.get("pods", "default", "reborn") as { metadata: { uid: string } }).metadata.uid;
    await waitFor("reborn report is the new pod's", () => report(env, "default", "reborn")?.spec?.podUID === newUid);
    expect(report(env, "default", "stays")).toBeDefined();
    await waitFor("reports match pods", () => divergence(env).length === 0);
    expect(second.controller.stats.reconciles.deleted).toBeGreaterThanOrEqual(1);
    await second.controller.stop();
  });
});
