// The store on its own: versions, conflicts, no-op writes, generation, deletion rules, garbage collection,
// watch history, and that nobody can change a stored object behind its back.
import { ManualClock } from "../../src/sim/kubelet/clock.js";
import { ApiError } from "../../src/sim/errors.js";
import { ResourceRegistry, resourceFromCrd } from "../../src/sim/resources.js";
import { MemoryStore } from "../../src/sim/store.js";
import type { KubeObject, StoreEvent } from "../../src/sim/types.js";

function newStore(options: { historySize?: number; podGraceAuto?: boolean } = {}): { store: MemoryStore; clock: ManualClock; events: StoreEvent[] } {
  const clock = new ManualClock(Date.UTC(2025, 0, 1));
  const store = new MemoryStore({ clock, watchHistorySize: options.historySize, podGraceAuto: options.podGraceAuto });
  store.create("namespaces", { metadata: { name: "default" } });
  const events: StoreEvent[] = [];
  store.subscribe((e) => events.push(e));
  return { store, clock, events };
}

function pod(name: string, extra: Partial<KubeObject> = {}): KubeObject {
  return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "default" }, spec: { nodeName: "n1", containers: [{ name: "c", image: "i" }] }, ...extra };
}

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err.code;
    throw err;
  }
  return undefined;
}

