// Reconcile one namespace/name key, level-based: read the pod and its events from the caches and the current
// report, build the desired report, and make the server match with as few writes as possible. A missing pod is
// not an error: its report (if any) goes. Returns what it did: unchanged | created | updated | deleted |
// deferred | skipped.
//
// A change of STATUS, READY, health or reason is written at once. A change of nothing but counts, history and
// details is written at most once per count-write interval per report: until then the desired report is held
// here ("deferred") and is the base the next build counts on, so nothing counted is lost or counted twice, and
// it is written when the interval is up or when the controller stops. `observedAt` is when a report was last
// written: what it says was true then.
import type { Logger } from "pino";
import { buildReportWithNew, probeFailingUntil, statusFingerprint, type CoreEvent, type PodHealthReport, type ReportOptions } from "../report/index.js";
import { derivePodStatus, verdictRecheckAt } from "../status/index.js";
import type { DerivedPodStatus, Health, Pod } from "../status/types.js";
import type { ReportMode } from "../config.js";
import { classifyError } from "./errors.js";
import { Interner } from "./intern.js";
import { splitKey } from "./keys.js";
import type { PodStates } from "./pod-states.js";
import type { ReportApi } from "./report-api.js";
import { cachedDiff, toCached, type CachedReport, type CachedStatus } from "./report-cache.js";
import { WrittenReports } from "./written.js";
import type { ReconcileResult } from "./stats.js";

export interface ReconcilerDeps {
  pod(key: string): Pod | undefined;
  events(key: string): readonly CoreEvent[];
  /** The report as the cache last saw it, in its cache form. */
  cachedReport(key: string): CachedReport | undefined;
  api: ReportApi;
  reportMode: ReportMode;
  healthyGraceMs: number;
  /** A count-only change waits this long after the report's last write; 0 writes at once. */
  countWriteIntervalMs?: number;
  reportOptions: Readonly<ReportOptions>;
  now(): number;
  /** False when this replica must not write (it is not, or no longer, the leader). */
  canWrite(): boolean;
  /** Asks for the key to be reconciled again later (grace periods, time-based health changes). */
  requeueAfter(key: string, delayMs: number): void;
  onConflict?(): void;
  /** What /metrics says per pod: kept only while this replica may write (see pod-states.ts). */
  podStates?: PodStates;
  /** Shares the values many cached reports hold alike; the controller's report cache uses the same one. */
  intern?: Interner;
  logger: Logger;
}

/** Thrown when a write is refused because this replica is not the leader; the key is not retried. */
export class NotLeaderError extends Error {
  override readonly name = "NotLeaderError";
}

const SETTLED: ReadonlySet<Health> = new Set<Health>(["Healthy", "Completed"]);

/** The part of a status that counting reads: what a tombstone keeps. */
function countingMemory(status: CachedStatus): CachedStatus {
  const { crashLoop, probeFailures, tracking, status: s, lastTransitionTime } = status;
  return { crashLoop, probeFailures, tracking, status: s, lastTransitionTime };
}

/** What the next report counts on: the report in its cache form, or a full one held back or rebuilt. */
type Base = CachedReport | PodHealthReport;
const MAX_CONFLICT_RETRIES = 3;

