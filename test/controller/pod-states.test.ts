// The per-pod state behind /metrics: the held crash-loop rule, and per-process counters that follow the report's
// lasting counts exactly once, whatever is folded twice, deleted or restarted.
import { isCrashLooping, PodStates, type ContainerState } from "../../src/controller/pod-states.js";
import { buildReportWithNew, type CoreEvent, type PodHealthReport } from "../../src/report/index.js";
import { BACKOFF_RESET_MS } from "../../src/report/crash-loop.js";
import { derivePodStatus } from "../../src/status/index.js";
import type { ContainerStatus, Pod } from "../../src/status/types.js";
import { at, crashLooping, liveness, OPTIONS, pod, POD_UID, roundTrip, running, T0 } from "../report/fixtures.js";

const KEY = "shop/web-0";
const MIN = 60_000;

describe("isCrashLooping (the held gauge)", () => {
  const c = (over: Partial<ContainerState>): ContainerState => ({
    name: "app",
    ready: false,
    restarts: 3,
    inBackOff: false,
    lastBackOffAt: null,
    runningSince: null,
    crashLoopEntries: 0,
    ...over,
  });
  const now = T0 + 60 * MIN;
  it.each<[string, Partial<ContainerState>, boolean]>([
    ["in CrashLoopBackOff now", { inBackOff: true }, true],
    ["briefly Running, backed off 5 minutes ago", { lastBackOffAt: now - 5 * MIN, runningSince: now - 4 * MIN }, true],
    ["terminated between back-offs", { lastBackOffAt: now - 30_000 }, true],
    ["backed off exactly at the reset window's edge", { lastBackOffAt: now - BACKOFF_RESET_MS }, true],
    ["last backed off longer ago than the reset window", { lastBackOffAt: now - BACKOFF_RESET_MS - 1, runningSince: now - 9 * MIN }, false],
    ["running longer than the reset window (the kubelet forgot the back-off)", { lastBackOffAt: now - 9 * MIN, runningSince: now - 11 * MIN }, false],
    ["never backed off", { runningSince: now - MIN }, false],
  ])("%s → %s", (_name, over, want) => expect(isCrashLooping(c(over), now)).toBe(want));
});

/** One reconcile as the Reconciler does it: derive, record, build, count; returns the report as written. */
function reconcile(states: PodStates, p: Pod, previous: PodHealthReport | null, now: number, events: CoreEvent[] = []): PodHealthReport {
  const derived = derivePodStatus(p, new Date(now));
  states.observeStatus(KEY, p, derived, previous, now);
  const { report, counted } = buildReportWithNew({ pod: p, events, previous, now: new Date(now), options: OPTIONS, derived });
  states.observeCounts(KEY, previous, report, counted, now);
  return roundTrip(report);
}

const withReady = (statuses: ContainerStatus[], ready: boolean): Pod =>
  pod(statuses, { status: { conditions: [{ type: "Ready", status: ready ? "True" : "False" }] } });