describe("MemoryStore", () => {
  test("assigns uid, timestamps, generation and increasing resourceVersions", () => {
    const { store } = newStore();
    const a = store.create("pods", pod("a"));
    const b = store.create("pods", pod("b"));
    expect(a.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.metadata?.creationTimestamp).toBe("2025-01-01T00:00:00Z");
    expect(a.metadata?.generation).toBe(1);
    expect(Number(b.metadata?.resourceVersion)).toBeGreaterThan(Number(a.metadata?.resourceVersion));
    expect(store.currentResourceVersion()).toBe(b.metadata?.resourceVersion);
  });

  test("stored objects are frozen and writes copy their input", () => {
    const { store } = newStore();
    const input = pod("a");
    const stored = store.create("pods", input);
    expect(Object.isFrozen(stored)).toBe(true);
    expect(Object.isFrozen(stored.spec)).toBe(true);
    expect(() => {
      (stored.metadata as Record<string, unknown>).name = "x";
    }).toThrow(TypeError);
    input.metadata!.name = "changed";
    expect(store.get("pods", "default", "a")).toBe(stored);
  });

  test("409 AlreadyExists, 404 for a missing namespace, 422 for a bad or missing name, generateName", () => {
    const { store } = newStore();
    store.create("pods", pod("a"));
    expect(codeOf(() => store.create("pods", pod("a")))).toBe(409);
    expect(codeOf(() => store.create("pods", { ...pod("b"), metadata: { name: "b", namespace: "nowhere" } }))).toBe(404);
    expect(codeOf(() => store.create("pods", { ...pod(""), metadata: { namespace: "default" } }))).toBe(422);
    expect(codeOf(() => store.create("pods", pod("Bad_Name")))).toBe(422);
    const generated = store.create("pods", { ...pod(""), metadata: { generateName: "web-", namespace: "default" } });
    expect(generated.metadata?.name).toMatch(/^web-[a-z0-9]{5}$/);
  });

  test("update checks resourceVersion; replace does not; a no-op write makes no version", () => {
    const { store, events } = newStore();
    const a = store.create("pods", pod("a"));
    const stale = structuredClone(a);
    const updated = store.update("pods", { ...structuredClone(a), metadata: { ...a.metadata, labels: { x: "1" } } });
    expect(codeOf(() => store.update("pods", { ...stale, metadata: { ...stale.metadata, labels: { x: "2" } } }))).toBe(409);
    const replaced = store.replace("pods", { ...stale, metadata: { ...stale.metadata, labels: { x: "3" } } });
    expect(replaced.metadata?.labels).toEqual({ x: "3" });
    const before = events.length;
    const same = store.update("pods", structuredClone(replaced));
    expect(same).toBe(replaced);
    expect(events.length).toBe(before);
    expect(updated.metadata?.generation).toBe(1);
  });

  test("generation bumps on spec changes only", () => {
    const { store } = newStore();
    const a = store.create("pods", pod("a"));
    const status = store.replace("pods", { ...structuredClone(a), status: { phase: "Running" } });
    expect(status.metadata?.generation).toBe(1);
    const spec = store.replace("pods", { ...structuredClone(status), spec: { nodeName: "n2", containers: [{ name: "c", image: "i" }] } });
    expect(spec.metadata?.generation).toBe(2);
  });

  test("finalizers hold a deletion until the last one is removed", () => {
    const { store, events } = newStore();
    const lease = store.create("leases.coordination.k8s.io", { metadata: { name: "l", namespace: "default", finalizers: ["example.com/hold"] }, spec: {} });
    const deleting = store.delete("leases.coordination.k8s.io", "default", "l");
    expect(deleting?.metadata?.deletionTimestamp).toBe("2025-01-01T00:00:00Z");
    expect(store.get("leases.coordination.k8s.io", "default", "l")).toBeDefined();
    expect(codeOf(() => store.replace("leases.coordination.k8s.io", { ...structuredClone(deleting!), metadata: { ...deleting!.metadata, finalizers: ["a", "example.com/hold"] } }))).toBe(422);
    store.replace("leases.coordination.k8s.io", { ...structuredClone(deleting!), metadata: { ...deleting!.metadata, finalizers: [] } });
    expect(store.get("leases.coordination.k8s.io", "default", "l")).toBeUndefined();
    expect(events.at(-1)?.type).toBe("DELETED");
    expect(lease.metadata?.uid).toBe(events.at(-1)?.object.metadata?.uid);
  });

  test("pods get a grace period on the clock; grace 0 and unscheduled pods go at once", () => {
    const { store, clock } = newStore();
    store.create("pods", pod("a", { spec: { nodeName: "n1", terminationGracePeriodSeconds: 10, containers: [{ name: "c", image: "i" }] } }));
    const deleting = store.delete("pods", "default", "a");
    expect(deleting?.metadata?.deletionGracePeriodSeconds).toBe(10);
    expect(deleting?.metadata?.deletionTimestamp).toBe("2025-01-01T00:00:10Z");
    expect(deleting?.metadata?.generation).toBe(2);
    clock.advance(9000);
    expect(store.get("pods", "default", "a")).toBeDefined();
    clock.advance(1100);
    expect(store.get("pods", "default", "a")).toBeUndefined();

    store.create("pods", pod("b"));
    store.delete("pods", "default", "b", { gracePeriodSeconds: 0 });
    expect(store.get("pods", "default", "b")).toBeUndefined();
    store.create("pods", pod("c", { spec: { containers: [{ name: "c", image: "i" }] } }));
    store.delete("pods", "default", "c");
    expect(store.get("pods", "default", "c")).toBeUndefined();
  });

  // kube-apiserver 1.32 rest.BeforeDelete: a negative grace period means 1 s; on a pod already being deleted only a
  // shorter grace period changes anything, and its deadline counts from when deletion began.
  test("pod grace periods: negative means 1, a longer or absent one is ignored, a shorter one moves the deadline back", () => {
    const { store, clock, events } = newStore({ podGraceAuto: false });
    store.create("pods", pod("neg"));
    expect(store.delete("pods", "default", "neg", { gracePeriodSeconds: -5 })?.metadata?.deletionGracePeriodSeconds).toBe(1);

    store.create("pods", pod("a"));
    store.delete("pods", "default", "a", { gracePeriodSeconds: 60 });
    clock.advance(10_000);
    const before = events.length;
    expect(store.delete("pods", "default", "a")?.metadata?.deletionGracePeriodSeconds).toBe(60);
    expect(store.delete("pods", "default", "a", { gracePeriodSeconds: 90 })?.metadata?.deletionGracePeriodSeconds).toBe(60);
    expect(events.length).toBe(before);
    const shorter = store.delete("pods", "default", "a", { gracePeriodSeconds: 20 });
    expect(shorter?.metadata?.deletionGracePeriodSeconds).toBe(20);
    expect(shorter?.metadata?.deletionTimestamp).toBe("2025-01-01T00:00:20Z");
  });

  test("with podGraceAuto off a graceful pod stays until deleted with grace 0 (the kubelet's job)", () => {
    const { store, clock } = newStore({ podGraceAuto: false });
    store.create("pods", pod("a"));
    store.delete("pods", "default", "a");
    clock.advance(60_000);
    expect(store.get("pods", "default", "a")?.metadata?.deletionTimestamp).toBeDefined();
    store.delete("pods", "default", "a", { gracePeriodSeconds: 0 });
    expect(store.get("pods", "default", "a")).toBeUndefined();
  });

  test("deleting an owner deletes its dependents; Orphan keeps them without the reference", () => {
    const { store } = newStore();
    const owner = store.create("leases.coordination.k8s.io", { metadata: { name: "owner", namespace: "default" } });
    const ref = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", name: "owner", uid: owner.metadata!.uid! };
    store.create("pods", pod("dep", { metadata: { name: "dep", namespace: "default", ownerReferences: [ref] }, spec: { containers: [{ name: "c", image: "i" }] } }));
    store.delete("leases.coordination.k8s.io", "default", "owner");
    expect(store.get("pods", "default", "dep")).toBeUndefined();

    const owner2 = store.create("leases.coordination.k8s.io", { metadata: { name: "owner2", namespace: "default" } });
    store.create("pods", pod("kept", { metadata: { name: "kept", namespace: "default", ownerReferences: [{ ...ref, name: "owner2", uid: owner2.metadata!.uid! }] } }));
    store.delete("leases.coordination.k8s.io", "default", "owner2", { propagationPolicy: "Orphan" });
    expect(store.get("pods", "default", "kept")?.metadata?.ownerReferences).toBeUndefined();
  });

  test("deleting a namespace deletes its content, then the namespace", () => {
    const { store } = newStore();
    store.create("namespaces", { metadata: { name: "team" } });
    store.create("pods", pod("a", { metadata: { name: "a", namespace: "team" }, spec: { containers: [{ name: "c", image: "i" }] } }));
    store.create("events", { metadata: { name: "e", namespace: "team" }, involvedObject: { kind: "Pod", name: "a" } });
    store.delete("namespaces", "", "team");
    expect(store.list("pods", "team")).toEqual([]);
    expect(store.get("namespaces", "", "team")).toBeUndefined();
  });

  test("watch history: events since a version, 410 territory after overflow or compaction", () => {
    const { store } = newStore({ historySize: 3 });
    const first = Number(store.currentResourceVersion());
    for (const n of ["a", "b", "c", "d"]) store.create("pods", pod(n));
    expect(store.history.since(first)).toBeUndefined();
    const recent = store.history.since(first + 2);
    expect(recent?.map((e) => e.object.metadata?.name)).toEqual(["c", "d"]);
    store.compact();
    expect(store.history.since(first + 3)).toBeUndefined();
    expect(store.history.since(Number(store.currentResourceVersion()))).toEqual([]);
  });

  test("scan returns objects in namespace/name order, resuming after a key", () => {
    const { store } = newStore();
    store.create("namespaces", { metadata: { name: "b-ns" } });
    for (const n of ["z", "m", "a"]) store.create("pods", pod(n));
    store.create("pods", pod("k", { metadata: { name: "k", namespace: "b-ns" } }));
    const names = (after?: { namespace: string; name: string }): string[] => [...store.scan("pods", undefined, after)].map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`);
    expect(names()).toEqual(["b-ns/k", "default/a", "default/m", "default/z"]);
    expect(names({ namespace: "default", name: "a" })).toEqual(["default/m", "default/z"]);
  });

  test("an unknown resource is a 404; a CRD's resource is stored once registered", () => {
    const registry = new ResourceRegistry();
    const store = new MemoryStore({ registry });
    store.create("namespaces", { metadata: { name: "default" } });
    expect(codeOf(() => store.create("widgets.example.com", { metadata: { name: "w" } }))).toBe(404);
    registry.register(
      resourceFromCrd({ spec: { group: "example.com", scope: "Namespaced", names: { plural: "widgets", kind: "Widget" }, versions: [{ name: "v1", served: true, storage: true }] } }),
    );
    expect(store.create("widgets.example.com", { metadata: { name: "w" } }).metadata?.namespace).toBe("default");
  });
});
