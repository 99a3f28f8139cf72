import { isTooLargeVersion, Reflector, type RestartReason } from "../../src/controller/reflector.js";
import { MapStore, type Change, type Meta } from "../../src/controller/store.js";
import { silentLogger } from "../../src/log.js";
import { advance, FakeCollection, FakeScheduler, flush } from "./fakes.js";

type Obj = Meta & { value?: number };

function setup(opts: { random?: () => number } = {}) {
  const clock = new FakeScheduler(0);
  const source = new FakeCollection();
  const store = new MapStore<Obj>();
  const changes: string[] = [];
  const restarts: RestartReason[] = [];
  const health: string[] = [];
  let lists = 0;
  const reflector = new Reflector<Obj>({
    name: "things",
    source,
    store,
    transform: (raw) => raw as Obj,
    onChange: (c: Change<Obj>) => changes.push(`${c.type} ${c.key} ${(c.obj as Obj).value ?? ""}`.trim()),
    onList: () => lists++,
    onRestart: (r) => restarts.push(r),
    health: {
      failed: (_source, phase, error) => health.push(`failed ${phase} ${error.class}`),
      recovered: (_source, phase) => health.push(`recovered ${phase}`),
    },
    scheduler: clock,
    backoff: { baseMs: 1_000, maxMs: 8_000 },
    random: opts.random ?? (() => 0),
    logger: silentLogger(),
  });
  return { clock, source, store, changes, restarts, health, reflector, lists: () => lists };
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

  it("client-go: a watch refused at connect is retried from the same version, without a relist", async () => {
    const { clock, source, reflector, health } = setup();
    reflector.start();
    await reflector.whenSynced();
    await flush();
    const rv = reflector.lastResourceVersion;
    source.failWatches = 2;
    source.watchStartError = () => new Error("GET /api/v1/pods: connect ECONNREFUSED 127.0.0.1:1", { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) });
    source.dropWatches();
    await advance(clock, 10_000, 500);
    expect(source.listCalls).toBe(1);
    expect(source.watchCalls.slice(-3)).toEqual([rv, rv, rv]);
    expect(source.openWatches).toBe(1);
    expect(health).toEqual(["failed watch network", "failed watch network", "recovered watch"]);
    expect(reflector.failingSince).toBeNull();
    await reflector.stop();
  });

  it("client-go: a watch that cannot start for another reason is followed by a relist from the last version", async () => {
    const { clock, source, reflector } = setup();
    source.put(obj("a", 1));
    reflector.start();
    await reflector.whenSynced();
    await flush();
    const rv = reflector.lastResourceVersion;
    source.failWatches = 1; // a 500
    source.dropWatches();
    await advance(clock, 5_000, 500);
    expect(source.listVersions).toEqual(["0", rv]);
    expect(source.openWatches).toBe(1);
    await reflector.stop();
  });

  it("lists from the watch cache first (0), and after 410 Gone asks for a consistent read ('')", async () => {
    const { clock, source, reflector } = setup();
    reflector.start();
    await reflector.whenSynced();
    await flush();
    source.compact();
    source.errorEvent(410);
    await advance(clock, 2_000, 500);
    expect(source.listVersions).toEqual(["0", ""]);
    await reflector.stop();
  });

  it("recognises the API server's answer to a resourceVersion newer than it has", () => {
    expect(isTooLargeVersion({ body: { kind: "Status", code: 504, reason: "Timeout", details: { causes: [{ reason: "ResourceVersionTooLarge" }] } } })).toBe(true);
    expect(isTooLargeVersion(new Error("Too large resource version: 99, current: 10"))).toBe(true);
    expect(isTooLargeVersion(new Error("connection refused"))).toBe(false);
  });

  it("adds up to as much again at random to each back-off, so clients cut off together do not return together", async () => {
    const { clock, source, reflector } = setup({ random: () => 0.5 });
    source.failLists = 1;
    reflector.start();
    await flush();
    await advance(clock, 1_400, 100);
    expect(reflector.hasSynced).toBe(false); // 1,000 ms base + 500 ms jitter
    await advance(clock, 200, 100);
    expect(reflector.hasSynced).toBe(true);
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

  it("never relists on its own: a quiet, healthy watch is left alone", async () => {
    const { clock, source, reflector, restarts } = setup();
    reflector.start();
    await reflector.whenSynced();
    await advance(clock, 30 * 60_000, 60_000);
    expect(source.listCalls).toBe(1);
    expect(restarts).toEqual([]);
    await reflector.stop();
  });

  it("says since when it has been failing, and clears it when the server answers again", async () => {
    const { clock, source, reflector, health } = setup();
    reflector.start();
    await reflector.whenSynced();
    await flush();
    expect(reflector.failingSince).toBeNull();
    source.failWatches = 100;
    source.dropWatches(new Error("reset"));
    await advance(clock, 3_000, 500);
    const since = reflector.failingSince;
    expect(since).not.toBeNull();
    await advance(clock, 20_000, 1_000);
    expect(reflector.failingSince).toBe(since); // still the start of the outage
    source.failWatches = 0;
    await advance(clock, 20_000, 1_000);
    expect(reflector.failingSince).toBeNull();
    expect(health[health.length - 1]).toBe("recovered watch");
    await reflector.stop();
  });
});
