// Pod counts per namespace, by STATUS and by health: cheap series for dashboards on big clusters, written whatever
// --pod-metrics says. Counted from the same per-pod state, so they too come only from the replica that writes
// those pods' reports, and sums over replicas do not double.
import type { PodState } from "../controller/pod-states.js";
import type { Health } from "../status/types.js";
import { label, type ExpositionWriter } from "./exposition.js";

/** Every verdict, so each namespace has a series per verdict (0 included) and alerts need no `absent`. */
export const HEALTHS: readonly Health[] = ["Healthy", "Progressing", "Degraded", "Unhealthy", "Completed", "Failed", "Terminating", "Unknown"];

export const NAMESPACE_FAMILIES = {
  pods: { name: "podhealth_pods", help: "Pods by namespace and STATUS (only STATUS values that some pod has).", type: "gauge" },
  byHealth: { name: "podhealth_pods_by_health", help: "Pods by namespace and health verdict.", type: "gauge" },
} as const;

export function writeNamespaceFamilies(w: ExpositionWriter, states: Iterable<PodState>): void {
  const byStatus = new Map<string, Map<string, number>>();
  const byHealth = new Map<string, Map<Health, number>>();
  for (const s of states) {
    let st = byStatus.get(s.namespace);
    if (st === undefined) {
      st = new Map();
      byStatus.set(s.namespace, st);
      byHealth.set(s.namespace, new Map(HEALTHS.map((h) => [h, 0])));
    }
    st.set(s.status, (st.get(s.status) ?? 0) + 1);
    const h = byHealth.get(s.namespace) as Map<Health, number>;
    h.set(s.health, (h.get(s.health) ?? 0) + 1);
  }
  const namespaces = [...byStatus.keys()].sort();

  const pods = NAMESPACE_FAMILIES.pods;
  w.family(pods.name, pods.help, pods.type);
  for (const ns of namespaces) {
    const nsLabel = label("namespace", ns);
    const counts = byStatus.get(ns) as Map<string, number>;
    for (const status of [...counts.keys()].sort()) w.sample(pods.name, `${nsLabel},${label("status", status)}`, counts.get(status) as number);
  }

  const health = NAMESPACE_FAMILIES.byHealth;
  w.family(health.name, health.help, health.type);
  for (const ns of namespaces) {
    const nsLabel = label("namespace", ns);
    for (const [h, n] of byHealth.get(ns) as Map<Health, number>) w.sample(health.name, `${nsLabel},${label("health", h)}`, n);
  }
}
