// The per-pod metric families, each a small declarative generator in the manner of kube-state-metrics'
// internal/store/pod.go: a name, a help text, a type, what a sample is about (the pod, each container, each probe)
// and its value, with only the labels that are its own. The identity labels (`namespace`, `pod`, and `container`
// or `probe`) are put in front by the one writer below, as kube-state-metrics' `wrapPodFunc` does, so no family can
// forget them. Label values are bounded sets: statuses, verdicts, reasons,
// container and probe names, never messages.
import { isCrashLooping, PROBE_NAMES, type PodState } from "../controller/pod-states.js";
import { formatValue, label, type ExpositionWriter } from "./exposition.js";

/** A pod as one scrape writes it: its state and its identity labels, escaped once for every family. */
export interface PodRow {
  state: PodState;
  /** `namespace="…",pod="…"` */
  identity: string;
  /** `container="…"`, one per entry of state.containers. */
  containers: string[];
}

export interface PodFamily {
  name: string;
  help: string;
  type: "gauge" | "counter";
  /** One sample per pod, one per container (labelled `container`), or one per probe (labelled `probe`). */
  per: "pod" | "container" | "probe";
  /** A per-pod family's own labels (escaped); none when absent. */
  labels?: (s: PodState) => string;
  /** The sample's value; `i` is the container's or the probe's index. */
  value: (s: PodState, i: number, now: number) => number;
}

const flag = (b: boolean): number => (b ? 1 : 0);

/** Label pairs of a bounded set of values (statuses, verdicts, reasons), escaped once and kept. */
const labelCache = new Map<string, string>();
function cachedLabel(name: string, value: string): string {
  const key = `${name}\n${value}`;
  let text = labelCache.get(key);
  if (text === undefined) {
    // Bounded sets, but a table that a bug let grow must not keep growing.
    if (labelCache.size > 10_000) labelCache.clear();
    text = label(name, value);
    labelCache.set(key, text);
  }
  return text;
}

const PROBE_LABELS = PROBE_NAMES.map((p) => label("probe", p));

export const POD_FAMILIES: readonly PodFamily[] = [
  {
    name: "podhealth_pod_status",
    help: "The pod's STATUS as kubectl get pods shows it: 1 for the current one.",
    type: "gauge",
    per: "pod",
    labels: (s) => cachedLabel("status", s.status),
    value: () => 1,
  },
  {
    name: "podhealth_pod_health",
    help: "The pod's health verdict and its dominant reason: 1 for the current one.",
    type: "gauge",
    per: "pod",
    labels: (s) => `${cachedLabel("health", s.health)},${cachedLabel("reason", s.reason)}`,
    value: () => 1,
  },
  {
    name: "podhealth_pod_ready",
    help: "Whether the pod's Ready condition is True.",
    type: "gauge",
    per: "pod",
    value: (s) => flag(s.ready),
  },
  {
    name: "podhealth_container_ready",
    help: "Whether the container is ready, as the pod reports it.",
    type: "gauge",
    per: "container",
    value: (s, i) => flag(s.containers[i].ready),
  },
  {
    name: "podhealth_container_restarts",
    help: "The container's restart count as the pod reports it.",
    type: "gauge",
    per: "container",
    value: (s, i) => s.containers[i].restarts,
  },
  {
    name: "podhealth_container_crashloop_entries_total",
    help: "Entries into CrashLoopBackOff counted by this process (the report keeps the lasting count).",
    type: "counter",
    per: "container",
    value: (s, i) => s.containers[i].crashLoopEntries,
  },
  {
    name: "podhealth_container_crashlooping",
    help: "1 while the container is in a crash loop: backed off now, or within the kubelet's 10-minute back-off reset window, briefly Running included.",
    type: "gauge",
    per: "container",
    value: (s, i, now) => flag(isCrashLooping(s.containers[i], now)),
  },
  {
    name: "podhealth_probe_failures_total",
    help: "Probe failures (Unhealthy events) counted by this process, by probe (the report keeps the lasting count).",
    type: "counter",
    per: "probe",
    value: (s, i) => s.probeFailures[PROBE_NAMES[i]],
  },
];

/**
 * Each family's header, then its samples for every row: a family's samples must stay together. Each sample is one
 * string built at once; a scrape of 50,000 pods writes about 750,000 of them.
 */
export function writePodFamilies(w: ExpositionWriter, families: readonly PodFamily[], rows: readonly PodRow[], now: number): void {
  for (const f of families) {
    w.family(f.name, f.help, f.type);
    const open = `${f.name}{`;
    if (f.per === "pod") {
      for (const row of rows) {
        const own = f.labels === undefined ? "" : `,${f.labels(row.state)}`;
        w.line(`${open}${row.identity}${own}} ${formatValue(f.value(row.state, 0, now))}\n`);
      }
    } else if (f.per === "container") {
      for (const row of rows) {
        for (let i = 0; i < row.containers.length; i++) w.line(`${open}${row.identity},${row.containers[i]}} ${formatValue(f.value(row.state, i, now))}\n`);
      }
    } else {
      for (const row of rows) {
        for (let i = 0; i < PROBE_LABELS.length; i++) w.line(`${open}${row.identity},${PROBE_LABELS[i]}} ${formatValue(f.value(row.state, i, now))}\n`);
      }
    }
  }
}

/** A row for a pod, its labels escaped once. */
export function podRow(state: PodState): PodRow {
  return {
    state,
    identity: `${label("namespace", state.namespace)},${label("pod", state.name)}`,
    containers: state.containers.map((c) => label("container", c.name)),
  };
}
