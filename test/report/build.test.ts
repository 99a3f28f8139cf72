// The whole desired report: identity, owner, status from the engine, counts from events, transitions.
import { buildReport, type CoreEvent, type PodHealthReport } from "../../src/report/index.js";
import type { DerivedPodStatus, Pod } from "../../src/status/types.js";
import { at, fixtureEvents, liveness, OPTIONS, pod, POD_UID, roundTrip, running, T0, troubledPod } from "./fixtures.js";

const build = (p: Pod, events: CoreEvent[], s: number, previous?: PodHealthReport | null): PodHealthReport =>
  buildReport({ pod: p, events, previous, now: new Date(T0 + s * 1000), options: OPTIONS });

/** The paths of every null, and of every key whose value is undefined, in a value. */
function nullsIn(value: unknown, path = ""): string[] {
  if (value === null || value === undefined) return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => nullsIn(v, `${path}[${i}]`));
  if (typeof value === "object") return Object.entries(value).flatMap(([k, v]) => nullsIn(v, `${path}.${k}`));
  return [];
}

describe("buildReport", () => {
  const report = build(troubledPod(), fixtureEvents, 0);

  test("identity, owner and spec come from the pod", () => {
    expect(report.apiVersion).toBe("podhealth.io/v1alpha1");
    expect(report.kind).toBe("PodHealthReport");
    expect(report.metadata).toEqual({
      name: "web-0",
      namespace: "shop",
      labels: { "app.kubernetes.io/managed-by": "pod-health-operator" },
      ownerReferences: [{ apiVersion: "v1", kind: "Pod", name: "web-0", uid: POD_UID, controller: false, blockOwnerDeletion: false }],
    });
    expect(report.spec).toEqual({ podName: "web-0", podUID: POD_UID });
  });

  test("status carries the engine's verdict and the pod's context", () => {
    expect(report.status).toMatchObject({
      status: "CrashLoopBackOff",
      ready: "1/2",
      restarts: 2,
      phase: "Running",
      health: "Unhealthy",
      reason: "CrashLoopBackOff",
      qosClass: "Burstable",
      nodeName: "node-1",
      resize: "Deferred",
      lastTransitionTime: at(0),
      observedAt: at(0),
    });
    expect(report.status.containers.map((c) => [c.name, c.state, c.restartCount])).toEqual([["app", "waiting", 2], ["sidecar", "running", 0]]);
    expect(report.status.conditions.map((c) => c.type)).toEqual(["Ready", "PodResizePending"]);
    expect(report.status.probes).toStrictEqual([
      { container: "app", liveness: "http-get http://:80/healthz delay=0s timeout=5s period=3s #success=1 #failure=3" },
      { container: "sidecar", readiness: "tcp-socket :15021 delay=0s timeout=1s period=10s #success=1 #failure=3" },
    ]);
  });

  // API conventions: an optional field without a value is left out. A stored null would print <no value> in
  // kubectl get (REASON of a healthy pod) and is one more thing the CRD would have to declare nullable.
  test.each([
    ["a healthy pod", () => build(pod(), [], 0)],
    ["an unscheduled pod", () => build({ ...pod([]), spec: { containers: [{ name: "app", image: "x" }] }, status: { phase: "Pending" } }, [], 0)],
    ["a crash-looping pod with probe events", () => report],
  ])("%s: no null anywhere in the report, and no key without a value", (_name, make) => {
    const built = make();
    expect(nullsIn(built)).toEqual([]);
    expect(JSON.stringify(roundTrip(built))).toBe(JSON.stringify(built));
  });

  test("a healthy pod's report leaves out what it has no value for", () => {
    const healthy = build(pod(), [], 0).status;
    for (const key of ["reason", "message", "lastRestartTime", "resize"]) expect(Object.hasOwn(healthy, key)).toBe(false);
    expect(healthy.crashLoop).toStrictEqual({ count: 0 });
    expect(Object.hasOwn(healthy.tracking, "eventsCountedUntil")).toBe(false);
  });

  test("a report stored with nulls (by a version that wrote them) rebuilds without them, as a fresh one", () => {
    const fresh = build(pod(), [], 0);
    const old = roundTrip(fresh) as unknown as { status: Record<string, unknown> & { crashLoop: object; tracking: object } };
    Object.assign(old.status, { reason: null, message: null, resize: null, lastRestartTime: null });
    Object.assign(old.status.crashLoop, { lastEnteredTime: null, container: null });
    Object.assign(old.status.tracking, { eventsCountedUntil: null });
    const rebuilt = build(pod(), [], 30, old as unknown as PodHealthReport);
    expect(nullsIn(rebuilt)).toEqual([]);
    expect({ ...rebuilt.status, observedAt: "" }).toStrictEqual({ ...fresh.status, observedAt: "" });
  });

  test("counts come from this pod's events only", () => {
    const { history, ...totals } = report.status.probeFailures;
    expect(totals).toEqual({ total: 10, liveness: 6, readiness: 4, startup: 0, hooks: 0, warnings: 0 });
    expect(history.map((h) => [h.time, h.probe, h.reason, h.count])).toEqual([
      ["2025-03-01T09:59:55Z", "readiness", "Unhealthy", 4],
      ["2025-03-01T09:59:50Z", "liveness", "Killing", 2],
      ["2025-03-01T09:59:50Z", "liveness", "Unhealthy", 6],
    ]);
    // Seen in back-off at restartCount 2, and BackOff events show the entry at 1 too.
    expect(report.status.crashLoop).toEqual({ count: 2, lastEnteredTime: "2025-03-01T09:59:50Z", container: "app" });
  });

  test("rebuilding from the stored report changes nothing but observedAt", () => {
    const again = build(troubledPod(), fixtureEvents, 30, roundTrip(report));
    expect({ ...again.status, observedAt: "" }).toEqual({ ...report.status, observedAt: "" });
    expect(again.status.observedAt).toBe(at(30));
  });

  test("lastTransitionTime moves only when STATUS changes", () => {
    const same = build(troubledPod(), fixtureEvents, 30, roundTrip(report));
    const recovered = build(pod([running("app", 3, at(25)), running("sidecar", 0)]), fixtureEvents, 60, roundTrip(same));
    const still = build(pod([running("app", 3, at(25)), running("sidecar", 0)]), fixtureEvents, 90, roundTrip(recovered));
    expect([same, recovered, still].map((r) => [r.status.status, r.status.lastTransitionTime])).toEqual([
      ["CrashLoopBackOff", at(0)],
      ["Running", at(60)],
      ["Running", at(60)],
    ]);
  });

  test("a previous report of an older pod with the same name is ignored", () => {
    const older = roundTrip(report);
    older.spec.podUID = "7aa0-older-pod";
    older.status.probeFailures.liveness = 99;
    const fresh = build(troubledPod(), [], 30, older);
    expect(fresh.status.probeFailures.liveness).toBe(0);
    expect(fresh.status.lastTransitionTime).toBe(at(30));
  });

  test("a previous report that lost fields (older operator, pruning) is read defensively", () => {
    const partial = roundTrip(build(pod(), [liveness("e1", 2)], 0)) as unknown as { status: Record<string, unknown> };
    delete partial.status.tracking;
    delete (partial.status.probeFailures as Record<string, unknown>).history;
    const next = build(pod(), [liveness("e1", 2)], 10, partial as unknown as PodHealthReport);
    // Without cursors the event is new again: counted totals keep their memory, the cursor list restarts.
    expect(next.status.probeFailures.liveness).toBe(4);
    expect(next.status.tracking.events).toEqual([{ name: "web-0.e1", count: 2, time: at(2) }]);
  });

  test("messages are truncated with an ellipsis", () => {
    const derived: DerivedPodStatus = {
      status: "Error", ready: "0/1", readyCount: 0, totalCount: 1, restarts: 0, lastRestartTime: null, restartsText: "0",
      phase: "Running", health: "Unhealthy", reason: "Error", message: "x".repeat(600), containers: [],
    };
    const r = buildReport({ pod: pod(), events: [], now: new Date(T0), options: { ...OPTIONS, maxMessageLength: 512 }, derived });
    expect(Array.from(r.status.message ?? "")).toHaveLength(512);
    expect(r.status.message?.endsWith("…")).toBe(true);
  });

  test("a pod without a uid cannot own a report", () => {
    const anonymous = pod();
    delete anonymous.metadata?.uid;
    expect(() => build(anonymous, [], 0)).toThrow(/lacks metadata/);
  });
});
