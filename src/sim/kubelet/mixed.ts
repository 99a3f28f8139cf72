// The `mixed` scenario: a cluster that looks like a real one. N pods in a fixed blend (mostly healthy, some of every
// failure) across a few namespaces and deployment-like owners, started staggered, with churn: a healthy pod is
// deleted now and then and its ReplicaSet replaces it, terminal pods are cleaned up and replaced, so the pod count
// stays near N however long it runs.
import type { ObjectStore } from "../types.js";
import type { SimClock } from "./clock.js";
import { jobPodPlan, replicaSetPodPlan, uuid } from "./names.js";
import type { PodWorker, WorkerHooks } from "./pod-worker.js";
import type { Rng } from "./random.js";
import { TimerGroup } from "./runtime.js";
import type { BlendScenario, PlanOptions, PodScenario } from "./scenarios.js";

/** Relative weights of the blend; they sum to 100, so read them as percentages. */
export const MIXED_BLEND: ReadonlyArray<readonly [BlendScenario, number]> = [
  ["healthy", 60],
  ["completed", 6],
  ["crashloop", 5],
  ["readiness-flapping", 4],
  ["image-pull-backoff", 4],
  ["liveness-failure", 3],
  ["oom-killed", 3],
  ["init-failure", 3],
  ["recovering", 3],
  ["evicted", 3],
  ["startup-never-passes", 2],
  ["node-lost", 2],
  ["deletion", 2],
];

/** Simulated timing of the blend. */
export const MIXED_TIMING = {
  /** Pod creations are spread over this window at start. */
  startSpread: 20_000,
  /** Every so often one healthy pod is deleted (a rollout, a scale-down, kubectl delete). */
  churnEvery: 60_000,
  /** Terminal pods (Completed, Evicted) are deleted this long after they ended. */
  terminalTtl: 300_000,
  /** A ReplicaSet or CronJob creates the replacement this long after the old pod retires. */
  replaceAfter: 1000,
  /** Evictions, node losses and self-deletions strike between these times after a pod's start. */
  fateMin: 120_000,
  fateMax: 480_000,
} as const;

/**
 * How many pods of each scenario N pods get: proportional to MIXED_BLEND (largest remainder), and once N is at
 * least the number of scenarios, at least one of each, taken from the healthy share.
 */
export function mixedBlend(n: number): Map<BlendScenario, number> {
  const total = MIXED_BLEND.reduce((sum, [, w]) => sum + w, 0);
  const rows = MIXED_BLEND.map(([scenario, w], order) => ({ scenario, order, exact: (n * w) / total, count: Math.floor((n * w) / total) }));
  let left = n - rows.reduce((sum, r) => sum + r.count, 0);
  for (const r of [...rows].sort((a, b) => b.exact - b.count - (a.exact - a.count) || a.order - b.order)) {
    if (left === 0) break;
    r.count++;
    left--;
  }
  if (n >= rows.length) {
    const healthy = rows[0];
    for (const r of rows) {
      if (r.count > 0) continue;
      r.count = 1;
      healthy.count--;
    }
  }
  return new Map(rows.map((r) => [r.scenario, r.count]));
}

interface Deployment {
  namespace: string;
  app: string;
  kind: "ReplicaSet" | "Job";
  hash: string;
  uid: string;
  withInit: boolean;
}

interface Slot {
  scenario: PodScenario;
  deployment: Deployment;
  worker: PodWorker | undefined;
}

export interface MixedHost {
  readonly store: ObjectStore;
  readonly clock: SimClock;
  readonly rng: Rng;
  spawn(scenario: PodScenario, plan: PlanOptions, delayMs: number, hooks: WorkerHooks): PodWorker;
  workerList(): PodWorker[];
  onError(err: Error): void;
}

const HEALTHY_APPS: ReadonlyArray<{ namespace: string; app: string; withInit?: boolean }> = [
  { namespace: "shop", app: "storefront" },
  { namespace: "shop", app: "catalog" },
  { namespace: "shop", app: "checkout", withInit: true },
  { namespace: "payments", app: "payments-api" },
  { namespace: "payments", app: "ledger" },
  { namespace: "default", app: "web" },
  { namespace: "monitoring", app: "grafana" },
];

const FAILING_APPS: Record<Exclude<BlendScenario, "healthy">, { namespace: string; app: string }> = {
  "image-pull-backoff": { namespace: "shop", app: "recommendations" },
  crashloop: { namespace: "payments", app: "fraud-check" },
  "liveness-failure": { namespace: "shop", app: "inventory" },
  "readiness-flapping": { namespace: "shop", app: "search" },
  "startup-never-passes": { namespace: "payments", app: "legacy-billing" },
  "init-failure": { namespace: "shop", app: "orders" },
  "oom-killed": { namespace: "default", app: "image-resizer" },
  evicted: { namespace: "default", app: "cache-warmer" },
  "node-lost": { namespace: "default", app: "session-store" },
  completed: { namespace: "batch", app: "nightly-report" },
  deletion: { namespace: "default", app: "canary" },
  recovering: { namespace: "shop", app: "cart" },
};

