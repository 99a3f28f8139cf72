// One simulated pod from creation to removal: the scheduler binding it, the kubelet admitting it, creating its
// sandbox, pulling images, starting and restarting containers with back-off, running probes, and stopping it on
// deletion, eviction or loss of its node. It follows the real kubelet's rules (restart back-off keyed on finishedAt,
// image pull back-off, probe thresholds, status manager skipping unchanged writes), so the statuses and events the
// store sees are the ones a real cluster would show, in the same order.
import type { ContainerState, ContainerStatus, PodCondition, PodStatus } from "../../status/types.js";
import type { KubeObject, ObjectStore } from "../types.js";
import { probeFailureText, probeOutcome, recovered, type ContainerBehaviour, type PodBehaviour, type PodFate } from "./behaviour.js";
import { rfc3339, type SimClock } from "./clock.js";
import type { EventRecorder, EventType, PodRef } from "./events.js";
import { renderPodStatus, type PodModel, type RestartPolicy } from "./pod-status.js";
import type { Rng } from "./random.js";
import { goDuration, imageSize, inBackoffSince, nextBackoff, runtimeImage, runtimeImageID, TimerGroup, type Backoff } from "./runtime.js";
import type { PodPlan, PodScenario } from "./scenarios.js";

/** Simulated delays of the control plane and the node, in milliseconds. */
export const TIMING = {
  /** Pod created → bound by the scheduler. */
  schedule: 1000,
  /** Bound → the kubelet admits it and reports its first status. */
  admit: 500,
  /** Admitted → sandbox and pod IP ready. */
  sandbox: 1500,
  /** A container event (exit, failed pull) → the kubelet's next sync, as PLEG relists every second. */
  pleg: 1000,
  /** How often the pod worker resyncs a pod that is in back-off. */
  resync: 10_000,
  /** A container told to stop by a failed probe exits this long after SIGTERM. */
  probeKill: 1000,
  /** Deletion → the app has exited (capped by the grace period). */
  stop: 2000,
  /** Containers stopped → the kubelet's final delete removes the object. */
  remove: 1000,
  /** node-monitor-grace-period: a silent node's pods are marked not ready after this. */
  nodeMonitorGrace: 40_000,
  /** The default toleration for node.kubernetes.io/unreachable before the pod is deleted. */
  unreachableToleration: 300_000,
  /** A pod stuck on a lost node is force-deleted by pod GC after this (once the dead node is removed). */
  lostPodGc: 600_000,
} as const;

export interface SimNode {
  name: string;
  hostIP: string;
  allocatePodIP(): string;
}

export interface WorkerHost {
  store: ObjectStore;
  clock: SimClock;
  rng: Rng;
  recorder: EventRecorder;
  /** The worker is done and its pod is gone from the store (or the kubelet stopped). */
  onGone(worker: PodWorker): void;
  /** Errors inside timer callbacks; the default rethrows so that tests see them. */
  onError(err: Error): void;
}

export interface WorkerHooks {
  /**
   * Called once when the pod stops counting towards its owner: deletion began, it was evicted, its node was lost,
   * or it vanished. A ReplicaSet creates the replacement at this point.
   */
  onRetired?(worker: PodWorker): void;
}

export type WorkerState = "new" | "active" | "terminating" | "terminal" | "lost" | "gone";

type ProbeKind = "liveness" | "readiness" | "startup";

interface ProbeSpec {
  httpGet?: { path?: string; port?: number | string; scheme?: string };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
}

interface ContainerSpecJson {
  name: string;
  image: string;
  livenessProbe?: ProbeSpec;
  readinessProbe?: ProbeSpec;
  startupProbe?: ProbeSpec;
}

interface SimContainer {
  kind: "init" | "regular";
  spec: ContainerSpecJson;
  behaviour: ContainerBehaviour;
  status: ContainerStatus;
  activity: "idle" | "pulling" | "running" | "stopping" | "exited";
  imagePresent: boolean;
  pullAttempts: number;
  runs: number;
  pullBackoff?: Backoff;
  crashBackoff?: Backoff;
  pullError?: string;
  startedAt: number;
  finishedAt: number;
  lastTerminated?: NonNullable<ContainerState["terminated"]>;
  /** Timers of the current run or pull: cancelled when it ends. */
  timers: TimerGroup;
  /** Per probe, in the current run: consecutive failures and successes, and runs so far. */
  probes: Record<ProbeKind, { failures: number; successes: number; runs: number }>;
}

