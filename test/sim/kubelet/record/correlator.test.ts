// client-go 1.32 tools/record/events_cache.go, piece by piece: getSpamKey and EventSourceObjectSpamFilter,
// EventAggregatorByReasonFunc and EventAggregate, eventLogger.eventObserve, and EventCorrelate's order.
import { AGGREGATE_INTERVAL_MS, COMBINED_PREFIX, EventAggregator } from "../../../../src/sim/kubelet/record/aggregator.js";
import { EventCorrelator } from "../../../../src/sim/kubelet/record/correlator.js";
import { type CoreEvent, eventKey } from "../../../../src/sim/kubelet/record/event.js";
import { EventLogger } from "../../../../src/sim/kubelet/record/event-logger.js";
import { SPAM_BURST, SpamFilter } from "../../../../src/sim/kubelet/record/spam-filter.js";

const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);
const MIN = 60_000;
let seq = 0n;
const nanos = (): bigint => BigInt(T0) * 1_000_000n + ++seq;

function ev(over: Partial<CoreEvent> & { fieldPath?: string } = {}): CoreEvent {
  const { fieldPath, ...rest } = over;
  return {
    name: `web-1.${(++seq).toString(16)}`,
    namespace: "default",
    resourceVersion: "",
    involvedObject: { kind: "Pod", namespace: "default", name: "web-1", uid: "u-1", apiVersion: "v1", fieldPath: fieldPath ?? "spec.containers{app}" },
    reason: "Unhealthy",
    message: "Readiness probe failed: HTTP probe failed with statuscode: 503",
    source: { component: "kubelet", host: "node-1" },
    firstTimestamp: T0,
    lastTimestamp: T0,
    count: 1,
    type: "Warning",
    reportingController: "kubelet",
    reportingInstance: "node-1",
    ...rest,
  };
}

describe("EventSourceObjectSpamFilter with getSpamKey (client-go 1.32)", () => {
  test("the 26th event of one spam key in a burst is dropped; one token is back after 5 minutes", () => {
    const f = new SpamFilter(4096);
    const dropped = Array.from({ length: 26 }, (_, i) => f.filter(ev({ reason: `R${i}`, message: `m${i}` }), T0));
    expect(dropped.slice(0, SPAM_BURST).every((d) => !d)).toBe(true);
    expect(dropped[25]).toBe(true);
    expect(f.filter(ev(), T0 + 5 * MIN - 1)).toBe(true);
    expect(f.filter(ev(), T0 + 5 * MIN)).toBe(false);
  });

  test("getSpamKey leaves out fieldPath, reason and message, and keeps the type: Normal events have their own bucket", () => {
    const f = new SpamFilter(4096);
    for (let i = 0; i < 25; i++) f.filter(ev({ fieldPath: `spec.containers{c${i % 3}}`, reason: `R${i}`, message: `m${i}` }), T0);
    expect(f.filter(ev({ fieldPath: "spec.initContainers{init}", reason: "Other", message: "other" }), T0)).toBe(true);
    expect(f.filter(ev({ type: "Normal", reason: "Pulled" }), T0)).toBe(false);
    // Another pod (uid), another node (source.host): other buckets.
    expect(f.filter(ev({ involvedObject: { ...ev().involvedObject, uid: "u-2" } }), T0)).toBe(false);
    expect(f.filter(ev({ source: { component: "kubelet", host: "node-2" } }), T0)).toBe(false);
  });

  test("a key pushed out of the LRU comes back with a full bucket", () => {
    const f = new SpamFilter(1);
    for (let i = 0; i < 25; i++) f.filter(ev(), T0);
    expect(f.filter(ev(), T0)).toBe(true);
    f.filter(ev({ type: "Normal" }), T0);
    expect(f.filter(ev(), T0)).toBe(false);
    expect(f.cached).toBe(1);
  });
});

