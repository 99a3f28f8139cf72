// Entries into CrashLoopBackOff counted from container states and BackOff events, once per (container, restartCount).
import { foldCounts, foldCountsWithNew, type Counts } from "../../src/report/counts.js";
import type { CoreEvent } from "../../src/report/index.js";
import type { ContainerStatus } from "../../src/status/types.js";
import { at, backOff, crashLooping, OPTIONS, pod, roundTrip, running, T0 } from "./fixtures.js";

interface Observation {
  containers: ContainerStatus[];
  events?: CoreEvent[];
  /** Start from the previous report only, as after an operator restart (always true here: it is the only memory). */
}

function fold(observations: Observation[]): Counts {
  let previous: Counts | null = null;
  observations.forEach(({ containers, events = [] }, i) => {
    previous = foldCounts({ pod: pod(containers), events, previous: previous && roundTrip(previous), now: new Date(T0 + 1000 * (1000 + i)), options: OPTIONS });
  });
  if (previous === null) throw new Error("no observations");
  return previous;
}

const clb = (r: number): Observation => ({ containers: [crashLooping("app", r)] });
const run = (r: number): Observation => ({ containers: [running("app", r, r > 0 ? at(r * 10) : undefined)] });
/** Running since a minute before the i-th observation: inside the kubelet's back-off reset window. */
const runFresh = (r: number, i: number): Observation => ({
  containers: [{ ...running("app", r, at(r * 10)), state: { running: { startedAt: at(1000 * (1000 + i) - 60) } } }],
});

