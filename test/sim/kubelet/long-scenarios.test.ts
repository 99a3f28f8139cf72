// Scenarios that run for simulated hours on a ManualClock, and what a controller watching events sees of them:
// the API server's event TTL and client-go's recorder (re-creation after TTL, aggregation, spam filter).
import { ManualClock, RARE_FAILURE_EVERY_MS, runScenario, type Kubelet } from "../../../src/sim/kubelet/index.js";
import { COMBINED_PREFIX } from "../../../src/sim/kubelet/record/aggregator.js";
import { MemoryStore } from "../../../src/sim/store.js";
import type { KubeObject } from "../../../src/sim/types.js";
import { containerStatus } from "./helpers.js";

const MIN = 60_000;
const HOUR = 60 * MIN;

interface Write {
  type: string;
  at: number;
  name: string;
  uid: string;
  count: number;
  reason: string;
  message: string;
  firstTimestamp: string;
}

function start(scenario: string): { clock: ManualClock; store: MemoryStore; kubelet: Kubelet; writes: Write[]; events: (reason?: string) => KubeObject[] } {
  const clock = new ManualClock();
  // The default event TTL (one hour), as kube-apiserver.
  const store = new MemoryStore({ clock, podGraceAuto: false });
  const writes: Write[] = [];
  store.subscribe((ev) => {
    if (ev.resource !== "events") return;
    const o = ev.object;
    writes.push({
      type: ev.type,
      at: clock.now(),
      name: o.metadata?.name ?? "",
      uid: o.metadata?.uid ?? "",
      count: Number(o.count),
      reason: String(o.reason),
      message: String(o.message),
      firstTimestamp: String(o.firstTimestamp),
    });
  });
  const kubelet = runScenario(store, clock, { scenario, name: "web-1" });
  return { clock, store, kubelet, writes, events: (reason) => store.list("events", "default").filter((e) => reason === undefined || e.reason === reason) };
}

/** What a watcher relies on: per event name, every write carries a higher count than the one before, re-creations too. */
function countsOnlyRise(writes: Write[]): string[] {
  const last = new Map<string, number>();
  const problems: string[] = [];
  for (const w of writes) {
    if (w.type === "DELETED" || Number.isNaN(w.count)) continue;
    const before = last.get(w.name);
    if (before !== undefined && w.count <= before) problems.push(`${w.name} ${w.reason}: count ${w.count} after ${before}`);
    last.set(w.name, w.count);
  }
  return problems;
}

function stop(s: { kubelet: Kubelet; store: MemoryStore }): void {
  s.kubelet.stop();
  s.store.close();
}

test("rare-probe-failure for 12h: the TTL deletes the Unhealthy event between failures; each failure re-creates it under the same name, same firstTimestamp, count + 1, a new uid", () => {
  const s = start("rare-probe-failure");
  s.clock.advance(12 * HOUR + 5 * MIN);
  const unhealthy = s.writes.filter((w) => w.reason === "Unhealthy");
  expect(unhealthy.map((w) => `${w.type} ${w.type === "DELETED" ? "" : w.count}`.trim())).toEqual([
    "ADDED 1",
    "DELETED",
    "ADDED 2",
    "DELETED",
    "ADDED 3",
    "DELETED",
    "ADDED 4",
    "DELETED",
    "ADDED 5",
    "DELETED",
    "ADDED 6",
  ]);
  const added = unhealthy.filter((w) => w.type === "ADDED");
  expect(new Set(added.map((w) => w.name)).size).toBe(1);
  expect(new Set(added.map((w) => w.firstTimestamp)).size).toBe(1);
  expect(new Set(added.map((w) => w.uid)).size).toBe(6);
  expect(added[0].message).toBe("Liveness probe failed: HTTP probe failed with statuscode: 500");
  // One failure every 2h of the container's life; each deletion comes 1h to 1h1m after the write.
  for (let i = 1; i < added.length; i++) expect(added[i].at - added[i - 1].at).toBe(RARE_FAILURE_EVERY_MS);
  for (let i = 0; i + 1 < unhealthy.length; i += 2) {
    expect(unhealthy[i + 1].at - unhealthy[i].at).toBeGreaterThan(HOUR);
    expect(unhealthy[i + 1].at - unhealthy[i].at).toBeLessThanOrEqual(HOUR + MIN);
  }
  // One failure is below the failure threshold: no restart.
  expect(containerStatus(s.store.get("pods", "default", "web-1")).restartCount).toBe(0);
  expect(countsOnlyRise(s.writes)).toEqual([]);
  stop(s);
});

