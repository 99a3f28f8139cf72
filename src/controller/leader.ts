// Leader election on a coordination.k8s.io/v1 Lease, the client-go way: a candidate takes the lease when its
// holder has not changed it for a whole lease duration (measured on the candidate's own clock, so clock skew
// between replicas does not matter); the leader renews every retry period and considers itself deposed as soon
// as it has gone a renew deadline without a successful renewal. Since renewDeadline < leaseDuration, a leader
// stops writing before anyone else can take the lease. `isLeader()` checks that deadline synchronously, so a
// writer that asks right before each write never writes on a lease it may have lost.
import type { Logger } from "pino";
import { classifyError, type ClassifiedError } from "./errors.js";
import type { KubeApi } from "./kube.js";
import { sleep, type Scheduler } from "./scheduler.js";

export interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number | null;
  acquireTime?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number | null;
}

export interface Lease {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; [k: string]: unknown };
  spec?: LeaseSpec;
}

/** Reads and writes one Lease; `update` must fail with a 409 when the resourceVersion is stale. */
export interface LeaseClient {
  get(): Promise<Lease | null>;
  create(lease: Lease): Promise<Lease>;
  update(lease: Lease): Promise<Lease>;
}

export interface LeaderElectorOptions {
  identity: string;
  leaseName: string;
  namespace: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  client: LeaseClient;
  scheduler: Scheduler;
  logger: Logger;
  onStartedLeading?: () => void;
  onStoppedLeading?: () => void;
  /** Told of each failed and each good acquire-or-renew (the controller's connectivity log). */
  health?: {
    failed(source: string, phase: "renew", error: ClassifiedError, retryInMs: number): void;
    recovered(source: string, phase: "renew"): void;
  };
}

