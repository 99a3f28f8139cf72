// The controller: reflectors on pods, events and reports fill the caches; their handlers only enqueue
// namespace/name keys; `concurrency` workers run get → reconcile → forget, or requeue with back-off. Nothing is
// reconciled before every cache has its first list (a half-filled pod cache would look like deleted pods). With
// leader election only the leader's workers run; with shards each replica caches and writes only its own pods.
// The periodic resync re-queues what the caches hold, as client-go's informer resync does; it does not relist.
import type { Logger } from "pino";
import type { Config } from "../config.js";
import { MANAGED_BY, MANAGED_BY_LABEL, reportOptions, type CoreEvent } from "../report/index.js";
import type { Pod } from "../status/types.js";
import { Connectivity } from "./connectivity.js";
import { classifyError } from "./errors.js";
import { EventIndex } from "./event-index.js";
import { Interner } from "./intern.js";
import { collectionSource, type KnownEvent, type KubeApi } from "./kube.js";
import { objectKey } from "./keys.js";
import { LeaderElector, leaseClient, type LeaseClient } from "./leader.js";
import { DelayedAdds, WorkQueue, type BackoffOptions } from "./queue.js";
import { Reconciler } from "./reconcile.js";
import { Reflector, type RestartReason } from "./reflector.js";
import { reportApi, reportCollectionPath, type ReportApi } from "./report-api.js";
import { PodStates } from "./pod-states.js";
import { ownsKey } from "./shard.js";
import { realScheduler, sleep, type Scheduler } from "./scheduler.js";
import { samePodContent, slimEvent, slimPod } from "./slim.js";
import type { CachedReport } from "./report-cache.js";
import { ControllerStats } from "./stats.js";
import { MapStore, type Change, type Meta, type ReflectorStore } from "./store.js";

