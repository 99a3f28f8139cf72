// What the controller keeps of each PodHealthReport: not the report, which is several kilobytes of objects, but
// what reconcile reads from it. That is
//   - the identity and version (metadata name, namespace, uid, resourceVersion) and the labels;
//   - spec (podName, podUID);
//   - the status without what only people read (containers, conditions, probes, message, …): what counting
//     continues from (crashLoop, probeFailures, tracking, status, lastTransitionTime) and what decides when to
//     write (ready, health, reason, observedAt). It is the status minus a list of display fields, so a field the
//     counting comes to need is kept without a change here;
//   - fingerprints of the comparable status and of the owner references, to tell whether a write is needed.
// A write's own echo from the watch reuses the form made when the write returned, so it is neither hashed nor held
// twice. Counting memory shared by many reports (every healthy pod's zero counts) is one frozen object.
import { canonicalJson, fingerprint, statusFingerprint, type OwnerReference, type PodHealthReport, type ReportDiff, type ReportSpec, type ReportStatus } from "../report/index.js";
import type { Interner } from "./intern.js";

/** Status fields that nothing but a reader of the report uses: the cache leaves them out. */
const DISPLAY_ONLY = new Set(["containers", "conditions", "probes", "message", "qosClass", "nodeName", "resize", "lastRestartTime", "phase", "restarts"]);
/** Status objects whose values repeat across reports (every healthy pod's zero counts): kept once. */
const SHARED = new Set(["crashLoop", "probeFailures", "tracking"]);

export type CachedStatus = Partial<ReportStatus>;

export interface CachedReport {
  metadata: { name: string; namespace: string; uid?: string; resourceVersion?: string; labels?: Record<string, string> };
  spec: ReportSpec;
  status: CachedStatus;
  /**
   * statusFingerprint of the status. It does not depend on the order of keys: the builder's order changes with
   * the shape of the report it counts from, and a real API server sends a custom resource's keys sorted.
   */
  statusHash: number;
  /** Fingerprint of metadata.ownerReferences. */
  ownersHash: number;
}

export function ownersFingerprint(owners: readonly OwnerReference[] | undefined): number {
  return fingerprint(canonicalJson(owners ?? []));
}

/** Strings the cache form can share with the pod it is about (its name and uid), instead of a copy of each. */
export interface PodStringsSource {
  name?: string;
  uid?: string;
}

/**
 * The cache form of a report read from the API server; null for something that is not one. `statusHash`, when
 * given, is the statusFingerprint of the status this controller just wrote, which the server stored as it was sent.
 */
export function toCached(raw: unknown, intern: Interner, statusHash?: number, pod?: PodStringsSource): CachedReport | null {
  const r = raw as Partial<PodHealthReport> | null;
  const meta = r?.metadata;
  if (typeof meta?.name !== "string" || typeof meta.namespace !== "string") return null;
  const status: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r?.status ?? {})) {
    if (DISPLAY_ONLY.has(k)) continue;
    // Strings repeat across reports: Running, 1/1, and the second at which many were written.
    status[k] = typeof v === "string" ? intern.string(v) : SHARED.has(k) ? intern.object(v) : v;
  }
  const same = (s: string | undefined, from: string | undefined): string | undefined => (s !== undefined && s === from ? from : s);
  return {
    metadata: {
      name: same(meta.name, pod?.name) as string,
      namespace: intern.string(meta.namespace),
      uid: meta.uid,
      resourceVersion: meta.resourceVersion,
      labels: meta.labels === undefined ? undefined : intern.object(meta.labels),
    },
    spec: { podName: same(r?.spec?.podName, pod?.name) ?? "", podUID: same(r?.spec?.podUID, pod?.uid) ?? "" },
    status: status as CachedStatus,
    statusHash: statusHash ?? statusFingerprint(r?.status),
    ownersHash: ownersFingerprint(meta.ownerReferences),
  };
}

/** Which parts of the report on the server differ from the desired one (as reportDiff, on the cache form). */
export function cachedDiff(current: CachedReport, desired: PodHealthReport, desiredStatusHash: number): ReportDiff {
  const labels = current.metadata.labels ?? {};
  const labelsDiffer = Object.entries(desired.metadata.labels).some(([k, v]) => labels[k] !== v);
  return {
    metadata: labelsDiffer || current.ownersHash !== ownersFingerprint(desired.metadata.ownerReferences),
    spec: current.spec.podName !== desired.spec.podName || current.spec.podUID !== desired.spec.podUID,
    status: current.statusHash !== desiredStatusHash,
  };
}
