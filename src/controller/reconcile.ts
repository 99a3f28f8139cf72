// Reconcile one namespace/name key, level-based: read the pod and its events from the caches and the current
// report, build the desired report, and make the server match with as few writes as possible. A missing pod is
// not an error: its report (if any) goes. Returns what it did: unchanged | created | updated | deleted | skipped.
import type { Logger } from "pino";
import { buildReportWithNew, reportDiff, type CoreEvent, type PodHealthReport, type ReportOptions } from "../report/index.js";
import { DEFAULT_RESTART_WINDOW_MS, derivePodStatus } from "../status/index.js";
import type { DerivedPodStatus, Health, Pod } from "../status/types.js";
import type { ReportMode } from "../config.js";
import { classifyError } from "./errors.js";
import { splitKey } from "./keys.js";
import type { PodStates } from "./pod-states.js";
import type { ReportApi } from "./report-api.js";
import type { ReconcileResult } from "./stats.js";

export interface ReconcilerDeps {
  pod(key: string): Pod | undefined;
  events(key: string): readonly CoreEvent[];
  /** The report as the cache last saw it. */
  cachedReport(key: string): PodHealthReport | undefined;
  api: ReportApi;
  reportMode: ReportMode;
  healthyGraceMs: number;
  reportOptions: Readonly<ReportOptions>;
  now(): number;
  /** False when this replica must not write (it is not, or no longer, the leader). */
  canWrite(): boolean;
  /** Asks for the key to be reconciled again later (grace periods, time-based health changes). */
  requeueAfter(key: string, delayMs: number): void;
  onConflict?(): void;
  /** What /metrics says per pod: kept only while this replica may write (see pod-states.ts). */
  podStates?: PodStates;
  logger: Logger;
}

/** Thrown when a write is refused because this replica is not the leader; the key is not retried. */
export class NotLeaderError extends Error {
  override readonly name = "NotLeaderError";
}

const SETTLED: ReadonlySet<Health> = new Set<Health>(["Healthy", "Completed"]);
const MAX_CONFLICT_RETRIES = 3;

