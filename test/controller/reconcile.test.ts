import { Reconciler, compareResourceVersions, type ReconcilerDeps } from "../../src/controller/reconcile.js";
import { Interner } from "../../src/controller/intern.js";
import type { ReportApi } from "../../src/controller/report-api.js";
import { toCached, type CachedReport } from "../../src/controller/report-cache.js";
import { silentLogger } from "../../src/log.js";
import { reportOptions, type CoreEvent, type PodHealthReport } from "../../src/report/index.js";
import type { Pod } from "../../src/status/types.js";

const T0 = Date.parse("2025-01-01T00:00:00Z");
const iso = (ms: number): string => new Date(ms).toISOString();

/** A PodHealthReport collection with resourceVersions and a status subresource, like the API server's. */
class FakeReports implements ReportApi {
  readonly items = new Map<string, PodHealthReport>();
  readonly calls: string[] = [];
  private rv = 1;
  conflictNext = 0;

  private conflict(): void {
    if (this.conflictNext > 0) {
      this.conflictNext--;
      throw Object.assign(new Error("HTTP-Code: 409"), { code: 409 });
    }
  }

  private k(ns: string, name: string): string {
    return `${ns}/${name}`;
  }

  async get(ns: string, name: string): Promise<PodHealthReport | null> {
    this.calls.push(`get ${name}`);
    const r = this.items.get(this.k(ns, name));
    return r ? structuredClone(r) : null;
  }

  async create(report: PodHealthReport): Promise<PodHealthReport> {
    this.calls.push(`create ${report.metadata.name}`);
    const key = this.k(report.metadata.namespace, report.metadata.name);
    if (this.items.has(key)) throw Object.assign(new Error("exists"), { code: 409 });
    const stored = structuredClone({ ...report, status: undefined, metadata: { ...report.metadata, uid: `r-${++this.rv}`, resourceVersion: String(++this.rv) } }) as unknown as PodHealthReport;
    this.items.set(key, stored);
    return structuredClone(stored);
  }

  private check(report: PodHealthReport): PodHealthReport {
    this.conflict();
    const cur = this.items.get(this.k(report.metadata.namespace, report.metadata.name));
    if (!cur) throw Object.assign(new Error("not found"), { code: 404 });
    if (cur.metadata.resourceVersion !== report.metadata.resourceVersion) throw Object.assign(new Error("conflict"), { code: 409 });
    return cur;
  }

  async replace(report: PodHealthReport): Promise<PodHealthReport> {
    this.calls.push(`replace ${report.metadata.name}`);
    const cur = this.check(report);
    const next = structuredClone({ ...cur, metadata: { ...report.metadata, resourceVersion: String(++this.rv) }, spec: report.spec });
    this.items.set(this.k(report.metadata.namespace, report.metadata.name), next);
    return structuredClone(next);
  }

  async replaceStatus(report: PodHealthReport): Promise<PodHealthReport> {
    this.calls.push(`status ${report.metadata.name}`);
    const cur = this.check(report);
    const next = structuredClone({ ...cur, metadata: { ...cur.metadata, resourceVersion: String(++this.rv) }, status: report.status });
    this.items.set(this.k(report.metadata.namespace, report.metadata.name), next);
    return structuredClone(next);
  }

  async delete(ns: string, name: string): Promise<boolean> {
    this.calls.push(`delete ${name}`);
    return this.items.delete(this.k(ns, name));
  }
}

function runningPod(name: string, opts: { uid?: string; ready?: boolean; restarts?: number; crashLoop?: boolean } = {}): Pod {
  const ready = opts.ready ?? true;
  return {
    metadata: { name, namespace: "ns", uid: opts.uid ?? `uid-${name}`, creationTimestamp: iso(T0 - 3_600_000) },
    spec: { nodeName: "node-1", containers: [{ name: "app", image: "app:1" }] },
    status: {
      phase: "Running",
      startTime: iso(T0 - 3_600_000),
      conditions: [{ type: "Ready", status: ready ? "True" : "False" }],
      containerStatuses: [
        {
          name: "app",
          image: "app:1",
          ready,
          started: !opts.crashLoop,
          restartCount: opts.restarts ?? 0,
          state: opts.crashLoop ? { waiting: { reason: "CrashLoopBackOff", message: "back-off 40s restarting failed container" } } : { running: { startedAt: iso(T0 - 3_600_000) } },
          lastState: opts.crashLoop ? { terminated: { reason: "Error", exitCode: 1, finishedAt: iso(T0 - 30_000) } } : {},
        },
      ],
    },
  };
}

