// What the caches keep of each object: only the fields the status engine, the report builder and the metrics
// read. A pod from a real cluster carries managedFields, annotations, volumes, env values and more that nothing
// here needs; dropping them keeps 50,000 pods in memory cheap (and keeps env values, which may be secrets, out
// of it). What many pods hold alike (a Deployment's container specs, image and node names, condition reasons, the
// seconds at which they started) is kept once through the interner. test/controller/slim.test.ts checks that the
// engine and the builder read the same from a slim pod as from the whole one.
import { eventMeaning } from "../report/events.js";
import type { CoreEvent } from "../report/index.js";
import type { ContainerSpec, ContainerStatus, Pod } from "../status/types.js";
import type { Interner } from "./intern.js";

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

const META_KEYS = ["name", "namespace", "uid", "resourceVersion", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "finalizers"] as const;
const SPEC_KEYS = ["nodeName", "restartPolicy", "schedulingGates", "imagePullSecrets", "readinessGates"] as const;
const STATUS_KEYS = ["phase", "reason", "message", "qosClass", "resize"] as const;
const CONTAINER_KEYS = ["name", "image", "restartPolicy", "livenessProbe", "readinessProbe", "startupProbe", "envFrom"] as const;

function slimContainer(c: ContainerSpec, intern: Interner): ContainerSpec {
  const out = pick(c, CONTAINER_KEYS) as ContainerSpec & Json;
  // Of the resources only the memory limit is read (an OOM-kill message names it).
  const memory = obj(obj((c as Json).resources)?.limits)?.memory;
  if (memory !== undefined) out.resources = { limits: { memory } };
  // Only references (configMapKeyRef, secretKeyRef) are read, for configuration-error messages; never values.
  const env = (c as Json).env;
  if (Array.isArray(env)) {
    const refs = env
      .map((e) => obj(e))
      .filter((e): e is Json => e !== undefined && (obj(e.valueFrom)?.configMapKeyRef !== undefined || obj(e.valueFrom)?.secretKeyRef !== undefined))
      .map((e) => ({ name: e.name, valueFrom: pick(obj(e.valueFrom), ["configMapKeyRef", "secretKeyRef"]) }));
    if (refs.length > 0) out.env = refs;
  }
  return intern.object(out);
}

function slimContainers(list: ContainerSpec[] | undefined, intern: Interner): ContainerSpec[] | undefined {
  if (!Array.isArray(list)) return undefined;
  // Something other than an object in the list is kept as it is (the engine reads it as nothing).
  if (list.some((c) => obj(c) === undefined)) return intern.object(list.map((c) => (obj(c) === undefined ? c : slimContainer(c, intern))));
  return intern.list(list.map((c) => slimContainer(c, intern)));
}

/**
 * A container state (`{running: {startedAt}}`, `{waiting: {reason, message}}`, `{terminated: {…}}`) with its
 * strings shared, each part one literal of a fixed shape (smaller than an object grown key by key).
 */
function slimState(state: unknown, intern: Interner): unknown {
  const s = obj(state);
  if (s === undefined) return state;
  const running = obj(s.running);
  const waiting = obj(s.waiting);
  const terminated = obj(s.terminated);
  // An empty state (`lastState: {}`) is the same for every pod.
  if (s.running === undefined && s.waiting === undefined && s.terminated === undefined) return Object.keys(s).length === 0 ? intern.object({}) : s;
  const out: Json = {};
  if (s.running !== undefined) out.running = running === undefined ? s.running : { startedAt: intern.string(running.startedAt) };
  if (s.waiting !== undefined) out.waiting = waiting === undefined ? s.waiting : { reason: intern.string(waiting.reason), message: waiting.message };
  if (s.terminated !== undefined) {
    // containerID names one run of one container: nothing reads it.
    out.terminated =
      terminated === undefined
        ? s.terminated
        : {
            exitCode: terminated.exitCode,
            signal: terminated.signal,
            reason: intern.string(terminated.reason),
            message: terminated.message,
            startedAt: intern.string(terminated.startedAt),
            finishedAt: intern.string(terminated.finishedAt),
          };
  }
  return Object.keys(out).length === 1 ? (out.running !== undefined ? { running: out.running } : out.waiting !== undefined ? { waiting: out.waiting } : { terminated: out.terminated }) : out;
}

function slimStatuses(list: ContainerStatus[] | undefined, intern: Interner): ContainerStatus[] | undefined {
  if (!Array.isArray(list)) return undefined;
  return list.map((raw) => {
    // Not an object: kept as it is, and read as the engine reads it.
    if (obj(raw) === undefined) return raw;
    // One literal of a fixed shape: smaller than an object grown key by key.
    const s: ContainerStatus = {
      name: intern.string(raw.name),
      image: intern.string(raw.image),
      ready: raw.ready,
      started: raw.started,
      restartCount: raw.restartCount,
      state: slimState(raw.state, intern) as ContainerStatus["state"],
      lastState: slimState(raw.lastState, intern) as ContainerStatus["lastState"],
    };
    return s;
  });
}

