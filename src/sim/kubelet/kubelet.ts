// The simulated kubelet (plus the slices of scheduler and node controller a pod's life needs): owns the pod
// workers, watches the store for deletions of its pods, and starts the chosen scenario.
import type { KubeObject, ObjectStore, StoreEvent } from "../types.js";
import { adoptionPlan } from "./adopt.js";
import { rfc3339, ScaledClock, type SimClock } from "./clock.js";
import { EventRecorder, type RecorderStats } from "./events.js";
import { MixedScenario } from "./mixed.js";
import { PodWorker, type SimNode, type WorkerHooks, type WorkerHost, type WorkerState } from "./pod-worker.js";
import { jobPodPlan, replicaSetPodPlan, uuid } from "./names.js";
import { Rng } from "./random.js";
import { isScenario, planPod, POD_SCENARIOS, SCENARIOS, type PlanOptions, type PodScenario } from "./scenarios.js";

export interface KubeletOptions {
  /** One of SCENARIOS. */
  scenario: string;
  /** How many pods to run (default 1; 20 for `mixed`). */
  pods?: number;
  /** Put every pod in this namespace (default: `default`; `mixed` spreads pods over several). */
  namespace?: string;
  /** Simulated seconds per real second when no clock is given (default 1). */
  timeScale?: number;
  /** The clock to run on; tests pass a ManualClock. Overrides timeScale. */
  clock?: SimClock;
  /** Seed for names, IPs and jitter (default 1): the same seed replays the same cluster. */
  seed?: number;
  /** How many nodes pods are spread over (default 3). */
  nodes?: number;
  /**
   * Also run pods created through the API (`kubectl run`, `kubectl apply`) that name no node or one of the
   * simulated nodes, with the scenario their `sim.podhealth.io/scenario` annotation names. Off by default: two
   * kubelets sharing a store (tests) must not take each other's pods. The `sim` command turns it on.
   */
  adopt?: boolean;
  /** Receives errors from inside timer callbacks (default: rethrow). */
  onError?: (err: Error) => void;
}

export interface AddPodOptions {
  /** Default: a deployment-like generated name. */
  name?: string;
  namespace?: string;
  /** Create the pod this many simulated milliseconds from now (default 0: at once). */
  delayMs?: number;
}

export interface SimPodInfo {
  namespace: string;
  name: string;
  uid: string;
  scenario: PodScenario;
  state: WorkerState;
}

export interface Kubelet {
  readonly clock: SimClock;
  /** Runs one more pod with the given scenario; returns where it lives. */
  addPod(scenario: string, options?: AddPodOptions): { namespace: string; name: string };
  /** Fixes the software of a pod: its next pull, start and probe succeed. False when no such pod is driven. */
  recover(name: string, namespace?: string): boolean;
  /** The pods this kubelet currently drives. */
  pods(): SimPodInfo[];
  /**
   * How its event `record` calls ended so far: created, patched (a repeat), filtered (client-go's spam filter
   * dropped it before any request) or refused by the API. Tests compare this with what the cluster shows.
   */
  eventStats(): RecorderStats;
  /** Cancels every timer and stops watching; pods stay in the store as they are. Idempotent. */
  stop(): void;
}

/** Options normalised once, so the rest of the kubelet can trust them. */
interface Settings {
  scenario: (typeof SCENARIOS)[number];
  pods: number;
  namespace: string | undefined;
  clock: SimClock;
  seed: number;
  nodes: number;
  adopt: boolean;
  onError: (err: Error) => void;
}

const RECORDER_SEED = 0x5eed_e7e7;
/** podgc's quarantine before it deletes a pod whose node does not exist. */
const ORPHAN_QUARANTINE_MS = 40_000;

function settings(options: KubeletOptions): Settings {
  if (!isScenario(options.scenario)) throw new Error(`unknown scenario "${options.scenario}"; choose one of: ${SCENARIOS.join(", ")}`);
  const pods = options.pods ?? (options.scenario === "mixed" ? 20 : 1);
  if (!Number.isInteger(pods) || pods < 0) throw new Error(`pods must be a non-negative integer, got ${pods}`);
  const nodes = options.nodes ?? 3;
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 250) throw new Error(`nodes must be an integer from 1 to 250, got ${nodes}`);
  return {
    scenario: options.scenario,
    pods,
    namespace: options.namespace,
    clock: options.clock ?? new ScaledClock(options.timeScale ?? 1),
    seed: options.seed ?? 1,
    nodes,
    adopt: options.adopt ?? false,
    onError:
      options.onError ??
      ((err) => {
        throw err;
      }),
  };
}

export class SimKubelet implements Kubelet {
  readonly clock: SimClock;
  readonly rng: Rng;
  private readonly recorder: EventRecorder;
  private readonly workers = new Map<string, PodWorker>();
  private readonly nodes: SimNode[];
  private readonly namespaces = new Set<string>();
  private readonly replicaSets = new Map<string, { hash: string; uid: string }>();
  private nextNode = 0;
  private unsubscribe: (() => void) | undefined;
  private readonly orphanTimers = new Set<() => void>();
  private mixed: MixedScenario | undefined;
  private stopped = false;