export class PodWorker {
  readonly namespace: string;
  readonly name: string;
  readonly scenario: PodScenario;
  uid = "";
  state: WorkerState = "new";
  /** When the pod reached a terminal phase (Succeeded or Failed), for owners that clean up old pods. */
  terminalSince: number | undefined;

  private readonly model: PodModel;
  private readonly containers: SimContainer[];
  private readonly timers: TimerGroup;
  private readonly fate: PodFate | undefined;
  private syncCancel: (() => void) | undefined;
  private syncAt = Infinity;
  private deletionNoticed = false;
  /** Deletion arrived while containers were already stopping (eviction): remove once they have. */
  private removeWhenStopped = false;
  private retired = false;
  private pod: KubeObject;

  constructor(
    private readonly host: WorkerHost,
    plan: PodPlan,
    private readonly node: SimNode,
    private readonly hooks: WorkerHooks = {},
  ) {
    this.pod = plan.pod;
    this.namespace = plan.pod.metadata?.namespace ?? "default";
    this.name = plan.pod.metadata?.name ?? "";
    this.scenario = plan.scenario;
    this.fate = plan.behaviour.fate;
    this.timers = new TimerGroup(host.clock);
    const spec = (plan.pod.spec ?? {}) as { initContainers?: ContainerSpecJson[]; containers?: ContainerSpecJson[]; restartPolicy?: RestartPolicy };
    const make = (kind: SimContainer["kind"], c: ContainerSpecJson): SimContainer => this.newContainer(kind, c, plan.behaviour);
    this.containers = [...(spec.initContainers ?? []).map((c) => make("init", c)), ...(spec.containers ?? []).map((c) => make("regular", c))];
    this.model = {
      bound: false,
      admitted: false,
      sandboxReady: false,
      initialized: (spec.initContainers ?? []).length === 0,
      qosClass: String((plan.pod.status as PodStatus | undefined)?.qosClass ?? "BestEffort"),
      restartPolicy: spec.restartPolicy ?? "Always",
      initContainers: this.inits().map((c) => c.status),
      containers: this.regulars().map((c) => c.status),
      extraConditions: [],
    };
  }

  /** Creates the pod after `delayMs` (at once when 0) and drives it from there. */
  start(delayMs: number): void {
    if (delayMs <= 0) this.create();
    else this.after(delayMs, () => this.guard(() => this.create()));
  }

  /**
   * Drives a pod that is already stored (created through the API): the scheduler binds it, unless it names its
   * node already, and the kubelet takes it from there.
   */
  adopt(pod: KubeObject): void {
    this.pod = pod;
    this.uid = pod.metadata?.uid ?? "";
    this.state = "active";
    if ((pod.spec as { nodeName?: string } | undefined)?.nodeName) {
      this.model.bound = true;
      this.after(TIMING.admit, () => this.guard(() => this.admit()));
    } else this.after(TIMING.schedule, () => this.guard(() => this.bind()));
  }

  /** Stops every timer without touching the store: the kubelet is shutting down. */
  halt(): void {
    this.cancelEverything();
    this.state = "gone";
  }

  /** Makes the software behave from its next pull, run or probe on. */
  recover(): void {
    for (const c of this.containers) c.behaviour = recovered(c.behaviour, c.pullAttempts, c.runs);
  }

  /** The store says the pod is being deleted (kubectl delete, an owner, the taint manager). */
  noticeDeletion(): void {
    if (this.deletionNoticed) return;
    this.deletionNoticed = true;
    // The kubelet learns of it through its watch, not inside the API call that set deletionTimestamp.
    this.after(0, () => this.guard(() => this.beginTermination()));
  }

