// Renders the pod status the kubelet's status manager would write from what the simulated runtime knows: phase by
// the kubelet's getPhase rules, the five standard conditions with their reasons and messages, and the container
// statuses. Pure: the caller supplies the previous status (for lastTransitionTime) and the time.
import type { ContainerStatus, PodCondition, PodStatus } from "../../status/types.js";
import { rfc3339 } from "./clock.js";

export type RestartPolicy = "Always" | "OnFailure" | "Never";

export interface PodModel {
  /** The scheduler has bound the pod (PodScheduled). */
  bound: boolean;
  /** The kubelet has admitted the pod: it reports startTime, hostIP and conditions from now on. */
  admitted: boolean;
  /** The sandbox (network namespace, IP) exists: PodReadyToStartContainers. */
  sandboxReady: boolean;
  /** Init containers ran to completion once; they are not rerun after that. */
  initialized: boolean;
  hostIP?: string;
  podIP?: string;
  startTime?: number;
  qosClass: string;
  restartPolicy: RestartPolicy;
  initContainers: ContainerStatus[];
  containers: ContainerStatus[];
  /** Set once the pod is done for good (completed, evicted, or terminated on deletion). */
  terminal?: { phase: "Succeeded" | "Failed"; reason?: string; message?: string };
  /** Conditions beyond the standard five, such as DisruptionTarget on eviction. */
  extraConditions: PodCondition[];
}

export function renderPodStatus(model: PodModel, previous: PodStatus | undefined, now: number): PodStatus {
  const phase = podPhase(model);
  const conditions = withTransitionTimes(podConditions(model, phase), previous?.conditions ?? [], now);
  if (!model.admitted) return { phase, conditions, qosClass: model.qosClass };

  const status: PodStatus & Record<string, unknown> = { phase, conditions };
  if (model.terminal?.reason !== undefined) status.reason = model.terminal.reason;
  if (model.terminal?.message !== undefined) status.message = model.terminal.message;
  if (model.hostIP !== undefined) {
    status.hostIP = model.hostIP;
    status.hostIPs = [{ ip: model.hostIP }];
  }
  if (model.podIP !== undefined) {
    status.podIP = model.podIP;
    status.podIPs = [{ ip: model.podIP }];
  }
  if (model.startTime !== undefined) status.startTime = rfc3339(model.startTime);
  if (model.initContainers.length > 0) status.initContainerStatuses = clone(model.initContainers);
  status.containerStatuses = clone(model.containers);
  status.qosClass = model.qosClass;
  return status;
}

/** The kubelet's getPhase, for the cases the simulation produces. */
export function podPhase(model: PodModel): string {
  if (model.terminal !== undefined) return model.terminal.phase;
  if (!model.admitted || !model.initialized) return "Pending";
  let waiting = 0;
  let running = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of model.containers) {
    if (c.state?.running) running++;
    else if (c.state?.terminated) {
      stopped++;
      if (c.state.terminated.exitCode === 0) succeeded++;
    } else if (c.lastState?.terminated) {
      // A container waiting to be restarted has run before: it counts as stopped, not as never started.
      stopped++;
      if (c.lastState.terminated.exitCode === 0) succeeded++;
    } else waiting++;
  }
  if (waiting > 0) return "Pending";
  if (running > 0) return "Running";
  if (stopped > 0) {
    if (model.restartPolicy === "Always") return "Running";
    if (stopped === succeeded) return "Succeeded";
    if (model.restartPolicy === "Never") return "Failed";
    return "Running";
  }
  return "Pending";
}

type ConditionValue = Omit<PodCondition, "lastTransitionTime" | "lastProbeTime">;

/** The conditions in the order the kubelet writes them, without transition times. */
export function podConditions(model: PodModel, phase: string): ConditionValue[] {
  const scheduled: ConditionValue = { type: "PodScheduled", status: model.bound ? "True" : "False" };
  if (!model.admitted) return [scheduled];

  const completed = phase === "Succeeded";
  const initialized = initializedCondition(model, completed);
  const notReady = model.containers.filter((c) => !c.ready).map((c) => c.name ?? "");
  let containersReady: ConditionValue;
  if (completed) containersReady = { type: "ContainersReady", status: "False", reason: "PodCompleted" };
  else if (notReady.length > 0) {
    containersReady = { type: "ContainersReady", status: "False", reason: "ContainersNotReady", message: `containers with unready status: [${notReady.join(" ")}]` };
  } else containersReady = { type: "ContainersReady", status: "True" };
  const ready: ConditionValue = { ...containersReady, type: "Ready" };

  return [
    { type: "PodReadyToStartContainers", status: model.sandboxReady ? "True" : "False" },
    initialized,
    ready,
    containersReady,
    scheduled,
    ...model.extraConditions.map(({ lastTransitionTime: _t, lastProbeTime: _p, ...rest }) => rest),
  ];
}

function initializedCondition(model: PodModel, completed: boolean): ConditionValue {
  if (model.initialized || model.initContainers.length === 0) return { type: "Initialized", status: "True" };
  if (completed) return { type: "Initialized", status: "False", reason: "PodCompleted" };
  const incomplete = model.initContainers.filter((c) => c.state?.terminated?.exitCode !== 0).map((c) => c.name ?? "");
  return { type: "Initialized", status: "False", reason: "ContainersNotInitialized", message: `containers with incomplete status: [${incomplete.join(" ")}]` };
}

/** Keeps a condition's lastTransitionTime while its status stays the same, as UpdatePodCondition does. */
export function withTransitionTimes(conditions: ConditionValue[], previous: PodCondition[], now: number): PodCondition[] {
  return conditions.map((c) => {
    const before = previous.find((p) => p.type === c.type);
    const lastTransitionTime = before !== undefined && before.status === c.status && before.lastTransitionTime ? before.lastTransitionTime : rfc3339(now);
    return { type: c.type, status: c.status, ...(c.reason ? { reason: c.reason } : {}), ...(c.message ? { message: c.message } : {}), lastProbeTime: null, lastTransitionTime };
  });
}

function clone<T>(value: T): T {
  return structuredClone(value);
}
