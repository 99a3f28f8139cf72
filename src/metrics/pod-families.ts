// The per-pod metric families, each a small declarative generator in the manner of kube-state-metrics'
// internal/store/pod.go: a name, a help text, a type, what a sample is about (the pod, each container, each probe)
// and its value, with only the labels that are its own. The identity labels (`namespace`, `pod`, and `container`
// or `probe`) are put in front by the one writer below, as kube-state-metrics' `wrapPodFunc` does, so no family can
// forget them. Label values are bounded sets: statuses, verdicts, reasons,
// container and probe names, never messages.
import { isCrashLooping, PROBE_NAMES, type PodState } from "../controller/pod-states.js";
import { formatValue, label, type ExpositionWriter } from "./exposition.js";

/** A pod as one scrape writes it: its state and its identity labels, escaped and encoded once for every family. */
export interface PodRow {
  state: PodState;
  /** `namespace="…",pod="…"`, UTF-8. */
  identity: Buffer;
  /** `,container="…"} ` for each entry of state.containers, UTF-8. */
  containers: Buffer[];
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

const enc = (text: string): Buffer => Buffer.from(text, "utf8");
const CLOSE = enc("} ");
const PROBE_PARTS = PROBE_NAMES.map((p) => enc(`,${label("probe", p)}} `));
/** ` value\n` of the small integers most samples have, encoded once. */
const VALUES = Array.from({ length: 256 }, (_, v) => enc(`${v}\n`));
const valueBytes = (v: number): Buffer => (Number.isInteger(v) && v >= 0 && v < VALUES.length ? VALUES[v] : enc(`${formatValue(v)}\n`));
/** A per-pod family's own labels, encoded once per distinct value (statuses and verdicts are bounded sets). */
const ownParts = new Map<string, Buffer>();
function ownPart(labels: string): Buffer {
  let b = ownParts.get(labels);
  if (b === undefined) {
    if (ownParts.size > 10_000) ownParts.clear();
    b = enc(labels === "" ? "} " : `,${labels}} `);
    ownParts.set(labels, b);
  }
  return b;
}

/**
 * Each family's header, then its samples for every row: a family's samples must stay together. A sample is four
 * copies of bytes made once: the family's `name{`, the pod's identity, the family's own labels, the value.
 */
export function writePodFamilies(w: ExpositionWriter, families: readonly PodFamily[], rows: readonly PodRow[], now: number): void {
  for (const f of families) {
    w.family(f.name, f.help, f.type);
    const open = enc(`${f.name}{`);
    for (const row of rows) {
      if (f.per === "pod") {
        w.bytes(open);
        w.bytes(row.identity);
        w.bytes(f.labels === undefined ? CLOSE : ownPart(f.labels(row.state)));
        w.bytes(valueBytes(f.value(row.state, 0, now)));
      } else {
        const parts = f.per === "container" ? row.containers : PROBE_PARTS;
        for (let i = 0; i < parts.length; i++) {
          w.bytes(open);
          w.bytes(row.identity);
          w.bytes(parts[i]);
          w.bytes(valueBytes(f.value(row.state, i, now)));
        }
      }
    }
  }
}

/** A row for a pod, its labels escaped and encoded once. */
export function podRow(state: PodState): PodRow {
  return {
    state,
    identity: enc(`${label("namespace", state.namespace)},${label("pod", state.name)}`),
    containers: state.containers.map((c) => enc(`,${label("container", c.name)}} `)),
  };
}
