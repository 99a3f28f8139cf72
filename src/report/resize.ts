// The in-place resize state of a pod, from the field older clusters set or the conditions newer ones set.
import type { Pod } from "../status/types.js";

/**
 * `status.resize` (Proposed, InProgress, Deferred, Infeasible) where a cluster still sets it; otherwise, on
 * Kubernetes 1.33+, a true PodResizePending condition gives its reason (Deferred, Infeasible) and a true
 * PodResizeInProgress gives InProgress. Pending wins over in progress: a pending resize is the one not yet
 * acted on, and the one that needs attention. Null when no resize is under way.
 */
export function resizeState(pod: Pod): string | null {
  if (pod.status?.resize) return pod.status.resize;
  const conditions = pod.status?.conditions ?? [];
  const pending = conditions.find((c) => c.type === "PodResizePending" && c.status === "True");
  if (pending) return pending.reason || "Pending";
  const inProgress = conditions.find((c) => c.type === "PodResizeInProgress" && c.status === "True");
  return inProgress ? "InProgress" : null;
}
