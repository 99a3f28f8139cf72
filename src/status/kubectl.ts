// A port of kubectl's printPod (Kubernetes 1.32, pkg/printers/internalversion/printers.go): the READY, STATUS
// and RESTARTS columns of `kubectl get pods`, reproduced branch for branch, quirks included, because users
// compare what we say with what kubectl says.
import { humanDuration } from "./duration.js";
import { asObject, asString } from "./read.js";
import type { PodScan, StatusFacts } from "./scan.js";

export interface KubectlColumns {
  /** STATUS. */
  status: string;
  readyCount: number;
  totalCount: number;
  /** The RESTARTS number. */
  restarts: number;
  /** The newest counted lastState.terminated.finishedAt, as written in the pod; null when none. */
  lastRestartTime: string | null;
  /** lastRestartTime in epoch milliseconds; NaN when none. */
  lastRestartMs: number;
  /** The RESTARTS column, e.g. `4 (2m5s ago)`. */
  restartsText: string;
}

/** Whether an init container spec is a sidecar (a restartable init container). */
export function isRestartable(spec: unknown): boolean {
  const s = asObject(spec);
  return s !== undefined && s.restartPolicy === "Always";
}

// Go looks init containers up in a map built in spec order, so with duplicate names the last one wins.
function initSpecByName(initSpecs: readonly unknown[], name: string): unknown {
  for (let i = initSpecs.length - 1; i >= 0; i--) {
    const s = asObject(initSpecs[i]);
    if (s !== undefined && asString(s.name) === name) return s;
  }
  return undefined;
}

/** Computes kubectl's READY, STATUS and RESTARTS for a scanned pod at `nowMs`. */
export function kubectlColumns(pod: PodScan, nowMs: number): KubectlColumns {
  const { initSpecs, initStatuses, containerStatuses, phase, podReason } = pod;

  let restarts = 0;
  let sidecarRestarts = 0;
  let totalCount = pod.containerSpecs.length;
  let readyCount = 0;
  // Go starts from the zero time and keeps a later one only when strictly later: -Infinity plays the zero time.
  let lastMs = -Infinity;
  let last: StatusFacts | undefined;
  let sidecarLastMs = -Infinity;
  let sidecarLast: StatusFacts | undefined;

  let reason = podReason !== "" ? podReason : phase;
  if (pod.gated) reason = "SchedulingGated";

  for (let i = 0; i < initSpecs.length; i++) {
    if (isRestartable(initSpecs[i])) totalCount++;
  }

  let initializing = false;
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    restarts += cs.restartCount;
    if (cs.lastFinishedMs > lastMs) {
      lastMs = cs.lastFinishedMs;
      last = cs;
    }
    const sidecar = initSpecs.length > 0 && isRestartable(initSpecByName(initSpecs, cs.name));
    if (sidecar) {
      sidecarRestarts += cs.restartCount;
      if (cs.lastFinishedMs > sidecarLastMs) {
        sidecarLastMs = cs.lastFinishedMs;
        sidecarLast = cs;
      }
    }
    if (cs.terminated && cs.exitCode === 0) continue;
    if (sidecar && cs.started) {
      if (cs.ready) readyCount++;
      continue;
    }
    if (cs.terminated) {
      if (cs.termReason !== "") reason = "Init:" + cs.termReason;
      else if (cs.signal !== 0) reason = `Init:Signal:${cs.signal}`;
      else reason = `Init:ExitCode:${cs.exitCode}`;
    } else if (cs.waitingReason !== "" && cs.waitingReason !== "PodInitializing") {
      reason = "Init:" + cs.waitingReason;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || pod.initialized) {
    // Once the pod is initialized, plain init containers' restarts no longer count; sidecars' still do.
    restarts = sidecarRestarts;
    lastMs = sidecarLastMs;
    last = sidecarLast;
    let hasRunning = false;
    for (let i = containerStatuses.length - 1; i >= 0; i--) {
      const cs = containerStatuses[i];
      restarts += cs.restartCount;
      if (cs.lastFinishedMs > lastMs) {
        lastMs = cs.lastFinishedMs;
        last = cs;
      }
      if (cs.waitingReason !== "") {
        reason = cs.waitingReason;
      } else if (cs.terminated) {
        if (cs.termReason !== "") reason = cs.termReason;
        else if (cs.signal !== 0) reason = `Signal:${cs.signal}`;
        else reason = `ExitCode:${cs.exitCode}`;
      } else if (cs.ready && cs.running) {
        hasRunning = true;
        readyCount++;
      }
    }
    // A completed container beside a running one is not a completed pod.
    if (reason === "Completed" && hasRunning) reason = pod.readyTrue ? "Running" : "NotReady";
  }

  if (pod.deleting) {
    if (podReason === "NodeLost") reason = "Unknown";
    else if (phase !== "Succeeded" && phase !== "Failed") reason = "Terminating";
  }

  const hasLast = last !== undefined;
  let lastRestartTime: string | null = null;
  // A counted finishedAt parsed, so it was a string, kept as written, or a Date, which this prints.
  if (last !== undefined) lastRestartTime = last.lastTermination?.finishedAt ?? new Date(lastMs).toISOString();
  return {
    status: reason,
    // kubectl would print 3/2 for a malformed pod with more statuses than containers; READY never exceeds its total.
    readyCount: readyCount > totalCount ? totalCount : readyCount,
    totalCount,
    restarts,
    lastRestartTime,
    lastRestartMs: hasLast ? lastMs : NaN,
    restartsText: restarts !== 0 && hasLast ? `${restarts} (${humanDuration(nowMs - lastMs)} ago)` : String(restarts),
  };
}