describe("EventAggregate with EventAggregatorByReasonFunc (client-go 1.32)", () => {
  test("similar-events-should-aggregate-event: 9 distinct messages pass, the 10th within 10 minutes is combined", () => {
    const a = new EventAggregator(4096, () => 0);
    for (let i = 0; i < 9; i++) {
      const e = ev({ message: `m${i}` });
      const r = a.aggregate(e, T0 + i * 1000, nanos);
      expect(r.event).toBe(e);
      expect(r.key).toBe(eventKey(e));
    }
    const tenth = ev({ message: "m9", fieldPath: "spec.containers{sidecar}" });
    const r = a.aggregate(tenth, T0 + 9000, nanos);
    expect(r.key).not.toBe(eventKey(tenth));
    expect(r.event).toMatchObject({
      message: `${COMBINED_PREFIX}m9`,
      count: 1,
      reason: "Unhealthy",
      type: "Warning",
      firstTimestamp: T0 + 9000,
      lastTimestamp: T0 + 9000,
      // The newest event's reference, fieldPath included; no reporting fields.
      involvedObject: { fieldPath: "spec.containers{sidecar}" },
      reportingController: "",
      reportingInstance: "",
    });
    expect(r.event.name).toMatch(/^web-1\.[0-9a-f]+$/);
    // The 11th distinct message is combined under the same key.
    expect(a.aggregate(ev({ message: "m10" }), T0 + 10_000, nanos).key).toBe(r.key);
  });

  test("EventAggregatorByReasonFunc ignores fieldPath: messages from different containers fill one group", () => {
    const a = new EventAggregator(4096, () => 0);
    let last;
    for (let i = 0; i < 10; i++) last = a.aggregate(ev({ message: `m${i}`, fieldPath: `spec.containers{c${i}}` }), T0, nanos);
    expect(last?.event.message).toBe(`${COMBINED_PREFIX}m9`);
  });

  test("a different reason, type or pod is another group; a repeated message does not grow the group", () => {
    const a = new EventAggregator(4096, () => 0);
    for (let i = 0; i < 5; i++) a.aggregate(ev({ message: `m${i}` }), T0, nanos);
    for (let i = 0; i < 20; i++) a.aggregate(ev({ message: "m0" }), T0, nanos);
    for (let i = 0; i < 4; i++) a.aggregate(ev({ message: `x${i}`, reason: "BackOff" }), T0, nanos);
    for (let i = 0; i < 4; i++) expect(a.aggregate(ev({ message: `y${i}`, type: "Normal" }), T0, nanos).event.message).toBe(`y${i}`);
    // Group Unhealthy/Warning has m0..m4: four more distinct messages pass, the fifth is the 10th and combines.
    for (let i = 5; i < 9; i++) expect(a.aggregate(ev({ message: `m${i}` }), T0, nanos).event.message).toBe(`m${i}`);
    expect(a.aggregate(ev({ message: "m9" }), T0, nanos).event.message).toBe(`${COMBINED_PREFIX}m9`);
  });

  test("the interval runs from the group's last event: a gap over 10 minutes starts afresh, exactly 10 does not", () => {
    const a = new EventAggregator(4096, () => 0);
    let t = T0;
    for (let i = 0; i < 9; i++) a.aggregate(ev({ message: `m${i}` }), (t += AGGREGATE_INTERVAL_MS), nanos);
    // Nine events over 90 minutes, each within 10 minutes of the previous one: the 10th still combines.
    expect(a.aggregate(ev({ message: "m9" }), (t += AGGREGATE_INTERVAL_MS), nanos).event.message).toBe(`${COMBINED_PREFIX}m9`);
    expect(a.aggregate(ev({ message: "m10" }), t + AGGREGATE_INTERVAL_MS + 1, nanos).event.message).toBe("m10");
  });

  test("PopAny: once full, a remembered message passes and the forgotten one combines (pick decides which)", () => {
    const a = new EventAggregator(4096, () => 0);
    for (let i = 0; i < 10; i++) a.aggregate(ev({ message: `m${i}` }), T0, nanos);
    // pick(…)=0 forgot m0 when m9 combined; m1..m9 are remembered.
    expect(a.aggregate(ev({ message: "m5" }), T0, nanos).event.message).toBe("m5");
    expect(a.aggregate(ev({ message: "m0" }), T0, nanos).event.message).toBe(`${COMBINED_PREFIX}m0`);
  });
});

describe("eventLogger.eventObserve (client-go 1.32)", () => {
  test("a repeat takes the remembered name, firstTimestamp and resourceVersion, count + 1, and patches count, lastTimestamp and message", () => {
    const log = new EventLogger(4096);
    const first = ev();
    expect(log.observe(first, "k").patch).toBeUndefined();
    log.updateState({ ...first, resourceVersion: "17" });
    const again = ev({ firstTimestamp: T0 + MIN, lastTimestamp: T0 + MIN });
    const o = log.observe(again, "k");
    expect(o.event).toMatchObject({ name: first.name, resourceVersion: "", firstTimestamp: T0, lastTimestamp: T0 + MIN, count: 2 });
    expect(o.patch).toEqual({ count: 2, lastTimestamp: T0 + MIN, message: again.message });
  });

  test("updateState stores the server's resourceVersion under the event's own key", () => {
    const log = new EventLogger(4096);
    const first = ev();
    const key = eventKey(first);
    log.observe(first, key);
    log.updateState({ ...first, resourceVersion: "42" });
    expect(log.observe(ev(), key).event.resourceVersion).toBe("42");
  });

  test("an empty message is left out of the patch, as CreateTwoWayMergePatch leaves out equal fields", () => {
    const log = new EventLogger(4096);
    log.observe(ev({ message: "" }), "k");
    expect(log.observe(ev({ message: "" }), "k").patch).toEqual({ count: 2, lastTimestamp: T0 });
  });
});

describe("EventCorrelate (client-go 1.32): aggregate, observe, then filter", () => {
  test("the-same-event-is-spam-if-happens-too-frequently, and dropped repeats still raise the next count", () => {
    const c = new EventCorrelator();
    const counts: Array<number | "skip"> = [];
    for (let i = 0; i < 30; i++) {
      const r = c.correlate(ev({ lastTimestamp: T0 + i * 1000 }), T0 + i * 1000, nanos);
      counts.push(r.skip ? "skip" : r.event.count);
    }
    expect(counts.slice(0, 25)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(counts.slice(25)).toEqual(["skip", "skip", "skip", "skip", "skip"]);
    const later = c.correlate(ev({ lastTimestamp: T0 + 6 * MIN }), T0 + 6 * MIN, nanos);
    expect(later.skip).toBe(false);
    if (!later.skip) expect(later.event.count).toBe(31);
  });

  test("similar-events-many-times-should-count-the-aggregate: the combined event is counted up under the group key", () => {
    const c = new EventCorrelator();
    const results = Array.from({ length: 12 }, (_, i) => c.correlate(ev({ message: `m${i}` }), T0 + i * 1000, nanos));
    const combined = results.slice(9).map((r) => (r.skip ? undefined : r.event));
    expect(combined.map((e) => e?.message)).toEqual([`${COMBINED_PREFIX}m9`, `${COMBINED_PREFIX}m10`, `${COMBINED_PREFIX}m11`]);
    expect(combined.map((e) => e?.count)).toEqual([1, 2, 3]);
    expect(new Set(combined.map((e) => e?.name)).size).toBe(1);
    const last = results[11];
    if (!last.skip) expect(last.patch).toEqual({ count: 3, lastTimestamp: T0 + 11_000, message: `${COMBINED_PREFIX}m11` });
  });
});
