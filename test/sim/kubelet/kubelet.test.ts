// The kubelet as a whole: starting scenarios, pods deleted from outside, making a pod recover, stopping cleanly,
// and failing fast on bad options.
import { ManualClock, POD_SCENARIOS, runScenario, SCENARIOS, startKubelet } from "../../../src/sim/kubelet/index.js";
import { derivePodStatus } from "../../../src/status/index.js";
import type { Pod } from "../../../src/status/types.js";
import { containerStatus, harness, newStore } from "./helpers.js";

const MIN = 60_000;

function step(clock: ManualClock, ms: number): void {
  for (let t = 0; t < ms; t += 1000) clock.advance(Math.min(1000, ms - t));
}

test("SCENARIOS lists every pod scenario plus mixed, in kebab-case", () => {
  expect(SCENARIOS).toEqual([...POD_SCENARIOS, "mixed"]);
  for (const s of SCENARIOS) expect(s).toMatch(/^[a-z]+(-[a-z]+)*$/);
  expect(SCENARIOS).toEqual(expect.arrayContaining(["healthy", "crashloop", "image-pull-backoff", "liveness-failure", "readiness-flapping", "startup-never-passes", "init-failure", "oom-killed", "evicted", "node-lost", "completed", "deletion", "recovering"]));
});

test("startKubelet runs N deployment-like pods of a scenario, staggered and spread over nodes", () => {
  const clock = new ManualClock();
  const store = newStore(clock);
  const kubelet = startKubelet(store, { scenario: "crashloop", pods: 3, clock, namespace: "team-a" });
  expect(store.list("pods", "team-a")).toHaveLength(1);
  step(clock, 5000);
  const pods = store.list("pods", "team-a");
  expect(pods).toHaveLength(3);
  const hashes = new Set(pods.map((p) => p.metadata?.labels?.["pod-template-hash"]));
  expect(hashes.size).toBe(1);
  for (const p of pods) {
    expect(p.metadata?.name).toMatch(/^crashloop-[a-z0-9]{10}-[a-z0-9]{5}$/);
    expect(p.metadata?.ownerReferences).toEqual([expect.objectContaining({ kind: "ReplicaSet", apiVersion: "apps/v1", controller: true, name: `crashloop-${[...hashes][0]}` })]);
  }
  expect(new Set(pods.map((p) => (p.spec as { nodeName?: string }).nodeName)).size).toBe(3);
  expect(store.get("namespaces", "", "team-a")).toBeDefined();
  kubelet.stop();
});

test("a completed pod started without a name belongs to a Job", () => {
  const clock = new ManualClock();
  const store = newStore(clock);
  const kubelet = startKubelet(store, { scenario: "completed", clock });
  const [pod] = store.list("pods", "default");
  expect(pod.metadata?.ownerReferences?.[0]).toMatchObject({ kind: "Job", apiVersion: "batch/v1" });
  expect(pod.metadata?.labels?.["job-name"]).toBe(pod.metadata?.ownerReferences?.[0].name);
  kubelet.stop();
});

test("the same seed gives the same cluster", () => {
  const names = (seed: number): string[] => {
    const clock = new ManualClock();
    const store = newStore(clock);
    const kubelet = startKubelet(store, { scenario: "mixed", pods: 15, clock, seed });
    step(clock, 30_000);
    const out = store.list("pods").map((p) => `${p.metadata?.namespace}/${p.metadata?.name} ${(p.status as { podIP?: string }).podIP}`).sort();
    kubelet.stop();
    return out;
  };
  expect(names(7)).toEqual(names(7));
  expect(names(7)).not.toEqual(names(8));
});

test("a pod deleted with kubectl is stopped by the kubelet within its grace period and removed", () => {
  const h = harness("healthy");
  h.run(20_000);
  h.store.delete("pods", "default", "web-1", { gracePeriodSeconds: 30 });
  expect(h.derived().status).toBe("Terminating");
  h.run(1000);
  expect(h.events("Killing").map((e) => e.message)).toEqual(["Stopping container app"]);
  h.run(3000);
  expect(h.pod()).toBeUndefined();
  expect(h.kubelet.pods()).toEqual([]);
  expect(h.kubeletTimers()).toBe(0);
  h.kubelet.stop();
});

test("a crash-looping pod deleted while backing off is removed too", () => {
  const h = harness("crashloop");
  h.run(MIN);
  while (containerStatus(h.pod()).state?.waiting?.reason !== "CrashLoopBackOff") h.clock.advance(500);
  h.store.delete("pods", "default", "web-1");
  expect(h.derived().status).toBe("Terminating");
  h.run(5000);
  expect(h.pod()).toBeUndefined();
  expect(h.kubeletTimers()).toBe(0);
  h.kubelet.stop();
});

test("a pod deleted before it is scheduled goes at once and the kubelet lets it go", () => {
  const h = harness("healthy");
  h.store.delete("pods", "default", "web-1");
  expect(h.pod()).toBeUndefined();
  expect(h.kubelet.pods()).toEqual([]);
  h.run(10_000);
  expect(h.pod()).toBeUndefined();
  expect(h.kubeletTimers()).toBe(0);
  h.kubelet.stop();
});

