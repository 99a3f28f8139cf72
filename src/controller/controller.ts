// The controller: reflectors on pods, events and reports fill the caches; their handlers only enqueue
// namespace/name keys; `concurrency` workers run get → reconcile → forget, or requeue with back-off. With leader
// election only the leader's workers run; with shards each replica caches and writes only its own pods.
import type { Logger } from "pino";
import type { Config } from "../config.js";
import { MANAGED_BY, MANAGED_BY_LABEL, reportOptions, type CoreEvent, type PodHealthReport } from "../report/index.js";
import type { Pod } from "../status/types.js";
import { classifyError } from "./errors.js";
import { EventIndex } from "./event-index.js";
import { collectionSource, type KubeApi } from "./kube.js";
import { objectKey } from "./keys.js";
import { LeaderElector, leaseClient, type LeaseClient } from "./leader.js";
import { DelayedAdds, WorkQueue, type BackoffOptions } from "./queue.js";
import { Reconciler } from "./reconcile.js";
import { Reflector, type RestartReason } from "./reflector.js";
import { reportApi, reportCollectionPath, type ReportApi } from "./report-api.js";
import { PodStates } from "./pod-states.js";
import { ownsKey } from "./shard.js";
import { realScheduler, sleep, type Scheduler } from "./scheduler.js";
import { slimEvent, slimPod, slimReport } from "./slim.js";
import { ControllerStats } from "./stats.js";
import { MapStore, type Change, type Meta, type ReflectorStore } from "./store.js";

/** The parts of the configuration the controller reads. */
export type ControllerConfig = Pick<
  Config,
  "namespaces" | "labelSelector" | "historySize" | "concurrency" | "reportMode" | "healthyGraceMs" | "resyncPeriodMs" | "shutdownTimeoutMs" | "maxEventsPerPod" | "leaderElection" | "shard"
>;

export interface ControllerOptions {
  config: Readonly<ControllerConfig>;
  api: KubeApi;
  logger: Logger;
  scheduler?: Scheduler;
  /**
   * The clock reports are built at and time-based rechecks (healthy grace, recent restarts) wait on; the
   * scheduler by default. Tests pass the simulated cluster's clock.
   */
  clock?: Scheduler;
  stats?: ControllerStats;
  /** Per-key retry back-off of the work queue. */
  queueBackoff?: BackoffOptions;
  /** Back-off between failed lists/watches. */
  watchBackoff?: BackoffOptions;
  /** Server-side watch timeout floor, seconds (client-go uses 5 min). */
  minWatchTimeoutSeconds?: number;
  /** Replaces the Lease client (tests use it to cut one replica off the lease). */
  leaseClient?: LeaseClient;
  /** Replaces the report client (tests use it to record writes). */
  reportApi?: ReportApi;
}

type Resource = "pods" | "events" | "podhealthreports";

export class Controller {
  readonly stats: ControllerStats;
  /** Per-pod state for /metrics, held only while this replica writes reports (see pod-states.ts). */
  readonly podStates: PodStates;
  private readonly o: ControllerOptions;
  private readonly log: Logger;
  private readonly scheduler: Scheduler;
  private readonly pods = new MapStore<Pod & Meta>();
  private readonly events: EventIndex;
  private readonly reports = new MapStore<PodHealthReport & Meta>();
  private readonly reflectors: Array<Reflector<Meta>> = [];
  private readonly queue: WorkQueue;
  private readonly rechecks: DelayedAdds;
  private readonly reconciler: Reconciler;
  private readonly elector: LeaderElector | null;
  private workers: Promise<void>[] = [];
  private started = false;
  private stopping = false;
  /** Set once in-flight work has drained on stop: from then on nothing is written, before the lease goes. */
  private writesClosed = false;
  private synced = false;

