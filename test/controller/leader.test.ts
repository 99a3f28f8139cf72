import { LeaderElector, microTime, type Lease, type LeaseClient } from "../../src/controller/leader.js";
import { silentLogger } from "../../src/log.js";
import { advance, FakeScheduler, flush } from "./fakes.js";

/** One Lease on a fake API server, with optimistic concurrency like the real one. */
class LeaseServer {
  lease: Lease | null = null;
  private rv = 0;
  writes: Array<{ holder: string; at: number }> = [];

  constructor(private readonly clock: FakeScheduler) {}

  client(mode: { value: "ok" | "fail" | "hang" } = { value: "ok" }): LeaseClient {
    const gate = async (): Promise<void> => {
      if (mode.value === "fail") throw Object.assign(new Error("HTTP-Code: 503"), { code: 503 });
      if (mode.value === "hang") await new Promise(() => undefined);
    };
    const save = (l: Lease): Lease => {
      this.rv++;
      this.lease = structuredClone({ ...l, metadata: { ...l.metadata, resourceVersion: String(this.rv) } });
      this.writes.push({ holder: l.spec?.holderIdentity ?? "", at: this.clock.now() });
      return structuredClone(this.lease);
    };
    return {
      get: async () => {
        await gate();
        return this.lease && structuredClone(this.lease);
      },
      create: async (l) => {
        await gate();
        if (this.lease) throw Object.assign(new Error("exists"), { code: 409 });
        return save(l);
      },
      update: async (l) => {
        await gate();
        if (l.metadata?.resourceVersion !== this.lease?.metadata?.resourceVersion) throw Object.assign(new Error("conflict"), { code: 409 });
        return save(l);
      },
    };
  }
}

function elector(clock: FakeScheduler, client: LeaseClient, identity: string, log: string[]): LeaderElector {
  return new LeaderElector({
    identity,
    leaseName: "phr",
    namespace: "ops",
    leaseDurationMs: 15_000,
    renewDeadlineMs: 10_000,
    retryPeriodMs: 2_000,
    client,
    scheduler: clock,
    logger: silentLogger(),
    onStartedLeading: () => log.push(`${clock.now()} ${identity} start`),
    onStoppedLeading: () => log.push(`${clock.now()} ${identity} stop`),
  });
}

describe("LeaderElector", () => {
  it("formats MicroTime with six fractional digits", () => {
    expect(microTime(Date.UTC(2024, 0, 2, 3, 4, 5, 678))).toBe("2024-01-02T03:04:05.678000Z");
  });

  it("creates the lease when there is none and renews it every retry period", async () => {
    const clock = new FakeScheduler(0);
    const server = new LeaseServer(clock);
    const log: string[] = [];
    const a = elector(clock, server.client(), "a", log);
    a.start();
    await flush();
    expect(a.isLeader()).toBe(true);
    expect(server.lease?.spec).toMatchObject({ holderIdentity: "a", leaseDurationSeconds: 15, leaseTransitions: 0 });
    await advance(clock, 10_000);
    expect(server.writes.length).toBeGreaterThanOrEqual(5);
    expect(a.isLeader()).toBe(true);
    await a.stop(false);
  });

  it("a deposed leader stops before a rival can take the lease", async () => {
    const clock = new FakeScheduler(0);
    const server = new LeaseServer(clock);
    const log: string[] = [];
    const aMode = { value: "ok" as "ok" | "fail" | "hang" };
    const a = elector(clock, server.client(aMode), "a", log);
    const b = elector(clock, server.client(), "b", log);
    a.start();
    await flush();
    b.start();
    await advance(clock, 20_000);
    expect(a.isLeader()).toBe(true);
    expect(b.isLeader()).toBe(false);

    // a is cut off from the API server: it cannot renew.
    aMode.value = "fail";
    const cutAt = clock.now();
    let aLostAt = -1;
    let bWonAt = -1;
    for (let t = 0; t < 30_000; t += 100) {
      await advance(clock, 100);
      if (aLostAt < 0 && !a.isLeader()) aLostAt = clock.now();
      if (bWonAt < 0 && b.isLeader()) bWonAt = clock.now();
      // Never two leaders at once.
      expect(a.isLeader() && b.isLeader()).toBe(false);
    }
    expect(aLostAt).toBeGreaterThan(cutAt);
    expect(aLostAt - cutAt).toBeLessThanOrEqual(10_000);
    expect(bWonAt).toBeGreaterThan(aLostAt);
    expect(server.lease?.spec).toMatchObject({ holderIdentity: "b", leaseTransitions: 1 });
    expect(log.filter((l) => l.endsWith("a stop"))).toHaveLength(1);
    await a.stop(false);
    await b.stop(false);
  });

  it("steps down at the renew deadline even while a renewal hangs", async () => {
    const clock = new FakeScheduler(0);
    const server = new LeaseServer(clock);
    const mode = { value: "ok" as "ok" | "fail" | "hang" };
    const log: string[] = [];
    const a = elector(clock, server.client(mode), "a", log);
    a.start();
    await flush();
    expect(a.isLeader()).toBe(true);
    const lastRenew = server.writes[server.writes.length - 1].at;
    mode.value = "hang";
    await advance(clock, 9_000);
    // Checked synchronously against the clock: no tick of the loop is needed.
    clock.advance(lastRenew + 10_000 - clock.now());
    expect(a.isLeader()).toBe(false);
    expect(log).toEqual(["0 a start", `${lastRenew + 10_000} a stop`]);
    // stop() must not wait for the hung request forever.
    const stopped = a.stop(false);
    await advance(clock, 2_000);
    await stopped;
  });

  it("releases the lease on stop so the next candidate takes it without waiting it out", async () => {
    const clock = new FakeScheduler(0);
    const server = new LeaseServer(clock);
    const log: string[] = [];
    const a = elector(clock, server.client(), "a", log);
    const b = elector(clock, server.client(), "b", log);
    a.start();
    await flush();
    b.start();
    await advance(clock, 4_000);
    await a.stop(true);
    expect(server.lease?.spec).toMatchObject({ holderIdentity: "", leaseDurationSeconds: 1 });
    const releasedAt = clock.now();
    let bWonAt = -1;
    for (let t = 0; t < 15_000 && bWonAt < 0; t += 100) {
      await advance(clock, 100);
      if (b.isLeader()) bWonAt = clock.now();
    }
    expect(bWonAt - releasedAt).toBeLessThanOrEqual(3_000);
    await b.stop(true);
  });
});
