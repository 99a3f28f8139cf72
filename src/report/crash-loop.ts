// Counting entries into CrashLoopBackOff from container state transitions and BackOff events.
//
// The kubelet backs a container instance off at most once, between its death and the next start, while the
// status shows Waiting(CrashLoopBackOff) at that instance's restartCount. So an entry is identified by
// (container, restartCount), and the rule is:
//   1. Observed: a container seen in Waiting(CrashLoopBackOff) at restartCount r counts one entry, unless the
//      entry at r was already counted (`countedRestartCount >= r`). Re-reading the same state counts nothing;
//      Waiting(CrashLoopBackOff) → Running → Waiting(CrashLoopBackOff) counts at each new restartCount.
//   2. Missed inside a loop: when the previous observation was Waiting(CrashLoopBackOff) at q, the restartCount
//      values strictly between q and r were instances that lived and died unseen while the loop ran; each was
//      backed off, so each counts.
//   3. Missed otherwise (the previous observation was not a back-off, or there was none): the values in
//      [q, r) (in [1, r) at first sight, since the kubelet restarts a first death at once) may or may not have
//      been backed off. Newly counted BackOff events of the container are the evidence: each counts one entry,
//      up to the number of such values, after one is set against an entry observed now. BackOff events repeat
//      on every kubelet sync during a back-off, so they bound entries from above but never identify them.
//   4. A restartCount lower than the last one observed is a stale read (an old cache after a relist) and
//      changes nothing.
//   5. BackOff evidence that finds no missed value to count (the event watch ran ahead of the pod watch, so
//      the restart it announces is not in the status yet) is banked per container as `backOffCredit`, capped,
//      and spent by rule 3 on a later observation. The bank is emptied once the container has run for longer
//      than the kubelet's back-off reset window, because the kubelet restarts a long-lived container at once.
// The bookkeeping lives in the report's status, so the count survives operator restarts, and every rule is
// idempotent for the same pod state and the same events.
import type { ContainerStatus, Pod } from "../status/types.js";
import type { ContainerTracking, CrashLoop } from "./types.js";
import type { CountedEvent } from "./event-cursors.js";
import { compareStrings } from "./event-cursors.js";
import { withoutAbsent } from "./absent.js";
import { formatTime, parseTime } from "./text.js";

export const NO_CRASH_LOOP: Readonly<CrashLoop> = Object.freeze({ count: 0 });

/** The most BackOff evidence banked per container: a few restarts' worth, never a long loop's every sync. */
export const MAX_BACKOFF_CREDIT = 5;
/** The kubelet forgets a container's back-off after it has run this long (twice the 5-minute cap). */
export const BACKOFF_RESET_MS = 10 * 60 * 1000;

export interface CrashLoopState {
  crashLoop: CrashLoop;
  containers: ContainerTracking[];
}

/** A fold's result: the new state, and (not persisted) the entries it counted now, by container. */
export interface CrashLoopFold extends CrashLoopState {
  entered: ReadonlyMap<string, number>;
}

export function foldCrashLoop(
  previous: CrashLoopState | null,
  pod: Pod,
  counted: readonly CountedEvent[],
  now: Date,
): CrashLoopFold {
  const tracked = new Map((previous?.containers ?? []).map((c) => [c.name, c]));
  const backOffs = backOffIncreases(counted);
  let { count, lastEnteredTime, container } = previous?.crashLoop ?? NO_CRASH_LOOP;
  const containers: ContainerTracking[] = [];
  const enteredNow = new Map<string, number>();

  for (const status of containerStatuses(pod)) {
    const name = status.name ?? "";
    const before = tracked.get(name);
    const step = stepContainer(before, status, backOffs.get(name) ?? 0, now);
    containers.push(step.tracking);
    if (step.entries === 0) continue;
    count += step.entries;
    enteredNow.set(name, (enteredNow.get(name) ?? 0) + step.entries);
    const entered = formatTime(parseTime(status.lastState?.terminated?.finishedAt) ?? now.getTime());
    if (isNewer(entered, name, lastEnteredTime, container)) {
      lastEnteredTime = entered;
      container = name;
    }
  }
  return { crashLoop: { count, ...withoutAbsent({ lastEnteredTime, container }) }, containers, entered: enteredNow };
}

/** One container's new entries and bookkeeping; exported for tests of the rule itself. */
export function stepContainer(
  before: ContainerTracking | undefined,
  status: ContainerStatus,
  backOffIncrease: number,
  now: Date,
): { entries: number; tracking: ContainerTracking } {
  const name = status.name ?? "";
  const restartCount = status.restartCount ?? 0;
  const inBackOff = status.state?.waiting?.reason === "CrashLoopBackOff";
  if (before !== undefined && restartCount < before.restartCount) return { entries: 0, tracking: before };

  const counted = before?.countedRestartCount ?? -1;
  const observed = inBackOff && restartCount > counted ? 1 : 0;
  const evidence = backOffIncrease + (before?.backOffCredit ?? 0);
  let missed: number;
  if (before?.crashLoopBackOff) {
    missed = Math.max(0, restartCount - Math.max(before.restartCount + 1, counted + 1));
  } else {
    // A first death is restarted at once, never backed off: restartCount 0 is never a candidate.
    const from = Math.max(before?.restartCount ?? 1, 1, counted + 1);
    missed = Math.min(Math.max(0, restartCount - from), Math.max(0, evidence - observed));
  }
  const credit = longRunning(status, now) ? 0 : Math.min(MAX_BACKOFF_CREDIT, Math.max(0, evidence - observed - missed));
  return {
    entries: observed + missed,
    tracking: {
      name,
      restartCount,
      crashLoopBackOff: inBackOff,
      countedRestartCount: observed === 1 ? restartCount : counted,
      backOffCredit: credit,
    },
  };
}

function longRunning(status: ContainerStatus, now: Date): boolean {
  const started = parseTime(status.state?.running?.startedAt);
  return started !== null && now.getTime() - started > BACKOFF_RESET_MS;
}

/** Init and regular containers: the ones that restart. Ephemeral containers never do. */
function containerStatuses(pod: Pod): ContainerStatus[] {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].filter((s) => s.name);
}

function backOffIncreases(counted: readonly CountedEvent[]): Map<string, number> {
  const byContainer = new Map<string, number>();
  for (const { event, delta } of counted) {
    if (event.meaning.kind !== "back-off" || event.container === null || delta <= 0) continue;
    byContainer.set(event.container, (byContainer.get(event.container) ?? 0) + delta);
  }
  return byContainer;
}

// A report stored before optional fields were left out may still hold nulls: both mean "none".
function isNewer(time: string, name: string, lastTime: string | null | undefined, lastName: string | null | undefined): boolean {
  if (lastTime == null) return true;
  const diff = (parseTime(time) ?? 0) - (parseTime(lastTime) ?? 0);
  return diff > 0 || (diff === 0 && compareStrings(name, lastName ?? "") < 0);
}