  constructor(options: ControllerOptions) {
    this.o = options;
    const cfg = options.config;
    this.scheduler = options.scheduler ?? realScheduler;
    this.stats = options.stats ?? new ControllerStats();
    this.podStates = new PodStates(() => (options.clock ?? this.scheduler).now());
    this.log = options.logger.child({ module: "controller" });
    this.events = new EventIndex(cfg.maxEventsPerPod);
    this.queue = new WorkQueue({
      scheduler: this.scheduler,
      backoff: options.queueBackoff,
      onDrop: (key) => {
        this.stats.queueDropped++;
        this.log.warn({ key }, "work queue full, dropping the key until the next resync");
      },
    });
    this.rechecks = new DelayedAdds(options.clock ?? this.scheduler, (key) => this.queue.add(key));
    this.stats.queueDepth = () => this.queue.depth();
    this.stats.cacheSizes = () => ({ pods: this.pods.size, events: this.events.size, podhealthreports: this.reports.size });

    const api = options.reportApi ?? reportApi(options.api);
    const le = cfg.leaderElection;
    this.elector =
      le.enabled && le.namespace
        ? new LeaderElector({
            identity: le.identity,
            leaseName: le.leaseName,
            namespace: le.namespace,
            leaseDurationMs: le.leaseDurationMs,
            renewDeadlineMs: le.renewDeadlineMs,
            retryPeriodMs: le.retryPeriodMs,
            client: options.leaseClient ?? leaseClient(options.api, le.namespace, le.leaseName),
            scheduler: this.scheduler,
            logger: options.logger.child({ module: "leader" }),
            onStartedLeading: () => this.onStartedLeading(),
            onStoppedLeading: () => this.onStoppedLeading(),
          })
        : null;

    this.reconciler = new Reconciler({
      pod: (key) => this.pods.get(key),
      events: (key) => this.events.eventsFor(key),
      cachedReport: (key) => this.reports.get(key),
      api,
      reportMode: cfg.reportMode,
      healthyGraceMs: cfg.healthyGraceMs,
      reportOptions: reportOptions({ historySize: cfg.historySize }),
      now: () => (options.clock ?? this.scheduler).now(),
      canWrite: () => !this.writesClosed && (this.elector === null || this.elector.isLeader()),
      requeueAfter: (key, ms) => this.rechecks.add(key, ms),
      onConflict: () => this.stats.conflicts++,
      podStates: this.podStates,
      logger: options.logger.child({ module: "reconcile" }),
    });

    this.buildReflectors();
  }

  /** Starts the reflectors, the election and the workers; resolves at once (see `whenReady`). */
  start(): void {
    if (this.started) return;
    this.started = true;
    if (this.elector) this.queue.pause();
    for (const r of this.reflectors) r.start();
    this.workers = Array.from({ length: this.o.config.concurrency }, (_, i) => this.worker(i));
    void this.whenSynced().then(() => {
      if (this.stopping) return;
      this.synced = true;
      this.stats.ready = true;
      this.log.info({ pods: this.pods.size, events: this.events.size, reports: this.reports.size }, "caches synced");
      // Campaign only with warm caches, so a new leader starts from a full picture.
      if (this.elector) this.elector.start();
      else {
        this.stats.isLeader = true;
        this.enqueueAll();
      }
    });
  }

  /** Resolves once the first list of every collection is in. */
  async whenSynced(): Promise<void> {
    await Promise.all(this.reflectors.map((r) => r.whenSynced()));
  }

  /** Ready means the caches are synced (and, for /readyz, that is all: a follower is ready too). */
  get isReady(): boolean {
    return this.synced;
  }

  get isLeader(): boolean {
    return this.elector === null ? true : this.elector.isLeader();
  }

  /** Number of pods in this replica's cache. */
  get podCount(): number {
    return this.pods.size;
  }

