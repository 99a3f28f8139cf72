// Shared set-up for the kubelet tests: the real in-memory store on a manual clock, and a recorder of the STATUS
// column `kubectl get pods` would show each time the pod changes.
import { MemoryStore } from "../../../src/sim/store.js";
import type { KubeObject } from "../../../src/sim/types.js";
import { ManualClock, runScenario, type Kubelet } from "../../../src/sim/kubelet/index.js";
import { derivePodStatus } from "../../../src/status/index.js";
import type { ContainerStatus, DerivedPodStatus, Pod, PodCondition, PodStatus } from "../../../src/status/types.js";

export interface Harness {
  clock: ManualClock;
  store: MemoryStore;
  kubelet: Kubelet;
  name: string;
  namespace: string;
  pod(): KubeObject | undefined;
  derived(): DerivedPodStatus;
  /** Every distinct STATUS the pod showed, in order (consecutive repeats collapsed). */
  statuses: string[];
  events(reason?: string): KubeObject[];
  /** Advances in small steps so that `statuses` catches short-lived states too. */
  run(ms: number): void;
  /**
   * Timers the kubelet still has pending. The store's own (the event TTL's) are the store's to cancel, so this
   * closes the store first: call it last.
   */
  kubeletTimers(): number;
}

export function newStore(clock: ManualClock): MemoryStore {
  // No automatic end of grace periods: with a kubelet running, it decides when a pod is gone, as in a cluster.
  return new MemoryStore({ clock, podGraceAuto: false });
}

export function harness(scenario: string, name = "web-1", namespace = "default"): Harness {
  const clock = new ManualClock();
  const store = newStore(clock);
  const statuses: string[] = [];
  const derive = (pod: KubeObject): DerivedPodStatus => derivePodStatus(pod as Pod, new Date(clock.now()));
  store.subscribe((ev) => {
    if (ev.resource !== "pods" || ev.object.metadata?.name !== name) return;
    const status = ev.type === "DELETED" ? "<gone>" : derive(ev.object).status;
    if (statuses[statuses.length - 1] !== status) statuses.push(status);
  });
  const kubelet = runScenario(store, clock, { scenario, name, namespace });
  const h: Harness = {
    clock,
    store,
    kubelet,
    name,
    namespace,
    statuses,
    pod: () => store.get("pods", namespace, name),
    derived: () => {
      const pod = h.pod();
      if (pod === undefined) throw new Error(`pod ${namespace}/${name} is gone`);
      return derive(pod);
    },
    events: (reason) => store.list("events", namespace).filter((e) => reason === undefined || e.reason === reason),
    run: (ms) => {
      for (let t = 0; t < ms; t += 500) clock.advance(Math.min(500, ms - t));
    },
    kubeletTimers: () => {
      store.close();
      return clock.pending();
    },
  };
  return h;
}

/** A pod's spec as the tests read it. */
export interface SpecView {
  nodeName?: string;
  restartPolicy?: string;
  containers: Array<{ name: string; image: string; resources?: { limits?: Record<string, string> } }>;
}

export function specOf(pod: KubeObject | undefined): SpecView {
  return (pod?.spec ?? { containers: [] }) as SpecView;
}

export function statusOf(pod: KubeObject | undefined): PodStatus {
  return (pod?.status ?? {}) as PodStatus;
}

/** The pod's first (or named) container status. */
export function containerStatus(pod: KubeObject | undefined, name?: string): ContainerStatus {
  const statuses = statusOf(pod).containerStatuses ?? [];
  const found = name === undefined ? statuses[0] : statuses.find((s) => s.name === name);
  if (found === undefined) throw new Error(`no container status ${name ?? "[0]"}`);
  return found;
}

export function condition(pod: KubeObject | undefined, type: string): PodCondition | undefined {
  return (statusOf(pod).conditions ?? []).find((c) => c.type === type);
}
