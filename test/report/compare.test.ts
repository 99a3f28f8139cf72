// Whether a write is needed: only real changes count, not observedAt and not what the server adds.
import { buildReport, reportChanged, reportDiff, type PodHealthReport } from "../../src/report/index.js";
import { crashLooping, liveness, OPTIONS, pod, roundTrip, T0 } from "./fixtures.js";

const first = buildReport({ pod: pod([crashLooping("app", 1)]), events: [liveness("e1", 1)], now: new Date(T0), options: OPTIONS });

/** What a GET returns after the write: server fields added. */
function stored(report: PodHealthReport): PodHealthReport {
  const r = roundTrip(report);
  Object.assign(r.metadata, {
    uid: "report-uid",
    resourceVersion: "123",
    generation: 1,
    creationTimestamp: "2025-03-01T10:00:00Z",
    managedFields: [{ manager: "pod-health-operator", operation: "Update" }],
  });
  return r;
}

describe("reportChanged", () => {
  test.each<{ name: string; current: PodHealthReport | null; desired: PodHealthReport; changed: boolean; diff?: object }>([
    { name: "no report yet", current: null, desired: first, changed: true, diff: { metadata: true, spec: true, status: true } },
    { name: "the same report read back", current: stored(first), desired: first, changed: false },
    {
      name: "rebuilt later from the stored report: only observedAt moves",
      current: stored(first),
      desired: buildReport({ pod: pod([crashLooping("app", 1)]), events: [liveness("e1", 1)], previous: stored(first), now: new Date(T0 + 60_000), options: OPTIONS }),
      changed: false,
    },
    {
      name: "a probe failure more",
      current: stored(first),
      desired: buildReport({ pod: pod([crashLooping("app", 1)]), events: [liveness("e1", 2)], previous: stored(first), now: new Date(T0 + 60_000), options: OPTIONS }),
      changed: true,
      diff: { metadata: false, spec: false, status: true },
    },
    {
      name: "a report stored with nulls (by a version that wrote them) differs, so it is rewritten without them",
      current: (() => {
        const r = stored(first) as unknown as { status: Record<string, unknown> };
        Object.assign(r.status, { resize: null });
        return r as unknown as PodHealthReport;
      })(),
      desired: first,
      changed: true,
      diff: { metadata: false, spec: false, status: true },
    },
    {
      name: "a label removed by hand",
      current: (() => {
        const r = stored(first);
        r.metadata.labels = {};
        return r;
      })(),
      desired: first,
      changed: true,
      diff: { metadata: true, spec: false, status: false },
    },
    {
      name: "a label someone else added is theirs, not a difference",
      current: (() => {
        const r = stored(first);
        r.metadata.labels = { ...r.metadata.labels, team: "shop" };
        return r;
      })(),
      desired: first,
      changed: false,
    },
    {
      name: "an owner reference lost",
      current: (() => {
        const r = stored(first);
        r.metadata.ownerReferences = [];
        return r;
      })(),
      desired: first,
      changed: true,
      diff: { metadata: true, spec: false, status: false },
    },
  ])("$name", ({ current, desired, changed, diff }) => {
    expect(reportChanged(current, desired)).toBe(changed);
    if (diff) expect(reportDiff(current, desired)).toEqual(diff);
  });
});
