// What the caches keep: a slim pod must read the same to the status engine and the report builder as the whole
// pod, for every fixture, every benchmark pod shape and arbitrary partial pods; values many pods share are one
// object; events that count for nothing are not kept.
import fc from "fast-check";
import { Interner } from "../../src/controller/intern.js";
import { samePodContent, slimEvent, slimPod } from "../../src/controller/slim.js";
import { benchPod, withAnnotation, withReadiness } from "../../src/bench/pods.js";
import { buildReport, type CoreEvent } from "../../src/report/index.js";
import { derivePodStatus, type Pod } from "../../src/status/index.js";
import { assertProperty } from "../property.js";
import { OPTIONS, fixtureEvents, troubledPod } from "../report/fixtures.js";
import { arbitraryPod } from "../status/arbitrary.js";
import { loadFixtures, NOW } from "../status/fixtures.js";

const withIdentity = (p: Pod): Pod => ({ ...p, metadata: { ...p.metadata, name: p.metadata?.name || "p", namespace: p.metadata?.namespace || "ns", uid: p.metadata?.uid || "u" } });

function sameReading(full: Pod, intern = new Interner()): void {
  const slim = slimPod(structuredClone(full), intern);
  expect(slim).not.toBeNull();
  expect(derivePodStatus(slim!, NOW)).toEqual(derivePodStatus(full, NOW));
  const pod = withIdentity(full);
  const events: CoreEvent[] = fixtureEvents;
  expect(buildReport({ pod: slimPod(structuredClone(pod), intern)!, events, now: NOW, options: OPTIONS })).toEqual(buildReport({ pod, events, now: NOW, options: OPTIONS }));
}

describe("slimPod", () => {
  // The cache holds only named pods (an API server sends no other).
  const named = loadFixtures().filter((f) => f.pod.metadata?.name);
  it.each(named.map((f) => [f.file, f.pod] as const))("reads as the whole pod: %s", (_file, pod) => sameReading(pod));

  it("reads as the whole pod: the benchmark's pods, a troubled pod", () => {
    const intern = new Interner();
    for (let i = 0; i < 120; i++) sameReading(benchPod(i, 120), intern);
    sameReading(troubledPod());
  });

  it("reads as the whole pod for arbitrary partial pods (property)", () => {
    assertProperty(
      fc.property(arbitraryPod, (raw) => {
        const p = raw as Pod;
        if (!p.metadata || typeof p.metadata !== "object" || !p.metadata.name) return;
        const slim = slimPod(structuredClone(p), new Interner());
        expect(derivePodStatus(slim!, NOW)).toEqual(derivePodStatus(p, NOW));
      }),
      { numRuns: 2000 },
    );
  });

  it("drops what nothing reads: managedFields, labels, annotations, env values, volumes, IPs, container IDs", () => {
    const full = benchPod(3, 10);
    const slim = slimPod(structuredClone(full), new Interner())!;
    const text = JSON.stringify(slim);
    for (const gone of ["managedFields", "annotations", "labels", "ownerReferences", "volumes", "podIP", "hostIP", "containerID", "imageID", "volumeMounts", "lastProbeTime", "production"]) {
      expect(text).not.toContain(gone);
    }
    // Secret and ConfigMap references stay (configuration-error messages name them), their values never.
    expect((slim.spec?.containers?.[0] as { env?: unknown }).env).toEqual([
      { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "app-3-db", key: "password" } } },
      { name: "FEATURE_FLAGS", valueFrom: { configMapKeyRef: { name: "app-3-config", key: "flags" } } },
    ]);
    expect(text.length).toBeLessThan(JSON.stringify(full).length / 4);
  });

  it("keeps one frozen copy of what pods hold alike", () => {
    const intern = new Interner();
    // Pods 1 and 401 belong to the same Deployment (app-1), on different nodes.
    const a = slimPod(benchPod(1, 1000), intern)!;
    const b = slimPod(benchPod(401, 1000), intern)!;
    expect(a.spec?.containers).toBe(b.spec?.containers);
    expect(Object.isFrozen(a.spec?.containers?.[0])).toBe(true);
    expect(a.status?.containerStatuses?.[0].image).toBe(b.status?.containerStatuses?.[0].image);
    expect(a.status?.containerStatuses?.[1].lastState).toBe(b.status?.containerStatuses?.[1].lastState);
    expect(a.metadata?.name).not.toBe(b.metadata?.name);
  });

  it("is null for something that is not a named object", () => {
    expect(slimPod(null, new Interner())).toBeNull();
    expect(slimPod({ metadata: {} }, new Interner())).toBeNull();
  });
});

describe("samePodContent", () => {
  const intern = new Interner();
  const base = { ...benchPod(5, 10), metadata: { ...benchPod(5, 10).metadata, uid: "u1", resourceVersion: "10" } } as Pod;
  const slim = (p: unknown, rv: string): Pod => {
    const copy = structuredClone(p) as Pod;
    copy.metadata = { ...copy.metadata, resourceVersion: rv };
    return slimPod(copy, intern)!;
  };

  it("is true when only what the cache drops changed (an annotation, a label, an IP) and the version moved", () => {
    expect(samePodContent(slim(base, "10"), slim(withAnnotation(base as never, "1"), "11"))).toBe(true);
    const relabelled = structuredClone(base);
    relabelled.metadata!.labels = { app: "other" };
    relabelled.status!.podIP = "10.9.9.9";
    expect(samePodContent(slim(base, "10"), slim(relabelled, "12"))).toBe(true);
  });

  it("is false when anything the engine reads changed", () => {
    expect(samePodContent(slim(base, "10"), slim(withReadiness(base as never, false, "2025-01-06T10:00:00Z"), "11"))).toBe(false);
    const deleting = structuredClone(base);
    deleting.metadata!.deletionTimestamp = "2025-01-06T10:00:00Z";
    expect(samePodContent(slim(base, "10"), slim(deleting, "11"))).toBe(false);
    const recreated = structuredClone(base);
    recreated.metadata!.uid = "u2";
    expect(samePodContent(slim(base, "10"), slim(recreated, "11"))).toBe(false);
  });
});

describe("slimEvent", () => {
  const about = (reason: string, message: string, kind = "Pod"): unknown => ({
    metadata: { name: "e", uid: "e-uid", managedFields: [{}] },
    involvedObject: { kind, name: "p", namespace: "ns" },
    reason,
    message,
    count: 2,
  });

  it("keeps the events counting reads, without their managedFields", () => {
    expect(slimEvent(about("Unhealthy", "Liveness probe failed: timeout"))).toEqual({
      metadata: { name: "e", uid: "e-uid" },
      involvedObject: { kind: "Pod", name: "p", namespace: "ns" },
      reason: "Unhealthy",
      message: "Liveness probe failed: timeout",
      count: 2,
    });
    expect(slimEvent(about("BackOff", "Back-off restarting failed container app in pod p"))).not.toBeNull();
  });

  it("drops events about other objects and those that count for nothing", () => {
    expect(slimEvent(about("Unhealthy", "Liveness probe failed: timeout", "Node"))).toBeNull();
    for (const [reason, message] of [["Scheduled", "Successfully assigned ns/p to node-1"], ["Pulled", "Container image pulled"], ["Started", "Started container app"], ["BackOff", "Back-off pulling image \"x\""]]) {
      expect(slimEvent(about(reason, message))).toBeNull();
    }
  });
});
