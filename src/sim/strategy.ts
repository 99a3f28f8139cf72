// Per-resource rules the real server applies around a write ("strategies" in apiserver terms): what a create
// resets, what the status subresource may and may not change, what a CRD's status says, and validation.
import { rfc3339 } from "./clock.js";
import { applyCrdDefaults, validateCrd } from "./crd-validation.js";
import { invalid } from "./errors.js";
import { invalidObject, type FieldError, type FieldErrorType } from "./field-errors.js";
import { CRD_KEY, type ResourceInfo } from "./resources.js";
import { pruneAndValidate } from "./schema.js";
import { defaultStoredKind, validateStoredKind, validateStoredKindUpdate } from "./stored-kinds-strategy.js";
import type { KubeObject } from "./types.js";

type Resources = Record<string, string | number | undefined>;
interface Container {
  name?: string;
  image?: string;
  resources?: { requests?: Resources; limits?: Resources };
}

/** The pod's QoS class, as the server computes it on create (cpu and memory only). */
export function qosClass(pod: KubeObject): string {
  const spec = (pod.spec ?? {}) as { containers?: Container[]; initContainers?: Container[] };
  const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const requests = c.resources?.requests ?? {};
    const limits = c.resources?.limits ?? {};
    for (const r of ["cpu", "memory"]) {
      if (requests[r] !== undefined || limits[r] !== undefined) any = true;
      const request = requests[r] ?? limits[r];
      if (limits[r] === undefined || String(request) !== String(limits[r])) guaranteed = false;
    }
  }
  if (!any) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}

interface CrdSpec {
  group?: string;
  scope?: string;
  names?: { plural?: string; singular?: string; kind?: string; listKind?: string; shortNames?: string[]; categories?: string[] };
  versions?: Array<{ name?: string; served?: boolean; storage?: boolean }>;
}

/** The status the CRD controllers would write right away: names accepted, established. */
function crdStatus(crd: KubeObject, now: number): object {
  const spec = (crd.spec ?? {}) as CrdSpec;
  const names = spec.names ?? {};
  const time = rfc3339(now);
  const previous = ((crd.status ?? {}) as { storedVersions?: string[] }).storedVersions ?? [];
  // Runs before validation: a versions field of the wrong shape must not throw here.
  const versions = Array.isArray(spec.versions) ? spec.versions : [];
  const storage = versions.find((v) => v?.storage === true)?.name;
  return {
    conditions: [
      { type: "NamesAccepted", status: "True", lastTransitionTime: time, reason: "NoConflicts", message: "no conflicts found" },
      { type: "Established", status: "True", lastTransitionTime: time, reason: "InitialNamesAccepted", message: "the initial names have been accepted" },
    ],
    acceptedNames: { ...names, singular: names.singular ?? (names.kind ?? "").toLowerCase(), listKind: names.listKind ?? `${names.kind ?? ""}List` },
    storedVersions: storage && !previous.includes(storage) ? [...previous, storage] : previous,
  };
}

function validatePod(pod: KubeObject): void {
  const spec = (pod.spec ?? {}) as { containers?: Container[] };
  const causes: Array<{ field: string; message: string; reason?: string }> = [];
  if (!spec.containers || spec.containers.length === 0) causes.push({ field: "spec.containers", message: "Required value", reason: "FieldValueRequired" });
  (spec.containers ?? []).forEach((c, i) => {
    if (!c.name) causes.push({ field: `spec.containers[${i}].name`, message: "Required value", reason: "FieldValueRequired" });
    if (!c.image) causes.push({ field: `spec.containers[${i}].image`, message: "Required value", reason: "FieldValueRequired" });
  });
  if (causes.length > 0) throw invalid("Pod", pod.metadata?.name ?? "", causes);
}

/**
 * Validates an object about to be stored (`existing` is the stored one on an update); throws 422 Invalid with
 * every problem as a cause. Prunes custom resources in place.
 */