  /** The pod object disappeared from the store. */
  vanished(): void {
    if (this.state === "gone") return;
    this.cancelEverything();
    this.state = "gone";
    this.retire();
    this.host.onGone(this);
  }

  /** Whether any timer of this pod is still pending (for tests and leak checks). */
  get pendingTimers(): number {
    return this.timers.size + this.containers.reduce((n, c) => n + c.timers.size, 0) + (this.syncCancel ? 1 : 0);
  }

  // ---- lifecycle steps, in order ----

  private create(): void {
    const created = this.host.store.create("pods", this.pod);
    this.pod = created;
    this.uid = created.metadata?.uid ?? "";
    this.state = "active";
    this.after(TIMING.schedule, () => this.guard(() => this.bind()));
  }

  private bind(): void {
    if (this.state !== "active") return;
    const current = this.current();
    if (current === undefined) return;
    this.model.bound = true;
    const spec = { ...(current.spec as Record<string, unknown>), nodeName: this.node.name };
    const status = renderPodStatus(this.model, current.status as PodStatus | undefined, this.now());
    this.host.store.replace("pods", { ...current, spec, status });
    this.host.recorder.recordNew(this.ref(), "default-scheduler", "default-scheduler-control-plane", "Normal", "Scheduled", "Binding", `Successfully assigned ${this.namespace}/${this.name} to ${this.node.name}`);
    this.after(TIMING.admit, () => this.guard(() => this.admit()));
  }

  private admit(): void {
    if (this.state !== "active") return;
    this.model.admitted = true;
    this.model.startTime = this.now();
    this.model.hostIP = this.node.hostIP;
    this.writeStatus();
    this.after(TIMING.sandbox, () => this.guard(() => this.sandboxReady()));
  }

  private sandboxReady(): void {
    if (this.state !== "active") return;
    this.model.sandboxReady = true;
    this.model.podIP = this.node.allocatePodIP();
    if (this.fate !== undefined) {
      const fate = this.fate;
      this.after(fate.afterMs, () => this.guard(() => this.applyFate(fate)));
    }
    this.sync();
  }

  /** The kubelet's SyncPod: start what should run, report back-off for what may not yet, write the status. */
  private sync(): void {
    this.cancelSync();
    if (this.state !== "active" || !this.model.sandboxReady) return;
    const now = this.now();
    const wake: number[] = [];
    if (!this.model.initialized) {
      for (const c of this.inits()) {
        if (succeeded(c)) continue;
        this.syncContainer(c, now, wake);
        break;
      }
      if (this.inits().every(succeeded)) {
        this.model.initialized = true;
        for (const c of this.regulars()) if (c.status.state?.waiting?.reason === "PodInitializing") c.status.state = { waiting: { reason: "ContainerCreating" } };
      }
    }
    if (this.model.initialized) for (const c of this.regulars()) this.syncContainer(c, now, wake);
    this.completeIfDone(now);
    this.writeStatus();
    if (wake.length > 0 && this.state === "active") this.scheduleSync(Math.min(...wake) - now);
  }

  private syncContainer(c: SimContainer, now: number, wake: number[]): void {
    switch (c.activity) {
      case "pulling":
      case "running":
      case "stopping":
        return;
      case "exited": {
        if (!this.shouldRestart(c)) return;
        if (inBackoffSince(c.crashBackoff, c.finishedAt, now)) {
          const backoff = c.crashBackoff as Backoff;
          this.event(c, "Warning", "BackOff", `Back-off restarting failed container ${c.spec.name} in pod ${this.podDesc()}`);
          c.status.lastState = { terminated: { ...(c.lastTerminated ?? {}) } };
          c.status.state = { waiting: { reason: "CrashLoopBackOff", message: `back-off ${goDuration(backoff.delayMs)} restarting failed container=${c.spec.name} pod=${this.podDesc()}` } };
          wake.push(Math.min(now + TIMING.resync, c.finishedAt + backoff.delayMs));
          return;
        }
        c.crashBackoff = nextBackoff(c.crashBackoff, c.finishedAt);
        this.runContainer(c, now, false);
        return;
      }
      case "idle": {
        if (c.imagePresent) {
          this.runContainer(c, now, false);
          return;
        }
        const pb = c.pullBackoff;
        if (pb !== undefined && inBackoffSince(pb, pb.lastUpdate, now)) {
          const image = c.spec.image;
          this.event(c, "Normal", "BackOff", `Back-off pulling image "${image}"`);
          this.event(c, "Warning", "Failed", "Error: ImagePullBackOff");
          c.status.state = { waiting: { reason: "ImagePullBackOff", message: `Back-off pulling image "${image}": ErrImagePull: ${c.pullError ?? ""}` } };
          wake.push(Math.min(now + TIMING.resync, pb.lastUpdate + pb.delayMs));
          return;
        }
        this.pull(c, now);
        return;
      }
    }
  }