describe("crash-loop counting", () => {
  test.each<{ name: string; observations: Observation[]; want: number }>([
    { name: "a healthy container never counts", observations: [run(0), run(0)], want: 0 },
    { name: "flips Waiting(CrashLoopBackOff) → Running → Waiting(CrashLoopBackOff) count each entry once", observations: [clb(1), run(2), clb(2), run(3), clb(3)], want: 3 },
    { name: "the same state read again counts nothing", observations: [clb(2), clb(2), clb(2)], want: 1 },
    { name: "a relist of every state seen so far counts nothing more", observations: [clb(1), run(2), clb(2), clb(1), run(2), clb(2)], want: 2 },
    { name: "missed entries inside a running loop are recovered from restartCount", observations: [clb(1), clb(4)], want: 4 },
    { name: "a flip to Running inside the loop is not an entry", observations: [clb(1), run(2)], want: 1 },
    { name: "restarts after a clean run with no BackOff events are not entries", observations: [run(3), run(4), run(6)], want: 0 },
    {
      name: "restarts missed between Running observations count as far as BackOff events show",
      observations: [run(1), { containers: [running("app", 4, at(40))], events: [backOff("b1", "app", 2)] }],
      want: 2,
    },
    {
      name: "BackOff events count at most one entry per missed restart",
      observations: [run(1), { containers: [running("app", 3, at(30))], events: [backOff("b1", "app", 9)] }],
      want: 2,
    },
    {
      name: "a BackOff event for an entry already seen in the state adds nothing",
      observations: [clb(1), { ...clb(1), events: [backOff("b1", "app", 1)] }, { ...run(2), events: [backOff("b1", "app", 3)] }],
      want: 1,
    },
    {
      name: "a first death is never backed off: BackOff events cannot count restartCount 0",
      observations: [run(0), { containers: [running("app", 3, at(30))], events: [backOff("b1", "app", 9)] }],
      want: 2,
    },
    {
      name: "BackOff events that arrive before the pod shows the restart are banked, not lost",
      observations: [runFresh(2, 0), { ...runFresh(2, 1), events: [backOff("b1", "app", 1)] }, runFresh(3, 2)],
      want: 1,
    },
    {
      name: "banked BackOff evidence is capped",
      observations: [runFresh(2, 0), { ...runFresh(2, 1), events: [backOff("b1", "app", 50)] }, runFresh(20, 2)],
      want: 5,
    },
    { name: "first sight in a loop without events counts the entry seen", observations: [clb(5)], want: 1 },
    { name: "first sight in a loop with BackOff events recovers earlier entries", observations: [{ ...clb(5), events: [backOff("b1", "app", 20)] }], want: 5 },
    { name: "a stale read (lower restartCount) changes nothing", observations: [clb(3), clb(2), clb(3)], want: 1 },
    {
      name: "two containers count separately",
      observations: [
        { containers: [crashLooping("app", 1), running("sidecar", 0)] },
        { containers: [running("app", 2), crashLooping("sidecar", 1)] },
        { containers: [crashLooping("app", 2), crashLooping("sidecar", 1)] },
      ],
      want: 3,
    },
  ])("$name", ({ observations, want }) => {
    expect(fold(observations).crashLoop.count).toBe(want);
  });

  test("init containers in CrashLoopBackOff count too", () => {
    const subject = pod([], { status: { initContainerStatuses: [crashLooping("migrate", 1)] } });
    const counts = foldCounts({ pod: subject, events: [], previous: null, now: new Date(T0), options: OPTIONS });
    expect(counts.crashLoop).toEqual({ count: 1, lastEnteredTime: at(10), container: "migrate" });
  });

  test("lastEnteredTime is when the backed-off instance died; container is the newest entry's", () => {
    const counts = fold([
      { containers: [crashLooping("app", 1, at(100)), running("sidecar", 0)] },
      { containers: [crashLooping("app", 1, at(100)), crashLooping("sidecar", 1, at(160))] },
    ]);
    expect(counts.crashLoop).toEqual({ count: 2, lastEnteredTime: at(160), container: "sidecar" });
  });

  test("bookkeeping records what was seen, per container", () => {
    expect(fold([clb(1), run(2)]).tracking.containers).toEqual([
      { name: "app", restartCount: 2, crashLoopBackOff: false, countedRestartCount: 1, backOffCredit: 0 },
    ]);
  });

  test("banked BackOff evidence is dropped once the container has run past the back-off reset window", () => {
    const banked = fold([runFresh(2, 0), { ...runFresh(2, 1), events: [backOff("b1", "app", 2)] }]);
    expect(banked.tracking.containers[0].backOffCredit).toBe(2);
    // The same container, now running for 11 minutes: the kubelet has forgotten its back-off.
    const settled = foldCounts({ pod: pod([runFresh(2, 12).containers[0]]), events: [], previous: roundTrip(banked), now: new Date(T0 + 1000 * (1000 + 12) * 1000 + 11 * 60_000), options: OPTIONS });
    expect(settled.tracking.containers[0].backOffCredit).toBe(0);
  });

  test("a container that left the pod leaves the bookkeeping", () => {
    const counts = fold([{ containers: [crashLooping("old", 1)] }, { containers: [running("app", 0)] }]);
    expect(counts.tracking.containers.map((c) => c.name)).toEqual(["app"]);
    expect(counts.crashLoop.count).toBe(1);
  });
});

describe("what a fold counted now (for the metrics' per-process counters)", () => {
  it("names the containers the new entries belong to, and nothing when the same state is folded again", () => {
    const first = foldCountsWithNew({ pod: pod([crashLooping("app", 1), running("sidecar", 0)]), events: [], previous: null, now: new Date(T0), options: OPTIONS });
    expect([...first.counted.crashLoopEntries]).toEqual([["app", 1]]);
    const again = foldCountsWithNew({ pod: pod([crashLooping("app", 1), running("sidecar", 0)]), events: [], previous: roundTrip(first.counts), now: new Date(T0 + 1000), options: OPTIONS });
    expect([...again.counted.crashLoopEntries]).toEqual([]);
    const later = foldCountsWithNew({ pod: pod([crashLooping("app", 4), crashLooping("sidecar", 1)]), events: [], previous: roundTrip(first.counts), now: new Date(T0 + 2000), options: OPTIONS });
    expect([...later.counted.crashLoopEntries]).toEqual([["app", 3], ["sidecar", 1]]);
    expect(later.counts.crashLoop.count).toBe(first.counts.crashLoop.count + 4);
  });
});