/** A Lease client on the API. */
export function leaseClient(api: KubeApi, namespace: string, name: string): LeaseClient {
  const collection = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases`;
  const path = `${collection}/${encodeURIComponent(name)}`;
  return {
    async get() {
      try {
        return await api.get<Lease>(path);
      } catch (err) {
        if (classifyError(err).class === "notFound") return null;
        throw err;
      }
    },
    create: (lease) => api.post<Lease>(collection, lease),
    update: (lease) => api.put<Lease>(path, lease),
  };
}

/** A Lease MicroTime: RFC3339 with six fractional digits, as the API server formats it. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

export class LeaderElector {
  private readonly o: LeaderElectorOptions;
  private leading = false;
  /** When the last successful acquire or renew was *sent*: the lease cannot have changed hands before it. */
  private lastRenewSentAt = -Infinity;
  private observedKey = "";
  private observedAt = -Infinity;
  private readonly stopController = new AbortController();
  private running: Promise<void> | null = null;
  private cancelDeadline: (() => void) | null = null;

  constructor(options: LeaderElectorOptions) {
    this.o = options;
  }

  /** True while this replica holds the lease and may write. */
  isLeader(): boolean {
    return this.leading && this.o.scheduler.now() - this.lastRenewSentAt < this.o.renewDeadlineMs;
  }

  start(): void {
    if (this.running) return;
    this.running = this.loop().catch((err: unknown) => this.o.logger.error({ err }, "leader election loop failed"));
  }

  /** Stops campaigning; if leading, gives the lease up so another replica can take it at once. */
  async stop(release = true): Promise<void> {
    this.stopController.abort();
    // A renewal stuck in a hanging request must not hold the shutdown up; its result no longer matters.
    await Promise.race([this.running, sleep(this.o.scheduler, this.o.retryPeriodMs)]);
    const wasLeading = this.isLeader();
    this.depose("stopping");
    if (release && wasLeading) await Promise.race([this.release(), sleep(this.o.scheduler, this.o.renewDeadlineMs)]);
  }

  private async loop(): Promise<void> {
    const signal = this.stopController.signal;
    while (!signal.aborted) {
      const sentAt = this.o.scheduler.now();
      let ok = false;
      const source = `lease ${this.o.namespace}/${this.o.leaseName}`;
      try {
        ok = await this.tryAcquireOrRenew(sentAt);
        this.o.health?.recovered(source, "renew");
      } catch (err) {
        const c = classifyError(err);
        this.o.logger.debug({ error: c.message, status: c.status }, "lease: acquire or renew failed");
        if (c.class !== "conflict") this.o.health?.failed(source, "renew", c, this.o.retryPeriodMs);
      }
      if (signal.aborted) break;
      if (ok) {
        this.lastRenewSentAt = sentAt;
        if (!this.leading) {
          this.leading = true;
          this.o.logger.info({ lease: `${this.o.namespace}/${this.o.leaseName}`, identity: this.o.identity }, "became leader");
          this.o.onStartedLeading?.();
        }
        this.armDeadline();
      } else if (this.leading && !this.isLeader()) {
        this.depose("renew deadline passed");
      }
      await sleep(this.o.scheduler, this.o.retryPeriodMs, signal);
    }
  }

  /** Steps down the moment the renew deadline passes, even if the loop is stuck in a hanging request. */
  private armDeadline(): void {
    this.cancelDeadline?.();
    const remaining = this.lastRenewSentAt + this.o.renewDeadlineMs - this.o.scheduler.now();
    this.cancelDeadline = this.o.scheduler.schedule(() => {
      this.cancelDeadline = null;
      if (this.leading && !this.isLeader()) this.depose("renew deadline passed");
    }, remaining);
  }

  private depose(why: string): void {
    this.cancelDeadline?.();
    this.cancelDeadline = null;
    if (!this.leading) return;
    this.leading = false;
    this.o.logger.info({ lease: `${this.o.namespace}/${this.o.leaseName}`, identity: this.o.identity, why }, "stopped leading");
    this.o.onStoppedLeading?.();
  }

  private async tryAcquireOrRenew(now: number): Promise<boolean> {
    const leaseSeconds = Math.max(1, Math.ceil(this.o.leaseDurationMs / 1000));
    const current = await this.o.client.get();
    if (current === null) {
      await this.o.client.create({
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name: this.o.leaseName, namespace: this.o.namespace },
        spec: { holderIdentity: this.o.identity, leaseDurationSeconds: leaseSeconds, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 },
      });
      return true;
    }
    const spec = current.spec ?? {};
    const key = `${spec.holderIdentity ?? ""}|${spec.renewTime ?? ""}|${current.metadata?.resourceVersion ?? ""}`;
    if (key !== this.observedKey) {
      this.observedKey = key;
      this.observedAt = now;
    }
    const holder = spec.holderIdentity ?? "";
    const iHold = holder === this.o.identity;
    // The holder's own lease duration, as it wrote it, decides when it expires (a released lease says 1s).
    const heldMs = (spec.leaseDurationSeconds ?? leaseSeconds) * 1000;
    if (holder !== "" && !iHold && this.observedAt + heldMs > now) return false;
    const next: Lease = {
      ...current,
      spec: {
        ...spec,
        holderIdentity: this.o.identity,
        leaseDurationSeconds: leaseSeconds,
        renewTime: microTime(now),
        acquireTime: iHold ? spec.acquireTime : microTime(now),
        leaseTransitions: (spec.leaseTransitions ?? 0) + (iHold ? 0 : 1),
      },
    };
    await this.o.client.update(next);
    return true;
  }

  /** Gives the lease up: empty holder and a 1 s duration, so the next candidate need not wait it out. */
  private async release(): Promise<void> {
    try {
      const current = await this.o.client.get();
      if (!current || current.spec?.holderIdentity !== this.o.identity) return;
      const now = this.o.scheduler.now();
      await this.o.client.update({
        ...current,
        spec: { ...current.spec, holderIdentity: "", leaseDurationSeconds: 1, renewTime: microTime(now), acquireTime: microTime(now) },
      });
      this.o.logger.info({ lease: `${this.o.namespace}/${this.o.leaseName}` }, "released the lease");
    } catch (err) {
      this.o.logger.warn({ error: classifyError(err).message }, "lease: release failed; the next leader waits for it to expire");
    }
  }
}