/** Compares two resourceVersions when both are numbers (as etcd's are); null when they cannot be ordered. */
export function compareResourceVersions(a: string | undefined, b: string | undefined): number | null {
  if (!a || !b || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return null;
  const x = BigInt(a);
  const y = BigInt(b);
  return x === y ? 0 : x < y ? -1 : 1;
}

/** A desired report held back because only its counts changed, and the server version it was built on. */
interface Deferred {
  report: PodHealthReport;
  baseVersion: string | undefined;
}

/** What a report deleted in report-mode unhealthy leaves behind: the counting memory of its pod. */
interface Tombstone {
  podUID: string;
  status: CachedStatus;
}

export interface ReconcileOptions {
  /** Write held-back count changes now (on shutdown). */
  flush?: boolean;
}

export class Reconciler {
  private readonly d: ReconcilerDeps;
  /**
   * Reports this replica wrote, in cache form, until the cache has caught up with them (saves a 409 on the next
   * reconcile); the write's echo from the watch is this same object, so it is not held twice.
   */
  private readonly written = new WrittenReports();
  private readonly intern: Interner;
  /** When each pod was first seen Healthy/Completed (report-mode unhealthy). */
  private readonly settledSince = new Map<string, number>();
  /** Count-only changes not written yet; at most one per pod. */
  private readonly deferred = new Map<string, Deferred>();
  /**
   * Report-mode unhealthy: the counts of reports deleted after the healthy grace, by pod, so that a pod that
   * fails again does not have its earlier failures (whose events may still be there) counted a second time.
   * Held in memory only, one per pod that is alive; after an operator restart such a pod is counted afresh from
   * the events the API server still has (an hour's worth by default).
   */
  private readonly tombstones = new Map<string, Tombstone>();

  constructor(deps: ReconcilerDeps) {
    this.d = deps;
    this.intern = deps.intern ?? new Interner();
  }

  /**
   * The cache form of a report from the watch or a list: the object made when this replica wrote that very
   * version, or a new one.
   */
  cacheForm(raw: unknown): CachedReport | null {
    const meta = (raw as { metadata?: { namespace?: string; name?: string; resourceVersion?: string } } | null)?.metadata;
    const key = `${meta?.namespace}/${meta?.name}`;
    const w = this.written.get(key);
    if (w !== undefined && w.metadata.resourceVersion === meta?.resourceVersion) return w;
    return toCached(raw, this.intern, undefined, this.d.pod(key)?.metadata);
  }

  /**
   * The cache form of this replica's own write that a report watch event line carries, found without parsing it
   * (the event is then not parsed at all); undefined for any other event.
   */
  echoOf(line: string): CachedReport | undefined {
    return this.written.echoOf(line);
  }

  /** The keys whose count changes are held back. */
  deferredKeys(): string[] {
    return [...this.deferred.keys()];
  }

  /** Forgets held-back changes (when this replica stops leading, the next leader counts from the server). */
  dropDeferred(): void {
    this.deferred.clear();
  }

  /**
   * True when a report cache event is only the echo of this replica's own write (no need to reconcile). The cache
   * has then caught up, and the written copy is let go.
   */
  isOwnWrite(key: string, report: CachedReport): boolean {
    const w = this.written.get(key);
    if (w === undefined) return false;
    const version = report.metadata?.resourceVersion;
    if (version === w.metadata.resourceVersion) {
      this.written.delete(key);
      return true;
    }
    // An older version, seen late (the create's echo after its status write): every write of this replica was
    // preconditioned on the version before it, so no one else wrote between them, and there is nothing new.
    const cmp = compareResourceVersions(version, w.metadata.resourceVersion);
    return cmp !== null && cmp < 0;
  }

  /** Forgets what was written for a key, e.g. when its report was deleted. */
  forget(key: string): void {
    this.written.delete(key);
  }

  async reconcile(key: string, options: ReconcileOptions = {}): Promise<ReconcileResult> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.reconcileOnce(key, attempt > 0, options.flush === true);
      } catch (err) {
        if (err instanceof NotLeaderError) return "skipped";
        // A 409 (someone wrote since) or a 404 on a write (the report was deleted meanwhile: by the garbage
        // collector with its pod, or by a user) means the report read was stale: read it again and redo.
        const cls = classifyError(err).class;
        if ((cls !== "conflict" && cls !== "notFound") || attempt >= MAX_CONFLICT_RETRIES) throw err;
        if (cls === "conflict") this.d.onConflict?.();
        this.written.delete(key);
        this.d.logger.debug({ key, attempt, cause: cls }, "the report changed meanwhile, refetching it");
      }
    }
  }

  private current(key: string): CachedReport | null {
    const cached = this.d.cachedReport(key) ?? null;
    const w = this.written.get(key);
    if (!w) return cached;
    const cmp = compareResourceVersions(w.metadata.resourceVersion, cached?.metadata.resourceVersion);
    if (cached && (cmp === null || cmp <= 0)) {
      this.written.delete(key);
      return cached;
    }
    return w;
  }

  private async reconcileOnce(key: string, refetch: boolean, flush: boolean): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    // The child logger is made only when something is logged: most reconciles log nothing.
    let child: Logger | undefined;
    const log = (): Logger => (child ??= this.d.logger.child({ namespace, pod: name }));
    let current = refetch ? toCached(await this.d.api.get(namespace, name), this.intern) : this.current(key);
    const pod = this.d.pod(key);

    if (!pod) {
      this.d.podStates?.delete(key);
      this.settledSince.delete(key);
      this.deferred.delete(key);
      this.tombstones.delete(key);
      if (!current) return "unchanged";
      await this.remove(current, log(), "its pod is gone");
      return "deleted";
    }

    let result: ReconcileResult = "unchanged";
    if (current && current.spec?.podUID !== pod.metadata?.uid) {
      // A report left from an earlier pod of the same name: its counts are not this pod's.
      await this.remove(current, log(), "it belongs to an earlier pod of that name");
      current = null;
      result = "deleted";
    }

    const now = this.d.now();
    const derived = derivePodStatus(pod, new Date(now));
    const states = this.d.canWrite() ? this.d.podStates : undefined;
    states?.observeStatus(key, pod, derived, current, now);
    this.scheduleTimeBasedRecheck(key, pod, derived, now);

    const events = this.d.events(key);
    // Report-mode unhealthy: a pod the engine calls Healthy or Completed, with no report and no events to count,
    // needs no report (most pods of a big cluster): nothing to build.
    if (this.d.reportMode === "unhealthy" && SETTLED.has(derived.health) && !current && events.length === 0) {
      this.settledSinceFor(key, current, now);
      return result;
    }

    const base = this.baseFor(key, current, pod);
    // buildReport reads of `previous` only spec.podUID and the status fields a cache form keeps (report-cache.ts).
    const previous = base as unknown as PodHealthReport | null;
    const { report: desired, counted } = buildReportWithNew({ pod, events, previous, now: new Date(now), options: this.d.reportOptions, derived });
    const flapEndsAt = probeFailingUntil(desired.status);
    if (flapEndsAt !== null && flapEndsAt > now) this.d.requeueAfter(key, flapEndsAt - now);

    // The report's verdict decides, not the engine's: a pod whose probes failed recently is Degraded.
    const health = desired.status.health;
    if (this.d.reportMode === "unhealthy" && SETTLED.has(health)) {
      const since = this.settledSinceFor(key, current, now);
      if (!current) return result;
      const remaining = since + this.d.healthyGraceMs - now;
      if (remaining <= 0) {
        this.deferred.delete(key);
        await this.remove(current, log(), `the pod has been ${health} for the healthy grace`);
        this.tombstones.set(key, { podUID: pod.metadata?.uid ?? "", status: countingMemory(desired.status) });
        return "deleted";
      }
      this.d.requeueAfter(key, remaining);
    } else {
      this.settledSince.delete(key);
    }

    states?.observeCounts(key, base, desired, counted, now);
    const desiredHash = statusFingerprint(desired.status);

    if (!current) {
      // Two requests, the fewest the API allows: a create cannot set the status of a resource with a status
      // subresource (apiextensions-apiserver 1.32 customresource/strategy.go PrepareForCreate drops it), and
      // the status subresource cannot create (StatusREST.Update never allows create on update).
      const created = await this.write(() => this.d.api.create(withoutStatus(desired)));
      // Remembered at once, so that the create's echo from the watch is known as this replica's own.
      this.written.set(key, this.cached(created));
      const withStatus = withSent(await this.write(() => this.d.api.replaceStatus(statusWrite(created.metadata, desired))), desired);
      this.deferred.delete(key);
      this.tombstones.delete(key);
      this.remember(key, withStatus, desiredHash);
      this.logTransition(log, current, desired);
      if (this.d.logger.isLevelEnabled("debug")) log().debug({ result: "created", resourceVersion: withStatus.metadata.resourceVersion }, "report written");
      return "created";
    }

    const diff = cachedDiff(current, desired, desiredHash);
    let latest = current;
    if (diff.metadata || diff.spec) {
      // Rare (someone changed the labels, owners or spec): the whole object is needed to replace it, and the
      // cache does not keep it.
      const full = await this.d.api.get(namespace, name);
      if (full === null) throw Object.assign(new Error(`report ${key} is gone`), { code: 409 });
      latest = this.cached(
        await this.write(() =>
          this.d.api.replace({
            ...full,
            metadata: { ...full.metadata, labels: { ...full.metadata.labels, ...desired.metadata.labels }, ownerReferences: desired.metadata.ownerReferences },
            spec: desired.spec,
          }),
        ),
      );
    }
    if (diff.status || latest.status.status === undefined) {
      const wait = flush ? 0 : this.countWriteWait(latest.status, desired, now);
      if (wait > 0) {
        this.deferred.set(key, { report: desired, baseVersion: latest.metadata.resourceVersion });
        this.d.requeueAfter(key, wait);
        if (latest !== current) this.written.set(key, latest);
        return latest === current ? "deferred" : "updated";
      }
      const written = withSent(await this.write(() => this.d.api.replaceStatus(statusWrite(latest.metadata, desired))), desired);
      latest = this.cached(written, desiredHash);
    }
    this.deferred.delete(key);
    if (latest === current) return result;
    this.written.set(key, latest);
    this.logTransition(log, current, desired);
    if (this.d.logger.isLevelEnabled("debug")) log().debug({ result: "updated", resourceVersion: latest.metadata.resourceVersion }, "report written");
    return result === "deleted" ? "created" : "updated";
  }

  /**
   * What the next report counts on: the held-back report if it was built on the version now current (someone
   * else's write since makes it stale: counting from the server's version is then exact), else the current
   * report, else the memory a report-mode-unhealthy deletion left for this very pod.
   */
  private baseFor(key: string, current: CachedReport | null, pod: Pod): Base | null {
    const held = this.deferred.get(key);
    if (held !== undefined) {
      if (current !== null && held.baseVersion === current.metadata.resourceVersion) return held.report;
      this.deferred.delete(key);
    }
    if (current !== null) return current;
    const tomb = this.tombstones.get(key);
    if (tomb === undefined) return null;
    if (tomb.podUID !== pod.metadata?.uid) {
      this.tombstones.delete(key);
      return null;
    }
    return { spec: { podName: pod.metadata?.name ?? "", podUID: tomb.podUID }, status: tomb.status } as Base;
  }

  /**
   * How long a status write must wait: 0 when STATUS, READY, health or reason changed (or there is no status
   * yet), else what is left of the count-write interval since the report was last written (its observedAt).
   */
  private countWriteWait(was: CachedStatus, desired: PodHealthReport, now: number): number {
    const interval = this.d.countWriteIntervalMs ?? 0;
    const will = desired.status;
    if (interval <= 0 || was.status === undefined || was.status !== will.status || was.ready !== will.ready || was.health !== will.health || (was.reason ?? null) !== (will.reason ?? null)) {
      return 0;
    }
    const lastWrite = Date.parse(was.observedAt ?? "");
    return Number.isNaN(lastWrite) ? 0 : Math.max(0, lastWrite + interval - now);
  }

  private async write<T>(call: () => Promise<T>): Promise<T> {
    if (!this.d.canWrite()) throw new NotLeaderError("not the leader");
    return call();
  }

  private async remove(report: CachedReport, log: Logger, why: string): Promise<void> {
    const { namespace, name, uid } = report.metadata;
    await this.write(() => this.d.api.delete(namespace, name, uid));
    this.written.delete(`${namespace}/${name}`);
    log.debug({ result: "deleted", why }, "report deleted");
  }

  /** The cache form of a report a write returned; `statusHash` when its status is the one just written. */
  private cached(report: PodHealthReport, statusHash?: number): CachedReport {
    const meta = report.metadata as { namespace?: string; name?: string } | undefined;
    const c = toCached(report, this.intern, statusHash, this.d.pod(`${meta?.namespace}/${meta?.name}`)?.metadata);
    if (c === null) throw new Error(`the API server answered a report write with something that is not a report`);
    return c;
  }

  private remember(key: string, report: PodHealthReport, statusHash: number): void {
    this.written.set(key, this.cached(report, statusHash));
  }

  private settledSinceFor(key: string, current: CachedReport | null, now: number): number {
    let since = this.settledSince.get(key);
    if (since === undefined) {
      // After a restart the report remembers: it said Healthy/Completed no later than when it was observed.
      const health = current?.status.health;
    const observed = health !== undefined && SETTLED.has(health) ? Date.parse(current?.status.observedAt ?? "") : NaN;
      since = Number.isNaN(observed) ? now : Math.min(observed, now);
      this.settledSince.set(key, since);
    }
    return since;
  }

  /** Verdicts that change with time alone (a restart stops being recent, a wait becomes long): come back then. */
  private scheduleTimeBasedRecheck(key: string, pod: Pod, derived: DerivedPodStatus, now: number): void {
    const at = verdictRecheckAt(pod, derived, now);
    if (at !== null) this.d.requeueAfter(key, at - now);
  }

  /**
   * One info line when a pod's STATUS or health changes. A pod's first report says nothing new when the pod is
   * fine: that line is debug, so that starting on a large healthy cluster does not log a line per pod.
   */
  private logTransition(log: () => Logger, current: CachedReport | null, desired: PodHealthReport): void {
    const from = current?.status;
    const to = desired.status;
    if (from?.status === to.status && from?.health === to.health) return;
    const level = from === undefined && SETTLED.has(to.health) ? "debug" : "info";
    if (!this.d.logger.isLevelEnabled(level)) return;
    log()[level](
      { from: from ? { status: from.status, health: from.health } : null, to: { status: to.status, health: to.health }, reason: to.reason },
      from ? `pod ${from.status}/${from.health} -> ${to.status}/${to.health}` : `pod ${to.status}/${to.health}`,
    );
  }

}

/**
 * The body of a status write: the status subresource takes only the status from it (and the version and uid as
 * preconditions), so nothing else of the stored report needs to be kept to write one.
 */
function statusWrite(meta: { name: string; namespace: string; uid?: string; resourceVersion?: string }, desired: PodHealthReport): PodHealthReport {
  return {
    apiVersion: desired.apiVersion,
    kind: desired.kind,
    metadata: { ...desired.metadata, uid: meta.uid, resourceVersion: meta.resourceVersion },
    spec: desired.spec,
    status: desired.status,
  };
}

/** A report to create: the server drops the status of a create anyway (the status subresource), so it is not sent. */
function withoutStatus(report: PodHealthReport): PodHealthReport {
  const { status: _status, ...rest } = report;
  return rest as PodHealthReport;
}

/**
 * A status write's answer with the status that was sent: the answer is read without its status (report-api.ts),
 * which the server stored as sent.
 */
function withSent(answer: PodHealthReport, desired: PodHealthReport): PodHealthReport {
  return { ...answer, status: desired.status };
}