  constructor(
    readonly store: ObjectStore,
    private readonly settings: Settings,
  ) {
    this.clock = settings.clock;
    this.rng = new Rng(settings.seed);
    // Its own random stream, so how many events a run writes does not shift pod names, IPs and jitter.
    this.recorder = new EventRecorder(store, this.clock, new Rng(settings.seed ^ RECORDER_SEED));
    this.nodes = Array.from({ length: settings.nodes }, (_, i) => simNode(i + 1));
    this.unsubscribe = store.subscribe((ev) => this.onStoreEvent(ev));
  }

  /** Starts the configured scenario (and, when adopting, takes over the pods already stored). */
  run(): void {
    const { scenario, pods, namespace } = this.settings;
    if (this.settings.adopt) for (const pod of this.store.list("pods")) this.adopt(pod);
    if (scenario === "mixed") {
      this.mixed = new MixedScenario(this, pods, namespace);
      this.mixed.start();
      return;
    }
    // Staggered by half a second, as a rollout creates its pods.
    for (let i = 0; i < pods; i++) this.addPod(scenario, { namespace, delayMs: i * 500 });
  }

  addPod(scenario: string, options: AddPodOptions = {}): { namespace: string; name: string } {
    if (!(POD_SCENARIOS as readonly string[]).includes(scenario)) throw new Error(`unknown pod scenario "${scenario}"; choose one of: ${POD_SCENARIOS.join(", ")}`);
    const s = scenario as PodScenario;
    const namespace = options.namespace ?? this.settings.namespace ?? "default";
    const plan: PlanOptions = options.name !== undefined ? { namespace, name: options.name } : this.ownedName(s, namespace);
    const worker = this.spawn(s, plan, options.delayMs ?? 0);
    return { namespace: worker.namespace, name: worker.name };
  }

  /** Takes over a stored pod nobody drives yet, unless it is finished, going, or bound to a node this kubelet is not. */
  private adopt(pod: KubeObject): void {
    const meta = pod.metadata ?? {};
    const key = `${meta.namespace ?? ""}/${meta.name ?? ""}`;
    if (this.stopped || this.workers.has(key) || meta.deletionTimestamp !== undefined) return;
    const phase = (pod.status as { phase?: string } | undefined)?.phase;
    if (phase === "Succeeded" || phase === "Failed") return;
    const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    const node = nodeName ? this.nodes.find((n) => n.name === nodeName) : this.pickNode();
    if (node === undefined) {
      this.collectOrphan(pod);
      return;
    }
    this.guardAdoption(key, () => {
      const { plan, warning } = adoptionPlan(pod, this.rng);
      const worker = new PodWorker(this.workerHost(key), plan, node);
      this.workers.set(key, worker);
      worker.adopt(pod);
      const ref = { namespace: meta.namespace ?? "", name: meta.name ?? "", uid: meta.uid ?? "" };
      if (warning !== undefined) this.recorder.record(ref, { component: "sim-kubelet" }, "Warning", "UnknownScenario", warning);
    });
  }

  /**
   * Pod GC for a pod bound to a node that does not exist (kube-controller-manager 1.32 podgc gcOrphaned): after a
   * 40 s quarantine it is marked Failed with a DisruptionTarget condition and deleted with grace 0. Until then it
   * stays Pending, as nothing runs it.
   */
  private collectOrphan(pod: KubeObject): void {
    const { namespace = "", name = "", uid } = pod.metadata ?? {};
    const cancel = this.clock.schedule(() => {
      this.orphanTimers.delete(cancel);
      const current = this.store.get("pods", namespace, name);
      if (current === undefined || current.metadata?.uid !== uid || current.metadata?.deletionTimestamp !== undefined) return;
      try {
        const status = structuredClone((current.status ?? {}) as { phase?: string; conditions?: object[] });
        const condition = { type: "DisruptionTarget", status: "True", lastTransitionTime: rfc3339(this.clock.now()), reason: "DeletionByPodGC", message: "PodGC: node no longer exists" };
        if (status.phase !== "Succeeded" && status.phase !== "Failed") status.phase = "Failed";
        status.conditions = [...(status.conditions ?? []), condition];
        this.store.replace("pods", { ...current, status });
        this.store.delete("pods", namespace, name, { gracePeriodSeconds: 0, preconditions: { uid } });
      } catch (err) {
        this.settings.onError(new Error(`simulated pod GC: pod ${namespace}/${name}`, { cause: err }));
      }
    }, ORPHAN_QUARANTINE_MS);
    this.orphanTimers.add(cancel);
  }

