// Installing CRDs the way a user does: created through the API server (what `kubectl apply -f crds/` sends), then
// waited for until the server reports them Established (what `kubectl wait --for condition=established` waits
// for), since a custom resource cannot be served, listed or watched before that.
import type { KubeApi } from "../controller/kube.js";

const CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

interface Crd {
  metadata?: { name?: string };
  status?: { conditions?: Array<{ type?: string; status?: string }> };
}

function established(crd: Crd): boolean {
  return (crd.status?.conditions ?? []).some((c) => c.type === "Established" && c.status === "True");
}

/** Creates each CRD and resolves once all are Established; rejects after `timeoutMs` with the names still waiting. */
export async function applyCrds(api: KubeApi, crds: readonly object[], timeoutMs = 10_000, pollMs = 50): Promise<string[]> {
  const names: string[] = [];
  for (const crd of crds) {
    const created = await api.post<Crd>(CRD_PATH, crd);
    names.push(created.metadata?.name ?? "");
  }
  const deadline = Date.now() + timeoutMs;
  let waiting = names;
  while (waiting.length > 0) {
    const states = await Promise.all(waiting.map((n) => api.get<Crd>(`${CRD_PATH}/${encodeURIComponent(n)}`)));
    waiting = waiting.filter((_, i) => !established(states[i]));
    if (waiting.length === 0) break;
    if (Date.now() > deadline) throw new Error(`CRD not established after ${timeoutMs} ms: ${waiting.join(", ")}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  return names;
}