export function validate(info: ResourceInfo, version: string, obj: KubeObject, existing?: KubeObject): void {
  if (info.key === "pods") validatePod(obj);
  else if (info.key === CRD_KEY) {
    const errors = validateCrd(obj, existing);
    if (errors.length > 0) throw invalidObject(info.group, info.kind, obj.metadata?.name ?? "", errors);
  }
  else if (info.custom) {
    const causes = pruneAndValidate(obj, info.schemas?.[version]);
    if (causes.length > 0) {
      const errors = causes.map((c): FieldError => ({ type: c.reason as FieldErrorType, field: c.field, body: c.message }));
      throw invalidObject(info.group, info.kind, obj.metadata?.name ?? "", errors);
    }
  } else validateStoredKind(info, obj);
}

/** podIP and podIPs (hostIP and hostIPs) describe one thing; the server fills whichever is missing. */
function syncPodIPs(pod: KubeObject): void {
  const status = pod.status as { podIP?: string; podIPs?: Array<{ ip?: string }>; hostIP?: string; hostIPs?: Array<{ ip?: string }> } | undefined;
  if (!status) return;
  if (status.podIP && !status.podIPs?.length) status.podIPs = [{ ip: status.podIP }];
  else if (!status.podIP && status.podIPs?.[0]?.ip) status.podIP = status.podIPs[0].ip;
  if (status.hostIP && !status.hostIPs?.length) status.hostIPs = [{ ip: status.hostIP }];
  else if (!status.hostIP && status.hostIPs?.[0]?.ip) status.hostIP = status.hostIPs[0].ip;
}

/** Every namespace carries its name as a label (core/v1 defaults.go SetDefaults_Namespace, since 1.21). */
function labelNamespace(ns: KubeObject): void {
  const meta = (ns.metadata ??= {});
  if (meta.name) meta.labels = { ...(meta.labels ?? {}), "kubernetes.io/metadata.name": meta.name };
}

/** What a create resets before storing (`obj` is the request's private copy). */
export function prepareForCreate(info: ResourceInfo, obj: KubeObject, now: number): void {
  if (info.key === "pods") {
    obj.status = { phase: "Pending", qosClass: qosClass(obj) };
  } else if (info.key === "namespaces") {
    labelNamespace(obj);
    obj.spec = { finalizers: ["kubernetes"], ...((obj.spec as object | undefined) ?? {}) };
    obj.status = { phase: "Active" };
  } else if (info.key === CRD_KEY) {
    applyCrdDefaults(obj);
    obj.status = crdStatus(obj, now);
  } else if (info.statusSubresource) {
    delete obj.status;
  }
  defaultStoredKind(info, obj);
}

/**
 * The object an update stores, from what is stored and what was sent: a status write changes only the status
 * (the sent resourceVersion still guards it); a main write leaves the status alone when there is a status
 * subresource.
 */
export function prepareForUpdate(info: ResourceInfo, existing: KubeObject, incoming: KubeObject, subresource: string | undefined, now: number): KubeObject {
  let next: KubeObject;
  if (subresource === "status") {
    next = { ...structuredClone(existing), status: incoming.status };
    if (incoming.status === undefined) delete next.status;
    (next.metadata as Record<string, unknown>).resourceVersion = incoming.metadata?.resourceVersion;
  } else {
    next = incoming;
    if (info.statusSubresource) {
      if (existing.status === undefined) delete next.status;
      else next.status = structuredClone(existing.status);
    }
  }
  if (info.key === CRD_KEY) {
    applyCrdDefaults(next);
    next.status = crdStatus(next, now);
  }
  if (info.key === "namespaces" && subresource === undefined) labelNamespace(next);
  if (subresource === undefined && !info.custom) {
    defaultStoredKind(info, next, existing);
    validateStoredKindUpdate(info, existing, next);
  }
  if (info.key === "pods" && subresource === "status") syncPodIPs(next);
  return next;
}
