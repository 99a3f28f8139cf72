import { EventIndex } from "../../src/controller/event-index.js";
import type { CoreEvent } from "../../src/report/index.js";

function ev(name: string, pod: string, at: number, rv = "1"): CoreEvent {
  return {
    metadata: { name, namespace: "ns", uid: `u-${name}`, resourceVersion: rv },
    involvedObject: { kind: "Pod", name: pod, namespace: "ns" },
    reason: "Unhealthy",
    lastTimestamp: new Date(Date.UTC(2025, 0, 1, 0, 0, at)).toISOString(),
  };
}

describe("EventIndex", () => {
  it("indexes events by the pod they are about and reports the pod key", () => {
    const idx = new EventIndex(10);
    expect(idx.upsert(ev("e1", "web", 1))).toMatchObject({ type: "added", key: "ns/web" });
    idx.upsert(ev("e2", "db", 2));
    idx.upsert(ev("e3", "web", 0));
    expect(idx.eventsFor("ns/web").map((e) => e.metadata?.name)).toEqual(["e3", "e1"]);
    expect(idx.eventsFor("ns/none")).toEqual([]);
    expect(idx.upsert(ev("e1", "web", 1))).toBeNull(); // same resourceVersion
    expect(idx.upsert(ev("e1", "web", 5, "2"))).toMatchObject({ type: "updated", key: "ns/web" });
    expect(idx.remove(ev("e2", "db", 2))).toMatchObject({ type: "deleted", key: "ns/db" });
    expect(idx.size).toBe(2);
  });

  it("keeps at most N events per pod, the newest", () => {
    const idx = new EventIndex(3);
    for (let i = 0; i < 6; i++) idx.upsert(ev(`e${i}`, "web", i));
    expect(idx.eventsFor("ns/web").map((e) => e.metadata?.name)).toEqual(["e3", "e4", "e5"]);
    // An event older than all kept ones is not kept, and not reported.
    expect(idx.upsert(ev("old", "web", -10))).toBeNull();
    expect(idx.evictions).toBe(4);
    expect(idx.size).toBe(3);
  });

  it("replace reports the deletes of events no longer listed", () => {
    const idx = new EventIndex(10);
    idx.upsert(ev("e1", "web", 1));
    idx.upsert(ev("e2", "web", 2));
    const changes = idx.replace([ev("e2", "web", 2), ev("e3", "db", 3)]);
    expect(changes.map((c) => `${c.type} ${c.key}`).sort()).toEqual(["added ns/db", "deleted ns/web"]);
  });
});
