// When a verdict may change with nothing but time passing: a recent restart stops being recent, a pod waiting to
// start is waiting "for more than 5m", a terminating pod goes past its grace period. The controller re-derives the
// pod then, instead of waiting for the next resync. Pure: the time comes in.
import { DEFAULT_RESTART_WINDOW_MS } from "./constants.js";
import { STUCK_AFTER_MS } from "./messages.js";
import { parseTimestamp } from "./time.js";
import type { DerivedPodStatus, Pod } from "./types.js";

/** Slack the terminating message gives the kubelet past the deletion deadline (see terminatingMessage). */
export const TERMINATING_SLACK_MS = 60_000;

/**
 * The earliest instant after `nowMs` at which `derivePodStatus` could give another verdict for the same pod, or
 * null when none is coming. It may name an instant at which nothing changes after all (a looser bound is only an
 * extra look); it never misses one at which something does.
 */
export function verdictRecheckAt(pod: Pod, derived: DerivedPodStatus, nowMs: number, restartWindowMs: number = DEFAULT_RESTART_WINDOW_MS): number | null {
  let next = Infinity;
  const consider = (at: number): void => {
    if (Number.isFinite(at) && at > nowMs && at < next) next = at;
  };
  const meta = pod.metadata;
  if (derived.health === "Progressing") consider(parseTimestamp(meta?.creationTimestamp) + STUCK_AFTER_MS + 1);
  if (derived.health === "Terminating") consider(parseTimestamp(meta?.deletionTimestamp) + TERMINATING_SLACK_MS + 1);
  for (const c of derived.containers) {
    if (c.kind === "init" || c.lastTermination === null) continue;
    consider(parseTimestamp(c.lastTermination.finishedAt) + restartWindowMs + 1);
  }
  return next === Infinity ? null : next;
}
