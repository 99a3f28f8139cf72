// Pods created through the API (kubectl run / apply) and run by the simulated kubelet: scheduled, given a status,
// running the scenario their annotation names on their own containers; an unknown name is a Warning event and a
// healthy run; a pod bound to a node nobody runs is pod-GC'd; without `adopt` nothing is taken over.
import { ManualClock, SCENARIO_ANNOTATION, startKubelet, type Kubelet } from "../../../src/sim/kubelet/index.js";
import { ResourceRegistry } from "../../../src/sim/resources.js";
import { RestApi } from "../../../src/sim/rest.js";
import type { MemoryStore } from "../../../src/sim/store.js";
import type { KubeObject, StoreEvent } from "../../../src/sim/types.js";
import { derivePodStatus } from "../../../src/status/index.js";
import type { Pod } from "../../../src/status/types.js";
import { newStore } from "./helpers.js";

interface Setup {
  clock: ManualClock;
  store: MemoryStore;
  kubelet: Kubelet;
  /** Creates a pod as the API server does for `kubectl apply` (status reset to Pending with its QoS class). */
  create(name: string, spec: object, annotations?: Record<string, string>): KubeObject;
  status(name: string): string;
  run(ms: number): void;
  events(name: string, reason: string): KubeObject[];
}

let setups: Setup[] = [];

function setup(options: { adopt?: boolean } = {}): Setup {
  const clock = new ManualClock();
  const store = newStore(clock);
  const rest = new RestApi(store);
  const registry = new ResourceRegistry();
  store.create("namespaces", { metadata: { name: "default" } });
  const kubelet = startKubelet(store, { scenario: "healthy", pods: 0, clock, adopt: options.adopt ?? true });
  const s: Setup = {
    clock,
    store,
    kubelet,
    create: (name, spec, annotations) =>
      rest.create({ info: registry.get("pods")!, version: "v1", namespace: "default", name: undefined, subresource: undefined }, { metadata: { name, annotations }, spec }, false),
    status: (name) => {
      const pod = store.get("pods", "default", name);
      return pod === undefined ? "<gone>" : derivePodStatus(pod as Pod, new Date(clock.now())).status;
    },
    run: (ms) => {
      for (let t = 0; t < ms; t += 500) clock.advance(Math.min(500, ms - t));
    },
    events: (name, reason) => store.list("events", "default").filter((e) => (e.involvedObject as { name?: string }).name === name && e.reason === reason),
  };
  setups.push(s);
  return s;
}

afterEach(() => {
  for (const s of setups) s.kubelet.stop();
  setups = [];
});

const busybox = (name: string): object => ({ containers: [{ name, image: "busybox" }], restartPolicy: "Always" });

test("kubectl run --annotations=sim.podhealth.io/scenario=crashloop: scheduled, its own container crash-loops", () => {
  const s = setup();
  s.create("crashy", busybox("crashy"), { [SCENARIO_ANNOTATION]: "crashloop" });
  expect(s.status("crashy")).toBe("Pending");
  s.run(30_000);
  const pod = s.store.get("pods", "default", "crashy")!;
  expect((pod.spec as { nodeName?: string }).nodeName).toMatch(/^sim-node-\d$/);
  expect(s.status("crashy")).toBe("CrashLoopBackOff");
  expect(s.events("crashy", "Scheduled")).toHaveLength(1);
  expect(s.events("crashy", "Pulling")[0].message).toBe('Pulling image "busybox"');
  expect(s.events("crashy", "BackOff")[0].message).toContain("Back-off restarting failed container crashy in pod crashy_default");
  expect(s.kubelet.pods()).toEqual([expect.objectContaining({ name: "crashy", scenario: "crashloop" })]);
});

test("no annotation runs healthy; an unknown scenario is a Warning event on the pod and runs healthy", () => {
  const s = setup();
  s.create("plain", busybox("app"));
  s.create("odd", busybox("app"), { [SCENARIO_ANNOTATION]: "bogus" });
  s.run(20_000);
  expect(s.status("plain")).toBe("Running");
  expect(s.status("odd")).toBe("Running");
  expect(s.events("plain", "UnknownScenario")).toHaveLength(0);
  const [warning] = s.events("odd", "UnknownScenario");
  expect(warning).toMatchObject({ type: "Warning", source: { component: "sim-kubelet" } });
  expect(warning.message).toContain('unknown scenario "bogus"');
});

test("image-pull-backoff names the pod's own image; init-failure fails its first init container, or warns when it has none", () => {
  const s = setup();
  s.create("pull", { containers: [{ name: "app", image: "registry.example.com/team/app:9.9" }] }, { [SCENARIO_ANNOTATION]: "image-pull-backoff" });
  s.create("init", { initContainers: [{ name: "migrate", image: "busybox" }], containers: [{ name: "app", image: "nginx" }] }, { [SCENARIO_ANNOTATION]: "init-failure" });
  s.create("noinit", busybox("app"), { [SCENARIO_ANNOTATION]: "init-failure" });
  s.run(60_000);
  expect(s.status("pull")).toMatch(/^(ErrImagePull|ImagePullBackOff)$/);
  expect(s.events("pull", "Failed")[0].message).toContain('failed to resolve reference "registry.example.com/team/app:9.9"');
  expect(s.status("init")).toMatch(/^Init:(Error|CrashLoopBackOff)$/);
  expect(s.status("noinit")).toBe("Running");
  expect(s.events("noinit", "UnknownScenario")[0].message).toContain("has none");
});

test("a user's delete is carried out by the kubelet: Terminating, then gone", () => {
  const s = setup();
  s.create("web", busybox("app"));
  s.run(15_000);
  s.store.delete("pods", "default", "web");
  expect(s.status("web")).toBe("Terminating");
  s.run(5000);
  expect(s.status("web")).toBe("<gone>");
  expect(s.kubelet.pods()).toEqual([]);
});

test("a pod bound to a node nobody runs stays Pending, then pod GC fails and force-deletes it after 40 s", () => {
  const s = setup();
  const seen: StoreEvent[] = [];
  s.store.subscribe((ev) => {
    if (ev.resource === "pods") seen.push(ev);
  });
  s.create("pinned", { nodeName: "node-1", containers: [{ name: "app", image: "nginx" }] });
  s.run(39_000);
  expect(s.status("pinned")).toBe("Pending");
  s.run(2000);
  expect(s.status("pinned")).toBe("<gone>");
  const last = seen.slice(-3);
  expect(last.map((e) => e.type)).toEqual(["MODIFIED", "MODIFIED", "DELETED"]);
  expect(last[0].object.status).toMatchObject({ phase: "Failed", conditions: [expect.objectContaining({ type: "DisruptionTarget", reason: "DeletionByPodGC" })] });
});

test("pods stored before the kubelet starts are adopted; without adopt, pods created through the API are left alone", () => {
  const s = setup({ adopt: false });
  s.create("early", busybox("app"));
  s.run(10_000);
  expect(s.status("early")).toBe("Pending");
  expect(s.kubelet.pods()).toEqual([]);
  const late = startKubelet(s.store, { scenario: "healthy", pods: 0, clock: s.clock, adopt: true });
  try {
    s.run(15_000);
    expect(s.status("early")).toBe("Running");
    expect(late.pods().map((p) => p.name)).toEqual(["early"]);
  } finally {
    late.stop();
  }
});