export function slimPod(raw: unknown, intern: Interner): Pod | null {
  const pod = obj(raw) as Pod | undefined;
  if (!pod?.metadata?.name) return null;
  const metadata = pick(pod.metadata, META_KEYS) as NonNullable<Pod["metadata"]>;
  if (metadata.namespace !== undefined) metadata.namespace = intern.string(metadata.namespace);
  metadata.creationTimestamp = intern.string(metadata.creationTimestamp);
  if (metadata.finalizers !== undefined) metadata.finalizers = intern.object(metadata.finalizers);
  const out: Pod = { metadata };
  const spec = pod.spec;
  // Something other than an object where spec or status should be is kept as it is: the engine reads it as nothing.
  if (obj(spec) === undefined) {
    if (spec !== undefined) out.spec = spec;
  } else if (spec !== undefined) {
    const s = pick(spec, SPEC_KEYS) as NonNullable<Pod["spec"]> & Json;
    if (s.nodeName !== undefined) s.nodeName = intern.string(s.nodeName);
    for (const k of ["schedulingGates", "imagePullSecrets", "readinessGates"] as const) if (s[k] !== undefined) s[k] = intern.object(s[k] as Json[]);
    const init = slimContainers(spec.initContainers, intern);
    if (init !== undefined) s.initContainers = init;
    const containers = slimContainers(spec.containers, intern);
    if (containers !== undefined) s.containers = containers;
    out.spec = s;
  }
  const status = pod.status;
  if (obj(status) === undefined) {
    if (status !== undefined) out.status = status;
  } else if (status !== undefined) {
    const s = pick(status, STATUS_KEYS) as NonNullable<Pod["status"]> & Json;
    for (const k of STATUS_KEYS) if (typeof s[k] === "string" && k !== "message") s[k] = intern.string(s[k] as string);
    if (Array.isArray(status.conditions)) {
      s.conditions = status.conditions.map((c) => {
        if (obj(c) === undefined) return c;
        const [type, cs, lastTransitionTime] = [intern.string(c.type), intern.string(c.status), intern.string(c.lastTransitionTime)];
        // Most conditions have no reason and no message: a smaller literal for those.
        if (c.reason === undefined && c.message === undefined) return { type, status: cs, lastTransitionTime };
        return { type, status: cs, reason: intern.string(c.reason), message: intern.string(c.message), lastTransitionTime };
      });
    }
    for (const k of ["initContainerStatuses", "containerStatuses", "ephemeralContainerStatuses"] as const) {
      const list = slimStatuses(status[k], intern);
      if (list !== undefined) s[k] = list;
    }
    out.status = s;
  }
  return out;
}

/**
 * True when two slim pods differ in nothing but their resourceVersion: the API server's write changed only what
 * the cache does not keep (an annotation, a label, an IP), so nothing read from the pod can have changed either.
 */
export function samePodContent(a: Pod, b: Pod): boolean {
  const ma = a.metadata ?? {};
  const mb = b.metadata ?? {};
  for (const k of META_KEYS) if (k !== "resourceVersion" && !sameJson((ma as Json)[k], (mb as Json)[k])) return false;
  return sameJson(a.spec, b.spec) && sameJson(a.status, b.status);
}

/**
 * deepEqual's answer (an undefined property is the same as a missing one), without its allocations: this runs on
 * every pod update, and shared (interned) parts are the same object, which ends the walk at once.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  let defined = 0;
  for (const k in a) {
    const v = (a as Json)[k];
    if (v === undefined) continue;
    defined++;
    if (!sameJson(v, (b as Json)[k])) return false;
  }
  for (const k in b) if ((b as Json)[k] !== undefined) defined--;
  return defined === 0;
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

/**
 * Keeps an event about a pod that the counting reads (eventMeaning says which: probe failures, hook failures,
 * restart back-offs, …), or returns null for any other: events about other objects, and the many a pod gets
 * that count for nothing (Scheduled, Pulled, Created, Started).
 */
export function slimEvent(raw: unknown): CoreEvent | null {
  const ev = obj(raw) as CoreEvent | undefined;
  if (!ev?.metadata?.name || ev.involvedObject?.kind !== "Pod" || !ev.involvedObject.name) return null;
  if (eventMeaning(ev) === null) return null;
  return {
    ...(pick(ev, EVENT_KEYS) as CoreEvent),
    metadata: pick(ev.metadata, ["uid", "name", "namespace", "resourceVersion", "creationTimestamp"]),
  };
}
