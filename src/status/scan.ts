// One pass over the raw pod: every field of its status and conditions the engine needs is read here, once, into
// small objects of one shape. Pods from JSON come in many shapes, so each property read on them is slow (a
// megamorphic lookup), and in a resync over the cache each object read is also a trip to memory: reading each
// field once, while its object is at hand, is what keeps deriving cheap beside parsing. The container specs are
// read where they are merged with these (containers.ts); only the message of an unhealthy pod goes back to the
// raw pod, for details (probes, limits, env) nothing else needs.
import { asArray, asCount, asInt, asNonEmpty, asObject, asString } from "./read.js";
import { GO_ZERO_TIME_MS, parseTimestamp } from "./time.js";
import type { LastTermination } from "./types.js";

type Obj = Record<string, unknown>;

/**
 * A container status as read: Go's zero values for whatever is missing, as kubectl would see them. Holds
 * strings, numbers and flags only, not the pod's own objects: what is derived from it never goes back there.
 */
export interface StatusFacts {
  name: string;
  ready: boolean;
  started: boolean;
  restartCount: number;
  /** status.image as found; read only when the spec names no image. */
  image: unknown;
  /** state.waiting is present. */
  waiting: boolean;
  waitingReason: string;
  running: boolean;
  /** state.terminated is present. */
  terminated: boolean;
  termReason: string;
  exitCode: number;
  signal: number;
  /** The message of the state shown (waiting before terminated), as the kubelet wrote it; null when none. */
  message: string | null;
  /** lastState.terminated, as the container summary reports it; null when absent. */
  lastTermination: LastTermination | null;
  /** lastState.terminated.finishedAt in epoch ms, NaN when absent, unparseable or Go's zero time. */
  lastFinishedMs: number;
}

export interface PodScan {
  metadata: Obj | undefined;
  spec: Obj | undefined;
  status: Obj | undefined;
  phase: string;
  /** status.reason. */
  podReason: string;
  deleting: boolean;
  initSpecs: readonly unknown[];
  containerSpecs: readonly unknown[];
  conditions: readonly unknown[];
  initStatuses: StatusFacts[];
  containerStatuses: StatusFacts[];
  /** A PodScheduled condition with reason SchedulingGated is present. */
  gated: boolean;
  /** The first Initialized condition is True (kubectl reads only the first). */
  initialized: boolean;
  /** Some Ready condition is True. */
  readyTrue: boolean;
  /** The first Ready and PodScheduled conditions, for the health verdict. */
  readyCondition: Obj | undefined;
  scheduledCondition: Obj | undefined;
}

const NO_STATUSES: StatusFacts[] = [];

// Kept as the kubelet wrote it: only the verdict's message, which quotes it, must be one line.
function optionalText(v: unknown): string | null {
  return typeof v === "string" && v !== "" ? v : null;
}

function lastTermination(term: Obj): LastTermination {
  const finishedAt = term.finishedAt;
  return {
    reason: asNonEmpty(term.reason),
    exitCode: typeof term.exitCode === "number" ? asInt(term.exitCode) : null,
    finishedAt: typeof finishedAt === "string" ? finishedAt : finishedAt instanceof Date && !Number.isNaN(finishedAt.getTime()) ? finishedAt.toISOString() : null,
  };
}

function statusFacts(raw: unknown): StatusFacts {
  // A status that is not an object decodes in Go to the zero value: it still counts, with nothing in it.
  const cs = asObject(raw);
  const state = cs === undefined ? undefined : asObject(cs.state);
  const last = cs === undefined ? undefined : asObject(cs.lastState);
  const waiting = state === undefined ? undefined : asObject(state.waiting);
  const terminated = state === undefined ? undefined : asObject(state.terminated);
  const lastTerminated = last === undefined ? undefined : asObject(last.terminated);
  let lastFinishedMs = NaN;
  if (lastTerminated !== undefined) {
    const ms = parseTimestamp(lastTerminated.finishedAt);
    if (ms > GO_ZERO_TIME_MS) lastFinishedMs = ms;
  }
  return {
    name: cs === undefined ? "" : asString(cs.name),
    ready: cs !== undefined && cs.ready === true,
    started: cs !== undefined && cs.started === true,
    restartCount: cs === undefined ? 0 : asCount(cs.restartCount),
    image: cs?.image,
    waiting: waiting !== undefined,
    waitingReason: waiting === undefined ? "" : asString(waiting.reason),
    running: state !== undefined && asObject(state.running) !== undefined,
    terminated: terminated !== undefined,
    termReason: terminated === undefined ? "" : asString(terminated.reason),
    exitCode: terminated === undefined ? 0 : asInt(terminated.exitCode),
    signal: terminated === undefined ? 0 : asInt(terminated.signal),
    message: waiting !== undefined ? optionalText(waiting.message) : terminated !== undefined ? optionalText(terminated.message) : null,
    lastTermination: lastTerminated === undefined ? null : lastTermination(lastTerminated),
    lastFinishedMs,
  };
}

function statusList(v: unknown): StatusFacts[] {
  const list = asArray(v);
  if (list.length === 0) return NO_STATUSES;
  const out = new Array<StatusFacts>(list.length);
  for (let i = 0; i < list.length; i++) out[i] = statusFacts(list[i]);
  return out;
}

/** Whether the pod is being deleted: a deletionTimestamp is set. */
function deletionRequested(metadata: Obj | undefined): boolean {
  if (metadata === undefined) return false;
  const ts = metadata.deletionTimestamp;
  return (typeof ts === "string" && ts !== "") || ts instanceof Date;
}

/** Reads a pod of any shape. Never throws. */
export function scanPod(pod: unknown): PodScan {
  const p = asObject(pod);
  const metadata = p === undefined ? undefined : asObject(p.metadata);
  const spec = p === undefined ? undefined : asObject(p.spec);
  const status = p === undefined ? undefined : asObject(p.status);
  const conditions = asArray(status?.conditions);

  let gated = false;
  let initializedSeen = false;
  let initialized = false;
  let readyTrue = false;
  let readyCondition: Obj | undefined;
  let scheduledCondition: Obj | undefined;
  for (let i = 0; i < conditions.length; i++) {
    const c = asObject(conditions[i]);
    if (c === undefined) continue;
    const type = c.type;
    if (type === "Ready") {
      readyCondition ??= c;
      if (c.status === "True") readyTrue = true;
    } else if (type === "PodScheduled") {
      scheduledCondition ??= c;
      if (c.reason === "SchedulingGated") gated = true;
    } else if (type === "Initialized" && !initializedSeen) {
      initializedSeen = true;
      initialized = c.status === "True";
    }
  }

  return {
    metadata,
    spec,
    status,
    phase: asString(status?.phase),
    podReason: asString(status?.reason),
    deleting: deletionRequested(metadata),
    initSpecs: asArray(spec?.initContainers),
    containerSpecs: asArray(spec?.containers),
    conditions,
    initStatuses: statusList(status?.initContainerStatuses),
    containerStatuses: statusList(status?.containerStatuses),
    gated,
    initialized,
    readyTrue,
    readyCondition,
    scheduledCondition,
  };
}