const interner = new Interner();
const cacheForm = (r: PodHealthReport | undefined): CachedReport | undefined => (r === undefined ? undefined : (toCached(r, interner) ?? undefined));

function setup(over: Partial<ReconcilerDeps> = {}) {
  const api = new FakeReports();
  const pods = new Map<string, Pod>();
  const events = new Map<string, CoreEvent[]>();
  const requeues: Array<[string, number]> = [];
  let now = T0;
  let writable = true;
  let conflicts = 0;
  const r = new Reconciler({
    pod: (k) => pods.get(k),
    events: (k) => events.get(k) ?? [],
    // The cache is always up to date here, unless a test says otherwise; it holds the cache form, as the
    // controller's does.
    cachedReport: (k) => cacheForm(api.items.get(k)),
    api,
    reportMode: "all",
    healthyGraceMs: 300_000,
    reportOptions: reportOptions({ historySize: 5 }),
    now: () => now,
    canWrite: () => writable,
    requeueAfter: (k, ms) => requeues.push([k, ms]),
    onConflict: () => conflicts++,
    logger: silentLogger(),
    ...over,
  });
  return {
    r,
    api,
    pods,
    events,
    requeues,
    setNow: (t: number) => (now = t),
    setWritable: (w: boolean) => (writable = w),
    conflicts: () => conflicts,
  };
}

/** An Unhealthy readiness-probe event about a pod, with a count (the recorder raises it on repeats). */
function readinessEvent(pod: string, count: number, at: number, uid = `ev-${pod}`): CoreEvent {
  return {
    metadata: { uid, name: `${pod}.1`, namespace: "ns", resourceVersion: String(count) },
    involvedObject: { kind: "Pod", name: pod, namespace: "ns", uid: `uid-${pod}`, fieldPath: "spec.containers{app}" },
    reason: "Unhealthy",
    message: "Readiness probe failed: HTTP probe failed with statuscode: 503",
    type: "Warning",
    count,
    firstTimestamp: iso(T0 - 60_000),
    lastTimestamp: iso(at),
  };
}

