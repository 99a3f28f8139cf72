// Building the whole desired PodHealthReport for a pod from the pod, its events and the previous report.
import { derivePodStatus } from "../status/index.js";
import type { ContainerSummary, Pod } from "../status/types.js";
import type { BuildReportInput, PodHealthReport, ReportCondition, ReportContainer, ReportStatus } from "./types.js";
import { foldCountsWithNew, type NewCounts } from "./counts.js";
import { withProbeFailures } from "./probe-verdict.js";
import { podProbes } from "./probes.js";
import { resizeState } from "./resize.js";
import { API_VERSION, KIND, MANAGED_BY, MANAGED_BY_LABEL } from "./resource.js";
import { withoutAbsent } from "./absent.js";
import { formatTime, truncateOrNull } from "./text.js";

/**
 * The desired report: apiVersion, kind, metadata (name, namespace, labels, ownerReferences), spec and status.
 * The previous report's status is the only memory: counts continue from it, and a previous report of another
 * pod with the same name (another uid) is ignored.
 * Throws when the pod has no name, namespace or uid: without them there is nothing to own the report.
 */
export function buildReport(input: BuildReportInput): PodHealthReport {
  return buildReportWithNew(input).report;
}

/** buildReport, and what its fold counted now (for the controller's per-process metrics; never persisted). */
export function buildReportWithNew(input: BuildReportInput): { report: PodHealthReport; counted: NewCounts } {
  const { pod, events, now, options } = input;
  const { name, namespace, uid } = podIdentity(pod);
  const previous = input.previous?.spec?.podUID === uid ? input.previous.status : undefined;
  const derived = input.derived ?? derivePodStatus(pod, now);
  const max = options.maxMessageLength;

  const { counts, counted } = foldCountsWithNew({ pod, events, previous, now, options });
  const observedAt = formatTime(now.getTime());
  const verdict = withProbeFailures(derived, counts.probeFailures, now.getTime());

  const status: ReportStatus = {
    status: derived.status,
    ready: derived.ready,
    restarts: derived.restarts,
    phase: derived.phase,
    health: verdict.health,
    ...withoutAbsent({
      lastRestartTime: derived.lastRestartTime,
      reason: truncateOrNull(verdict.reason, max),
      message: truncateOrNull(verdict.message, max),
      qosClass: pod.status?.qosClass || null,
      nodeName: pod.spec?.nodeName || null,
      resize: resizeState(pod),
    }),
    containers: derived.containers.map((c) => reportContainer(c, max)),
    conditions: (pod.status?.conditions ?? []).filter((c) => c.type).map((c): ReportCondition => ({
      type: c.type ?? "",
      status: c.status ?? "Unknown",
      ...withoutAbsent({
        reason: truncateOrNull(c.reason, max),
        message: truncateOrNull(c.message, max),
        lastTransitionTime: c.lastTransitionTime || null,
      }),
    })),
    probes: podProbes(pod),
    crashLoop: counts.crashLoop,
    probeFailures: counts.probeFailures,
    lastTransitionTime: keptTransitionTime(previous, derived.status) ?? observedAt,
    observedAt,
    tracking: counts.tracking,
  };

  const report: PodHealthReport = {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: {
      name,
      namespace,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY },
      ownerReferences: [{ apiVersion: "v1", kind: "Pod", name, uid, controller: false, blockOwnerDeletion: false }],
    },
    spec: { podName: name, podUID: uid },
    status,
  };
  return { report, counted };
}

function podIdentity(pod: Pod): { name: string; namespace: string; uid: string } {
  const { name, namespace, uid } = pod.metadata ?? {};
  if (!name || !namespace || !uid) {
    throw new Error(`build report: pod ${namespace ?? "?"}/${name ?? "?"} lacks metadata.name, namespace or uid`);
  }
  return { name, namespace, uid };
}

function reportContainer(c: ContainerSummary, max: number): ReportContainer {
  return {
    name: c.name,
    kind: c.kind,
    state: c.state,
    ready: c.ready,
    started: c.started,
    restartCount: c.restartCount,
    ...withoutAbsent({
      reason: truncateOrNull(c.reason, max),
      message: truncateOrNull(c.message, max),
      exitCode: c.exitCode,
      signal: c.signal,
      lastTermination:
        c.lastTermination &&
        withoutAbsent({ reason: truncateOrNull(c.lastTermination.reason, max), exitCode: c.lastTermination.exitCode, finishedAt: c.lastTermination.finishedAt }),
      image: c.image,
    }),
  };
}

type PreviousStatus = Partial<ReportStatus> | undefined;

/** The previous transition time while STATUS stays the same; null when it changed or there is none. */
function keptTransitionTime(previous: PreviousStatus, status: string): string | null {
  return previous !== undefined && previous.status === status && previous.lastTransitionTime ? previous.lastTransitionTime : null;
}
