// What /metrics says about each pod, kept by the replica that writes that pod's reports (the leader; with shards,
// each shard for its own pods): one compact record per pod, updated by the reconciler and read at scrape time.
// The counters here are per process: they start at zero and grow by the increases of the report's lasting counts
// that this process saw (Prometheus handles the reset when the process restarts); the report keeps the total.
import { BACKOFF_RESET_MS } from "../report/crash-loop.js";
import type { CrashLoop, NewCounts, PodHealthReport, ProbeFailures } from "../report/index.js";
import type { ContainerStatus, DerivedPodStatus, Health, Pod } from "../status/types.js";

export type ProbeName = "liveness" | "readiness" | "startup";

/** What is read of a report here: a whole one, or the cache's form of one. */
export interface ReportView {
  spec?: { podUID?: string };
  status?: { crashLoop?: Partial<CrashLoop>; probeFailures?: Partial<ProbeFailures> };
}
export const PROBE_NAMES: readonly ProbeName[] = ["liveness", "readiness", "startup"];

export interface ContainerState {
  readonly name: string;
  ready: boolean;
  /** restartCount as the pod reports it. */
  restarts: number;
  /** Waiting(CrashLoopBackOff) at the last look. */
  inBackOff: boolean;
  /** When (controller clock, ms) the container was last seen backed off or an entry of it was counted. */
  lastBackOffAt: number | null;
  /** state.running.startedAt (ms) while it runs, else null. */
  runningSince: number | null;
  /** Entries into CrashLoopBackOff this process counted. */
  crashLoopEntries: number;
}

export interface PodState {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  /** kubectl's STATUS column. */
  status: string;
  health: Health;
  /** The dominant cause, or "" when there is none. */
  reason: string;
  /** The pod's Ready condition is True. */
  ready: boolean;
  /** Init (and sidecar) containers first, then regular ones: every container that has a status. */
  containers: ContainerState[];
  /** Probe failures this process counted. Replaced, never changed in place: every pod without any shares one zero. */
  probeFailures: Readonly<Record<ProbeName, number>>;
  /**
   * The report's lasting counts the process counters have caught up with. Folding the same previous report twice
   * (a write that failed and is retried) then adds nothing twice.
   */
  seen: Seen;
  /** The last fold started from an existing report (so a missing one means it was deleted and is recounted). */
  reported: boolean;
}

/** The report's lasting counts already seen; replaced, never changed in place (see `probeFailures`). */
export type Seen = Readonly<{ crashLoops: number } & Record<ProbeName, number>>;

const ZERO_PROBES: Readonly<Record<ProbeName, number>> = Object.freeze({ liveness: 0, readiness: 0, startup: 0 });
const ZERO_SEEN: Seen = Object.freeze({ crashLoops: 0, liveness: 0, readiness: 0, startup: 0 });

/** `next`, or the shared zero when it is all zeros, or `current` when it is equal: a healthy pod allocates none. */
function settle<T extends Readonly<Record<string, number>>>(current: T, next: T, zero: T): T {
  let same = true;
  let zeros = true;
  for (const k of Object.keys(next)) {
    if (next[k] !== current[k]) same = false;
    if (next[k] !== 0) zeros = false;
  }
  return same ? current : zeros ? zero : next;
}

/**
 * Held crash-loop state: in CrashLoopBackOff now, or backed off within the kubelet's back-off reset window and
 * not running for longer than it. The kubelet keeps a container's back-off until it has gone 2 × the 5-minute
 * cap without another one (client-go util/flowcontrol/backoff.go `hasExpired`, used by the kubelet's
 * kuberuntime), so within that window a container that is briefly Running between back-offs is still in the loop.
 */
export function isCrashLooping(c: ContainerState, now: number): boolean {
  if (c.inBackOff) return true;
  if (c.lastBackOffAt === null) return false;
  if (c.runningSince !== null && now - c.runningSince > BACKOFF_RESET_MS) return false;
  return now - c.lastBackOffAt <= BACKOFF_RESET_MS;
}

export class PodStates {
  private readonly states = new Map<string, PodState>();

  /** `now` is the clock the reconciler builds reports at: the held crash-loop state is measured on it. */
  constructor(readonly now: () => number) {}

  get size(): number {
    return this.states.size;
  }

  values(): IterableIterator<PodState> {
    return this.states.values();
  }

  get(key: string): PodState | undefined {
    return this.states.get(key);
  }

  delete(key: string): void {
    this.states.delete(key);
  }

  /** This replica no longer writes any report (it stopped leading): its per-pod series go. */
  clear(): void {
    this.states.clear();
  }

