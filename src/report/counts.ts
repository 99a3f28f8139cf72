// The counting half of a report: probe failures, crash loops and the bookkeeping that keeps them exact, folded
// from the previous report's status, the pod's state and its events. Needs no status engine, so it is tested alone.
import type { Pod } from "../status/types.js";
import type {
  ContainerTracking,
  CoreEvent,
  CrashLoop,
  EventCursor,
  ProbeFailures,
  ReportOptions,
  ReportStatus,
  ReportTracking,
} from "./types.js";
import { withoutAbsent } from "./absent.js";
import { foldCrashLoop, NO_CRASH_LOOP, type CrashLoopState } from "./crash-loop.js";
import { foldEvents, type EventMemory } from "./event-cursors.js";
import { trackedEvents } from "./events.js";
import { foldProbeFailures } from "./probe-failures.js";

export interface CountsInput {
  pod: Pod;
  events: readonly CoreEvent[];
  /** The previous report's status, already checked to be about this pod (same uid); it may lack fields. */
  previous: Partial<ReportStatus> | null | undefined;
  now: Date;
  options: ReportOptions;
}

export interface Counts {
  crashLoop: CrashLoop;
  probeFailures: ProbeFailures;
  tracking: ReportTracking;
}

/** What a fold counted now, for the metrics' per-process counters; never written to the report. */
export interface NewCounts {
  /** Entries into CrashLoopBackOff counted by this fold, by container. */
  crashLoopEntries: ReadonlyMap<string, number>;
}

export function foldCounts(input: CountsInput): Counts {
  return foldCountsWithNew(input).counts;
}

export function foldCountsWithNew({ pod, events, previous, now, options }: CountsInput): { counts: Counts; counted: NewCounts } {
  const folded = foldEvents(previousEventMemory(previous), trackedEvents(pod, events), options.eventCursorLimit);
  const probeFailures = foldProbeFailures(previousProbeFailures(previous), folded.counted, options);
  const crash = foldCrashLoop(previousCrashLoop(previous), pod, folded.counted, now);
  return {
    counts: {
      crashLoop: crash.crashLoop,
      probeFailures,
      tracking: {
        events: folded.memory.cursors,
        ...withoutAbsent({ eventsCountedUntil: folded.memory.countedUntil, eventsNamedUntil: folded.memory.nameMark }),
        containers: crash.containers,
      },
    },
    counted: { crashLoopEntries: crash.entered },
  };
}

// The previous report comes from the API server and may predate a field or have lost one: read it defensively.
// One stored before optional fields were left out may hold nulls where a field has no value; they are read as
// absent, so that a rebuilt report never carries them on.

type PreviousStatus = Partial<ReportStatus> | null | undefined;

function previousEventMemory(previous: PreviousStatus): EventMemory {
  const tracking = previous?.tracking;
  const cursors = (tracking?.events ?? []).filter(
    (c: Partial<EventCursor>): c is EventCursor =>
      (typeof c?.name === "string" || typeof c?.uid === "string") && typeof c.count === "number" && typeof c.time === "string",
  );
  const countedUntil = tracking?.eventsCountedUntil ?? null;
  // A report that had evicted cursors before names were kept has a time mark and no name mark: every event
  // named before the report's cursors' time could be one of them.
  return { cursors, countedUntil, nameMark: tracking?.eventsNamedUntil ?? null };
}

function previousProbeFailures(previous: PreviousStatus): ProbeFailures | null {
  const p = previous?.probeFailures;
  if (p == null) return null;
  const n = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);
  return {
    total: n(p.total),
    liveness: n(p.liveness),
    readiness: n(p.readiness),
    startup: n(p.startup),
    hooks: n(p.hooks),
    warnings: n(p.warnings),
    history: Array.isArray(p.history)
      ? p.history.filter((h) => typeof h?.message === "string" && typeof h.time === "string").map(({ container, ...entry }) => ({ ...entry, ...withoutAbsent({ container }) }))
      : [],
  };
}

function previousCrashLoop(previous: PreviousStatus): CrashLoopState | null {
  if (previous == null) return null;
  const containers = (previous.tracking?.containers ?? [])
    .filter(
      (c: Partial<ContainerTracking>): c is ContainerTracking =>
        typeof c?.name === "string" && typeof c.restartCount === "number" && typeof c.countedRestartCount === "number",
    )
    // Reports written before the credit existed have none.
    .map((c) => ({ ...c, backOffCredit: typeof c.backOffCredit === "number" ? c.backOffCredit : 0 }));
  const crashLoop = previous.crashLoop;
  const count = typeof crashLoop?.count === "number" ? crashLoop.count : NO_CRASH_LOOP.count;
  return { crashLoop: { count, ...withoutAbsent({ lastEnteredTime: crashLoop?.lastEnteredTime, container: crashLoop?.container }) }, containers };
}