  private pull(c: SimContainer, now: number): void {
    c.activity = "pulling";
    c.pullAttempts++;
    const attempt = c.pullAttempts;
    const image = c.spec.image;
    this.event(c, "Normal", "Pulling", `Pulling image "${image}"`);
    c.timers.after(c.behaviour.pullMs, () =>
      this.guard(() => {
        if (this.state !== "active") return;
        const at = this.now();
        c.activity = "idle";
        if (attempt <= c.behaviour.pullFailures) {
          const err = c.behaviour.pullError ?? `rpc error: code = Unknown desc = failed to pull and unpack image "${runtimeImage(image)}"`;
          c.pullError = err;
          c.pullBackoff = nextBackoff(c.pullBackoff, at);
          this.event(c, "Warning", "Failed", `Failed to pull image "${image}": ${err}`);
          this.event(c, "Warning", "Failed", "Error: ErrImagePull");
          c.status.state = { waiting: { reason: "ErrImagePull", message: err } };
          this.writeStatus();
          this.scheduleSync(TIMING.pleg);
          return;
        }
        c.imagePresent = true;
        c.status.imageID = runtimeImageID(image);
        const took = goDuration(at - now);
        this.event(c, "Normal", "Pulled", `Successfully pulled image "${image}" in ${took} (${took} including waiting). Image size: ${imageSize(image)} bytes.`);
        this.runContainer(c, at, true);
        this.writeStatus();
      }),
    );
  }

  private runContainer(c: SimContainer, now: number, freshPull: boolean): void {
    if (c.runs > 0) {
      c.status.restartCount = (c.status.restartCount ?? 0) + 1;
      c.status.lastState = { terminated: { ...(c.lastTerminated ?? {}) } };
    }
    if (!freshPull) this.event(c, "Normal", "Pulled", `Container image "${c.spec.image}" already present on machine`);
    const containerID = `containerd://${this.host.rng.hex(64)}`;
    this.event(c, "Normal", "Created", `Created container: ${c.spec.name}`);
    this.event(c, "Normal", "Started", `Started container ${c.spec.name}`);
    c.runs++;
    c.activity = "running";
    c.startedAt = now;
    c.imagePresent = true;
    c.status.imageID = runtimeImageID(c.spec.image);
    c.status.containerID = containerID;
    c.status.state = { running: { startedAt: rfc3339(now) } };
    c.probes = freshProbes();
    const hasStartup = c.kind === "regular" && c.spec.startupProbe !== undefined;
    c.status.started = !hasStartup;
    c.status.ready = c.kind === "regular" && !hasStartup && c.spec.readinessProbe === undefined;

    const b = c.behaviour;
    if (c.runs <= b.failingRuns) c.timers.after(b.failAfterMs, () => this.guard(() => this.exit(c, b.failExitCode, b.failReason)));
    else if (b.completeAfterMs !== undefined) c.timers.after(b.completeAfterMs, () => this.guard(() => this.exit(c, 0, "Completed")));
    if (c.kind === "regular") {
      if (hasStartup) this.startProbe(c, "startup");
      else {
        this.startProbe(c, "liveness");
        this.startProbe(c, "readiness");
      }
    }
  }