  /**
   * Graceful stop: take no more work, let in-flight reconciles finish (up to the shutdown timeout), release
   * the lease, stop the watches.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.queue.shutDown();
    this.rechecks.cancelAll();
    const drained = Promise.all(this.workers).then(() => true);
    const timedOut = sleep(this.scheduler, this.o.config.shutdownTimeoutMs).then(() => false);
    const inTime = await Promise.race([drained, timedOut]);
    if (!inTime) this.log.warn({ timeoutMs: this.o.config.shutdownTimeoutMs }, "in-flight reconciles did not finish before the shutdown timeout");
    this.writesClosed = true;
    await this.elector?.stop(true);
    await Promise.all(this.reflectors.map((r) => r.stop()));
    this.stats.isLeader = false;
    this.stats.ready = false;
    this.podStates.clear();
    this.log.info("controller stopped");
  }

  private buildReflectors(): void {
    const cfg = this.o.config;
    const namespaces: Array<string | undefined> = cfg.namespaces.length > 0 ? [...cfg.namespaces] : [undefined];
    const shard = cfg.shard;
    const mine = <T extends Meta>(obj: T | null, key: (o: T) => string = objectKey): T | null => (obj && ownsKey(shard, key(obj)) ? obj : null);
    for (const ns of namespaces) {
      const nsPath = ns ? `/namespaces/${encodeURIComponent(ns)}` : "";
      this.addReflector<Pod & Meta>("pods", `/api/v1${nsPath}/pods`, this.pods, (raw) => mine(slimPod(raw) as (Pod & Meta) | null), {
        labelSelector: cfg.labelSelector,
      });
      this.addReflector<CoreEvent & Meta>(
        "events",
        `/api/v1${nsPath}/events`,
        this.events as ReflectorStore<CoreEvent & Meta>,
        (raw) => mine(slimEvent(raw) as (CoreEvent & Meta) | null, (e) => `${e.involvedObject?.namespace ?? e.metadata?.namespace ?? ""}/${e.involvedObject?.name ?? ""}`),
        { fieldSelector: "involvedObject.kind=Pod" },
      );
      this.addReflector<PodHealthReport & Meta>("podhealthreports", reportCollectionPath(ns), this.reports, (raw) => mine(slimReport(raw) as (PodHealthReport & Meta) | null), {
        labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY}`,
      });
    }
  }

  private addReflector<T extends Meta>(
    resource: Resource,
    path: string,
    store: ReflectorStore<T>,
    transform: (raw: unknown) => T | null,
    selectors: { labelSelector?: string | null; fieldSelector?: string },
  ): void {
    const reflector = new Reflector<T>({
      name: path,
      source: collectionSource(this.o.api, path, { ...selectors, minWatchTimeoutSeconds: this.o.minWatchTimeoutSeconds }),
      store,
      transform,
      onChange: (c) => this.onChange(resource, c as Change<Meta>),
      onList: () => {
        this.stats.observeList(path, this.scheduler.now());
        // A relist is the level-based safety net: everything gets another look (writes happen only on change).
        if (resource === "pods" && this.synced) this.enqueueAll();
      },
      onRestart: (reason: RestartReason) => this.stats.observeWatchRestart(resource, reason),
      scheduler: this.scheduler,
      backoff: this.o.watchBackoff ?? { baseMs: 500, maxMs: 30_000 },
      resyncPeriodMs: this.o.config.resyncPeriodMs,
      logger: this.log.child({ module: "reflector", resource }),
    });
    this.reflectors.push(reflector as unknown as Reflector<Meta>);
  }

  /** Event handlers only enqueue keys. */
  private onChange(resource: Resource, change: Change<Meta>): void {
    if (resource === "podhealthreports") {
      if (change.type === "deleted") this.reconciler.forget(change.key);
      else if (this.reconciler.isOwnWrite(change.key, change.obj as PodHealthReport)) return;
    }
    this.queue.add(change.key);
  }

  private enqueueAll(): void {
    for (const key of this.pods.keys()) this.queue.add(key);
    // Reports whose pod is gone (deleted while we were down) get reconciled too, which removes them.
    for (const key of this.reports.keys()) this.queue.add(key);
  }

  private onStartedLeading(): void {
    this.stats.isLeader = true;
    this.stats.leaderTransitions++;
    this.queue.resume();
    this.enqueueAll();
  }

  private onStoppedLeading(): void {
    this.stats.isLeader = false;
    this.podStates.clear();
    this.queue.pause();
  }

  private async worker(id: number): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      const started = performance.now();
      try {
        const result = await this.reconciler.reconcile(key);
        this.stats.observeReconcile(result, (performance.now() - started) / 1000);
        this.queue.forget(key);
      } catch (err) {
        this.stats.observeReconcile("error", (performance.now() - started) / 1000);
        const c = classifyError(err, this.scheduler.now());
        this.stats.observeError(c.class);
        if (c.retryable && !this.stopping) {
          const delay = this.queue.addRateLimited(key, c.retryAfterMs ?? 0);
          this.log.debug({ key, worker: id, error: c.message, status: c.status, class: c.class, retryInMs: delay }, "reconcile failed, will retry");
        } else {
          // Bad input: log once and move on; the next change or resync brings the key back.
          this.queue.forget(key);
          this.log.warn({ key, error: c.message, status: c.status, class: c.class }, "reconcile failed, not retrying");
        }
      } finally {
        this.queue.done(key);
      }
    }
  }
}