describe("Reconciler", () => {
  it("creates a report (object, then status) and then leaves it alone while nothing changes", async () => {
    const { r, api, pods, setNow } = setup();
    pods.set("ns/web", runningPod("web"));
    expect(await r.reconcile("ns/web")).toBe("created");
    expect(api.calls).toEqual(["create web", "status web"]);
    const report = api.items.get("ns/web") as PodHealthReport;
    expect(report.spec).toEqual({ podName: "web", podUID: "uid-web" });
    expect(report.status).toMatchObject({ status: "Running", ready: "1/1", health: "Healthy" });
    setNow(T0 + 60_000); // only observedAt would change
    expect(await r.reconcile("ns/web")).toBe("unchanged");
    expect(api.calls).toHaveLength(2);
  });

  it("writes only the status when the pod changes", async () => {
    const { r, api, pods } = setup();
    pods.set("ns/web", runningPod("web"));
    await r.reconcile("ns/web");
    pods.set("ns/web", runningPod("web", { crashLoop: true, restarts: 3, ready: false }));
    expect(await r.reconcile("ns/web")).toBe("updated");
    expect(api.calls.slice(2)).toEqual(["status web"]);
    expect(api.items.get("ns/web")?.status).toMatchObject({ status: "CrashLoopBackOff", restarts: 3 });
  });

  it("deletes the report of a pod that is gone; a missing pod without report is not an error", async () => {
    const { r, api, pods } = setup();
    pods.set("ns/web", runningPod("web"));
    await r.reconcile("ns/web");
    pods.delete("ns/web");
    expect(await r.reconcile("ns/web")).toBe("deleted");
    expect(api.items.size).toBe(0);
    expect(await r.reconcile("ns/web")).toBe("unchanged");
  });

  it("replaces a report left by an earlier pod of the same name", async () => {
    const { r, api, pods } = setup();
    pods.set("ns/web", runningPod("web", { uid: "old" }));
    await r.reconcile("ns/web");
    pods.set("ns/web", runningPod("web", { uid: "new" }));
    expect(await r.reconcile("ns/web")).toBe("created");
    expect(api.calls).toEqual(["create web", "status web", "delete web", "create web", "status web"]);
    expect(api.items.get("ns/web")?.spec.podUID).toBe("new");
  });

  it("restores a report a user edited", async () => {
    const { r, api, pods } = setup();
    pods.set("ns/web", runningPod("web"));
    await r.reconcile("ns/web");
    const edited = structuredClone(api.items.get("ns/web") as PodHealthReport);
    edited.metadata.labels = {};
    edited.status.health = "Failed";
    edited.metadata.resourceVersion = "999";
    api.items.set("ns/web", edited);
    expect(await r.reconcile("ns/web")).toBe("updated");
    // The cache keeps no whole report, so the rare repair of labels, owners or spec reads the report first.
    expect(api.calls.slice(2)).toEqual(["get web", "replace web", "status web"]);
    expect(api.items.get("ns/web")?.status.health).toBe("Healthy");
    expect(api.items.get("ns/web")?.metadata.labels).toEqual({ "app.kubernetes.io/managed-by": "pod-health-operator" });
  });

  it("on a 409 refetches the report and tries again", async () => {
    const { r, api, pods, conflicts } = setup();
    pods.set("ns/web", runningPod("web"));
    await r.reconcile("ns/web");
    pods.set("ns/web", runningPod("web", { restarts: 1 }));
    api.conflictNext = 1;
    expect(await r.reconcile("ns/web")).toBe("updated");
    expect(api.calls.slice(2)).toEqual(["status web", "get web", "status web"]);
    expect(conflicts()).toBe(1);
  });

  it("when the report vanishes under a write (its pod's garbage collection, a user), reads again and recreates it", async () => {
    let cached: CachedReport | undefined = undefined;
    const { r, api, pods, conflicts } = setup({ cachedReport: () => cached });
    pods.set("ns/web", runningPod("web"));
    await r.reconcile("ns/web");
    // The cache still has the report, the server no longer does.
    cached = cacheForm(api.items.get("ns/web"));
    r.forget("ns/web");
    api.items.delete("ns/web");
    pods.set("ns/web", runningPod("web", { restarts: 1 }));
    expect(await r.reconcile("ns/web")).toBe("created");
    expect(api.calls.slice(-4)).toEqual(["status web", "get web", "create web", "status web"]);
    expect(api.items.get("ns/web")?.status.restarts).toBe(1);
    expect(conflicts()).toBe(0);
  });

  it("gives up after repeated conflicts and lets the queue retry", async () => {
    const { r, api, pods } = setup();
    pods.set("ns/web", runningPod("web"));
    await r.reconcile("ns/web");
    pods.set("ns/web", runningPod("web", { restarts: 1 }));
    api.conflictNext = 10;
    await expect(r.reconcile("ns/web")).rejects.toMatchObject({ code: 409 });
  });

  it("with a stale cache uses what it wrote itself instead of conflicting", async () => {
    const stale = new Map<string, CachedReport>();
    const { r, api, pods } = setup({ cachedReport: (k) => stale.get(k) });
    pods.set("ns/web", runningPod("web"));
    expect(await r.reconcile("ns/web")).toBe("created");
    pods.set("ns/web", runningPod("web", { restarts: 1 }));
    expect(await r.reconcile("ns/web")).toBe("updated");
    expect(api.calls).toEqual(["create web", "status web", "status web"]);
    expect(r.isOwnWrite("ns/web", cacheForm(api.items.get("ns/web"))!)).toBe(true);
  });

  it("knows the echoes of its own writes, the create's too when it comes after the status write", async () => {
    const { r, api, pods } = setup({ cachedReport: () => undefined });
    pods.set("ns/web", runningPod("web"));
    const created = cacheForm({ ...(await (async () => (await r.reconcile("ns/web"), api.items.get("ns/web")!))()) })!;
    const createEcho = { ...created, metadata: { ...created.metadata, resourceVersion: String(Number(created.metadata.resourceVersion) - 1) } };
    expect(r.isOwnWrite("ns/web", createEcho)).toBe(true);
    // Someone else's write comes after: not an echo.
    expect(r.isOwnWrite("ns/web", { ...created, metadata: { ...created.metadata, resourceVersion: "99999" } })).toBe(false);
    expect(r.isOwnWrite("ns/web", created)).toBe(true);
    // Once the cache has caught up, nothing more is remembered.
    expect(r.isOwnWrite("ns/web", created)).toBe(false);
  });

  it("writes nothing when it may not (not the leader)", async () => {
    const { r, api, pods, setWritable } = setup();
    setWritable(false);
    pods.set("ns/web", runningPod("web"));
    expect(await r.reconcile("ns/web")).toBe("skipped");
    expect(api.calls).toEqual([]);
  });

  describe("--count-write-interval", () => {
    it("holds a count-only change back until the interval since the last write is up, counting on what it holds", async () => {
      const { r, api, pods, events, requeues, setNow } = setup({ countWriteIntervalMs: 30_000 });
      pods.set("ns/web", runningPod("web"));
      events.set("ns/web", [readinessEvent("web", 1, T0 - 1_000)]);
      expect(await r.reconcile("ns/web")).toBe("created");
      expect(api.items.get("ns/web")?.status.probeFailures.readiness).toBe(1);

      // Two more failures, ten seconds after the write: nothing but counts changed, so it waits 20 s.
      setNow(T0 + 10_000);
      events.set("ns/web", [readinessEvent("web", 3, T0 + 9_000)]);
      api.calls.length = 0;
      expect(await r.reconcile("ns/web")).toBe("deferred");
      expect(api.calls).toEqual([]);
      expect(requeues).toContainEqual(["ns/web", 20_000]);
      expect(r.deferredKeys()).toEqual(["ns/web"]);

      // Another failure meanwhile is counted on top of what is held (3 → 4), not from the server's 1 twice.
      setNow(T0 + 20_000);
      events.set("ns/web", [readinessEvent("web", 4, T0 + 19_000)]);
      expect(await r.reconcile("ns/web")).toBe("deferred");
      setNow(T0 + 30_000);
      expect(await r.reconcile("ns/web")).toBe("updated");
      expect(api.items.get("ns/web")?.status.probeFailures.readiness).toBe(4);
      expect(r.deferredKeys()).toEqual([]);
    });

    it("writes a change of STATUS, READY, health or reason at once, whatever the interval", async () => {
      const { r, api, pods, setNow } = setup({ countWriteIntervalMs: 30_000 });
      pods.set("ns/web", runningPod("web"));
      await r.reconcile("ns/web");
      setNow(T0 + 1_000);
      pods.set("ns/web", runningPod("web", { crashLoop: true, restarts: 3, ready: false }));
      expect(await r.reconcile("ns/web")).toBe("updated");
      expect(api.items.get("ns/web")?.status.status).toBe("CrashLoopBackOff");
    });

    it("writes what it holds when asked to flush (shutdown)", async () => {
      const { r, api, pods, events, setNow } = setup({ countWriteIntervalMs: 30_000 });
      pods.set("ns/web", runningPod("web"));
      events.set("ns/web", [readinessEvent("web", 1, T0 - 1_000)]);
      await r.reconcile("ns/web");
      setNow(T0 + 5_000);
      events.set("ns/web", [readinessEvent("web", 2, T0 + 4_000)]);
      expect(await r.reconcile("ns/web")).toBe("deferred");
      expect(await r.reconcile("ns/web", { flush: true })).toBe("updated");
      expect(api.items.get("ns/web")?.status.probeFailures.readiness).toBe(2);
    });

    it("drops what it holds when someone else wrote the report since: it counts from the server's version", async () => {
      const { r, api, pods, events, setNow } = setup({ countWriteIntervalMs: 30_000 });
      pods.set("ns/web", runningPod("web"));
      events.set("ns/web", [readinessEvent("web", 1, T0 - 1_000)]);
      await r.reconcile("ns/web");
      setNow(T0 + 5_000);
      events.set("ns/web", [readinessEvent("web", 2, T0 + 4_000)]);
      expect(await r.reconcile("ns/web")).toBe("deferred");
      // Another leader counted that failure and wrote: the held report is stale.
      const other = structuredClone(api.items.get("ns/web") as PodHealthReport);
      other.status.probeFailures.readiness = 2;
      other.status.probeFailures.total = 2;
      other.status.tracking.events = [{ uid: "ev-web", count: 2, time: iso(T0 + 4_000) }];
      await api.replaceStatus(other);
      setNow(T0 + 40_000);
      await r.reconcile("ns/web");
      expect(api.items.get("ns/web")?.status.probeFailures.readiness).toBe(2);
    });
  });

  describe("probe failures of a ready pod", () => {
    it("make it Degraded, naming the probe, until the newest failure is ten minutes old; it comes back then", async () => {
      const { r, api, pods, events, requeues, setNow } = setup();
      pods.set("ns/web", runningPod("web"));
      events.set("ns/web", [readinessEvent("web", 3, T0 - 60_000)]);
      await r.reconcile("ns/web");
      expect(api.items.get("ns/web")?.status).toMatchObject({ status: "Running", ready: "1/1", health: "Degraded", reason: "ReadinessProbeFailing" });
      expect(api.items.get("ns/web")?.status.message).toContain('readiness probe of container "app" failed at');
      const due = T0 - 60_000 + 10 * 60_000 + 1;
      expect(requeues).toContainEqual(["ns/web", due - T0]);
      setNow(due);
      await r.reconcile("ns/web");
      expect(api.items.get("ns/web")?.status).toMatchObject({ health: "Healthy" });
      expect(api.items.get("ns/web")?.status.reason).toBeUndefined();
    });
  });

  describe("report-mode unhealthy", () => {
    it("does not count a pod's earlier failures again when it fails anew after its report was deleted", async () => {
      const { r, api, pods, events, setNow } = setup({ reportMode: "unhealthy", healthyGraceMs: 300_000 });
      pods.set("ns/web", runningPod("web", { ready: false }));
      events.set("ns/web", [readinessEvent("web", 5, T0 - 1_000)]);
      expect(await r.reconcile("ns/web")).toBe("created");
      expect(api.items.get("ns/web")?.status.probeFailures.readiness).toBe(5);
      // It recovers, and once its last probe failure is ten minutes old it is Healthy; past the grace the report
      // goes (its events stay, for an hour).
      pods.set("ns/web", runningPod("web"));
      setNow(T0 + 11 * 60_000);
      await r.reconcile("ns/web");
      setNow(T0 + 16 * 60_000);
      expect(await r.reconcile("ns/web")).toBe("deleted");
      // It fails once more: 6 in all, not 5 + 6.
      setNow(T0 + 20 * 60_000);
      pods.set("ns/web", runningPod("web", { ready: false }));
      events.set("ns/web", [readinessEvent("web", 6, T0 + 20 * 60_000 - 1_000)]);
      expect(await r.reconcile("ns/web")).toBe("created");
      expect(api.items.get("ns/web")?.status.probeFailures.readiness).toBe(6);
    });

    it("keeps reports only for pods that are not Healthy, deleting them after the healthy grace", async () => {
      const { r, api, pods, requeues, setNow } = setup({ reportMode: "unhealthy", healthyGraceMs: 300_000 });
      pods.set("ns/ok", runningPod("ok"));
      expect(await r.reconcile("ns/ok")).toBe("unchanged");
      expect(api.calls).toEqual([]);

      pods.set("ns/web", runningPod("web", { crashLoop: true, restarts: 2, ready: false }));
      expect(await r.reconcile("ns/web")).toBe("created");

      // It recovers: the report stays (and says so) during the grace, and the key comes back when it ends.
      setNow(T0 + 11 * 60_000);
      pods.set("ns/web", { ...runningPod("web", { restarts: 2 }) });
      const recovered = pods.get("ns/web") as Pod;
      recovered.status!.containerStatuses![0].lastState = { terminated: { reason: "Error", exitCode: 1, finishedAt: iso(T0 - 30_000) } };
      expect(await r.reconcile("ns/web")).toBe("updated");
      expect(api.items.get("ns/web")?.status.health).toBe("Healthy");
      expect(requeues).toContainEqual(["ns/web", 300_000]);

      setNow(T0 + 11 * 60_000 + 299_000);
      expect(await r.reconcile("ns/web")).toBe("unchanged");
      setNow(T0 + 11 * 60_000 + 300_000);
      expect(await r.reconcile("ns/web")).toBe("deleted");
      expect(api.items.has("ns/web")).toBe(false);
    });

    it("after a restart takes the healthy-since time from the report", async () => {
      const first = setup({ reportMode: "unhealthy" });
      first.pods.set("ns/web", runningPod("web"));
      // A report written (by an earlier run) while the pod was already healthy.
      const fake = first.api;
      const seed = setup({ reportMode: "all" });
      seed.pods.set("ns/web", runningPod("web"));
      await seed.r.reconcile("ns/web");
      fake.items.set("ns/web", seed.api.items.get("ns/web") as PodHealthReport);
      first.setNow(T0 + 300_000);
      expect(await first.r.reconcile("ns/web")).toBe("deleted");
    });
  });

  it("orders numeric resourceVersions and refuses to order others", () => {
    expect(compareResourceVersions("9", "10")).toBe(-1);
    expect(compareResourceVersions("10", "10")).toBe(0);
    expect(compareResourceVersions("a", "10")).toBeNull();
  });
});