  private exit(c: SimContainer, exitCode: number, reason: string): void {
    if (this.state !== "active" || (c.activity !== "running" && c.activity !== "stopping")) return;
    c.timers.cancelAll();
    const now = this.now();
    c.activity = "exited";
    c.finishedAt = now;
    const terminated = { exitCode, reason, startedAt: rfc3339(c.startedAt), finishedAt: rfc3339(now), containerID: c.status.containerID };
    c.lastTerminated = terminated;
    c.status.state = { terminated: { ...terminated } };
    c.status.ready = c.kind === "init" && exitCode === 0;
    c.status.started = false;
    this.writeStatus();
    this.scheduleSync(TIMING.pleg);
  }

  // ---- probes ----

  private startProbe(c: SimContainer, kind: ProbeKind): void {
    const probe = probeSpec(c.spec, kind);
    if (probe === undefined) return;
    const period = (probe.periodSeconds ?? 10) * 1000;
    const initialDelay = (probe.initialDelaySeconds ?? 0) * 1000;
    // The prober skips ticks inside initialDelaySeconds; with no delay the first tick comes one period in.
    const first = Math.max(0, c.startedAt + (initialDelay > 0 ? initialDelay : period) - this.now());
    const tick = (): void =>
      this.guard(() => {
        if (this.probe(c, kind, probe)) c.timers.after(period, tick);
      });
    c.timers.after(first, tick);
  }

  /** One probe run; returns whether this probe keeps running. */
  private probe(c: SimContainer, kind: ProbeKind, probe: ProbeSpec): boolean {
    if (this.state !== "active" || c.activity !== "running") return false;
    const counter = c.probes[kind];
    const failure = probeOutcome(c.behaviour[kind], { sinceStartMs: this.now() - c.startedAt, periodMs: (probe.periodSeconds ?? 10) * 1000, attempt: counter.runs++ });
    if (failure === undefined) {
      counter.failures = 0;
      counter.successes++;
      if (kind === "startup") {
        c.status.started = true;
        if (c.spec.readinessProbe === undefined) c.status.ready = true;
        this.writeStatus();
        this.startProbe(c, "liveness");
        this.startProbe(c, "readiness");
        return false;
      }
      if (kind === "readiness" && !c.status.ready && counter.successes >= (probe.successThreshold ?? 1)) {
        c.status.ready = true;
        this.writeStatus();
      }
      return true;
    }
    counter.successes = 0;
    counter.failures++;
    const http = probe.httpGet ?? {};
    const text = probeFailureText(failure, { podIP: this.model.podIP ?? "", port: http.port ?? 80, path: http.path ?? "/", scheme: http.scheme ?? "HTTP" });
    this.event(c, "Warning", "Unhealthy", `${kind[0].toUpperCase()}${kind.slice(1)} probe failed: ${text}`);
    const threshold = probe.failureThreshold ?? 3;
    if (kind === "readiness") {
      if (c.status.ready && counter.failures >= threshold) {
        c.status.ready = false;
        this.writeStatus();
      }
      return true;
    }
    if (counter.failures < threshold) return true;
    this.event(c, "Normal", "Killing", `Container ${c.spec.name} failed ${kind} probe, will be restarted`);
    c.activity = "stopping";
    c.timers.cancelAll();
    // An app that handles SIGTERM exits with 128+15.
    c.timers.after(TIMING.probeKill, () => this.guard(() => this.exit(c, 143, "Error")));
    return false;
  }

  // ---- the ends of a pod ----

  private completeIfDone(now: number): void {
    if (this.model.restartPolicy === "Always") return;
    const failedInit = this.inits().find((c) => c.activity === "exited" && !succeeded(c) && !this.shouldRestart(c));
    const regulars = this.regulars();
    const allDone = this.model.initialized && regulars.every((c) => c.activity === "exited" && !this.shouldRestart(c));
    if (failedInit === undefined && !allDone) return;
    const ok = failedInit === undefined && regulars.every((c) => c.status.state?.terminated?.exitCode === 0);
    this.finish({ phase: ok ? "Succeeded" : "Failed" }, now);
  }

  private finish(terminal: NonNullable<PodModel["terminal"]>, now: number): void {
    this.cancelEverything();
    this.model.terminal = terminal;
    this.model.sandboxReady = false;
    this.state = "terminal";
    this.terminalSince = now;
  }

