// The event recorder through the in-memory API: kubelet-shaped core/v1 Events written as client-go 1.32's
// tools/record writes them (create, then strategic merge PATCH for repeats), aggregated, spam-filtered, and
// re-created after the API server's TTL removed them.
import { ManualClock } from "../../../src/sim/kubelet/index.js";
import { EventRecorder } from "../../../src/sim/kubelet/events.js";
import { COMBINED_PREFIX } from "../../../src/sim/kubelet/record/aggregator.js";
import { Rng } from "../../../src/sim/kubelet/random.js";
import { type EventSink, StoreEventSink } from "../../../src/sim/kubelet/record/sink.js";
import { MemoryStore } from "../../../src/sim/store.js";
import type { KubeObject, StoreEvent } from "../../../src/sim/types.js";

const pod = { namespace: "default", name: "web-1", uid: "1111-2222" };
const kubelet = { component: "kubelet", host: "sim-node-1" };
const MIN = 60_000;
const HOUR = 60 * MIN;

function setup(opts: { cacheSize?: number; eventTtlSeconds?: number } = {}): { clock: ManualClock; store: MemoryStore; rec: EventRecorder; watch: string[] } {
  const clock = new ManualClock();
  const store = new MemoryStore({ clock, podGraceAuto: false, eventTtlSeconds: opts.eventTtlSeconds ?? 0 });
  store.create("namespaces", { metadata: { name: "default" } });
  const watch: string[] = [];
  store.subscribe((ev: StoreEvent) => {
    if (ev.resource === "events") watch.push(`${ev.type} ${String(ev.object.reason)} count=${String(ev.object.count)}`);
  });
  return { clock, store, watch, rec: new EventRecorder(store, clock, new Rng(1), { cacheSize: opts.cacheSize }) };
}