  private guardAdoption(key: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.workers.get(key)?.halt();
      this.workers.delete(key);
      this.settings.onError(new Error(`simulated kubelet: adopt pod ${key}`, { cause: err }));
    }
  }

  private workerHost(key: string): WorkerHost {
    return {
      store: this.store,
      clock: this.clock,
      rng: this.rng,
      recorder: this.recorder,
      onGone: (w) => {
        if (this.workers.get(key) === w) this.workers.delete(key);
      },
      onError: this.settings.onError,
    };
  }

  /** Creates and starts a worker for one pod; `hooks` lets an owner (the mixed scenario) replace it when it retires. */
  spawn(scenario: PodScenario, plan: PlanOptions, delayMs: number, hooks: WorkerHooks = {}): PodWorker {
    if (this.stopped) throw new Error("simulated kubelet: stopped");
    const key = `${plan.namespace}/${plan.name}`;
    const existing = this.workers.get(key);
    if (existing !== undefined && existing.state !== "gone") throw new Error(`simulated kubelet: already drives pod ${key}`);
    this.ensureNamespace(plan.namespace);
    const worker = new PodWorker(this.workerHost(key), planPod(scenario, plan, this.rng), this.pickNode(), hooks);
    this.workers.set(key, worker);
    try {
      worker.start(delayMs);
    } catch (err) {
      worker.halt();
      this.workers.delete(key);
      throw new Error(`simulated kubelet: create pod ${key}`, { cause: err });
    }
    return worker;
  }

  recover(name: string, namespace?: string): boolean {
    const worker = this.workers.get(`${namespace ?? this.settings.namespace ?? "default"}/${name}`);
    if (worker === undefined || worker.state === "gone") return false;
    worker.recover();
    return true;
  }

  pods(): SimPodInfo[] {
    return [...this.workers.values()].map((w) => ({ namespace: w.namespace, name: w.name, uid: w.uid, scenario: w.scenario, state: w.state }));
  }

  eventStats(): RecorderStats {
    return { ...this.recorder.stats };
  }

  onError(err: Error): void {
    this.settings.onError(err);
  }

  /** Workers, for the mixed scenario's churn. */
  workerList(): PodWorker[] {
    return [...this.workers.values()];
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.mixed?.stop();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const w of this.workers.values()) w.halt();
    this.workers.clear();
    for (const cancel of this.orphanTimers) cancel();
    this.orphanTimers.clear();
  }

  /** A deployment-like name and owner for a pod nobody named; the scenario name doubles as the app name. */
  private ownedName(scenario: PodScenario, namespace: string): PlanOptions {
    if (scenario === "completed") return { ...jobPodPlan(this.rng, namespace, `${scenario}-${29_000_000 + this.rng.int(0, 999_999)}`), app: scenario };
    // Pods of one scenario in one namespace belong to one ReplicaSet, as replicas of a deployment do.
    const key = `${namespace}/${scenario}`;
    let rs = this.replicaSets.get(key);
    if (rs === undefined) {
      rs = { hash: this.rng.suffix(10), uid: uuid(this.rng) };
      this.replicaSets.set(key, rs);
    }
    return replicaSetPodPlan(this.rng, namespace, scenario, rs.hash, rs.uid);
  }

  private onStoreEvent(ev: StoreEvent): void {
    if (ev.resource !== "pods") return;
    const meta = ev.object.metadata ?? {};
    const worker = this.workers.get(`${meta.namespace ?? ""}/${meta.name ?? ""}`);
    if (worker === undefined && ev.type === "ADDED" && this.settings.adopt) {
      this.adopt(ev.object);
      return;
    }
    // Before create() returns the worker has no uid yet; the ADDED event is ours and needs no reaction.
    if (worker === undefined || worker.uid === "" || worker.uid !== meta.uid) return;
    if (ev.type === "DELETED") worker.vanished();
    else if (meta.deletionTimestamp !== undefined) worker.noticeDeletion();
  }

  private ensureNamespace(namespace: string): void {
    if (this.namespaces.has(namespace)) return;
    if (this.store.get("namespaces", "", namespace) === undefined) {
      this.store.create("namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace, labels: { "kubernetes.io/metadata.name": namespace } } });
    }
    this.namespaces.add(namespace);
  }

  private pickNode(): SimNode {
    const node = this.nodes[this.nextNode % this.nodes.length];
    this.nextNode++;
    return node;
  }
}

function simNode(i: number): SimNode {
  let next = 0;
  return {
    name: `sim-node-${i}`,
    hostIP: `10.0.1.${10 + i}`,
    // Addresses are reused after 253 pods, as a node's pod CIDR is.
    allocatePodIP: () => `10.244.${i}.${(next++ % 253) + 2}`,
  };
}

/** Starts the simulated kubelet with a scenario; `stop()` cancels everything it scheduled. */
export function startKubelet(store: ObjectStore, options: KubeletOptions): Kubelet {
  const kubelet = new SimKubelet(store, settings(options));
  kubelet.run();
  return kubelet;
}

/**
 * Runs one scenario for one named pod on the given clock: what a controller test needs to create, say, a
 * crash-looping pod and later make it recover with `recover(name)`.
 */
export function runScenario(store: ObjectStore, clock: SimClock, options: { scenario: string; name: string; namespace?: string; seed?: number }): Kubelet {
  const kubelet = new SimKubelet(store, settings({ scenario: "healthy", pods: 0, clock, seed: options.seed, namespace: options.namespace }));
  try {
    kubelet.addPod(options.scenario, { name: options.name, namespace: options.namespace });
  } catch (err) {
    kubelet.stop();
    throw err;
  }
  return kubelet;
}