  private applyFate(fate: PodFate): void {
    if (this.state !== "active") return;
    switch (fate.kind) {
      case "evict":
        this.evict(fate.resource);
        return;
      case "node-lost":
        this.loseNode();
        return;
      case "delete":
        this.host.store.delete("pods", this.namespace, this.name, { gracePeriodSeconds: fate.gracePeriodSeconds });
        return;
    }
  }

  private evict(resource: "memory" | "ephemeral-storage"): void {
    const main = this.regulars()[0]?.spec.name ?? "app";
    const message = evictionMessage(resource, main, this.host.rng);
    this.host.recorder.record(this.ref(), this.kubeletSource(), "Warning", "Evicted", message);
    this.stopContainers(() => {
      const now = this.now();
      for (const c of this.containers) c.status.ready = false;
      this.model.extraConditions = [{ type: "DisruptionTarget", status: "True", reason: "TerminationByKubelet", message }];
      this.finish({ phase: "Failed", reason: "Evicted", message }, now);
      this.writeStatus();
      // The runtime's view of the killed containers reaches the API one sync later, and from then on kubectl shows
      // their reason (Error) rather than Evicted, as real clusters since 1.22 do (kubernetes/kubernetes#105467).
      this.after(TIMING.pleg, () =>
        this.guard(() => {
          // Hard eviction kills at once: SIGKILL, exit 137.
          for (const c of this.containers) if (c.activity === "running" || c.activity === "stopping") this.terminate(c, 137, "Error", this.now());
          this.writeStatus();
        }),
      );
      if (this.removeWhenStopped) this.after(TIMING.remove, () => this.guard(() => this.removeNow()));
    }, 0);
    this.retire();
  }

  /** The node stops reporting: the kubelet is gone, and the node controller takes over. */
  private loseNode(): void {
    this.cancelEverything();
    this.state = "lost";
    this.after(TIMING.nodeMonitorGrace, () =>
      this.guard(() => {
        const pod = this.current();
        if (pod === undefined) return;
        this.host.recorder.record(this.ref(), { component: "node-controller" }, "Warning", "NodeNotReady", "Node is not ready");
        // MarkPodsNotReady flips only the Ready condition; ContainersReady stays as the kubelet last wrote it.
        const status = structuredClone((pod.status ?? {}) as PodStatus);
        status.conditions = (status.conditions ?? []).map((cond: PodCondition) => (cond.type === "Ready" && cond.status !== "False" ? { ...cond, status: "False", lastTransitionTime: rfc3339(this.now()) } : cond));
        this.host.store.replace("pods", { ...pod, status });
        this.after(TIMING.unreachableToleration, () => this.guard(() => this.evictFromLostNode()));
      }),
    );
  }

  private evictFromLostNode(): void {
    const pod = this.current();
    if (pod === undefined) return;
    this.host.recorder.record(this.ref(), { component: "taint-eviction-controller" }, "Normal", "TaintManagerEviction", `Marking for deletion Pod ${this.namespace}/${this.name}`);
    const status = { ...(pod.status as PodStatus), reason: "NodeLost", message: `Node ${this.node.name} which was running pod ${this.name} is unresponsive` };
    this.host.store.replace("pods", { ...pod, status });
    this.retire();
    this.host.store.delete("pods", this.namespace, this.name, { gracePeriodSeconds: 30 });
    if (this.state === "gone") return;
    // Nobody on the dead node confirms the deletion; pod GC force-deletes once the node object is removed.
    this.after(TIMING.lostPodGc, () =>
      this.guard(() => {
        this.host.store.remove("pods", this.namespace, this.name);
        this.vanished();
      }),
    );
  }

