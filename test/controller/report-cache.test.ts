// The report cache keeps a digest of each report; its write decisions must be reportDiff's, case for case.
import { Interner } from "../../src/controller/intern.js";
import { cachedDiff, toCached } from "../../src/controller/report-cache.js";
import { buildReport, reportDiff, statusFingerprint, type PodHealthReport } from "../../src/report/index.js";
import { crashLooping, liveness, OPTIONS, pod, roundTrip, running, T0 } from "../report/fixtures.js";

const first = buildReport({ pod: pod([crashLooping("app", 1)]), events: [liveness("e1", 1)], now: new Date(T0), options: OPTIONS });

/** What the API server stores and sends back: server fields added, keys in its own (sorted) order. */
function stored(report: PodHealthReport, edit: (r: PodHealthReport) => void = () => undefined): PodHealthReport {
  const r = roundTrip(report);
  Object.assign(r.metadata, { uid: "report-uid", resourceVersion: "123", managedFields: [{ manager: "pod-health-operator" }] });
  edit(r);
  return sortKeys(r) as PodHealthReport;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v === null || typeof v !== "object") return v;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
}

const later = (events = [liveness("e1", 1)]): PodHealthReport =>
  buildReport({ pod: pod([crashLooping("app", 1)]), events, previous: stored(first), now: new Date(T0 + 60_000), options: OPTIONS });

describe("the report cache form", () => {
  test.each<{ name: string; current: PodHealthReport; desired: PodHealthReport }>([
    { name: "the same report read back", current: stored(first), desired: first },
    { name: "rebuilt later: only observedAt moves", current: stored(first), desired: later() },
    { name: "a probe failure more", current: stored(first), desired: later([liveness("e1", 2)]) },
    { name: "a stored null where the desired report has nothing", current: stored(first, (r) => Object.assign(r.status, { resize: null })), desired: first },
    { name: "a label removed by hand", current: stored(first, (r) => (r.metadata.labels = {})), desired: first },
    { name: "a label someone else added", current: stored(first, (r) => (r.metadata.labels = { ...r.metadata.labels, team: "shop" })), desired: first },
    { name: "an owner reference lost", current: stored(first, (r) => (r.metadata.ownerReferences = [])), desired: first },
    { name: "a display field edited by hand", current: stored(first, (r) => (r.status.containers[0].state = "terminated")), desired: first },
    { name: "another pod's spec", current: stored(first, (r) => (r.spec.podUID = "other")), desired: first },
  ])("decides as reportDiff does: $name", ({ current, desired }) => {
    const cached = toCached(current, new Interner());
    expect(cached).not.toBeNull();
    expect(cachedDiff(cached!, desired, statusFingerprint(desired.status))).toEqual(reportDiff(current, desired));
  });

  it("fingerprints a status whatever the order of its keys: the builder's order follows the report it counts from", () => {
    // A report rebuilt from a stored one lists a history entry's keys in another order than the first build.
    const probed = buildReport({ pod: pod([crashLooping("app", 1)]), events: [liveness("e1", 2)], now: new Date(T0), options: OPTIONS });
    const rebuilt = buildReport({ pod: pod([crashLooping("app", 1)]), events: [liveness("e1", 2)], previous: stored(probed), now: new Date(T0 + 120_000), options: OPTIONS });
    expect(JSON.stringify(rebuilt.status.probeFailures.history)).not.toBe(JSON.stringify(probed.status.probeFailures.history));
    expect(statusFingerprint(rebuilt.status)).toBe(statusFingerprint(probed.status));
  });

  it("keeps what counting and the write decision read, and none of what only people read", () => {
    const cached = toCached(stored(first), new Interner())!;
    expect(Object.keys(cached.status).sort()).toEqual(["crashLoop", "health", "lastTransitionTime", "observedAt", "probeFailures", "ready", "reason", "status", "tracking"]);
    expect(cached.status.tracking).toEqual(first.status.tracking);
    expect(cached.status.probeFailures).toEqual(first.status.probeFailures);
    expect(cached.metadata).toEqual({ name: first.metadata.name, namespace: first.metadata.namespace, uid: "report-uid", resourceVersion: "123", labels: first.metadata.labels });
    expect(cached.spec).toEqual(first.spec);
  });

  it("keeps one frozen copy of counts that reports share, and trusts a fingerprint it is given", () => {
    const intern = new Interner();
    const healthy = (name: string): PodHealthReport => {
      const r = buildReport({ pod: pod([running("app", 0)]), events: [], now: new Date(T0), options: OPTIONS });
      return stored({ ...r, metadata: { ...r.metadata, name } });
    };
    const a = toCached(healthy("a"), intern)!;
    const b = toCached(healthy("b"), intern, 42)!;
    expect(a.status.tracking).toBe(b.status.tracking);
    expect(a.status.probeFailures).toBe(b.status.probeFailures);
    expect(Object.isFrozen(a.status.tracking)).toBe(true);
    expect(b.statusHash).toBe(42);
    expect(a.statusHash).toBe(statusFingerprint(healthy("a").status));
  });

  it("is null for something that is not a report", () => {
    expect(toCached(null, new Interner())).toBeNull();
    expect(toCached({ metadata: { name: "x" } }, new Interner())).toBeNull();
  });
});
