import fc from "fast-check";
import { assertProperty } from "../property.js";
import { backoffDelay, WorkQueue } from "../../src/controller/queue.js";
import { FakeScheduler } from "./fakes.js";

function queue(): { q: WorkQueue; clock: FakeScheduler } {
  const clock = new FakeScheduler(1_000);
  return { q: new WorkQueue({ scheduler: clock, backoff: { baseMs: 100, maxMs: 1_000 } }), clock };
}

describe("WorkQueue", () => {
  it("queues a key once however often it is added, in arrival order", async () => {
    const { q } = queue();
    for (const k of ["a", "b", "a", "c", "b", "a"]) q.add(k);
    expect(q.len()).toBe(3);
    expect([await q.get(), await q.get(), await q.get()]).toEqual(["a", "b", "c"]);
    expect(q.len()).toBe(0);
  });

  it("never hands a key to two workers at once and requeues it if it changed while running", async () => {
    const { q } = queue();
    q.add("a");
    expect(await q.get()).toBe("a");
    q.add("a");
    q.add("a");
    expect(q.len()).toBe(0); // still processing: not handed out again
    const second = q.get();
    let got: string | undefined;
    void second.then((k) => (got = k));
    await Promise.resolve();
    expect(got).toBeUndefined();
    q.done("a");
    expect(await second).toBe("a");
    q.done("a");
    expect(q.len()).toBe(0);
  });

  it("hands a waiting worker the next key as soon as it is added", async () => {
    const { q } = queue();
    const waiting = q.get();
    q.add("x");
    expect(await waiting).toBe("x");
  });

  it("backs off per key exponentially up to the cap, and forget resets it", async () => {
    const { q, clock } = queue();
    const delays = [0, 1, 2, 3, 4, 5].map(() => q.addRateLimited("a"));
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(q.numRequeues("a")).toBe(6);
    // The latest failure's back-off holds the key: ready after 1000 ms, not before.
    clock.advance(999);
    expect(q.len()).toBe(0);
    clock.advance(1);
    expect(q.len()).toBe(1);
    expect(await q.get()).toBe("a");
    q.done("a");
    q.forget("a");
    expect(q.addRateLimited("a")).toBe(100);
    expect(q.addRateLimited("b")).toBe(100); // other keys have their own count
  });

  it("honours a Retry-After longer than the back-off", () => {
    const { q, clock } = queue();
    expect(q.addRateLimited("a", 5_000)).toBe(5_000);
    clock.advance(4_999);
    expect(q.len()).toBe(0);
    clock.advance(1);
    expect(q.len()).toBe(1);
  });

  it("does not hand out a backing-off key early, however often it is added meanwhile", () => {
    const { q, clock } = queue();
    q.addRateLimited("a", 2_000);
    q.add("a");
    expect(q.len()).toBe(0);
    clock.advance(1_999);
    q.add("a");
    expect(q.len()).toBe(0);
    clock.advance(1);
    expect(q.len()).toBe(1);
    q.forget("a");
    q.add("b");
    expect(q.len()).toBe(2);
  });

  it("holds a key that failed even if it was added while it ran", async () => {
    const { q, clock } = queue();
    q.add("a");
    expect(await q.get()).toBe("a");
    q.add("a"); // an informer event during the reconcile
    q.addRateLimited("a", 2_000); // the reconcile failed with Retry-After: 2
    q.done("a");
    expect(q.len()).toBe(0);
    clock.advance(1_999);
    expect(q.len()).toBe(0);
    clock.advance(1);
    expect(q.len()).toBe(1);
  });

  it("keeps the earliest of two delayed adds", () => {
    const { q, clock } = queue();
    q.addAfter("a", 500);
    q.addAfter("a", 2_000);
    q.addAfter("a", 300);
    clock.advance(300);
    expect(q.len()).toBe(1);
    expect(clock.pending()).toBe(0);
  });

  it("drops nothing however many keys arrive: its size is the number of distinct keys", async () => {
    const { q } = queue();
    for (let round = 0; round < 3; round++) for (let i = 0; i < 20_000; i++) expect(q.add(`ns/pod-${i}`)).toBe(true);
    expect(q.len()).toBe(20_000);
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const key = (await q.get())!;
      seen.add(key);
      q.done(key);
    }
    expect(seen.size).toBe(20_000);
    expect(q.len()).toBe(0);
  });

  it("refuses adds only once it is shutting down", () => {
    const { q } = queue();
    expect(q.add("a")).toBe(true);
    q.shutDown();
    expect(q.add("b")).toBe(false);
  });

  it("hands nothing out while paused, and everything on resume", async () => {
    const { q } = queue();
    q.pause();
    q.add("a");
    const waiting = q.get();
    let got: string | undefined;
    void waiting.then((k) => (got = k));
    await Promise.resolve();
    expect(got).toBeUndefined();
    q.resume();
    expect(await waiting).toBe("a");
  });

  it("on shutdown releases waiting workers and takes no more work", async () => {
    const { q, clock } = queue();
    const waiting = q.get();
    q.addAfter("later", 100);
    q.shutDown();
    expect(await waiting).toBeUndefined();
    expect(q.add("a")).toBe(false);
    expect(await q.get()).toBeUndefined();
    clock.advance(1_000);
    expect(q.len()).toBe(0);
  });

  it("backoffDelay caps even for huge failure counts", () => {
    expect(backoffDelay(10_000, { baseMs: 5, maxMs: 60_000 })).toBe(60_000);
  });

  it("property: no key runs twice at once and no add is lost", async () => {
    const op = fc.oneof(
      fc.record({ t: fc.constant("add" as const), k: fc.constantFrom("a", "b", "c") }),
      fc.record({ t: fc.constant("get" as const) }),
      fc.record({ t: fc.constant("done" as const), i: fc.nat(3) }),
    );
    await assertProperty(
      fc.asyncProperty(fc.array(op, { maxLength: 60 }), async (ops) => {
        const { q } = queue();
        const running: string[] = [];
        // Keys added since their last start: each must be started again later.
        const owed = new Set<string>();
        const take = async (): Promise<void> => {
          if (q.len() === 0) return;
          const k = (await q.get()) as string;
          expect(running).not.toContain(k);
          running.push(k);
          owed.delete(k);
        };
        for (const o of ops) {
          if (o.t === "add") {
            q.add(o.k);
            owed.add(o.k);
          } else if (o.t === "get") await take();
          else if (running.length > 0) q.done(running.splice(o.i % running.length, 1)[0]);
        }
        // Drain: finish everything, repeatedly.
        for (let i = 0; i < 20 && (running.length > 0 || q.len() > 0); i++) {
          while (running.length > 0) q.done(running.pop() as string);
          while (q.len() > 0) await take();
        }
        expect([...owed]).toEqual([]);
      }),
    );
  });
});
