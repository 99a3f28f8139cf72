// The event recorder: kubelet-shaped core/v1 Events, aggregated by client-go's correlator rules.
import { ManualClock } from "../../../src/sim/kubelet/index.js";
import { EventRecorder } from "../../../src/sim/kubelet/events.js";
import { Rng } from "../../../src/sim/kubelet/random.js";
import { newStore } from "./helpers.js";

const pod = { namespace: "default", name: "web-1", uid: "1111-2222" };
const kubelet = { component: "kubelet", host: "sim-node-1" };

function setup(cacheSize?: number): { clock: ManualClock; store: ReturnType<typeof newStore>; rec: EventRecorder } {
  const clock = new ManualClock();
  const store = newStore(clock);
  store.create("namespaces", { metadata: { name: "default" } });
  return { clock, store, rec: new EventRecorder(store, clock, new Rng(1), cacheSize) };
}

test("a first event is written in the kubelet's shape", () => {
  const { store, rec, clock } = setup();
  rec.record(pod, kubelet, "Warning", "Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 500", "spec.containers{app}");
  const [ev] = store.list("events", "default");
  const at = new Date(clock.now()).toISOString().replace(".000", "");
  expect(ev).toMatchObject({
    apiVersion: "v1",
    kind: "Event",
    metadata: { namespace: "default", name: expect.stringMatching(/^web-1\.[0-9a-f]{16}$/) },
    involvedObject: { kind: "Pod", namespace: "default", name: "web-1", uid: "1111-2222", apiVersion: "v1", fieldPath: "spec.containers{app}" },
    reason: "Unhealthy",
    message: "Liveness probe failed: HTTP probe failed with statuscode: 500",
    type: "Warning",
    source: { component: "kubelet", host: "sim-node-1" },
    reportingComponent: "kubelet",
    reportingInstance: "sim-node-1",
    firstTimestamp: at,
    lastTimestamp: at,
    count: 1,
  });
  // The name encodes the creation time in nanoseconds, as client-go does.
  const nanos = BigInt(`0x${String(ev.metadata?.name).split(".")[1]}`);
  expect(Number(nanos / 1_000_000n)).toBe(clock.now());
});

test("a repeat is the same object with count raised and lastTimestamp moved", () => {
  const { store, rec, clock } = setup();
  const first = rec.record(pod, kubelet, "Warning", "BackOff", "Back-off restarting failed container app in pod web-1_default(1111-2222)", "spec.containers{app}");
  for (let i = 0; i < 4; i++) {
    clock.advance(10_000);
    rec.record(pod, kubelet, "Warning", "BackOff", "Back-off restarting failed container app in pod web-1_default(1111-2222)", "spec.containers{app}");
  }
  const events = store.list("events", "default");
  expect(events).toHaveLength(1);
  expect(events[0].metadata?.name).toBe(first.metadata?.name);
  expect(events[0].count).toBe(5);
  expect(Date.parse(String(events[0].lastTimestamp)) - Date.parse(String(events[0].firstTimestamp))).toBe(40_000);
});

test("a different message, reason, container or pod uid is a different event", () => {
  const { store, rec } = setup();
  rec.record(pod, kubelet, "Warning", "Unhealthy", "Readiness probe failed: a", "spec.containers{app}");
  rec.record(pod, kubelet, "Warning", "Unhealthy", "Readiness probe failed: b", "spec.containers{app}");
  rec.record(pod, kubelet, "Warning", "Unhealthy", "Readiness probe failed: a", "spec.containers{sidecar}");
  rec.record({ ...pod, uid: "3333" }, kubelet, "Warning", "Unhealthy", "Readiness probe failed: a", "spec.containers{app}");
  rec.record(pod, kubelet, "Normal", "Unhealthy", "Readiness probe failed: a", "spec.containers{app}");
  expect(store.list("events", "default")).toHaveLength(5);
  expect(new Set(store.list("events", "default").map((e) => e.count))).toEqual(new Set([1]));
});

test("the correlator's memory is bounded: a key pushed out of the cache starts a new event", () => {
  const { store, rec } = setup(2);
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

test("an event removed by the TTL is created afresh on the next repeat", () => {
  const { store, rec } = setup();
  const first = rec.record(pod, kubelet, "Normal", "Pulling", 'Pulling image "x"', "spec.containers{app}");
  store.remove("events", "default", first.metadata?.name ?? "");
  const second = rec.record(pod, kubelet, "Normal", "Pulling", 'Pulling image "x"', "spec.containers{app}");
  expect(second.metadata?.name).not.toBe(first.metadata?.name);
  expect(second.count).toBe(1);
});

test("event names increase with creation, even within one millisecond", () => {
  const { rec } = setup();
  const names = Array.from({ length: 50 }, (_, i) => String(rec.record(pod, kubelet, "Normal", `R${i}`, "m").metadata?.name));
  expect([...names].sort()).toEqual(names);
  expect(new Set(names).size).toBe(50);
});

test("scheduler events have the events.k8s.io shape: eventTime and reportingComponent, no source or timestamps", () => {
  const { store, rec } = setup();
  rec.recordNew(pod, "default-scheduler", "default-scheduler-control-plane", "Normal", "Scheduled", "Binding", "Successfully assigned default/web-1 to sim-node-1");
  const [ev] = store.list("events", "default");
  expect(ev).toMatchObject({ reason: "Scheduled", action: "Binding", reportingComponent: "default-scheduler", source: {}, firstTimestamp: null, lastTimestamp: null });
  expect(ev.eventTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
});

test("sweep removes this simulation's events older than the TTL and leaves others alone", () => {
  const { store, rec, clock } = setup();
  rec.record(pod, kubelet, "Normal", "Old", "old");
  rec.recordNew(pod, "default-scheduler", "x", "Normal", "Scheduled", "Binding", "old too");
  store.create("events", { metadata: { name: "foreign", namespace: "default" }, reportingComponent: "my-operator", lastTimestamp: new Date(clock.now()).toISOString() });
  clock.advance(30 * 60_000);
  rec.record(pod, kubelet, "Normal", "New", "new");
  clock.advance(31 * 60_000);
  expect(rec.sweep(60 * 60_000)).toBe(2);
  expect(store.list("events", "default").map((e) => e.metadata?.name === "foreign" ? "foreign" : e.reason).sort()).toEqual(["New", "foreign"]);
});
