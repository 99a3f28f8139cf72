// Names and owners as Kubernetes controllers give them: ReplicaSet pods `<app>-<pod-template-hash>-<suffix>`, Job
// pods `<job>-<suffix>` with the Job's labels, and UIDs. Seeded, so a run can be replayed.
import type { Rng } from "./random.js";
import type { PlanOptions } from "./scenarios.js";

/** A pod of ReplicaSet `<app>-<hash>`, named as the ReplicaSet controller names them. */
export function replicaSetPodPlan(rng: Rng, namespace: string, app: string, hash: string, rsUid?: string): PlanOptions {
  return {
    namespace,
    name: `${app}-${hash}-${rng.suffix(5)}`,
    app,
    owner: { kind: "ReplicaSet", name: `${app}-${hash}`, uid: rsUid ?? uuid(rng) },
    labels: { "pod-template-hash": hash },
  };
}

/** A pod of Job `job`, labelled as the Job controller labels them. */
export function jobPodPlan(rng: Rng, namespace: string, job: string): PlanOptions {
  const uid = uuid(rng);
  return {
    namespace,
    name: `${job}-${rng.suffix(5)}`,
    owner: { kind: "Job", name: job, uid },
    labels: { "job-name": job, "batch.kubernetes.io/job-name": job, "controller-uid": uid, "batch.kubernetes.io/controller-uid": uid },
  };
}

export function uuid(rng: Rng): string {
  const h = rng.hex(32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
}
