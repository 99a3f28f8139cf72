// The health verdict: where kubectl says what state a pod is in, this says whether that is fine, and if not,
// the dominant cause and what to check. Precedence, first match wins:
//   NodeLost → Unknown; being deleted → Terminating; Failed/Evicted → Failed; Succeeded → Completed;
//   no known phase → Unknown; a failing container (init containers first, then spec order) → Unhealthy;
//   SchedulingGated → Progressing; Pending → Unhealthy when unschedulable, else Progressing;
//   Running → Degraded on a recent restart, then on a container or pod that is not ready; else Healthy.
import type { ContainerRecords } from "./containers.js";
import type { KubectlColumns } from "./kubectl.js";
import {
  configErrorMessage,
  crashLoopMessage,
  creatingMessage,
  imagePullMessage,
  initProgressMessage,
  invalidImageMessage,
  notReadyMessage,
  podNotReadyMessage,
  recentRestartMessage,
  stuckHint,
  subjectOf,
  terminatedMessage,
  terminatingMessage,
  waitingFailureMessage,
} from "./messages.js";
import { asArray, asObject, asString } from "./read.js";
import type { PodScan } from "./scan.js";
import { tidy } from "./text.js";
import { parseTimestamp } from "./time.js";
import type { ContainerSummary, Health } from "./types.js";

type Metadata = Record<string, unknown> | undefined;

export interface Verdict {
  health: Health;
  reason: string | null;
  message: string | null;
}

export interface HealthInput {
  pod: PodScan;
  columns: KubectlColumns;
  records: ContainerRecords;
  nowMs: number;
  restartWindowMs: number;
}

/** Waiting reasons that mean "still starting", not "stuck". */
function isProgressReason(reason: string | null): boolean {
  return reason === null || reason === "ContainerCreating" || reason === "PodInitializing";
}

const IMAGE_PULL_REASONS = new Set(["ImagePullBackOff", "ErrImagePull", "ErrImageNeverPull", "RegistryUnavailable", "ImageInspectError"]);

/** Whether a container is in a state that will not fix itself: a failing waiting reason or a failed exit. */
export function isFailing(c: ContainerSummary): boolean {
  if (c.state === "waiting") return !isProgressReason(c.reason);
  if (c.state === "terminated") return c.exitCode !== 0 || c.signal !== null || (c.reason !== null && c.reason !== "Completed");
  return false;
}

// The pod's subject (its name and namespace, tidied) is worked out only for the messages that name the pod.
function failureVerdict(health: Health, metadata: Metadata, c: ContainerSummary, spec: Record<string, unknown> | undefined, podSpec: Record<string, unknown> | undefined): Verdict {
  if (c.state === "terminated") {
    return { health, reason: c.reason ?? "Error", message: terminatedMessage(subjectOf(metadata), c, spec) };
  }
  const reason = c.reason ?? "Waiting";
  if (reason === "CrashLoopBackOff") {
    // An OOM kill is the cause of the crash loop, and the one thing worth naming.
    const oom = c.lastTermination?.reason === "OOMKilled";
    return { health, reason: oom ? "OOMKilled" : reason, message: crashLoopMessage(subjectOf(metadata), c, spec) };
  }
  if (IMAGE_PULL_REASONS.has(reason)) return { health, reason, message: imagePullMessage(c, podSpec) };
  if (reason === "InvalidImageName") return { health, reason, message: invalidImageMessage(c) };
  if (reason === "CreateContainerConfigError") return { health, reason, message: configErrorMessage(c, spec) };
  return { health, reason, message: waitingFailureMessage(subjectOf(metadata), c) };
}

function firstFailing(records: ContainerRecords): number {
  const { summaries } = records;
  for (let i = 0; i < summaries.length; i++) {
    if (isFailing(summaries[i])) return i;
  }
  return -1;
}

function withDetail(text: string, detail: string): string {
  return detail !== "" ? `${text}: ${detail}` : text;
}

function failedVerdict(input: HealthInput, podReason: string): Verdict {
  const { status, spec } = input.pod;
  const detail = tidy(asString(status?.message));
  if (podReason === "Evicted") {
    const node = tidy(asString(spec?.nodeName));
    return { health: "Failed", reason: podReason, message: withDetail(`pod was evicted${node !== "" ? ` from node "${node}"` : ""}`, detail) };
  }
  if (podReason !== "") return { health: "Failed", reason: podReason, message: withDetail(`pod failed (${tidy(podReason)})`, detail) };
  const i = firstFailing(input.records);
  if (i >= 0) return failureVerdict("Failed", input.pod.metadata, input.records.summaries[i], input.records.specs[i], spec);
  return { health: "Failed", reason: "Failed", message: withDetail("pod failed", detail) };
}

function sinceCreation(input: HealthInput): number {
  return input.nowMs - parseTimestamp(input.pod.metadata?.creationTimestamp);
}

