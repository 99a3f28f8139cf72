// What the caches keep of each object: only the fields the status engine and the report builder read. A pod
// from a real cluster carries managedFields, annotations, volumes, env values and more that nothing here needs;
// dropping them keeps 10,000 pods in memory cheap (and keeps env values, which may be secrets, out of it).
import type { CoreEvent } from "../report/index.js";
import type { ContainerSpec, ContainerStatus, Pod } from "../status/types.js";

type Json = Record<string, unknown>;

function obj(v: unknown): Json | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

function pick<T extends object>(src: T | undefined, keys: readonly string[]): Partial<T> | undefined {
  if (!src) return undefined;
  const out: Json = {};
  for (const k of keys) if ((src as Json)[k] !== undefined) out[k] = (src as Json)[k];
  return out as Partial<T>;
}

const META_KEYS = [
  "name",
  "namespace",
  "uid",
  "resourceVersion",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "labels",
  "finalizers",
  "ownerReferences",
] as const;

const CONTAINER_KEYS = ["name", "image", "restartPolicy", "livenessProbe", "readinessProbe", "startupProbe", "resources", "envFrom"] as const;
const CONTAINER_STATUS_KEYS = ["name", "image", "imageID", "containerID", "ready", "started", "restartCount", "state", "lastState"] as const;

function slimContainer(c: ContainerSpec): ContainerSpec {
  const out = pick(c, CONTAINER_KEYS) as ContainerSpec & Json;
  // Only references (configMapKeyRef, secretKeyRef) are read, for configuration-error messages; never values.
  const env = (c as Json).env;
  if (Array.isArray(env)) {
    const refs = env
      .map((e) => obj(e))
      .filter((e): e is Json => e !== undefined && obj(e.valueFrom) !== undefined)
      .map((e) => ({ name: e.name, valueFrom: pick(obj(e.valueFrom), ["configMapKeyRef", "secretKeyRef"]) }));
    if (refs.length > 0) out.env = refs;
  }
  return out;
}

function slimStatuses(list: ContainerStatus[] | undefined): ContainerStatus[] | undefined {
  return Array.isArray(list) ? list.map((s) => pick(s, CONTAINER_STATUS_KEYS) as ContainerStatus) : undefined;
}

export function slimPod(raw: unknown): Pod | null {
  const pod = obj(raw) as Pod | undefined;
  if (!pod?.metadata?.name) return null;
  const spec = pod.spec;
  const status = pod.status;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: pick(pod.metadata, META_KEYS),
    spec: spec && {
      ...pick(spec, ["nodeName", "restartPolicy", "schedulingGates", "imagePullSecrets"]),
      initContainers: spec.initContainers?.map(slimContainer),
      containers: spec.containers?.map(slimContainer),
    },
    status: status && {
      ...status,
      initContainerStatuses: slimStatuses(status.initContainerStatuses),
      containerStatuses: slimStatuses(status.containerStatuses),
      ephemeralContainerStatuses: slimStatuses(status.ephemeralContainerStatuses),
    },
  };
}

const EVENT_KEYS = [
  "involvedObject",
  "reason",
  "message",
  "type",
  "count",
  "series",
  "firstTimestamp",
  "lastTimestamp",
  "eventTime",
  "source",
  "reportingController",
] as const;

/** Keeps an event about a pod, or returns null for events about anything else. */
export function slimEvent(raw: unknown): CoreEvent | null {
  const ev = obj(raw) as CoreEvent | undefined;
  if (!ev?.metadata?.name || ev.involvedObject?.kind !== "Pod" || !ev.involvedObject.name) return null;
  return {
    ...(pick(ev, EVENT_KEYS) as CoreEvent),
    metadata: pick(ev.metadata, ["uid", "name", "namespace", "resourceVersion", "creationTimestamp"]),
  };
}
