// End to end, an API server that is not always there: down for 30 simulated seconds (connection refused), a
// restart that loses the watch cache (410 on resume), a black hole longer than the request timeout, and
// connections reset in the middle of a list and of a watch. Each runs beside a twin cluster with the same seed
// and simulated time whose server never falters: in each, the controller keeps running, says so at warn, and
// once the server is back every report equals the engine's derivation of its pod and every count its twin's.
import { KubeHttp } from "../../src/controller/kube.js";
import { runScenario, type Kubelet } from "../../src/sim/kubelet/index.js";
import { countingView, divergence, reports, runAll, sleep, startController, startEnv, tearDown, waitFor, type Env, type LogSink } from "./e2e-helpers.js";

const SCENARIOS = [
  ["crashloop", "web"],
  ["liveness-failure", "api"],
  ["readiness-flapping", "flap"],
] as const;

function views(env: Env): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of reports(env).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))) out[r.metadata.name] = countingView(r);
  return out;
}

function warned(logs: LogSink): boolean {
  return logs.lines.some((l) => l.level === "warn" && l.module === "connectivity" && String(l.msg).startsWith("cannot reach the API server"));
}

function reconnected(logs: LogSink): boolean {
  return logs.lines.some((l) => l.level === "info" && l.module === "connectivity" && String(l.msg).startsWith("connected to the API server"));
}

describe("controller end to end, when the API server goes away", () => {
  const envs: Env[] = [];
  const kubelets: Kubelet[] = [];
  afterEach(() => tearDown(kubelets, envs.splice(0)));

  /** A reference cluster and a test cluster, with the same pods and clocks, each with a controller. */
  async function twins(): Promise<{ ref: Env; test: Env; logs: LogSink }> {
    const ref = await startEnv();
    const test = await startEnv([], { faultsOnSimTime: true });
    envs.push(ref, test);
    for (const env of [ref, test]) for (const [scenario, name] of SCENARIOS) kubelets.push(runScenario(env.cluster.store, env.clock, { scenario, name }));
    const reference = startController(ref);
    // Short timeouts, so a hung server is noticed within the test's seconds, not a real cluster's minutes.
    const tested = startController(test, {}, { api: new KubeHttp(test.kc, { requestTimeoutMs: 1_000, watchIdleTimeoutMs: 2_000 }) });
    await Promise.all([reference.controller.whenSynced(), tested.controller.whenSynced()]);
    await runAll([ref, test], 60_000);
    return { ref, test, logs: tested.logs };
  }

  /** After the server is back: the test cluster's reports agree with its pods and count what the twin's count. */
  async function converged(ref: Env, test: Env): Promise<void> {
    await runAll([ref, test], 60_000, 2_000, 20);
    await waitFor("reports match pods", () => divergence(test).length === 0 && divergence(ref).length === 0, 30_000, () => divergence(test).join("\n"));
    await waitFor("counts equal the twin's", () => JSON.stringify(views(test)) === JSON.stringify(views(ref)), 30_000, () => `${JSON.stringify(views(test))}\n${JSON.stringify(views(ref))}`);
  }

  it("down for 30 s: connection refused, then back with its state", async () => {
    const { ref, test, logs } = await twins();
    const down = test.cluster.faults.down({ forMs: 30_000 });
    await down;
    // Thirty simulated seconds, slowly enough in real time for the controller to retry and say so.
    await runAll([ref, test], 29_000, 1_000, 100);
    await waitFor("the outage told at warn", () => warned(logs), 20_000);
    await runAll([ref, test], 1_000);
    await test.cluster.faults.whenUp();
    await waitFor("reconnected", () => reconnected(logs), 30_000);
    await converged(ref, test);
  });

  it("a restart that loses the watch cache: resuming answers 410, the relist counts nothing twice", async () => {
    const { ref, test, logs } = await twins();
    await test.cluster.faults.restart({ forMs: 20_000 });
    await runAll([ref, test], 20_000, 1_000, 100);
    await test.cluster.faults.whenUp();
    await waitFor("reconnected", () => reconnected(logs), 30_000);
    await converged(ref, test);
    const gone = logs.lines.filter((l) => l.msg === "watch: resourceVersion too old, relisting");
    expect(gone.length).toBeGreaterThan(0);
  });

  it("a black hole longer than the request timeout: nothing hangs, and all is caught up when it lifts", async () => {
    const { ref, test, logs } = await twins();
    test.cluster.faults.blackHole();
    // Pods go on changing while nobody gets an answer; the requests time out (1 s) and are retried.
    await runAll([ref, test], 20_000, 1_000, 250);
    await waitFor("the outage told at warn", () => warned(logs), 20_000);
    test.cluster.faults.liftBlackHole();
    await waitFor("reconnected", () => reconnected(logs), 30_000);
    await converged(ref, test);
  });

  it("connections reset in the middle of a list and of a watch", async () => {
    const { ref, test, logs } = await twins();
    // The next pod watch is cut after two events.
    test.cluster.faults.resetNext(1, { path: "^/api/v1/pods$", watch: true, afterEvents: 2 });
    test.cluster.faults.dropWatches();
    await runAll([ref, test], 20_000, 1_000, 50);
    // Then a watch that cannot start (500) makes the reflector relist, and that list is cut in the middle of its body.
    test.cluster.faults.failNext(1, { path: "^/api/v1/pods$", watch: true, status: 500 });
    test.cluster.faults.resetNext(1, { path: "^/api/v1/pods$", watch: false, afterBytes: 300 });
    test.cluster.faults.dropWatches();
    await runAll([ref, test], 20_000, 1_000, 50);
    await waitFor("both resets happened", () => test.cluster.faults.state().pendingResets.length === 0, 20_000, () => JSON.stringify(test.cluster.faults.state().pendingResets));
    expect(logs.lines.some((l) => l.module === "reflector" && l.phase === "list" && /terminated|ECONNRESET|socket/i.test(String(l.error)))).toBe(true);
    await converged(ref, test);
  });

  it("leader election across an outage: the leader stops writing at its renew deadline and competes again when the server is back", async () => {
    const env = await startEnv([], { faultsOnSimTime: true });
    envs.push(env);
    for (const [scenario, name] of SCENARIOS) kubelets.push(runScenario(env.cluster.store, env.clock, { scenario, name }));
    const a = startController(env, { leaderElect: "true" }, { api: new KubeHttp(env.kc, { requestTimeoutMs: 500, watchIdleTimeoutMs: 2_000 }) });
    await waitFor("a leads", () => a.controller.isLeader);
    await runAll([env], 30_000);
    await env.cluster.faults.down();
    // The renew deadline is 1 s here: well inside the outage, the leader must have stopped writing.
    await sleep(2_000);
    expect(a.controller.isLeader).toBe(false);
    expect(a.logs.lines.some((l) => l.msg === "stopped leading" && l.why === "renew deadline passed")).toBe(true);
    await env.cluster.faults.up();
    await waitFor("a leads again", () => a.controller.isLeader, 20_000);
    await runAll([env], 30_000, 2_000, 20);
    await waitFor("reports match pods", () => divergence(env).length === 0, 30_000, () => divergence(env).join("\n"));
  });
});