  /** Records what the status engine derived for a pod; `previous` is the report as it stands, if any. */
  observeStatus(key: string, pod: Pod, derived: DerivedPodStatus, previous: ReportView | null, now: number): void {
    const uid = pod.metadata?.uid ?? "";
    let s = this.states.get(key);
    if (s === undefined || s.uid !== uid) {
      s = newState(pod, uid, sameUid(previous, uid));
      this.states.set(key, s);
    }
    s.status = derived.status;
    s.health = derived.health;
    s.reason = derived.reason ?? "";
    s.ready = (pod.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
    s.containers = nextContainers(s.containers, pod, now);
  }

  /**
   * Advances the counters by how much the desired report's lasting counts grew past what was already seen.
   * `previous` is the report the fold started from; `counted` says which containers the new entries belong to.
   */
  observeCounts(key: string, previous: ReportView | null, desired: PodHealthReport, counted: NewCounts, now: number): void {
    const s = this.states.get(key);
    if (s === undefined || s.uid !== desired.spec.podUID) return;
    // The report's verdict, which also sees recent probe failures, is what the metrics say.
    s.health = desired.status.health;
    s.reason = desired.status.reason ?? "";
    const prev = sameUid(previous, s.uid);
    const lasting = desired.status.crashLoop.count;
    if (prev === null && s.reported) {
      // The report was deleted and is being rebuilt: its counts are a recount of history, not news.
      s.seen = settle(s.seen, { crashLoops: lasting, ...probeTotals(desired) }, ZERO_SEEN);
      s.reported = false;
      return;
    }
    s.reported = prev !== null;
    const fresh = lasting - s.seen.crashLoops;
    if (fresh > 0) this.addEntries(s, fresh, counted, desired.status.crashLoop.container ?? null, now);
    const totals = probeTotals(desired);
    const seen = { crashLoops: Math.max(s.seen.crashLoops, lasting), liveness: 0, readiness: 0, startup: 0 };
    const failures = { ...s.probeFailures };
    for (const probe of PROBE_NAMES) {
      const grew = totals[probe] - s.seen[probe];
      if (grew > 0) failures[probe] += grew;
      seen[probe] = Math.max(s.seen[probe], totals[probe]);
    }
    s.seen = settle(s.seen, seen, ZERO_SEEN);
    s.probeFailures = settle(s.probeFailures, failures, ZERO_PROBES);
  }

  private addEntries(s: PodState, fresh: number, counted: NewCounts, newest: string | null, now: number): void {
    let left = fresh;
    const credit = (name: string | null, n: number): void => {
      const c = s.containers.find((x) => x.name === name);
      if (c === undefined || n <= 0) return;
      c.crashLoopEntries += n;
      c.lastBackOffAt = Math.max(c.lastBackOffAt ?? now, now);
      left -= n;
    };
    for (const [name, n] of counted.crashLoopEntries) credit(name, Math.min(n, left));
    // Only when the fold's own attribution falls short (it always covers the growth from its previous report).
    credit(newest, left);
  }
}

function sameUid(report: ReportView | null, uid: string): ReportView | null {
  return report !== null && report.spec?.podUID === uid ? report : null;
}

function probeTotals(report: ReportView): Record<ProbeName, number> {
  const p = report.status?.probeFailures;
  return { liveness: p?.liveness ?? 0, readiness: p?.readiness ?? 0, startup: p?.startup ?? 0 };
}

function newState(pod: Pod, uid: string, previous: ReportView | null): PodState {
  const crashLoop = previous?.status?.crashLoop;
  const state: PodState = {
    namespace: pod.metadata?.namespace ?? "",
    name: pod.metadata?.name ?? "",
    uid,
    status: "",
    health: "Unknown",
    reason: "",
    ready: false,
    containers: [],
    probeFailures: ZERO_PROBES,
    seen: settle(ZERO_SEEN, { crashLoops: crashLoop?.count ?? 0, ...(previous ? probeTotals(previous) : ZERO_PROBES) }, ZERO_SEEN),
    reported: previous !== null,
  };
  // After a restart or a change of leader, the report remembers the newest entry: the hold survives it.
  const entered = crashLoop?.lastEnteredTime ? Date.parse(crashLoop.lastEnteredTime) : NaN;
  if (crashLoop?.container && !Number.isNaN(entered)) {
    state.containers = [{ ...emptyContainer(crashLoop.container), lastBackOffAt: entered }];
  }
  return state;
}

function emptyContainer(name: string): ContainerState {
  return { name, ready: false, restarts: 0, inBackOff: false, lastBackOffAt: null, runningSince: null, crashLoopEntries: 0 };
}

function nextContainers(before: readonly ContainerState[], pod: Pod, now: number): ContainerState[] {
  const statuses: ContainerStatus[] = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const out: ContainerState[] = [];
  for (const st of statuses) {
    if (!st.name) continue;
    const c = before.find((x) => x.name === st.name) ?? emptyContainer(st.name);
    const started = st.state?.running?.startedAt ? Date.parse(st.state.running.startedAt) : NaN;
    const inBackOff = st.state?.waiting?.reason === "CrashLoopBackOff";
    out.push({
      name: st.name,
      ready: st.ready === true,
      restarts: st.restartCount ?? 0,
      inBackOff,
      lastBackOffAt: inBackOff ? now : c.lastBackOffAt,
      runningSince: Number.isNaN(started) ? null : started,
      crashLoopEntries: c.crashLoopEntries,
    });
  }
  return out;
}
