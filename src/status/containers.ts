// One summary per container, spec and status merged: init containers and sidecars first, then the regular
// containers, each group in spec order, followed by any status the spec does not name.
//
// A container the spec names but the status does not yet report is `waiting` when the pod is Pending (that is
// what the kubelet will report a moment later, as ContainerCreating or PodInitializing) and `unknown` otherwise.
import { isRestartable } from "./kubectl.js";
import { asInt, asNonEmpty, asObject, asString } from "./read.js";
import type { PodScan, StatusFacts } from "./scan.js";
import type { ContainerKind, ContainerStateName, ContainerSummary, LastTermination } from "./types.js";

export interface ContainerRecords {
  /** The summaries, in the order described above. */
  summaries: ContainerSummary[];
  /** The spec each summary came from (same index), undefined for a status the spec does not name. */
  specs: Array<Record<string, unknown> | undefined>;
}

// Kept as the kubelet wrote it: only the verdict's message, which quotes it, must be one line.
function optionalText(v: unknown): string | null {
  return typeof v === "string" && v !== "" ? v : null;
}

function lastTermination(f: StatusFacts): LastTermination | null {
  const term = f.lastTerminated;
  if (term === undefined) return null;
  const finishedAt = term.finishedAt;
  return {
    reason: asNonEmpty(term.reason),
    exitCode: typeof term.exitCode === "number" ? asInt(term.exitCode) : null,
    finishedAt: typeof finishedAt === "string" ? finishedAt : finishedAt instanceof Date ? finishedAt.toISOString() : null,
  };
}

function summarize(spec: Record<string, unknown> | undefined, f: StatusFacts | undefined, kind: ContainerKind, pending: boolean): ContainerSummary {
  let state: ContainerStateName;
  let reason: string | null = null;
  let message: string | null = null;
  let exitCode: number | null = null;
  let signal: number | null = null;
  // The same precedence as kubectl: waiting, then terminated, then running.
  if (f !== undefined && f.waiting !== undefined) {
    state = "waiting";
    reason = f.waitingReason !== "" ? f.waitingReason : null;
    message = optionalText(f.waiting.message);
  } else if (f !== undefined && f.terminated !== undefined) {
    state = "terminated";
    reason = f.termReason !== "" ? f.termReason : null;
    message = optionalText(f.terminated.message);
    exitCode = f.exitCode;
    signal = f.signal !== 0 ? f.signal : null;
  } else if (f !== undefined && f.running) {
    state = "running";
  } else {
    state = pending ? "waiting" : "unknown";
  }
  const specName = spec === undefined ? "" : asString(spec.name);
  return {
    name: specName !== "" || f === undefined ? specName : f.name,
    kind,
    state,
    reason,
    message,
    exitCode,
    signal,
    ready: f !== undefined && f.ready,
    started: f !== undefined && f.started,
    restartCount: f === undefined ? 0 : f.restartCount,
    lastTermination: f === undefined ? null : lastTermination(f),
    image: (spec === undefined ? null : asNonEmpty(spec.image)) ?? (f === undefined ? null : asNonEmpty(f.image)),
  };
}

// Which statuses a spec has claimed: bits of a number for the usual handful, a Set beyond.
const BITS = 30;

function addGroup(out: ContainerRecords, specs: readonly unknown[], statuses: readonly StatusFacts[], init: boolean, pending: boolean): void {
  let usedBits = 0;
  let usedSet: Set<number> | undefined;
  for (let i = 0; i < specs.length; i++) {
    const spec = asObject(specs[i]);
    const name = spec === undefined ? "" : asString(spec.name);
    let facts: StatusFacts | undefined;
    for (let j = 0; j < statuses.length; j++) {
      if (statuses[j].name !== name) continue;
      if (j < BITS) {
        if ((usedBits & (1 << j)) !== 0) continue;
        usedBits |= 1 << j;
      } else {
        usedSet ??= new Set();
        if (usedSet.has(j)) continue;
        usedSet.add(j);
      }
      facts = statuses[j];
      break;
    }
    const kind: ContainerKind = !init ? "regular" : isRestartable(spec) ? "sidecar" : "init";
    out.summaries.push(summarize(spec, facts, kind, pending));
    out.specs.push(spec);
  }
  for (let j = 0; j < statuses.length; j++) {
    const used = j < BITS ? (usedBits & (1 << j)) !== 0 : usedSet !== undefined && usedSet.has(j);
    if (!used) {
      out.summaries.push(summarize(undefined, statuses[j], init ? "init" : "regular", pending));
      out.specs.push(undefined);
    }
  }
}

/** Merges a scanned pod's container specs and statuses into summaries. */
export function containerRecords(pod: PodScan): ContainerRecords {
  const pending = pod.phase === "Pending";
  const out: ContainerRecords = { summaries: [], specs: [] };
  addGroup(out, pod.initSpecs, pod.initStatuses, true, pending);
  addGroup(out, pod.containerSpecs, pod.containerStatuses, false, pending);
  return out;
}
