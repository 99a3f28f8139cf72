// The status engine: kubectl's READY, STATUS and RESTARTS for a pod, and a health verdict beyond them.
// Pure: no I/O, no clock of its own (time is a parameter), and it never throws, whatever the pod looks like.
import { DEFAULT_RESTART_WINDOW_MS } from "./constants.js";
import { containerRecords } from "./containers.js";
import { healthVerdict } from "./health.js";
import { kubectlColumns } from "./kubectl.js";
import { scanPod } from "./scan.js";
import { bound, tidy } from "./text.js";
import type { DeriveOptions, DerivedPodStatus, Pod } from "./types.js";

export type * from "./types.js";
export { ageText, humanDuration } from "./duration.js";
export { registryHost } from "./image.js";
export { parseTimestamp } from "./time.js";
export { isFailing } from "./health.js";

export { DEFAULT_RESTART_WINDOW_MS } from "./constants.js";
export { verdictRecheckAt } from "./recheck.js";

// READY for pods of up to nine containers, made once rather than for every pod.
const READY_TEXT: string[][] = Array.from({ length: 10 }, (_, total) => Array.from({ length: total + 1 }, (_, ready) => `${ready}/${total}`));

function readyText(ready: number, total: number): string {
  return total < READY_TEXT.length ? READY_TEXT[total][ready] : `${ready}/${total}`;
}

function windowOf(opts: DeriveOptions | undefined): number {
  const w = opts?.restartWindowMs;
  return typeof w === "number" && w >= 0 ? w : DEFAULT_RESTART_WINDOW_MS;
}

/** Derives what `kubectl get pods` shows for a pod at `now`, and how healthy it is. */
export function derivePodStatus(pod: Pod, now: Date, opts?: DeriveOptions): DerivedPodStatus {
  const nowMs = now instanceof Date ? now.getTime() : typeof now === "number" ? now : NaN;
  const scan = scanPod(pod);
  const columns = kubectlColumns(scan, nowMs);
  const records = containerRecords(scan);
  const verdict = healthVerdict({ pod: scan, columns, records, nowMs, restartWindowMs: windowOf(opts) });
  return {
    status: columns.status,
    ready: readyText(columns.readyCount, columns.totalCount),
    readyCount: columns.readyCount,
    totalCount: columns.totalCount,
    restarts: columns.restarts,
    lastRestartTime: columns.lastRestartTime,
    restartsText: columns.restartsText,
    phase: scan.phase,
    health: verdict.health,
    // Every piece of the message is tidied where it is quoted (see messages.ts); here it is only bounded.
    reason: verdict.reason === null ? null : tidy(verdict.reason),
    message: verdict.message === null ? null : bound(verdict.message),
    containers: records.summaries,
  };
}