/** Compares two resourceVersions when both are numbers (as etcd's are); null when they cannot be ordered. */
export function compareResourceVersions(a: string | undefined, b: string | undefined): number | null {
  if (!a || !b || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return null;
  const x = BigInt(a);
  const y = BigInt(b);
  return x === y ? 0 : x < y ? -1 : 1;
}

export class Reconciler {
  private readonly d: ReconcilerDeps;
  /** Reports this replica wrote, until the cache has caught up with them: saves a 409 on the next reconcile. */
  private readonly written = new Map<string, PodHealthReport>();
  /** When each pod was first seen Healthy/Completed (report-mode unhealthy). */
  private readonly settledSince = new Map<string, number>();

  constructor(deps: ReconcilerDeps) {
    this.d = deps;
  }

  /** True when a report cache event is only the echo of this replica's own write (no need to reconcile). */
  isOwnWrite(key: string, report: PodHealthReport): boolean {
    const w = this.written.get(key);
    return w !== undefined && w.metadata.resourceVersion === report.metadata?.resourceVersion;
  }

  /** Forgets what was written for a key, e.g. when its report was deleted. */
  forget(key: string): void {
    this.written.delete(key);
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.reconcileOnce(key, attempt > 0);
      } catch (err) {
        if (err instanceof NotLeaderError) return "skipped";
        if (classifyError(err).class !== "conflict" || attempt >= MAX_CONFLICT_RETRIES) throw err;
        this.d.onConflict?.();
        this.written.delete(key);
        this.d.logger.debug({ key, attempt }, "conflict, refetching the report");
      }
    }
  }

  private current(key: string): PodHealthReport | null {
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

  private async reconcileOnce(key: string, refetch: boolean): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const log = this.d.logger.child({ namespace, pod: name });
    let current = refetch ? await this.d.api.get(namespace, name) : this.current(key);
    const pod = this.d.pod(key);

    if (!pod) {
      this.d.podStates?.delete(key);
      this.settledSince.delete(key);
      if (!current) return "unchanged";
      await this.remove(current, log, "its pod is gone");
      return "deleted";
    }

    let result: ReconcileResult = "unchanged";
    if (current && current.spec?.podUID !== pod.metadata?.uid) {
      // A report left from an earlier pod of the same name: its counts are not this pod's.
      await this.remove(current, log, "it belongs to an earlier pod of that name");
      current = null;
      result = "deleted";
    }

    const now = this.d.now();
    const derived = derivePodStatus(pod, new Date(now));
    const states = this.d.canWrite() ? this.d.podStates : undefined;
    states?.observeStatus(key, pod, derived, current, now);
    this.scheduleTimeBasedRecheck(key, derived, now);

    if (this.d.reportMode === "unhealthy" && SETTLED.has(derived.health)) {
      const since = this.settledSinceFor(key, current, now);
      if (!current) return result;
      const remaining = since + this.d.healthyGraceMs - now;
      if (remaining <= 0) {
        await this.remove(current, log, `the pod has been ${derived.health} for the healthy grace`);
        return "deleted";
      }
      this.d.requeueAfter(key, remaining);
    } else {
      this.settledSince.delete(key);
    }

    const { report: desired, counted } = buildReportWithNew({ pod, events: this.d.events(key), previous: current, now: new Date(now), options: this.d.reportOptions, derived });
    states?.observeCounts(key, current, desired, counted, now);

    if (!current) {
      const created = await this.write(() => this.d.api.create(desired));
      const withStatus = await this.write(() => this.d.api.replaceStatus({ ...created, status: desired.status }));
      this.remember(key, withStatus);
      this.logTransition(log, current, desired);
      log.debug({ result: "created", resourceVersion: withStatus.metadata.resourceVersion }, "report written");
      return "created";
    }

    const diff = reportDiff(current, desired);
    let latest = current;
    if (diff.metadata || diff.spec) {
      latest = await this.write(() =>
        this.d.api.replace({
          ...latest,
          metadata: { ...latest.metadata, labels: { ...latest.metadata.labels, ...desired.metadata.labels }, ownerReferences: desired.metadata.ownerReferences },
          spec: desired.spec,
        }),
      );
    }
    if (diff.status || !latest.status) {
      latest = await this.write(() => this.d.api.replaceStatus({ ...latest, status: desired.status }));
    }
    if (latest === current) return result;
    this.remember(key, latest);
    this.logTransition(log, current, desired);
    log.debug({ result: "updated", resourceVersion: latest.metadata.resourceVersion }, "report written");
    return result === "deleted" ? "created" : "updated";
  }

  private async write<T>(call: () => Promise<T>): Promise<T> {
    if (!this.d.canWrite()) throw new NotLeaderError("not the leader");
    return call();
  }

  private async remove(report: PodHealthReport, log: Logger, why: string): Promise<void> {
    const { namespace, name, uid } = report.metadata;
    await this.write(() => this.d.api.delete(namespace, name, uid));
    this.written.delete(`${namespace}/${name}`);
    log.debug({ result: "deleted", why }, "report deleted");
  }

  private remember(key: string, report: PodHealthReport): void {
    this.written.set(key, report);
  }

  private settledSinceFor(key: string, current: PodHealthReport | null, now: number): number {
    let since = this.settledSince.get(key);
    if (since === undefined) {
      // After a restart the report remembers: it said Healthy/Completed no later than when it was observed.
      const observed = current && SETTLED.has(current.status?.health) ? Date.parse(current.status.observedAt) : NaN;
      since = Number.isNaN(observed) ? now : Math.min(observed, now);
      this.settledSince.set(key, since);
    }
    return since;
  }

  /** A recent restart makes a running pod Degraded until it is old enough: come back when it is. */
  private scheduleTimeBasedRecheck(key: string, derived: DerivedPodStatus, now: number): void {
    if (derived.health !== "Degraded" || !derived.lastRestartTime) return;
    const at = Date.parse(derived.lastRestartTime) + DEFAULT_RESTART_WINDOW_MS;
    if (at > now) this.d.requeueAfter(key, at - now + 1000);
  }

  private logTransition(log: Logger, current: PodHealthReport | null, desired: PodHealthReport): void {
    const from = current?.status;
    const to = desired.status;
    if (from?.status === to.status && from?.health === to.health) return;
    log.info(
      { from: from ? { status: from.status, health: from.health } : null, to: { status: to.status, health: to.health }, reason: to.reason },
      from ? `pod ${from.status}/${from.health} -> ${to.status}/${to.health}` : `pod ${to.status}/${to.health}`,
    );
  }
}
