// Where `kubectl podhealth` gets its reports: the operator's PodHealthReports through the current kubeconfig when
// the CRD is installed; otherwise (or for a pod the operator keeps no report for) the same report built here from
// the pod and its events, by the operator's own report builder. A derived report counts only what the API server
// still holds: events live an hour by default (kube-apiserver --event-ttl), and crash loops before that are gone.
import type { KubeApi } from "../controller/kube.js";
import { classifyError } from "../controller/errors.js";
import { reportApi, reportCollectionPath } from "../controller/report-api.js";
import { buildReport, GROUP, reportOptions, VERSION, type CoreEvent, type PodHealthReport } from "../report/index.js";
import { parseTimestamp, type Pod } from "../status/index.js";

export interface Sourced<T> {
  value: T;
  /** Where it came from, in words for the person reading. */
  source: string;
}

const FROM_REPORT = "from its PodHealthReport";
const NO_OPERATOR = "the operator is not installed (no PodHealthReport CRD): derived from the pod and its events";
const NO_REPORT = "no PodHealthReport for this pod (with --report-mode unhealthy the operator keeps none for healthy pods): derived from the pod and its events";

/** Whether the API server serves PodHealthReports (the CRD is installed). */
export async function operatorInstalled(api: KubeApi): Promise<boolean> {
  try {
    await api.get(`/apis/${GROUP}/${VERSION}`);
    return true;
  } catch (err) {
    if (classifyError(err).class === "notFound") return false;
    throw err;
  }
}

/**
 * The time to build and read reports at: the local clock, unless the cluster's own timestamps are later (a cluster
 * whose clock runs ahead, such as the simulated one on a sped-up clock), so that nothing reads as in the future.
 */
export function readingTime(localMs: number, times: ReadonlyArray<string | null | undefined>): number {
  let newest = localMs;
  for (const t of times) {
    const ms = t ? parseTimestamp(t) : null;
    if (ms !== null && ms > newest) newest = ms;
  }
  return newest;
}

function podTimes(pod: Pod, events: readonly CoreEvent[]): Array<string | null | undefined> {
  return [
    pod.metadata?.creationTimestamp,
    ...(pod.status?.conditions ?? []).map((c) => c.lastTransitionTime),
    ...events.flatMap((e) => [e.lastTimestamp, e.eventTime, e.series?.lastObservedTime]),
  ];
}

/** The report the operator's builder makes for `pod` from `events`, with no earlier report to continue from. */
export function deriveReport(pod: Pod, events: readonly CoreEvent[], localMs: number): PodHealthReport {
  const now = new Date(readingTime(localMs, podTimes(pod, events)));
  return buildReport({ pod, events, previous: null, now, options: reportOptions() });
}

interface List<T> {
  items?: T[];
}

async function podAndEvents(api: KubeApi, namespace: string, name: string): Promise<{ pod: Pod; events: CoreEvent[] }> {
  let pod: Pod;
  try {
    pod = await api.get<Pod>(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`);
  } catch (err) {
    if (classifyError(err).class === "notFound") throw new Error(`pod "${name}" not found in namespace "${namespace}"`, { cause: err });
    throw err;
  }
  const events = await api.get<List<CoreEvent>>(`/api/v1/namespaces/${encodeURIComponent(namespace)}/events`, { fieldSelector: `involvedObject.uid=${pod.metadata?.uid ?? ""}` });
  return { pod, events: events.items ?? [] };
}

/** One pod's report: the operator's if there is one, derived otherwise. */
export async function podReport(api: KubeApi, namespace: string, name: string, localMs: number): Promise<Sourced<PodHealthReport>> {
  const installed = await operatorInstalled(api);
  if (installed) {
    const report = await reportApi(api).get(namespace, name);
    if (report !== null) return { value: report, source: FROM_REPORT };
  }
  const { pod, events } = await podAndEvents(api, namespace, name);
  return { value: deriveReport(pod, events, localMs), source: installed ? NO_REPORT : NO_OPERATOR };
}

const HEALTHY = new Set(["Healthy", "Completed"]);

/** The reports of the pods that are neither Healthy nor Completed, in one namespace or (null) all of them. */
export async function unhealthyReports(api: KubeApi, namespace: string | null, localMs: number): Promise<Sourced<PodHealthReport[]>> {
  const ns = namespace === null ? "" : `/namespaces/${encodeURIComponent(namespace)}`;
  if (await operatorInstalled(api)) {
    const list = await api.get<List<PodHealthReport>>(reportCollectionPath(namespace ?? undefined));
    return { value: (list.items ?? []).filter((r) => !HEALTHY.has(r.status?.health)), source: "from the PodHealthReports" };
  }
  const [pods, events] = await Promise.all([api.get<List<Pod>>(`/api/v1${ns}/pods`), api.get<List<CoreEvent>>(`/api/v1${ns}/events`)]);
  const byUid = new Map<string, CoreEvent[]>();
  for (const e of events.items ?? []) {
    const uid = e.involvedObject?.uid;
    if (!uid) continue;
    const list = byUid.get(uid);
    if (list) list.push(e);
    else byUid.set(uid, [e]);
  }
  const reports = (pods.items ?? []).filter((p) => p.metadata?.uid).map((p) => deriveReport(p, byUid.get(p.metadata!.uid!) ?? [], localMs));
  return { value: reports.filter((r) => !HEALTHY.has(r.status.health)), source: "the operator is not installed (no PodHealthReport CRD): derived from the pods and their events" };
}
