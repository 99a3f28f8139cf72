// The per-pod metric families, each a small declarative generator in the manner of kube-state-metrics'
// internal/store/pod.go: a name, a help text, a type and `generate(pod)`, which gives only the labels that are its
// own. The identity labels (`namespace`, `pod`) are put in front by the one writer below, as kube-state-metrics'
// `wrapPodFunc` does, so no family can forget them. Label values are bounded sets: statuses, verdicts, reasons,
// container and probe names, never messages.
import { isCrashLooping, PROBE_NAMES, type PodState } from "../controller/pod-states.js";
import { label, type ExpositionWriter } from "./exposition.js";

/** A pod as one scrape writes it: its state and its identity labels, escaped once for every family. */
export interface PodRow {
  state: PodState;
  /** `namespace="…",pod="…"` */
  identity: string;
  /** `container="…"`, one per entry of state.containers. */
  containers: string[];
}

export interface PodSink {
  /** A sample of the current pod; `labels` are the family's own (escaped), "" for none. */
  sample(labels: string, value: number): void;
}

export interface PodFamily {
  name: string;
  help: string;
  type: "gauge" | "counter";
  generate(row: PodRow, now: number, out: PodSink): void;
}

const flag = (b: boolean): number => (b ? 1 : 0);

export const POD_FAMILIES: readonly PodFamily[] = [
  {
    name: "podhealth_pod_status",
    help: "The pod's STATUS as kubectl get pods shows it: 1 for the current one.",
    type: "gauge",
    generate: (r, _now, out) => out.sample(label("status", r.state.status), 1),
  },
  {
    name: "podhealth_pod_health",
    help: "The pod's health verdict and its dominant reason: 1 for the current one.",
    type: "gauge",
    generate: (r, _now, out) => out.sample(`${label("health", r.state.health)},${label("reason", r.state.reason)}`, 1),
  },
  {
    name: "podhealth_pod_ready",
    help: "Whether the pod's Ready condition is True.",
    type: "gauge",
    generate: (r, _now, out) => out.sample("", flag(r.state.ready)),
  },
  {
    name: "podhealth_container_ready",
    help: "Whether the container is ready, as the pod reports it.",
    type: "gauge",
    generate: (r, _now, out) => r.state.containers.forEach((c, i) => out.sample(r.containers[i], flag(c.ready))),
  },
  {
    name: "podhealth_container_restarts",
    help: "The container's restart count as the pod reports it.",
    type: "gauge",
    generate: (r, _now, out) => r.state.containers.forEach((c, i) => out.sample(r.containers[i], c.restarts)),
  },
  {
    name: "podhealth_container_crashloop_entries_total",
    help: "Entries into CrashLoopBackOff counted by this process (the report keeps the lasting count).",
    type: "counter",
    generate: (r, _now, out) => r.state.containers.forEach((c, i) => out.sample(r.containers[i], c.crashLoopEntries)),
  },
  {
    name: "podhealth_container_crashlooping",
    help: "1 while the container is in a crash loop: backed off now, or within the kubelet's 10-minute back-off reset window, briefly Running included.",
    type: "gauge",
    generate: (r, now, out) => r.state.containers.forEach((c, i) => out.sample(r.containers[i], flag(isCrashLooping(c, now)))),
  },
  {
    name: "podhealth_probe_failures_total",
    help: "Probe failures (Unhealthy events) counted by this process, by probe (the report keeps the lasting count).",
    type: "counter",
    generate: (r, _now, out) => PROBE_NAMES.forEach((probe) => out.sample(label("probe", probe), r.state.probeFailures[probe])),
  },
];

/** Each family's header, then its samples for every row: a family's samples must stay together. */
export function writePodFamilies(w: ExpositionWriter, families: readonly PodFamily[], rows: readonly PodRow[], now: number): void {
  let identity = "";
  let name = "";
  const sink: PodSink = {
    sample: (labels, value) => w.sample(name, labels === "" ? identity : `${identity},${labels}`, value),
  };
  for (const f of families) {
    w.family(f.name, f.help, f.type);
    name = f.name;
    for (const row of rows) {
      identity = row.identity;
      f.generate(row, now, sink);
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
