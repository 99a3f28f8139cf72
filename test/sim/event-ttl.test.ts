// kube-apiserver's --event-ttl: events deleted when the etcd lease of their last write runs out, the lease handed
// out as k8s.io/apiserver 1.32 pkg/storage/etcd3/lease_manager.go (leaseManager.GetLease) does.
import { ManualClock } from "../../src/sim/kubelet/clock.js";
import { EventTtl } from "../../src/sim/event-ttl.js";
import { MemoryStore } from "../../src/sim/store.js";
import type { KubeObject, StoreEvent } from "../../src/sim/types.js";

const T0 = Date.UTC(2025, 0, 1);
const S = 1000;
const HOUR = 3600 * S;

describe("EventTtl (leaseManager.GetLease)", () => {
  test("a lease lasts ttl + min(5% of ttl, 60 s) and is reused while it still covers a write's ttl", () => {
    const ttl = new EventTtl(3600);
    expect(ttl.written("a", T0)).toBe(T0 + 3660 * S);
    // 30 s later the lease still covers an hour: reused, so this event goes 1h0m30s after its write.
    expect(ttl.written("b", T0 + 30 * S)).toBe(T0 + 3660 * S);
    // 60 s later it would not: a new lease.
    expect(ttl.written("c", T0 + 60 * S)).toBe(T0 + 3720 * S);
  });

  test("writes in the same instant get fresh leases (GetLease's `sufficient` is a strict After)", () => {
    const ttl = new EventTtl(3600);
    ttl.written("a", T0);
    expect(ttl.written("b", T0)).toBe(T0 + 3660 * S);
    expect(ttl.nextExpiry()).toBe(T0 + 3660 * S);
  });

  test("the reuse window is 5% of a short ttl, and a lease carries at most 1000 objects", () => {
    const short = new EventTtl(100);
    expect(short.written("a", T0)).toBe(T0 + 105 * S);
    const ttl = new EventTtl(3600);
    ttl.written("k0", T0);
    for (let i = 1; i < 1000; i++) expect(ttl.written(`k${i}`, T0 + S)).toBe(T0 + 3660 * S);
    expect(ttl.written("k1000", T0 + S)).toBe(T0 + 3661 * S);
  });

  test("a write moves the object behind every other; due() lists expired keys oldest first", () => {
    const ttl = new EventTtl(3600);
    ttl.written("a", T0);
    ttl.written("b", T0 + 61 * S);
    ttl.written("a", T0 + 122 * S);
    expect(ttl.due(T0 + 3721 * S)).toEqual(["b"]);
    expect(ttl.due(T0 + 4000 * S)).toEqual(["b", "a"]);
    ttl.forget("b");
    expect(ttl.size).toBe(1);
  });

  test("a TTL below one second is refused", () => {
    expect(() => new EventTtl(0)).toThrow(/event TTL/);
  });
});

describe("MemoryStore eventTtlSeconds", () => {
  function setup(eventTtlSeconds?: number): { store: MemoryStore; clock: ManualClock; seen: StoreEvent[] } {
    const clock = new ManualClock(T0);
    const store = new MemoryStore({ clock, eventTtlSeconds });
    store.create("namespaces", { metadata: { name: "default" } });
    const seen: StoreEvent[] = [];
    store.subscribe((e) => seen.push(e));
    return { store, clock, seen };
  }
  const event = (name: string): KubeObject => ({ metadata: { name, namespace: "default" }, reason: "R", count: 1 });

  test("default one hour: an event goes (DELETED) once its last write's lease runs out, on the store's clock", () => {
    const { store, clock, seen } = setup();
    store.create("events", event("e1"));
    clock.advance(HOUR);
    expect(store.get("events", "default", "e1")).toBeDefined();
    clock.advance(60 * S);
    expect(store.get("events", "default", "e1")).toBeUndefined();
    expect(seen.map((e) => `${e.type} ${e.object.metadata?.name}`)).toEqual(["ADDED e1", "DELETED e1"]);
  });

  test("every update renews it: an event counted up every 50 minutes lives on", () => {
    const { store, clock } = setup();
    store.create("events", event("e1"));
    for (let i = 2; i <= 6; i++) {
      clock.advance(50 * 60 * S);
      const current = store.get("events", "default", "e1") as KubeObject;
      store.update("events", { ...current, count: i });
    }
    expect(store.get("events", "default", "e1")?.count).toBe(6);
    clock.advance(HOUR + 60 * S);
    expect(store.get("events", "default", "e1")).toBeUndefined();
  });

  test("only events expire; 0 keeps events forever; close() cancels the timer", () => {
    const kept = setup(0);
    kept.store.create("events", event("e1"));
    expect(kept.clock.pending()).toBe(0);
    kept.clock.advance(48 * HOUR);
    expect(kept.store.get("events", "default", "e1")).toBeDefined();

    const { store, clock } = setup(60);
    store.create("pods", { metadata: { name: "p", namespace: "default" }, spec: { containers: [{ name: "c", image: "i" }] } });
    store.create("events", event("e1"));
    expect(clock.pending()).toBe(1);
    store.close();
    expect(clock.pending()).toBe(0);
    clock.advance(HOUR);
    expect(store.get("events", "default", "e1")).toBeDefined();
    expect(store.expireEvents()).toBe(1);
    expect(store.get("pods", "default", "p")).toBeDefined();
  });

  test("many events over a day: memory stays bounded by the TTL, one timer at a time", () => {
    const { store, clock } = setup();
    let maxLive = 0;
    for (let i = 0; i < 24 * 60; i++) {
      store.create("events", event(`e${i}`));
      maxLive = Math.max(maxLive, store.count("events"));
      expect(clock.pending()).toBe(1);
      clock.advance(60 * S);
    }
    // One a minute, each living 1h to 1h1m.
    expect(maxLive).toBeLessThanOrEqual(62);
    expect(store.count("events")).toBeGreaterThanOrEqual(60);
  });

  test("a negative or non-numeric TTL is refused", () => {
    expect(() => new MemoryStore({ eventTtlSeconds: -1 })).toThrow(/eventTtlSeconds/);
    expect(() => new MemoryStore({ eventTtlSeconds: Number.NaN })).toThrow(/eventTtlSeconds/);
  });
});