/** The parts of the configuration the controller reads. */
export type ControllerConfig = Pick<
  Config,
  | "namespaces"
  | "labelSelector"
  | "historySize"
  | "concurrency"
  | "reportMode"
  | "healthyGraceMs"
  | "resyncPeriodMs"
  | "countWriteIntervalMs"
  | "shutdownTimeoutMs"
  | "maxEventsPerPod"
  | "leaderElection"
  | "shard"
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
  /** A cache whose list or watch has failed for this long is not current, and the replica is not ready. */
  staleAfterMs?: number;
  /** The API server's address, for logs (KubeHttp's `server` by default). */
  server?: string;
  /** Event cursors a report keeps (the counting's memory bound; 64 by default). Tests go past it with less. */
  eventCursorLimit?: number;
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
  private readonly reports = new MapStore<CachedReport & Meta>();
  /** Values many cached pods and reports hold alike, kept once (see intern.ts). */
  private readonly intern = new Interner();
  private readonly reflectors: Array<Reflector<Meta>> = [];
  private readonly queue: WorkQueue;
  private readonly rechecks: DelayedAdds;
  private readonly reconciler: Reconciler;
  private readonly elector: LeaderElector | null;
  private readonly connectivity: Connectivity;
  private cancelResync: (() => void) | null = null;
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
    this.queue = new WorkQueue({ scheduler: this.scheduler, backoff: options.queueBackoff });
    this.connectivity = new Connectivity({
      server: options.server ?? (options.api as { server?: string }).server ?? "the API server",
      logger: options.logger.child({ module: "connectivity" }),
      scheduler: this.scheduler,
    });
    this.rechecks = new DelayedAdds(options.clock ?? this.scheduler, (key) => this.queue.add(key));
    this.stats.queueDepth = () => this.queue.depth();
    this.stats.cacheSizes = () => ({ pods: this.pods.size, events: this.events.size, podhealthreports: this.reports.size });
    this.stats.lastSyncMs = () => this.lastSync;

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
            health: this.connectivity,
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
      countWriteIntervalMs: cfg.countWriteIntervalMs,
      reportOptions: reportOptions({ historySize: cfg.historySize, eventCursorLimit: options.eventCursorLimit }),
      now: () => (options.clock ?? this.scheduler).now(),
      canWrite: () => !this.writesClosed && (this.elector === null || this.elector.isLeader()),
      requeueAfter: (key, ms) => this.rechecks.add(key, ms),
      onConflict: () => this.stats.conflicts++,
      podStates: this.podStates,
      intern: this.intern,
      logger: options.logger.child({ module: "reconcile" }),
    });

    this.buildReflectors();
  }

  /** Starts the reflectors, the election and the workers; resolves at once (see `whenSynced`). */
  start(): void {
    if (this.started) return;
    this.started = true;
    // Keys queue up from the first list on, but nothing is handed out before every cache is filled.
    this.queue.pause();
    for (const r of this.reflectors) r.start();
    this.workers = Array.from({ length: this.o.config.concurrency }, (_, i) => this.worker(i));
    void this.whenSynced().then(() => {
      if (this.stopping) return;
      this.synced = true;
      this.log.info({ pods: this.pods.size, events: this.events.size, reports: this.reports.size }, "caches synced");
      this.scheduleResync();
      // Campaign only with warm caches, so a new leader starts from a full picture.
      if (this.elector) this.elector.start();
      else {
        this.stats.isLeader = true;
        this.queue.resume();
        this.enqueueAll();
      }
    });
  }

  /** Resolves once the first list of every collection is in. */
  async whenSynced(): Promise<void> {
    await Promise.all(this.reflectors.map((r) => r.whenSynced()));
  }

  /**
   * Ready means every cache has had its first list and none has been failing for longer than `staleAfterMs`
   * (a follower is ready too: it could take over at once).
   */
  get isReady(): boolean {
    if (!this.synced || this.stopping) return false;
    const now = this.scheduler.now();
    const staleAfter = this.o.staleAfterMs ?? 30_000;
    return this.reflectors.every((r) => r.failingSince === null || now - r.failingSince < staleAfter);
  }

  /** The oldest of the caches' last contacts with the server (scheduler ms); null before every cache had one. */
  get lastSync(): number | null {
    let oldest: number | null = null;
    for (const r of this.reflectors) {
      const t = r.lastContact;
      if (t === null) return null;
      oldest = oldest === null ? t : Math.min(oldest, t);
    }
    return oldest;
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
    this.cancelResync?.();
    this.queue.shutDown();
    this.rechecks.cancelAll();
    // In-flight reconciles finish, then the count changes held back by --count-write-interval are written.
    const deadline = sleep(this.scheduler, this.o.config.shutdownTimeoutMs).then(() => false);
    const drained = Promise.all(this.workers)
      .then(() => this.flushDeferred())
      .then(() => true);
    const inTime = await Promise.race([drained, deadline]);
    if (!inTime) this.log.warn({ timeoutMs: this.o.config.shutdownTimeoutMs }, "in-flight reconciles and held-back count writes did not finish before the shutdown timeout");
    this.writesClosed = true;
    await this.elector?.stop(true);
    await Promise.all(this.reflectors.map((r) => r.stop()));
    this.stats.isLeader = false;
    this.podStates.clear();
    this.log.info("controller stopped");
  }

  /** Writes every report whose count changes were held back, while this replica may still write. */
  private async flushDeferred(): Promise<void> {
    const keys = this.reconciler.deferredKeys();
    if (keys.length === 0) return;
    let failed = 0;
    for (const key of keys) {
      try {
        await this.reconciler.reconcile(key, { flush: true });
      } catch (err) {
        failed++;
        this.log.warn({ key, error: classifyError(err).message }, "could not write held-back counts on shutdown");
      }
    }
    this.log.info({ reports: keys.length, failed }, "wrote held-back count changes before exiting");
  }

  /** Every resync period, every cached pod and report gets another look: a safety net for missed changes. */
  private scheduleResync(): void {
    const period = this.o.config.resyncPeriodMs;
    if (period <= 0 || this.stopping) return;
    this.cancelResync = this.scheduler.schedule(() => {
      this.cancelResync = null;
      if (this.stopping) return;
      if (this.isLeader) this.enqueueAll();
      this.scheduleResync();
    }, period);
  }

  private buildReflectors(): void {
    const cfg = this.o.config;
    const namespaces: Array<string | undefined> = cfg.namespaces.length > 0 ? [...cfg.namespaces] : [undefined];
    const shard = cfg.shard;
    // The API server cannot select a shard's share (there is no hash selector), so every shard receives every
    // object; another shard's is dropped before anything else is done with it, so that a shard keeps, slims and
    // reconciles only its share.
    const mine = (raw: unknown, key: (o: Meta & CoreEvent) => string = objectKey): boolean =>
      shard.count <= 1 || (typeof raw === "object" && raw !== null && ownsKey(shard, key(raw as Meta & CoreEvent)));
    const podOfEvent = (e: CoreEvent): string => `${e.involvedObject?.namespace ?? e.metadata?.namespace ?? ""}/${e.involvedObject?.name ?? ""}`;
    for (const ns of namespaces) {
      const nsPath = ns ? `/namespaces/${encodeURIComponent(ns)}` : "";
      this.addReflector<Pod & Meta>("pods", `/api/v1${nsPath}/pods`, this.pods, (raw) => (mine(raw) ? (slimPod(raw, this.intern) as (Pod & Meta) | null) : null), {
        labelSelector: cfg.labelSelector,
      });
      this.addReflector<CoreEvent & Meta>(
        "events",
        `/api/v1${nsPath}/events`,
        this.events as ReflectorStore<CoreEvent & Meta>,
        (raw) => (mine(raw, podOfEvent) ? (slimEvent(raw) as (CoreEvent & Meta) | null) : null),
        { fieldSelector: "involvedObject.kind=Pod" },
      );
      // The echo of this replica's own write is known by its resourceVersion and not parsed (written.ts).
      this.addReflector<CachedReport & Meta>("podhealthreports", reportCollectionPath(ns), this.reports, (raw) => (mine(raw) ? this.reconciler.cacheForm(raw) : null), {
        labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY}`,
        known: (line) => this.reconciler.echoOf(line),
      });
    }
  }

  private addReflector<T extends Meta>(
    resource: Resource,
    path: string,
    store: ReflectorStore<T>,
    transform: (raw: unknown) => T | null,
    selectors: { labelSelector?: string | null; fieldSelector?: string; known?: KnownEvent },
  ): void {
    const reflector = new Reflector<T>({
      name: path,
      source: collectionSource(this.o.api, path, { ...selectors, minWatchTimeoutSeconds: this.o.minWatchTimeoutSeconds }),
      store,
      transform,
      onChange: (c) => this.onChange(resource, c as Change<Meta>),
      onRestart: (reason: RestartReason) => this.stats.observeWatchRestart(resource, reason),
      health: this.connectivity,
      scheduler: this.scheduler,
      // client-go's reflector: 800 ms doubling to 30 s, plus up to as much again at random.
      backoff: this.o.watchBackoff ?? { baseMs: 800, maxMs: 30_000 },
      logger: this.o.logger.child({ module: "reflector", resource }),
    });
    this.reflectors.push(reflector as unknown as Reflector<Meta>);
  }

  /** Event handlers only enqueue keys. */
  private onChange(resource: Resource, change: Change<Meta>): void {
    if (resource === "podhealthreports") {
      if (change.type === "deleted") this.reconciler.forget(change.key);
      else if (this.reconciler.isOwnWrite(change.key, change.obj as CachedReport)) return;
    } else if (resource === "pods" && change.type === "updated" && change.old !== undefined && samePodContent(change.old as Pod, change.obj as Pod)) {
      // Nothing reconcile reads has changed (reconcile is level-based: the same pod, events and report give
      // the same report; what time alone changes has its own recheck).
      return;
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
    // Held-back counts were built on what this replica last wrote; the next leader counts from the server.
    this.reconciler.dropDeferred();
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
