// Health that sees flapping: the engine calls a running, ready pod Healthy, but one whose probes failed within the
// last restart window (the ten minutes in which a restart also makes it Degraded) is not: it is Degraded, with a
// reason naming the probe. Only the events tell this, so the report builder decides it, from the history.
import { DEFAULT_RESTART_WINDOW_MS } from "../status/index.js";
import type { Health } from "../status/types.js";
import type { HistoryEntry, ProbeFailures, ProbeKind } from "./types.js";
import { parseTime } from "./text.js";

export const PROBE_FAILING_REASONS: Readonly<Record<ProbeKind, string>> = Object.freeze({
  liveness: "LivenessProbeFailing",
  readiness: "ReadinessProbeFailing",
  startup: "StartupProbeFailing",
});

const FAILING_REASONS = new Set(Object.values(PROBE_FAILING_REASONS));

export interface Verdict {
  health: Health;
  reason: string | null;
  message: string | null;
}

/** On a tie in time, the probe whose failure costs most: liveness restarts, startup blocks, readiness drains. */
const PRIORITY: Record<string, number> = { liveness: 0, startup: 1, readiness: 2 };

/** The newest probe failure (not a warning, kill or hook) in the history, or null. */
function newestFailure(history: readonly HistoryEntry[]): { entry: HistoryEntry; at: number } | null {
  let best: { entry: HistoryEntry; at: number } | null = null;
  for (const entry of history) {
    if (entry.reason !== "Unhealthy" || entry.probe === "hook") continue;
    const at = parseTime(entry.time);
    if (at === null) continue;
    if (best === null || at > best.at || (at === best.at && PRIORITY[entry.probe] < PRIORITY[best.entry.probe])) best = { entry, at };
  }
  return best;
}

/**
 * The verdict with recent probe failures taken into account: a Healthy verdict becomes Degraded when a probe
 * failed no longer than `windowMs` before `nowMs`; any other verdict stands (it already says more).
 */
export function withProbeFailures(verdict: Verdict, probeFailures: ProbeFailures, nowMs: number, windowMs = DEFAULT_RESTART_WINDOW_MS): Verdict {
  if (verdict.health !== "Healthy") return verdict;
  const newest = newestFailure(probeFailures.history);
  if (newest === null || nowMs - newest.at > windowMs) return verdict;
  const { entry } = newest;
  const probe = entry.probe as ProbeKind;
  const who = entry.container !== undefined ? `${probe} probe of container "${entry.container}"` : `${probe} probe`;
  return {
    health: "Degraded",
    reason: PROBE_FAILING_REASONS[probe],
    // No relative time: the message changes only when the failure does.
    message: `${who} failed at ${entry.time}, although the pod is ready now: ${entry.message}; check the probe's endpoint and thresholds`,
  };
}

/**
 * When a Degraded-by-probe-failure verdict runs out (the newest failure leaves the window), so the controller can
 * look again then; null for any other status.
 */
export function probeFailingUntil(status: { reason?: string | null; probeFailures: ProbeFailures }, windowMs = DEFAULT_RESTART_WINDOW_MS): number | null {
  if (!status.reason || !FAILING_REASONS.has(status.reason)) return null;
  const newest = newestFailure(status.probeFailures.history);
  return newest === null ? null : newest.at + windowMs + 1;
}