function pendingVerdict(input: HealthInput): Verdict {
  const { spec } = input.pod;
  const { summaries } = input.records;
  const scheduled = input.pod.scheduledCondition;
  if (scheduled !== undefined && scheduled.status === "False") {
    const message = tidy(asString(scheduled.message));
    return {
      health: "Unhealthy",
      reason: asString(scheduled.reason) || "Unschedulable",
      message: `pod cannot be scheduled: ${message !== "" ? message : "no node fits it"}`,
    };
  }
  if (input.columns.status.startsWith("Init:")) {
    let initTotal = 0;
    let current = -1;
    for (let i = 0; i < summaries.length; i++) {
      const c = summaries[i];
      if (c.kind === "regular") break;
      initTotal++;
      const done = c.kind === "sidecar" ? c.started : c.state === "terminated" && c.exitCode === 0;
      if (!done && current < 0) current = i;
    }
    const c = current >= 0 ? summaries[current] : undefined;
    return { health: "Progressing", reason: "PodInitializing", message: initProgressMessage(c, current, initTotal) };
  }
  for (const c of summaries) {
    if (c.state === "waiting" && c.reason === "ContainerCreating") {
      return { health: "Progressing", reason: "ContainerCreating", message: creatingMessage(input.pod.metadata, c, sinceCreation(input)) };
    }
  }
  for (const c of summaries) {
    if (c.state === "waiting" && c.reason === "PodInitializing") {
      return { health: "Progressing", reason: "PodInitializing", message: initProgressMessage(undefined, 0, 0) };
    }
  }
  const node = tidy(asString(spec?.nodeName));
  if (node !== "") {
    return {
      health: "Progressing",
      reason: "Starting",
      message: `scheduled on node "${node}"; waiting for the kubelet to start its containers${stuckHint(input.pod.metadata, sinceCreation(input))}`,
    };
  }
  return { health: "Progressing", reason: "Scheduling", message: `waiting for the scheduler to assign a node${stuckHint(input.pod.metadata, sinceCreation(input))}` };
}

function recentRestart(input: HealthInput): Verdict | null {
  const { columns, nowMs, restartWindowMs } = input;
  // kubectl's newest counted restart is a cheap gate: most pods have not restarted recently.
  if (Number.isNaN(columns.lastRestartMs) || nowMs - columns.lastRestartMs > restartWindowMs) return null;
  const { summaries, specs } = input.records;
  let best = -1;
  let bestMs = -Infinity;
  for (let i = 0; i < summaries.length; i++) {
    const c = summaries[i];
    if (c.kind === "init" || c.lastTermination === null) continue;
    const ms = parseTimestamp(c.lastTermination.finishedAt);
    if (ms > bestMs && nowMs - ms <= restartWindowMs) {
      best = i;
      bestMs = ms;
    }
  }
  if (best < 0) return null;
  const c = summaries[best];
  return {
    health: "Degraded",
    reason: c.lastTermination?.reason === "OOMKilled" ? "OOMKilled" : "RecentRestart",
    message: recentRestartMessage(subjectOf(input.pod.metadata), c, specs[best]),
  };
}

function runningVerdict(input: HealthInput): Verdict {
  const restarted = recentRestart(input);
  if (restarted !== null) return restarted;
  const { summaries, specs } = input.records;
  // Under restartPolicy Always (the default) a container that exited 0 is restarted, so it is not done.
  const restartPolicy = input.pod.spec?.restartPolicy;
  const exitedIsDone = restartPolicy === "Never" || restartPolicy === "OnFailure";
  for (let i = 0; i < summaries.length; i++) {
    const c = summaries[i];
    // Plain init containers are done once the pod runs; so is a regular container that exited 0 for good.
    if (c.kind === "init" || c.ready || (exitedIsDone && c.state === "terminated" && !isFailing(c))) continue;
    return { health: "Degraded", reason: "NotReady", message: notReadyMessage(c, specs[i]) };
  }
  const ready = input.pod.readyCondition;
  if (ready !== undefined && ready.status !== "True") {
    return { health: "Degraded", reason: "NotReady", message: podNotReadyMessage(input.pod.spec, ready, input.pod.conditions) };
  }
  return { health: "Healthy", reason: null, message: null };
}

/** Decides a pod's health from what kubectl shows and its containers' summaries. */
export function healthVerdict(input: HealthInput): Verdict {
  const { metadata, spec, phase, podReason } = input.pod;

  if (podReason === "NodeLost") {
    const node = tidy(asString(spec?.nodeName));
    return {
      health: "Unknown",
      reason: "NodeLost",
      message: `node ${node !== "" ? `"${node}" ` : ""}is unreachable (NodeLost): the pod's real state is unknown; check the node`,
    };
  }
  if (input.pod.deleting && phase !== "Succeeded" && phase !== "Failed") {
    const overdue = input.nowMs - parseTimestamp(metadata?.deletionTimestamp);
    return { health: "Terminating", reason: "Terminating", message: terminatingMessage(subjectOf(metadata), metadata, overdue) };
  }
  if (phase === "Failed" || podReason === "Evicted") return failedVerdict(input, podReason);
  if (phase === "Succeeded") return { health: "Completed", reason: null, message: null };
  if (phase !== "Pending" && phase !== "Running") {
    const node = tidy(asString(spec?.nodeName));
    return {
      health: "Unknown",
      reason: podReason !== "" ? podReason : phase === "Unknown" ? "Unknown" : phase === "" ? "NoPhase" : "UnknownPhase",
      message:
        phase === "Unknown"
          ? `the pod's state could not be obtained${node !== "" ? `, usually because node "${node}" stopped reporting` : ""}; check the node`
          : phase === ""
            ? "the pod reports no phase yet"
            : `the pod reports an unknown phase "${tidy(phase)}"`,
    };
  }

  const failing = firstFailing(input.records);
  if (failing >= 0) {
    return failureVerdict("Unhealthy", metadata, input.records.summaries[failing], input.records.specs[failing], spec);
  }
  if (input.pod.gated) {
    const gates = asArray(spec?.schedulingGates)
      .map((g) => tidy(asString(asObject(g)?.name)))
      .filter((n) => n !== "");
    return {
      health: "Progressing",
      reason: "SchedulingGated",
      message: `pod is held back from scheduling by its scheduling gates${gates.length > 0 ? `: ${gates.join(", ")}` : ""}`,
    };
  }
  return phase === "Pending" ? pendingVerdict(input) : runningVerdict(input);
}