test("recover(name) turns a crash-looping pod healthy from its next start", () => {
  const h = harness("crashloop");
  h.run(3 * MIN);
  const before = h.derived().restarts;
  expect(before).toBeGreaterThanOrEqual(3);
  expect(h.kubelet.recover("web-1")).toBe(true);
  expect(h.kubelet.recover("no-such-pod")).toBe(false);
  // The back-off in progress still has to run out (at most 80 s at this point) before the fixed app starts.
  h.run(3 * MIN);
  const after = h.derived();
  expect(after).toMatchObject({ status: "Running", ready: "1/1" });
  h.run(5 * MIN);
  expect(h.derived().restarts).toBe(after.restarts);
  expect(h.derived().restarts).toBeLessThanOrEqual(before + 2);
  h.kubelet.stop();
});

test("recover(name) ends an image pull back-off at the next retry", () => {
  const h = harness("image-pull-backoff");
  h.run(2 * MIN);
  expect(["ErrImagePull", "ImagePullBackOff"]).toContain(h.derived().status);
  h.kubelet.recover("web-1");
  h.run(3 * MIN);
  expect(h.derived()).toMatchObject({ status: "Running", ready: "1/1", restarts: 0 });
  h.kubelet.stop();
});

test("stop() cancels every timer: time passing afterwards changes nothing", () => {
  const clock = new ManualClock();
  const store = newStore(clock);
  const kubelet = startKubelet(store, { scenario: "liveness-failure", pods: 4, clock });
  step(clock, 45_000);
  expect(clock.pending()).toBeGreaterThan(0);
  kubelet.stop();
  kubelet.stop();
  // The event TTL's timer is the store's to cancel.
  store.close();
  expect(clock.pending()).toBe(0);
  const rv = store.currentResourceVersion();
  clock.advance(60 * MIN);
  expect(store.currentResourceVersion()).toBe(rv);
  expect(() => kubelet.addPod("healthy")).toThrow(/stopped/);
});

test("unknown scenarios and bad options fail fast with the list of valid names", () => {
  const clock = new ManualClock();
  const store = newStore(clock);
  expect(() => startKubelet(store, { scenario: "crash-loop", clock })).toThrow(/unknown scenario "crash-loop"; choose one of: healthy, image-pull-backoff, .*mixed/);
  expect(() => startKubelet(store, { scenario: "healthy", pods: -1, clock })).toThrow(/pods must be/);
  expect(() => startKubelet(store, { scenario: "healthy", timeScale: 0 })).toThrow(/time scale/);
  expect(() => runScenario(store, clock, { scenario: "mixed", name: "x" })).toThrow(/unknown pod scenario "mixed"/);
  // A failed start leaves no timers and no subscription behind.
  expect(clock.pending()).toBe(0);
  expect(store.list("pods")).toEqual([]);
});

test("addPod refuses to drive a second pod under a name it already drives", () => {
  const h = harness("healthy");
  expect(() => h.kubelet.addPod("crashloop", { name: "web-1" })).toThrow(/already drives pod default\/web-1/);
  const other = h.kubelet.addPod("crashloop", { name: "api-1", namespace: "other" });
  expect(other).toEqual({ namespace: "other", name: "api-1" });
  h.run(10_000);
  expect(h.kubelet.pods().map((p) => `${p.namespace}/${p.name}:${p.scenario}:${p.state}`).sort()).toEqual(["default/web-1:healthy:active", "other/api-1:crashloop:active"]);
  h.kubelet.stop();
});

test("a pod that cannot be created is not left half-driven", () => {
  const h = harness("healthy");
  h.store.create("pods", { metadata: { name: "taken", namespace: "default" }, spec: { containers: [] } });
  expect(() => h.kubelet.addPod("crashloop", { name: "taken" })).toThrow(/create pod default\/taken/);
  expect(h.kubelet.pods().map((p) => p.name)).toEqual(["web-1"]);
  h.store.remove("pods", "default", "taken");
  expect(h.kubelet.addPod("crashloop", { name: "taken" })).toEqual({ namespace: "default", name: "taken" });
  h.kubelet.stop();
});

test("timestamps follow the injected clock, not the wall clock", () => {
  const clock = new ManualClock(Date.UTC(2030, 5, 1, 12, 0, 0));
  const store = newStore(clock);
  const kubelet = runScenario(store, clock, { scenario: "healthy", name: "web-1" });
  step(clock, 20_000);
  const pod = store.get("pods", "default", "web-1") as Pod;
  expect(pod.status?.startTime).toBe("2030-06-01T12:00:01Z");
  expect(derivePodStatus(pod, new Date(clock.now())).status).toBe("Running");
  for (const e of store.list("events")) expect(String(e.lastTimestamp ?? e.eventTime)).toMatch(/^2030-06-01T12:00:/);
  kubelet.stop();
});
