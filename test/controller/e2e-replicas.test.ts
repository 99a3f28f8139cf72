// End to end with several replicas: leader election (one writer at a time, also when the leader is cut off from
// the lease), sharding (every pod handled by exactly one shard), and 1,000 pods under churn.
import { KubeHttp } from "../../src/controller/kube.js";
import { leaseClient, type Lease, type LeaseClient } from "../../src/controller/leader.js";
import { shardOf } from "../../src/controller/shard.js";
import { startKubelet, type Kubelet } from "../../src/sim/kubelet/index.js";
import type { Controller } from "../../src/controller/controller.js";
import { divergence, pods, recordingReportApi, run, sleep, startController, startEnv, tearDown, waitFor, type Env, type WriteRecord } from "./e2e-helpers.js";

/** A lease client that can be cut off from the API server, as in a network partition. */
function cuttable(env: Env, name: string): { client: LeaseClient; cut: { value: boolean } } {
  const inner = leaseClient(new KubeHttp(env.kc), "default", name);
  const cut = { value: false };
  const gate = (): void => {
    if (cut.value) throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
  };
  return {
    cut,
    client: {
      get: async () => (gate(), inner.get()),
      create: async (l) => (gate(), inner.create(l)),
      update: async (l) => (gate(), inner.update(l)),
    },
  };
}

describe("replicas end to end", () => {
  let env: Env;
  const kubelets: Kubelet[] = [];
  afterEach(() => tearDown(kubelets, [env]));

  it("with leader election two replicas never both write, even when the leader is cut off", async () => {
    env = await startEnv();
    kubelets.push(startKubelet(env.cluster.store, { scenario: "mixed", pods: 20, clock: env.clock, seed: 3 }));
    const writes: WriteRecord[] = [];
    const violations: string[] = [];
    const replicas: Record<string, Controller> = {};
    const cuts: Record<string, { value: boolean }> = {};
    for (const who of ["a", "b"]) {
      const lease = cuttable(env, "pod-health-operator");
      cuts[who] = lease.cut;
      const other = who === "a" ? "b" : "a";
      replicas[who] = startController(
        env,
        { leaderElect: "true" },
        {
          leaseClient: lease.client,
          reportApi: recordingReportApi(env, who, writes, () => {
            if (replicas[other]?.isLeader) violations.push(`${who} wrote while ${other} led`);
          }),
        },
      ).controller;
    }
    const sampler = setInterval(() => {
      if (replicas.a.isLeader && replicas.b.isLeader) violations.push("two leaders");
    }, 2);
    try {
      await run(env, 30_000);
      await waitFor("a leader wrote", () => writes.some((w) => w.ok));
      const first = replicas.a.isLeader ? "a" : "b";
      const second = first === "a" ? "b" : "a";
      expect(new Set(writes.map((w) => w.who))).toEqual(new Set([first]));

      // Cut the leader off from the lease: it must stop writing before the other one starts.
      cuts[first].value = true;
      const cutAt = Date.now();
      await waitFor("the other replica took over", () => replicas[second].isLeader, 10_000);
      await run(env, 30_000);
      await waitFor("the new leader wrote", () => writes.some((w) => w.who === second && w.ok));
      const lastOld = Math.max(...writes.filter((w) => w.who === first).map((w) => w.at));
      const firstNew = Math.min(...writes.filter((w) => w.who === second).map((w) => w.at));
      expect(lastOld).toBeLessThan(firstNew);
      expect(firstNew - cutAt).toBeGreaterThanOrEqual(1_000); // not before the old leader's renew deadline
      expect(replicas[first].isLeader).toBe(false);

      // The cut-off replica comes back as a follower; the leader shuts down and hands over at once.
      cuts[first].value = false;
      await sleep(500);
      expect(replicas[first].isLeader).toBe(false);
      await replicas[second].stop();
      const stoppedAt = Date.now();
      const lease = env.cluster.store.get("leases.coordination.k8s.io", "default", "pod-health-operator") as Lease;
      expect(lease.spec?.holderIdentity === "" || replicas[first].isLeader).toBe(true);
      await waitFor("the first replica leads again", () => replicas[first].isLeader, 5_000);
      expect(Date.now() - stoppedAt).toBeLessThan(1_500); // the released lease is not waited out
      await run(env, 20_000);
      await waitFor("reports match pods", () => divergence(env).length === 0);
      expect(violations).toEqual([]);
    } finally {
      clearInterval(sampler);
      await replicas.a.stop();
      await replicas.b.stop();
    }
  });

  it("two shards split the pods with no overlap and no gap", async () => {
    env = await startEnv();
    kubelets.push(startKubelet(env.cluster.store, { scenario: "mixed", pods: 60, clock: env.clock, seed: 11 }));
    const writes: WriteRecord[] = [];
    const shards = [0, 1].map(
      (i) => startController(env, { shardCount: "2", shardIndex: String(i) }, { reportApi: recordingReportApi(env, String(i), writes) }).controller,
    );
    await Promise.all(shards.map((c) => c.whenSynced()));
    await run(env, 4 * 60_000, 2_000);
    await waitFor("reports match pods", () => divergence(env).length === 0, 20_000);

    const byShard = [0, 1].map((i) => new Set(writes.filter((w) => w.who === String(i)).map((w) => w.key)));
    expect([...byShard[0]].filter((k) => byShard[1].has(k))).toEqual([]);
    for (const [i, keys] of byShard.entries()) for (const k of keys) expect(shardOf(k, 2)).toBe(i);
    const all = pods(env).map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`);
    expect(byShard[0].size).toBeGreaterThan(0);
    expect(byShard[1].size).toBeGreaterThan(0);
    for (const k of all) expect(byShard[shardOf(k, 2)].has(k)).toBe(true);
    // Each replica caches only its own shard's pods.
    expect(shards[0].podCount + shards[1].podCount).toBe(all.length);
    expect(shards[0].podCount).toBe(all.filter((k) => shardOf(k, 2) === 0).length);
    await Promise.all(shards.map((c) => c.stop()));
  });

  it("1,000 pods under churn converge", async () => {
    env = await startEnv();
    kubelets.push(startKubelet(env.cluster.store, { scenario: "mixed", pods: 1000, clock: env.clock, seed: 5 }));
    const { controller, logs } = startController(env, { concurrency: "8" });
    await controller.whenSynced();
    await run(env, 5 * 60_000, 5_000, 20);
    await waitFor("1,000 reports match their pods", () => divergence(env).length === 0, 60_000);
    expect(pods(env).length).toBeGreaterThanOrEqual(900);
    // Under load a request may time out and be retried; nothing else may go wrong.
    const allowed = ["timeout", "network", "server", "conflict"];
    const unexpected = logs.lines.filter((l) => String(l.msg).startsWith("reconcile failed") && !allowed.includes(String(l.class)));
    expect(unexpected.map((l) => `${l.class}: ${l.error}`)).toEqual([]);
    expect(Object.keys(controller.stats.errors).filter((c) => !allowed.includes(c))).toEqual([]);
    expect(controller.stats.writes).toBeGreaterThan(1000);
    await controller.stop();
  }, 120_000);
});