  private beginTermination(): void {
    if (this.state === "gone" || this.state === "lost") return;
    if (this.state === "terminating") {
      this.removeWhenStopped = true;
      return;
    }
    this.retire();
    const pod = this.current();
    if (pod === undefined) return;
    if (this.state === "new" || !this.model.admitted) {
      // Nothing runs yet, so nothing needs to stop.
      this.removeNow();
      return;
    }
    if (this.state === "terminal") {
      this.cancelEverything();
      this.after(TIMING.remove, () => this.guard(() => this.removeNow()));
      return;
    }
    const grace = pod.metadata?.deletionGracePeriodSeconds ?? Number((pod.spec as { terminationGracePeriodSeconds?: number } | undefined)?.terminationGracePeriodSeconds ?? 30);
    this.stopContainers(() => {
      const now = this.now();
      for (const c of this.containers) if (c.activity === "running" || c.activity === "stopping") this.terminate(c, grace > 0 ? 0 : 137, grace > 0 ? "Completed" : "Error", now);
      const ok = this.regulars().every((c) => c.status.state?.terminated?.exitCode === 0);
      this.finish({ phase: ok ? "Succeeded" : "Failed" }, now);
      this.writeStatus();
      this.after(TIMING.remove, () => this.guard(() => this.removeNow()));
    }, Math.min(TIMING.stop, grace * 1000));
  }

  /** Sends every running container the stop signal, then calls `done` after `afterMs`. */
  private stopContainers(done: () => void, afterMs: number): void {
    this.cancelEverything();
    this.state = "terminating";
    for (const c of this.containers) {
      if (c.activity !== "running" && c.activity !== "stopping") continue;
      this.event(c, "Normal", "Killing", `Stopping container ${c.spec.name}`);
      c.activity = "stopping";
    }
    this.after(afterMs, () => this.guard(done));
  }

  private terminate(c: SimContainer, exitCode: number, reason: string, now: number): void {
    c.timers.cancelAll();
    c.activity = "exited";
    c.finishedAt = now;
    const terminated = { exitCode, reason, startedAt: rfc3339(c.startedAt), finishedAt: rfc3339(now), containerID: c.status.containerID };
    c.lastTerminated = terminated;
    c.status.state = { terminated };
    c.status.ready = false;
    c.status.started = false;
  }

  /**
   * The status manager's last word: a grace-0 delete guarded by the pod's uid (kubelet 1.32 status_manager.go), which
   * the server answers with MODIFIED (deletionTimestamp moved to now) and then DELETED.
   */
  private removeNow(): void {
    if (this.current() === undefined) return;
    this.host.store.delete("pods", this.namespace, this.name, { gracePeriodSeconds: 0, preconditions: { uid: this.uid } });
    this.vanished();
  }

  // ---- plumbing ----

  private shouldRestart(c: SimContainer): boolean {
    const code = c.status.state?.terminated?.exitCode ?? c.lastTerminated?.exitCode ?? 0;
    if (c.kind === "init" && code === 0) return false;
    if (this.model.restartPolicy === "Always") return true;
    if (this.model.restartPolicy === "OnFailure") return code !== 0;
    return false;
  }

  /** The pod as stored now, or undefined (and the worker wound up) when it is gone or was replaced. */
  private current(): KubeObject | undefined {
    const pod = this.host.store.get("pods", this.namespace, this.name);
    if (pod === undefined || pod.metadata?.uid !== this.uid) {
      this.vanished();
      return undefined;
    }
    return pod;
  }

  /** The status manager: write only when something besides nothing changed. */
  private writeStatus(): void {
    const pod = this.current();
    if (pod === undefined) return;
    const status = renderPodStatus(this.model, pod.status as PodStatus | undefined, this.now());
    if (JSON.stringify(status) === JSON.stringify(pod.status)) return;
    this.host.store.replace("pods", { ...pod, status });
  }

  /** A pod-level timer; none are started once the worker is gone, so nothing outlives it. */
  private after(delayMs: number, fn: () => void): void {
    if (this.state === "gone") return;
    this.timers.after(delayMs, fn);
  }

  private scheduleSync(delayMs: number): void {
    if (this.state !== "active") return;
    const at = this.now() + Math.max(0, delayMs);
    if (this.syncCancel !== undefined && this.syncAt <= at) return;
    this.cancelSync();
    this.syncAt = at;
    this.syncCancel = this.host.clock.schedule(() => {
      this.syncCancel = undefined;
      this.syncAt = Infinity;
      this.guard(() => this.sync());
    }, delayMs);
  }