export class MixedScenario {
  private readonly slots: Slot[] = [];
  private readonly timers: TimerGroup;
  private readonly deployments = new Map<string, Deployment>();
  private jobRun = 0;
  private stopped = false;

  constructor(
    private readonly host: MixedHost,
    private readonly n: number,
    private readonly namespace: string | undefined,
  ) {
    this.timers = new TimerGroup(host.clock);
  }

  start(): void {
    const rng = this.host.rng;
    let healthyIndex = 0;
    for (const [scenario, count] of mixedBlend(this.n)) {
      for (let i = 0; i < count; i++) {
        const where = scenario === "healthy" ? HEALTHY_APPS[healthyIndex++ % HEALTHY_APPS.length] : FAILING_APPS[scenario];
        this.slots.push({ scenario, deployment: this.deployment(scenario, where), worker: undefined });
      }
    }
    // Shuffled so the staggered start interleaves scenarios, as pods of many deployments would.
    for (let i = this.slots.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [this.slots[i], this.slots[j]] = [this.slots[j], this.slots[i]];
    }
    this.slots.forEach((slot, i) => this.fill(slot, Math.floor((i * MIXED_TIMING.startSpread) / Math.max(1, this.n)) + rng.int(0, 400)));
    this.timers.after(MIXED_TIMING.churnEvery, () => this.churnSafely());
  }

  stop(): void {
    this.stopped = true;
    this.timers.cancelAll();
  }

  private deployment(scenario: PodScenario, where: { namespace: string; app: string; withInit?: boolean }): Deployment {
    const namespace = this.namespace ?? where.namespace;
    const key = `${namespace}/${where.app}`;
    let d = this.deployments.get(key);
    if (d === undefined) {
      d = { namespace, app: where.app, kind: scenario === "completed" ? "Job" : "ReplicaSet", hash: this.host.rng.suffix(10), uid: uuid(this.host.rng), withInit: where.withInit === true };
      this.deployments.set(key, d);
    }
    return d;
  }

  private fill(slot: Slot, delayMs: number): void {
    if (this.stopped) return;
    const d = slot.deployment;
    const rng = this.host.rng;
    let plan: PlanOptions;
    // Generated names can collide; the real controllers retry with another suffix, and so does this.
    for (let attempt = 0; ; attempt++) {
      plan = d.kind === "Job" ? { ...jobPodPlan(rng, d.namespace, `${d.app}-${29_000_000 + ++this.jobRun}`), app: d.app } : replicaSetPodPlan(rng, d.namespace, d.app, d.hash, d.uid);
      if (attempt >= 5 || (this.host.store.get("pods", plan.namespace, plan.name) === undefined && !this.host.workerList().some((w) => w.namespace === plan.namespace && w.name === plan.name))) break;
    }
    if (d.withInit) plan.withInit = true;
    plan.fateAfterMs = rng.int(MIXED_TIMING.fateMin, MIXED_TIMING.fateMax);
    slot.worker = this.host.spawn(slot.scenario, plan, delayMs, { onRetired: (w) => this.retired(slot, w) });
  }

  private retired(slot: Slot, worker: PodWorker): void {
    if (this.stopped || slot.worker !== worker) return;
    slot.worker = undefined;
    // Never create pods from inside a store callback: the owner reacts on its own schedule.
    this.timers.after(MIXED_TIMING.replaceAfter, () => {
      try {
        this.fill(slot, 0);
      } catch (err) {
        this.host.onError(new Error(`mixed scenario: replace a ${slot.scenario} pod of ${slot.deployment.namespace}/${slot.deployment.app}`, { cause: err }));
      }
    });
  }

  private churnSafely(): void {
    if (this.stopped) return;
    try {
      this.churn();
    } catch (err) {
      this.host.onError(new Error("mixed scenario: churn", { cause: err }));
    }
    this.timers.after(MIXED_TIMING.churnEvery, () => this.churnSafely());
  }

  private churn(): void {
    const now = this.host.clock.now();
    const store = this.host.store;
    for (const w of this.host.workerList()) {
      if (w.state === "terminal" && w.terminalSince !== undefined && now - w.terminalSince >= MIXED_TIMING.terminalTtl) store.delete("pods", w.namespace, w.name);
    }
    const candidates = this.slots.filter((s) => s.scenario === "healthy" && s.worker?.state === "active");
    if (candidates.length > 0) {
      const victim = this.host.rng.pick(candidates).worker as PodWorker;
      store.delete("pods", victim.namespace, victim.name, { gracePeriodSeconds: 30 });
    }
  }
}