describe("PodStates", () => {
  it("records status, health, readiness and containers, and holds the crash loop through a brief Running", () => {
    const states = new PodStates(() => T0);
    let r = reconcile(states, withReady([crashLooping("app", 1), running("sidecar", 0)], false), null, T0 + 10_000);
    const s = states.get(KEY);
    expect(s).toMatchObject({ namespace: "shop", name: "web-0", uid: POD_UID, status: "CrashLoopBackOff", health: "Unhealthy", reason: "CrashLoopBackOff", ready: false });
    expect(s?.containers.map((c) => [c.name, c.ready, c.restarts, c.crashLoopEntries])).toEqual([
      ["app", false, 1, 1],
      ["sidecar", true, 0, 0],
    ]);
    // Back-off over, the container runs for a moment: still in the loop.
    const started = { ...running("app", 2, at(20)), ready: false, state: { running: { startedAt: at(25) } } };
    r = reconcile(states, withReady([started, running("sidecar", 0)], false), r, T0 + 26_000);
    const app = (): ContainerState => states.get(KEY)?.containers[0] as ContainerState;
    expect(app().inBackOff).toBe(false);
    expect(isCrashLooping(app(), T0 + 26_000)).toBe(true);
    r = reconcile(states, withReady([crashLooping("app", 2), running("sidecar", 0)], false), r, T0 + 30_000);
    expect(app().crashLoopEntries).toBe(2);
    expect(r.status.crashLoop.count).toBe(2);
    // It recovers for good: held for the kubelet's reset window, then clear.
    reconcile(states, withReady([{ ...running("app", 3, at(40)), state: { running: { startedAt: at(45) } } }, running("sidecar", 0)], true), r, T0 + 46_000);
    expect(isCrashLooping(app(), T0 + 30_000 + BACKOFF_RESET_MS)).toBe(true);
    expect(isCrashLooping(app(), T0 + 30_000 + BACKOFF_RESET_MS + 1)).toBe(false);
    expect(states.get(KEY)?.ready).toBe(true);
  });

  it("counts probe failures by how much the report's totals grew, once, even when the same report is folded twice", () => {
    const states = new PodStates(() => T0);
    const p = withReady([running("app", 0)], true);
    const r1 = reconcile(states, p, null, T0 + 5_000, [liveness("e1", 3)]);
    expect(states.get(KEY)?.probeFailures).toEqual({ liveness: 3, readiness: 0, startup: 0 });
    // The write of the next report fails and the same fold is retried: nothing is counted twice.
    reconcile(states, p, r1, T0 + 6_000, [liveness("e1", 5)]);
    reconcile(states, p, r1, T0 + 7_000, [liveness("e1", 5)]);
    expect(states.get(KEY)?.probeFailures.liveness).toBe(5);
    const again = reconcile(states, withReady([crashLooping("app", 1)], false), r1, T0 + 8_000, [liveness("e1", 5)]);
    reconcile(states, withReady([crashLooping("app", 1)], false), r1, T0 + 9_000, [liveness("e1", 5)]);
    expect(again.status.crashLoop.count).toBe(1);
    expect(states.get(KEY)?.containers[0].crashLoopEntries).toBe(1);
  });

  it("does not count a deleted report's recount as news, and counts what comes after it", () => {
    const states = new PodStates(() => T0);
    const p = withReady([running("app", 0)], true);
    const r1 = reconcile(states, p, null, T0 + 5_000, [liveness("e1", 4)]);
    reconcile(states, p, r1, T0 + 6_000, [liveness("e1", 4)]);
    // The report is gone (report-mode unhealthy deleted it); the rebuilt one recounts the cached events.
    const rebuilt = reconcile(states, p, null, T0 + 7_000, [liveness("e1", 4)]);
    expect(rebuilt.status.probeFailures.liveness).toBe(4);
    expect(states.get(KEY)?.probeFailures.liveness).toBe(4);
    reconcile(states, p, rebuilt, T0 + 8_000, [liveness("e1", 6)]);
    expect(states.get(KEY)?.probeFailures.liveness).toBe(6);
  });

  it("starts its counters at zero after a restart, and takes the crash-loop hold from the report", () => {
    const before = new PodStates(() => T0);
    let r = reconcile(before, withReady([crashLooping("app", 1)], false), null, T0 + 10_000, [liveness("e1", 2)]);
    r = reconcile(before, withReady([crashLooping("app", 2)], false), r, T0 + 30_000, [liveness("e1", 2)]);
    expect(r.status.crashLoop).toMatchObject({ count: 2, container: "app" });

    const after = new PodStates(() => T0);
    const briefly = { ...running("app", 3, at(40)), ready: false, state: { running: { startedAt: at(45) } } };
    reconcile(after, withReady([briefly], false), r, T0 + 46_000, [liveness("e1", 3)]);
    const s = after.get(KEY);
    expect(s?.containers[0].crashLoopEntries).toBe(0);
    expect(s?.probeFailures.liveness).toBe(1);
    expect(isCrashLooping(s?.containers[0] as ContainerState, T0 + 46_000)).toBe(true);
  });

  it("starts afresh for a new pod of the same name, and forgets pods that are gone or no longer written", () => {
    const states = new PodStates(() => T0);
    const r = reconcile(states, withReady([crashLooping("app", 1)], false), null, T0 + 10_000);
    const next = withReady([running("app", 0)], true);
    next.metadata = { ...next.metadata, uid: "another-uid" };
    reconcile(states, next, r, T0 + 20_000);
    expect(states.get(KEY)).toMatchObject({ uid: "another-uid", status: "Running" });
    expect(states.get(KEY)?.containers[0].crashLoopEntries).toBe(0);
    states.delete(KEY);
    expect(states.size).toBe(0);
    reconcile(states, next, null, T0 + 30_000);
    states.clear();
    expect([...states.values()]).toEqual([]);
  });
});