function must(obj: KubeObject | undefined): KubeObject {
  if (obj === undefined) throw new Error("the event was not written");
  return obj;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(".000", "");

test("makeEvent: a first event is written in the kubelet's shape, named <pod>.<unix nanoseconds in hex>", () => {
  const { store, rec, clock } = setup();
  rec.record(pod, kubelet, "Warning", "Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 500", "spec.containers{app}");
  const [ev] = store.list("events", "default");
  expect(ev).toMatchObject({
    apiVersion: "v1",
    kind: "Event",
    metadata: { namespace: "default", name: expect.stringMatching(/^web-1\.[0-9a-f]+$/) },
    involvedObject: { kind: "Pod", namespace: "default", name: "web-1", uid: "1111-2222", apiVersion: "v1", fieldPath: "spec.containers{app}" },
    reason: "Unhealthy",
    message: "Liveness probe failed: HTTP probe failed with statuscode: 500",
    type: "Warning",
    source: { component: "kubelet", host: "sim-node-1" },
    reportingComponent: "kubelet",
    reportingInstance: "sim-node-1",
    firstTimestamp: iso(clock.now()),
    lastTimestamp: iso(clock.now()),
    count: 1,
    eventTime: null,
  });
  const nanos = BigInt(`0x${String(ev.metadata?.name).split(".")[1]}`);
  expect(Number(nanos / 1_000_000n)).toBe(clock.now());
});

test("eventObserve + recordEvent: a repeat PATCHes count and lastTimestamp of the same object (a MODIFIED, not an ADDED)", () => {
  const { store, rec, clock, watch } = setup();
  const msg = "Back-off restarting failed container app in pod web-1_default(1111-2222)";
  const first = must(rec.record(pod, kubelet, "Warning", "BackOff", msg, "spec.containers{app}"));
  for (let i = 0; i < 4; i++) {
    clock.advance(30_000);
    expect(rec.recordDetailed(pod, kubelet, "Warning", "BackOff", msg, "spec.containers{app}").kind).toBe("patched");
  }
  const events = store.list("events", "default");
  expect(events).toHaveLength(1);
  expect(events[0].metadata).toMatchObject({ name: first.metadata?.name, uid: first.metadata?.uid });
  expect(events[0].count).toBe(5);
  expect(Date.parse(String(events[0].lastTimestamp)) - Date.parse(String(events[0].firstTimestamp))).toBe(120_000);
  expect(watch).toEqual(["ADDED BackOff count=1", ...[2, 3, 4, 5].map((n) => `MODIFIED BackOff count=${n}`)]);
});

test("getEventKey: a different message, reason, container, pod uid or type is a different event", () => {
  const { store, rec } = setup();
  rec.record(pod, kubelet, "Warning", "Unhealthy", "Readiness probe failed: a", "spec.containers{app}");
  rec.record(pod, kubelet, "Warning", "Unhealthy", "Readiness probe failed: b", "spec.containers{app}");
  rec.record(pod, kubelet, "Warning", "Unhealthy", "Readiness probe failed: a", "spec.containers{sidecar}");
  rec.record({ ...pod, uid: "3333" }, kubelet, "Warning", "Unhealthy", "Readiness probe failed: a", "spec.containers{app}");
  rec.record(pod, kubelet, "Normal", "Unhealthy", "Readiness probe failed: a", "spec.containers{app}");
  expect(store.list("events", "default")).toHaveLength(5);
  expect(new Set(store.list("events", "default").map((e) => e.count))).toEqual(new Set([1]));
});

test("maxLruCacheEntries: the correlator's memory is bounded; a key pushed out of the cache starts a new event", () => {
  const { store, rec } = setup({ cacheSize: 2 });
  rec.record(pod, kubelet, "Normal", "A", "a");
  rec.record(pod, kubelet, "Normal", "B", "b");
  rec.record(pod, kubelet, "Normal", "A", "a"); // refreshes A
  rec.record(pod, kubelet, "Normal", "C", "c"); // pushes out B, the least recently used
  rec.record(pod, kubelet, "Normal", "A", "a");
  rec.record(pod, kubelet, "Normal", "B", "b");
  expect(rec.cached).toBe(2);
  const byReason = store.list("events", "default").map((e) => `${e.reason}:${e.count}`).sort();
  expect(byReason).toEqual(["A:3", "B:1", "B:1", "C:1"]);
});

test("recordEvent: after the TTL deleted the event, the next repeat's PATCH gets 404 and it is created again with the same name and firstTimestamp, count + 1, a new uid", () => {
  const { store, rec, clock, watch } = setup({ eventTtlSeconds: 3600 });
  const first = must(rec.record(pod, kubelet, "Warning", "Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 500", "spec.containers{app}"));
  clock.advance(2 * HOUR);
  expect(store.list("events", "default")).toHaveLength(0);
  const outcome = rec.recordDetailed(pod, kubelet, "Warning", "Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 500", "spec.containers{app}");
  expect(outcome.kind).toBe("created");
  const again = must(store.get("events", "default", String(first.metadata?.name)));
  expect(again.metadata?.uid).not.toBe(first.metadata?.uid);
  expect(Number(again.metadata?.resourceVersion)).toBeGreaterThan(Number(first.metadata?.resourceVersion));
  expect(again).toMatchObject({ firstTimestamp: first.firstTimestamp, lastTimestamp: iso(clock.now()), count: 2 });
  expect(watch).toEqual(["ADDED Unhealthy count=1", "DELETED Unhealthy count=1", "ADDED Unhealthy count=2"]);
  // And the re-created event is counted up from there.
  clock.advance(MIN);
  rec.record(pod, kubelet, "Warning", "Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 500", "spec.containers{app}");
  expect(store.get("events", "default", String(first.metadata?.name))?.count).toBe(3);
});

test("recordEvent on the wire: CREATE without resourceVersion, PATCH of count, lastTimestamp and message, and after a 404 a CREATE with the same name, firstTimestamp and count + 1", () => {
  const clock = new ManualClock();
  const store = new MemoryStore({ clock, eventTtlSeconds: 3600 });
  store.create("namespaces", { metadata: { name: "default" } });
  const calls: unknown[] = [];
  const inner = new StoreEventSink(store);
  const sink: EventSink = {
    create: (event) => {
      calls.push(["create", structuredClone(event)]);
      return inner.create(event);
    },
    patch: (namespace, name, patch) => {
      calls.push(["patch", name, structuredClone(patch)]);
      try {
        return inner.patch(namespace, name, patch);
      } catch (err) {
        calls.push(["patch failed", (err as { code?: number }).code]);
        throw err;
      }
    },
  };
  const rec = new EventRecorder(store, clock, new Rng(1), { sink });
  const first = must(rec.record(pod, kubelet, "Warning", "Unhealthy", "Liveness probe failed: x", "spec.containers{app}"));
  const name = String(first.metadata?.name);
  const t0 = iso(clock.now());
  clock.advance(MIN);
  rec.record(pod, kubelet, "Warning", "Unhealthy", "Liveness probe failed: x", "spec.containers{app}");
  const t1 = iso(clock.now());
  clock.advance(2 * HOUR);
  rec.record(pod, kubelet, "Warning", "Unhealthy", "Liveness probe failed: x", "spec.containers{app}");
  const t2 = iso(clock.now());
  expect(calls).toEqual([
    ["create", expect.objectContaining({ metadata: { name, namespace: "default" }, count: 1, firstTimestamp: t0, lastTimestamp: t0 })],
    ["patch", name, { count: 2, lastTimestamp: t1, message: "Liveness probe failed: x" }],
    ["patch", name, { count: 3, lastTimestamp: t2, message: "Liveness probe failed: x" }],
    ["patch failed", 404],
    ["create", expect.objectContaining({ metadata: { name, namespace: "default" }, count: 3, firstTimestamp: t0, lastTimestamp: t2 })],
  ]);
});

test("EventAggregate through the API: the 10th distinct message within 10 minutes writes the combined event, later ones PATCH it", () => {
  const { store, rec, clock } = setup();
  const kinds: string[] = [];
  for (let i = 0; i < 12; i++) {
    kinds.push(rec.recordDetailed(pod, kubelet, "Warning", "Unhealthy", `Readiness probe failed: lag ${i}s`, i % 2 === 0 ? "spec.containers{app}" : "spec.containers{db}").kind);
    clock.advance(20_000);
  }
  expect(kinds).toEqual([...Array(10).fill("created"), "patched", "patched"]);
  const events = store.list("events", "default");
  expect(events).toHaveLength(10);
  const combined = events.filter((e) => String(e.message).startsWith(COMBINED_PREFIX));
  expect(combined).toHaveLength(1);
  expect(combined[0]).toMatchObject({
    message: `${COMBINED_PREFIX}Readiness probe failed: lag 11s`,
    count: 3,
    reason: "Unhealthy",
    // The reference of the event that made it (the 10th, from container db); PATCHes do not change it.
    involvedObject: { fieldPath: "spec.containers{db}" },
    source: { component: "kubelet", host: "sim-node-1" },
    reportingComponent: "",
    reportingInstance: "",
  });
});

test("EventSourceObjectSpamFilter through the recorder: the 26th event in a burst is never sent; 5 minutes later one is", () => {
  const { store, rec, clock } = setup();
  const outcomes = Array.from({ length: 26 }, (_, i) => rec.recordDetailed(pod, kubelet, "Warning", `Reason${i}`, "m").kind);
  expect(outcomes.slice(0, 25).every((k) => k === "created")).toBe(true);
  expect(outcomes[25]).toBe("filtered");
  expect(store.list("events", "default")).toHaveLength(25);
  // Normal events are another spam key (client-go 1.32 added the type to getSpamKey).
  expect(rec.recordDetailed(pod, kubelet, "Normal", "Pulled", "m").kind).toBe("created");
  clock.advance(5 * MIN);
  expect(rec.recordDetailed(pod, kubelet, "Warning", "Reason99", "m").kind).toBe("created");
  expect(rec.recordDetailed(pod, kubelet, "Warning", "Reason100", "m").kind).toBe("filtered");
});

test("each recording process has its own correlator: node-controller events do not use the kubelet's tokens", () => {
  const { rec } = setup();
  for (let i = 0; i < 25; i++) rec.record(pod, kubelet, "Warning", `R${i}`, "m");
  expect(rec.recordDetailed(pod, kubelet, "Warning", "R", "m").kind).toBe("filtered");
  expect(rec.recordDetailed(pod, { component: "node-controller" }, "Warning", "NodeNotReady", "Node is not ready").kind).toBe("created");
});

test("recordEvent: a create the server refuses (namespace terminating) is dropped, not retried, not thrown", () => {
  const { store, rec } = setup();
  store.create("namespaces", { metadata: { name: "doomed" } });
  // A running pod with a grace period keeps its namespace terminating.
  store.create("pods", { metadata: { name: "p", namespace: "doomed" }, spec: { nodeName: "n", containers: [{ name: "c", image: "i" }] } });
  store.delete("namespaces", "", "doomed");
  expect(store.get("namespaces", "", "doomed")?.metadata?.deletionTimestamp).toBeDefined();
  const outcome = rec.recordDetailed({ namespace: "doomed", name: "p", uid: "u" }, kubelet, "Normal", "Killing", "Stopping container c");
  expect(outcome.kind).toBe("refused");
  if (outcome.kind === "refused") expect((outcome.error as { code?: number }).code).toBe(403);
});

test("event names increase with creation, even within one millisecond", () => {
  const { rec } = setup();
  const names = Array.from({ length: 20 }, (_, i) => String(rec.record(pod, kubelet, "Normal", `R${i}`, "m")?.metadata?.name));
  expect([...names].sort()).toEqual(names);
  expect(new Set(names).size).toBe(20);
});

test("scheduler events have the events.k8s.io shape: eventTime and reportingComponent, no source or timestamps", () => {
  const { store, rec } = setup();
  rec.recordNew(pod, "default-scheduler", "default-scheduler-control-plane", "Normal", "Scheduled", "Binding", "Successfully assigned default/web-1 to sim-node-1");
  const [ev] = store.list("events", "default");
  expect(ev).toMatchObject({ reason: "Scheduled", action: "Binding", reportingComponent: "default-scheduler", source: {}, firstTimestamp: null, lastTimestamp: null });
  expect(ev.eventTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
});
