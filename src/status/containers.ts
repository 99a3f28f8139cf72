// One summary per container, spec and status merged: init containers and sidecars first, then the regular
// containers, each group in spec order, followed by any status the spec does not name.
//
// A container the spec names but the status does not yet report is `waiting` when the pod is Pending (that is
// what the kubelet will report a moment later, as ContainerCreating or PodInitializing) and `unknown` otherwise.
import { isRestartable } from "./kubectl.js";
import { asNonEmpty, asObject, asString } from "./read.js";
import type { PodScan, StatusFacts } from "./scan.js";
import type { ContainerKind, ContainerStateName, ContainerSummary } from "./types.js";

export interface ContainerRecords {
  /** The summaries, in the order described above. */
  summaries: ContainerSummary[];
  /** The spec each summary came from (same index), undefined for a status the spec does not name. */
  specs: Array<Record<string, unknown> | undefined>;
}

// `specName` is the spec's name as addGroup read it: "" without a spec.
function summarize(spec: Record<string, unknown> | undefined, specName: string, f: StatusFacts | undefined, kind: ContainerKind, pending: boolean): ContainerSummary {
  let state: ContainerStateName;
  let reason: string | null = null;
  let exitCode: number | null = null;
  let signal: number | null = null;
  // The same precedence as kubectl: waiting, then terminated, then running.
  if (f !== undefined && f.waiting) {
    state = "waiting";
    reason = f.waitingReason !== "" ? f.waitingReason : null;
  } else if (f !== undefined && f.terminated) {
    state = "terminated";
    reason = f.termReason !== "" ? f.termReason : null;
    exitCode = f.exitCode;
    signal = f.signal !== 0 ? f.signal : null;
  } else if (f !== undefined && f.running) {
    state = "running";
  } else {
    state = pending ? "waiting" : "unknown";
  }
  return {
    name: specName !== "" || f === undefined ? specName : f.name,
    kind,
    state,
    reason,
    message: f === undefined ? null : f.message,
    exitCode,
    signal,
    ready: f !== undefined && f.ready,
    started: f !== undefined && f.started,
    restartCount: f === undefined ? 0 : f.restartCount,
    lastTermination: f === undefined ? null : f.lastTermination,
    image: (spec === undefined ? null : asNonEmpty(spec.image)) ?? (f === undefined ? null : asNonEmpty(f.image)),
  };
}

// Which statuses a spec has claimed: bits of a number for the usual handful, a Set beyond.
const BITS = 30;

// Fills `out` from index `n` on and returns the index after the last one filled.
function addGroup(out: ContainerRecords, n: number, specs: readonly unknown[], statuses: readonly StatusFacts[], init: boolean, pending: boolean): number {
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
    out.summaries[n] = summarize(spec, name, facts, kind, pending);
    out.specs[n++] = spec;
  }
  for (let j = 0; j < statuses.length; j++) {
    const used = j < BITS ? (usedBits & (1 << j)) !== 0 : usedSet !== undefined && usedSet.has(j);
    if (!used) {
      out.summaries[n] = summarize(undefined, "", statuses[j], init ? "init" : "regular", pending);
      out.specs[n++] = undefined;
    }
  }
  return n;
}

/** Merges a scanned pod's container specs and statuses into summaries. */
export function containerRecords(pod: PodScan): ContainerRecords {
  const pending = pod.phase === "Pending";
  // Every spec has a summary, so that many are certain; a status no spec names grows the arrays by one. (Grown
  // from empty, they would take room for seventeen.)
  const specs = pod.initSpecs.length + pod.containerSpecs.length;
  const out: ContainerRecords = { summaries: new Array<ContainerSummary>(specs), specs: new Array<Record<string, unknown> | undefined>(specs) };
  const n = addGroup(out, 0, pod.initSpecs, pod.initStatuses, true, pending);
  addGroup(out, n, pod.containerSpecs, pod.containerStatuses, false, pending);
  return out;
}