test("probe-message-storm: 40 failures with 11 distinct outputs in 10 minutes; the 10th distinct output starts the combined event; the spam filter lets 25 through at once and one more per 5 minutes", () => {
  const s = start("probe-message-storm");
  s.clock.advance(15 * MIN);
  const tried = s.kubelet.eventStats();
  const unhealthy = s.writes.filter((w) => w.reason === "Unhealthy" && w.type !== "DELETED");
  const distinct = [...new Set(unhealthy.map((w) => w.message.replace(COMBINED_PREFIX, "")))];
  expect(distinct.length).toBe(11);
  // The first 9 distinct outputs are events of their own; the 10th is the first combined one.
  const firstCombined = unhealthy.findIndex((w) => w.message.startsWith(COMBINED_PREFIX));
  expect(new Set(unhealthy.slice(0, firstCombined).map((w) => w.message)).size).toBe(9);
  expect(unhealthy[firstCombined]).toMatchObject({ type: "ADDED", count: 1, message: `${COMBINED_PREFIX}Readiness probe failed: replica lag 113s exceeds the 30s limit\n` });
  // One combined event; the rest one per output. (An output the full group still remembers is not combined: a
  // group forgets one remembered output per combined event, PopAny, so a later 113s or 128s can get its own event.)
  const objects = s.events("Unhealthy");
  const plain = objects.filter((e) => !String(e.message).startsWith(COMBINED_PREFIX)).map((e) => String(e.message));
  expect(objects.length - plain.length).toBe(1);
  expect(new Set(plain).size).toBe(plain.length);
  expect(plain.length).toBeGreaterThanOrEqual(9);
  expect(plain.every((m) => distinct.includes(m))).toBe(true);
  // Failures every 15s from t=0 to 585s. The Warning bucket holds 25: the 25th (t=360s) leaves 1.2 tokens, so the
  // 26th (375s) passes and leaves 0.25; the next token would be whole at 600s, after the last failure.
  const sent = unhealthy.length;
  expect(sent).toBe(26);
  expect(tried.filtered).toBe(40 - sent);
  // Every write the store saw is one the recorder counted, but the scheduler's (events.k8s.io, not correlated).
  expect(tried.created + tried.patched).toBe(s.writes.filter((w) => w.type !== "DELETED" && w.reason !== "Scheduled").length);
  expect(tried.refused).toBe(0);
  expect(countsOnlyRise(s.writes)).toEqual([]);
  stop(s);
});

test("event-flood: 100 distinct outputs for one pod: 9 events, one combined event, and most occurrences never sent", () => {
  const s = start("event-flood");
  s.clock.advance(15 * MIN);
  const objects = s.events("Unhealthy");
  expect(objects).toHaveLength(10);
  const combined = objects.filter((e) => String(e.message).startsWith(COMBINED_PREFIX));
  expect(combined).toHaveLength(1);
  // The combined event's count includes occurrences the spam filter dropped before the last one that got through.
  const sentUnhealthy = s.writes.filter((w) => w.reason === "Unhealthy" && w.type !== "DELETED").length;
  expect(Number(combined[0].count)).toBeGreaterThan(sentUnhealthy - 9);
  expect(s.kubelet.eventStats().filtered).toBeGreaterThan(50);
  // It passes afterwards: Ready, never restarted.
  expect(containerStatus(s.store.get("pods", "default", "web-1"))).toMatchObject({ ready: true, restartCount: 0 });
  expect(countsOnlyRise(s.writes)).toEqual([]);
  stop(s);
});

test("crashloop for a day: hundreds of restarts at the 5m cap, a bounded set of event objects whose counts only rise", () => {
  const s = start("crashloop");
  let maxEvents = 0;
  for (let h = 0; h < 24; h++) {
    s.clock.advance(HOUR);
    maxEvents = Math.max(maxEvents, s.store.count("events"));
  }
  const c = containerStatus(s.store.get("pods", "default", "web-1"));
  // 24h at ~5m3s per cycle once the back-off is capped.
  expect(c.restartCount).toBeGreaterThan(270);
  expect(c.restartCount).toBeLessThan(300);
  expect(c.state?.waiting?.reason ?? "Running").toMatch(/^(CrashLoopBackOff|Running)$/);
  const backoff = s.events("BackOff");
  expect(backoff).toHaveLength(1);
  // A BackOff every 10s resync: its count runs into the thousands, though few of them were sent.
  expect(Number(backoff[0].count)).toBeGreaterThan(5000);
  expect(maxEvents).toBeLessThan(15);
  expect(countsOnlyRise(s.writes)).toEqual([]);
  stop(s);
});
