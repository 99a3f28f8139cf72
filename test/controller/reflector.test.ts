import { Reflector, type RestartReason } from "../../src/controller/reflector.js";
import { MapStore, type Change, type Meta } from "../../src/controller/store.js";
import { silentLogger } from "../../src/log.js";
import { advance, FakeCollection, FakeScheduler, flush } from "./fakes.js";

type Obj = Meta & { value?: number };

function setup(opts: { resyncPeriodMs?: number } = {}) {
  const clock = new FakeScheduler(0);
  const source = new FakeCollection();
  const store = new MapStore<Obj>();
  const changes: string[] = [];
  const restarts: RestartReason[] = [];
  let lists = 0;
  const reflector = new Reflector<Obj>({
    name: "things",
    source,
    store,
    transform: (raw) => raw as Obj,
    onChange: (c: Change<Obj>) => changes.push(`${c.type} ${c.key} ${(c.obj as Obj).value ?? ""}`.trim()),
    onList: () => lists++,
    onRestart: (r) => restarts.push(r),
    scheduler: clock,
    backoff: { baseMs: 1_000, maxMs: 8_000 },
    resyncPeriodMs: opts.resyncPeriodMs ?? 0,
    logger: silentLogger(),
  });
  return { clock, source, store, changes, restarts, reflector, lists: () => lists };
}

const obj = (name: string, value: number) => ({ metadata: { namespace: "ns", name }, value });

describe("Reflector", () => {
  it("lists, becomes synced, then follows the watch", async () => {
    const { source, store, changes, reflector } = setup();
    source.put(obj("a", 1));
    reflector.start();
    await reflector.whenSynced();
    expect(reflector.hasSynced).toBe(true);
    expect(changes).toEqual(["added ns/a 1"]);
    await flush();
    source.put(obj("a", 2));
    source.put(obj("b", 1));
    source.remove("ns", "a");
    expect(changes).toEqual(["added ns/a 1", "updated ns/a 2", "added ns/b 1", "deleted ns/a 2"]);
    expect([...store.keys()]).toEqual(["ns/b"]);
    await reflector.stop();
    expect(source.openWatches).toBe(0);
  });

  it("after a dropped watch re-watches from the last version without relisting or losing events", async () => {
    const { source, changes, reflector, restarts } = setup();
    reflector.start();
    await reflector.whenSynced();
    await flush();
    source.put(obj("a", 1));
    source.dropWatches();
    source.put(obj("a", 2)); // happens while nobody watches
    await flush();
    expect(source.listCalls).toBe(1);
    expect(changes).toEqual(["added ns/a 1", "updated ns/a 2"]);
    expect(restarts).toEqual(["closed"]);
    await reflector.stop();
  });

  it("relists on 410 Gone and reports deletes it missed", async () => {
    const { clock, source, changes, reflector, restarts, store } = setup();
    source.put(obj("a", 1));
    source.put(obj("b", 1));
    reflector.start();
    await reflector.whenSynced();
    await flush();
    source.dropWatches();
    // While disconnected: a is deleted, c is added, and the history is compacted.
    source.remove("ns", "a");
    source.put(obj("c", 1));
    source.compact();
    // A watch that closes at once with nothing in it is retried after the base back-off (no hot loop).
    await flush();
    expect(source.listCalls).toBe(1);
    await advance(clock, 1_000);
    expect(source.listCalls).toBe(2);
    expect(restarts).toEqual(["closed", "gone"]);
    expect(changes.slice(2).sort()).toEqual(["added ns/c 1", "deleted ns/a 1"]);
    expect([...store.keys()].sort()).toEqual(["ns/b", "ns/c"]);
    await reflector.stop();
  });

  it("relists on a 410 ERROR event in the stream", async () => {
    const { source, reflector, restarts } = setup();
    reflector.start();
    await reflector.whenSynced();
    await flush();
    source.errorEvent(410);
    await flush();
    expect(restarts).toEqual(["gone"]);
    expect(source.listCalls).toBe(2);
    await reflector.stop();
  });

  it("keeps going after watch errors (ListWatch would stop), backing off between attempts", async () => {
    const { clock, source, reflector, restarts, changes } = setup();
    reflector.start();
    await reflector.whenSynced();
    await flush();
    source.failWatches = 3;
    source.dropWatches(Object.assign(new Error("boom"), { statusCode: 500 }));
    await flush();
    expect(restarts).toEqual(["error"]);
    const callsBefore = source.watchCalls.length;
    await advance(clock, 999, 999);
    expect(source.watchCalls.length).toBe(callsBefore); // still backing off
    await advance(clock, 1_000 + 2_000 + 4_000 + 8_000, 500);
    expect(restarts).toEqual(["error", "error", "error", "error"]);
    expect(source.openWatches).toBe(1);
    source.put(obj("a", 1));
    expect(changes).toEqual(["added ns/a 1"]);
    await reflector.stop();
  });

  it("retries a failed list with back-off and becomes synced only when it succeeds", async () => {
    const { clock, source, reflector, restarts } = setup();
    source.failLists = 2;
    reflector.start();
    await flush();
    expect(reflector.hasSynced).toBe(false);
    await advance(clock, 3_000, 500);
    expect(reflector.hasSynced).toBe(true);
    expect(restarts).toEqual(["list-error", "list-error"]);
    await reflector.stop();
  });

  it("re-watches from a bookmark's version", async () => {
    const { source, reflector } = setup();
    reflector.start();
    await reflector.whenSynced();
    await flush();
    source.put(obj("x", 1));
    source.bookmark();
    const rv = reflector.lastResourceVersion;
    source.dropWatches();
    await flush();
    expect(source.watchCalls[source.watchCalls.length - 1]).toBe(rv);
    await reflector.stop();
  });

  it("relists every resync period as a safety net against silent watches", async () => {
    const { clock, source, reflector, restarts, lists } = setup({ resyncPeriodMs: 60_000 });
    reflector.start();
    await reflector.whenSynced();
    await advance(clock, 125_000, 5_000);
    expect(source.listCalls).toBe(3);
    expect(lists()).toBe(3);
    expect(restarts).toEqual(["resync", "resync"]);
    await reflector.stop();
  });
});