  private cancelSync(): void {
    this.syncCancel?.();
    this.syncCancel = undefined;
    this.syncAt = Infinity;
  }

  private cancelEverything(): void {
    this.cancelSync();
    this.timers.cancelAll();
    for (const c of this.containers) c.timers.cancelAll();
  }

  private retire(): void {
    if (this.retired) return;
    this.retired = true;
    this.hooks.onRetired?.(this);
  }

  private guard(fn: () => void): void {
    if (this.state === "gone") return;
    try {
      fn();
    } catch (err) {
      this.host.onError(new Error(`simulated kubelet: pod ${this.namespace}/${this.name}`, { cause: err }));
    }
  }

  private event(c: SimContainer, type: EventType, reason: string, message: string): void {
    const fieldPath = `spec.${c.kind === "init" ? "initContainers" : "containers"}{${c.spec.name}}`;
    this.host.recorder.record(this.ref(), this.kubeletSource(), type, reason, message, fieldPath);
  }

  private kubeletSource(): { component: string; host: string } {
    return { component: "kubelet", host: this.node.name };
  }

  private ref(): PodRef {
    return { namespace: this.namespace, name: this.name, uid: this.uid };
  }

  /** format.Pod: how the kubelet names a pod in messages. */
  private podDesc(): string {
    return `${this.name}_${this.namespace}(${this.uid})`;
  }

  private now(): number {
    return this.host.clock.now();
  }

  private inits(): SimContainer[] {
    return this.containers.filter((c) => c.kind === "init");
  }

  private regulars(): SimContainer[] {
    return this.containers.filter((c) => c.kind === "regular");
  }

  private newContainer(kind: SimContainer["kind"], spec: ContainerSpecJson, behaviour: PodBehaviour): SimContainer {
    const b = behaviour.containers[spec.name];
    if (b === undefined) throw new Error(`scenario has no behaviour for container ${spec.name}`);
    const hasInits = ((this.pod.spec as { initContainers?: unknown[] } | undefined)?.initContainers ?? []).length > 0;
    return {
      kind,
      spec,
      behaviour: b,
      status: {
        name: spec.name,
        image: runtimeImage(spec.image),
        imageID: "",
        ready: false,
        restartCount: 0,
        started: false,
        state: { waiting: { reason: hasInits ? "PodInitializing" : "ContainerCreating" } },
        lastState: {},
      },
      activity: "idle",
      imagePresent: false,
      pullAttempts: 0,
      runs: 0,
      startedAt: 0,
      finishedAt: 0,
      timers: new TimerGroup(this.host.clock),
      probes: freshProbes(),
    };
  }
}

function succeeded(c: SimContainer): boolean {
  return c.activity === "exited" && c.status.state?.terminated?.exitCode === 0;
}

function freshProbes(): SimContainer["probes"] {
  return { liveness: { failures: 0, successes: 0, runs: 0 }, readiness: { failures: 0, successes: 0, runs: 0 }, startup: { failures: 0, successes: 0, runs: 0 } };
}

function probeSpec(spec: ContainerSpecJson, kind: ProbeKind): ProbeSpec | undefined {
  if (kind === "liveness") return spec.livenessProbe;
  if (kind === "readiness") return spec.readinessProbe;
  return spec.startupProbe;
}

/** The eviction manager's message, trailing space included, as in real clusters. */
export function evictionMessage(resource: "memory" | "ephemeral-storage", container: string, rng: Rng): string {
  if (resource === "memory") {
    return `The node was low on resource: memory. Threshold quantity: 100Mi, available: ${rng.int(60_000, 99_000)}Ki. Container ${container} was using ${rng.int(400_000, 900_000)}Ki, request is 128Mi, has larger consumption of memory. `;
  }
  return `The node was low on resource: ephemeral-storage. Threshold quantity: 2146223340, available: ${rng.int(1_000_000, 2_000_000)}Ki. Container ${container} was using ${rng.int(3_000_000, 9_000_000)}Ki, request is 0, has larger consumption of ephemeral-storage. `;
}
