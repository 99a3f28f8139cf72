// The scenario catalogue: for each name, the pod a controller would create (a realistic spec) and what the software
// in it does. Names are part of the CLI interface (`sim --scenario NAME`), so they only ever get added to.
import type { KubeObject } from "../types.js";
import { healthyContainer, type ContainerBehaviour, type PodBehaviour, type PodFate } from "./behaviour.js";
import type { Rng } from "./random.js";

export const POD_SCENARIOS = [
  "healthy",
  "image-pull-backoff",
  "crashloop",
  "liveness-failure",
  "readiness-flapping",
  "startup-never-passes",
  "init-failure",
  "oom-killed",
  "evicted",
  "node-lost",
  "completed",
  "deletion",
  "recovering",
  "rare-probe-failure",
  "probe-message-storm",
  "event-flood",
] as const;

export type PodScenario = (typeof POD_SCENARIOS)[number];

/**
 * Scenarios built to test event counting against what client-go's recorder really writes (TTL re-creation,
 * aggregation, spam filtering): one named pod each, run for simulated hours on a ManualClock. They are not part of
 * the `mixed` blend.
 */
export const EVENT_SCENARIOS = ["rare-probe-failure", "probe-message-storm", "event-flood"] as const satisfies readonly PodScenario[];

/** The scenarios the `mixed` blend draws from. */
export type BlendScenario = Exclude<PodScenario, (typeof EVENT_SCENARIOS)[number]>;

/** Every scenario name the kubelet accepts: one per pod behaviour, plus `mixed`, a blend of them over many pods. */
export const SCENARIOS = [...POD_SCENARIOS, "mixed"] as const;

export type ScenarioName = (typeof SCENARIOS)[number];

export const SCENARIO_DESCRIPTIONS: Record<ScenarioName, string> = {
  healthy: "scheduled, image pulled, container started; Running and Ready once the readiness probe passes",
  "image-pull-backoff": "the image tag does not exist: ErrImagePull and ImagePullBackOff alternate, back-off doubling to 5m",
  crashloop: "the app exits 1 three seconds after every start: CrashLoopBackOff, back-off 10s, 20s, 40s ... 5m",
  "liveness-failure": "the app deadlocks 30s after start: liveness probe returns 500, killed after 3 failures and restarted",
  "readiness-flapping": "readiness probe refuses connections 30s out of every 70s: Ready flips, Unhealthy events",
  "startup-never-passes": "startup probe answers 503 forever: killed after 3 failures, restarted with back-off",
  "init-failure": "init container exits 1 every run: Init:Error, then Init:CrashLoopBackOff",
  "oom-killed": "the app exceeds its memory limit 20s after start: OOMKilled (exit 137), restarted with back-off",
  evicted: "runs for a minute, then the kubelet evicts it under node memory or disk pressure: Failed/Evicted",
  "node-lost": "runs for a minute, then its node stops reporting: Ready False, then deletion with reason NodeLost",
  completed: "a Job pod whose container exits 0 after 15s: Completed, phase Succeeded",
  deletion: "runs for a minute, then is deleted with a 30s grace period: Terminating, then gone",
  recovering: "crash-loops three times, then starts serving: Running and Ready with 3 restarts",
  "rare-probe-failure":
    "the liveness probe fails once every 2h (below the threshold, no restart): one Unhealthy event that the 1h event TTL deletes in between and the kubelet re-creates under the same name with count + 1",
  "probe-message-storm":
    "an exec readiness probe fails 40 times, every 15s, cycling through 11 distinct outputs, then passes: client-go combines them into `(combined from similar events): ...` and its spam filter drops some",
  "event-flood": "an exec readiness probe fails 100 times, every 5s, each time with a different output, then passes: 100 distinct events for one pod",
  mixed: "a realistic blend over N pods in several namespaces, mostly healthy, with staggered starts and churn",
};

export function isScenario(name: string): name is ScenarioName {
  return (SCENARIOS as readonly string[]).includes(name);
}

/** Annotation naming the scenario a simulated pod runs, so tests and demos can tell pods apart. */
export const SCENARIO_ANNOTATION = "sim.podhealth.io/scenario";

export interface PodPlan {
  scenario: PodScenario;
  /** The pod as its controller would create it. */
  pod: KubeObject;
  behaviour: PodBehaviour;
}

export interface PlanOptions {
  namespace: string;
  name: string;
  /** The `app` label and the image's repository name; defaults to one fitting the scenario. */
  app?: string;
  owner?: { kind: "ReplicaSet" | "Job"; name: string; uid: string };
  /** Labels the owner stamps on its pods besides `app` (pod-template-hash, job-name). */
  labels?: Record<string, string>;
  /** Add an init container that completes (a migration), to vary healthy pods. */
  withInit?: boolean;
  /** When the scenario's fate (eviction, node loss, deletion) strikes after the sandbox is up; default 60 s. */
  fateAfterMs?: number;
}

/** The time a scenario's fate waits after the pod's sandbox is up. */
const FATE_AFTER_MS = 60_000;

/** The container runtime's error for an image that does not exist. */
export const NOT_FOUND = (image: string): string => {
  const ref = image.includes("/") && image.split("/")[0].includes(".") ? image : `docker.io/library/${image}`;
  return `rpc error: code = NotFound desc = failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`;
};

export function planPod(scenario: PodScenario, opts: PlanOptions, rng: Rng): PodPlan {
  const app = opts.app ?? DEFAULT_APPS[scenario];
  const image = `ghcr.io/acme/${app}:${rng.int(1, 3)}.${rng.int(0, 19)}.${rng.int(0, 9)}`;
  const app1 = (over: Partial<ContainerBehaviour> = {}): ContainerBehaviour => healthyContainer({ pullMs: rng.int(1500, 6000), ...over });
  let containers: KubeObject[] = [webContainer("app", image)];
  let initContainers: KubeObject[] = [];
  const behaviour: PodBehaviour = { containers: { app: app1() } };
  let restartPolicy = "Always";
  let fate: PodFate | undefined;
  const fateAfter = opts.fateAfterMs ?? FATE_AFTER_MS;

  switch (scenario) {
    case "healthy":
      break;
    case "image-pull-backoff": {
      const missing = `ghcr.io/acme/${app}:${rng.int(1, 3)}.${rng.int(0, 19)}.0-rc${rng.int(1, 4)}`;
      containers = [webContainer("app", missing)];
      behaviour.containers.app = app1({ pullMs: rng.int(800, 2000), pullFailures: Infinity, pullError: NOT_FOUND(missing) });
      break;
    }
    case "crashloop":
      behaviour.containers.app = app1({ failingRuns: Infinity, failAfterMs: 3000, failExitCode: 1, failReason: "Error" });
      break;
    case "recovering":
      behaviour.containers.app = app1({ failingRuns: 3, failAfterMs: 3000, failExitCode: 1, failReason: "Error" });
      break;
    case "liveness-failure":
      behaviour.containers.app = app1({ liveness: { kind: "fail-after", afterMs: 30_000, failure: { kind: "status", code: 500 } } });
      break;
    case "readiness-flapping":
      behaviour.containers.app = app1({ readiness: { kind: "flap", upMs: 40_000, downMs: 30_000, failure: { kind: "refused" } } });
      break;
    case "startup-never-passes":
      containers = [webContainer("app", image, { startup: true })];
      behaviour.containers.app = app1({ startup: { kind: "fail", failure: { kind: "status", code: 503 } } });
      break;
    case "init-failure":
      initContainers = [initContainer("init-db", "docker.io/library/postgres:16-alpine", "pg_isready -h postgres -p 5432 || exit 1")];
      behaviour.containers["init-db"] = healthyContainer({ pullMs: rng.int(800, 2000), failingRuns: Infinity, failAfterMs: 2000, failExitCode: 1, completeAfterMs: 2000 });
      break;
    case "oom-killed":
      containers = [webContainer("app", image, { memoryLimit: "128Mi" })];
      behaviour.containers.app = app1({ failingRuns: Infinity, failAfterMs: 20_000, failExitCode: 137, failReason: "OOMKilled" });
      break;
    case "evicted":
      fate = { kind: "evict", afterMs: fateAfter, resource: rng.next() < 0.5 ? "memory" : "ephemeral-storage" };
      break;
    case "node-lost":
      fate = { kind: "node-lost", afterMs: fateAfter };
      break;
    case "deletion":
      fate = { kind: "delete", afterMs: fateAfter, gracePeriodSeconds: 30 };
      break;
    case "rare-probe-failure":
      behaviour.containers.app = app1({ liveness: { kind: "fail-every", everyMs: RARE_FAILURE_EVERY_MS, failure: { kind: "status", code: 500 } } });
      break;
    case "probe-message-storm":
      containers = [webContainer("app", image, { execReadiness: { periodSeconds: 15 } })];
      behaviour.containers.app = app1({ readiness: { kind: "outputs", outputs: stormOutputs() } });
      break;
    case "event-flood":
      containers = [webContainer("app", image, { execReadiness: { periodSeconds: 5 } })];
      behaviour.containers.app = app1({ readiness: { kind: "outputs", outputs: floodOutputs() } });
      break;
    case "completed":
      restartPolicy = "Never";
      containers = [jobContainer("report", "ghcr.io/acme/nightly-report:2.3.0")];
      behaviour.containers = { report: healthyContainer({ pullMs: rng.int(1500, 4000), completeAfterMs: 15_000 }) };
      break;
  }
  if (opts.withInit && initContainers.length === 0) {
    initContainers = [initContainer("migrate", image, "./migrate --up")];
    behaviour.containers.migrate = healthyContainer({ pullMs: rng.int(800, 2000), completeAfterMs: 3000 });
  }
  if (fate !== undefined) behaviour.fate = fate;

  const spec: Record<string, unknown> = {
    ...(initContainers.length > 0 ? { initContainers } : {}),
    containers,
    restartPolicy,
    terminationGracePeriodSeconds: 30,
    dnsPolicy: "ClusterFirst",
    serviceAccountName: "default",
    serviceAccount: "default",
    securityContext: {},
    schedulerName: "default-scheduler",
    enableServiceLinks: true,
    priority: 0,
    preemptionPolicy: "PreemptLowerPriority",
    tolerations: [
      { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
      { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
    ],
  };
  const metadata: NonNullable<KubeObject["metadata"]> = {
    name: opts.name,
    namespace: opts.namespace,
    labels: { app, ...opts.labels },
    annotations: { [SCENARIO_ANNOTATION]: scenario },
  };
  if (opts.owner) metadata.ownerReferences = [{ apiVersion: opts.owner.kind === "Job" ? "batch/v1" : "apps/v1", kind: opts.owner.kind, name: opts.owner.name, uid: opts.owner.uid, controller: true, blockOwnerDeletion: true }];
  const pod: KubeObject = { apiVersion: "v1", kind: "Pod", metadata, spec, status: { phase: "Pending", qosClass: qosClass([...initContainers, ...containers]) } };
  return { scenario, pod, behaviour };
}

const DEFAULT_APPS: Record<PodScenario, string> = {
  healthy: "web",
  "image-pull-backoff": "frontend",
  crashloop: "api",
  "liveness-failure": "inventory",
  "readiness-flapping": "search",
  "startup-never-passes": "legacy-billing",
  "rare-probe-failure": "ledger",
  "probe-message-storm": "replica-db",
  "event-flood": "schema-migrator",
  "init-failure": "orders",
  "oom-killed": "image-resizer",
  evicted: "cache-warmer",
  "node-lost": "session-store",
  completed: "nightly-report",
  deletion: "canary",
  recovering: "cart",
};

/** rare-probe-failure: one liveness failure this often. */
export const RARE_FAILURE_EVERY_MS = 2 * 3_600_000;

/** probe-message-storm: 40 failures cycling through 11 distinct outputs (a replica lagging behind, then catching up). */
function stormOutputs(): string[] {
  const lags = [31, 34, 38, 45, 52, 61, 70, 84, 97, 113, 128];
  return Array.from({ length: 40 }, (_, i) => `replica lag ${lags[i % lags.length]}s exceeds the 30s limit\n`);
}

/** event-flood: 100 failures, each with its own output. */
function floodOutputs(): string[] {
  return Array.from({ length: 100 }, (_, i) => `waiting for schema migration ${i + 1} of 100 (20250106_${String(i + 1).padStart(3, "0")}_orders)\n`);
}

function execProbe(command: string[], initialDelaySeconds: number, periodSeconds: number, failureThreshold: number): Record<string, unknown> {
  return { exec: { command }, initialDelaySeconds, periodSeconds, timeoutSeconds: 1, successThreshold: 1, failureThreshold };
}

function httpProbe(path: string, initialDelaySeconds: number, periodSeconds: number, failureThreshold: number): Record<string, unknown> {
  return { httpGet: { path, port: 8080, scheme: "HTTP" }, initialDelaySeconds, periodSeconds, timeoutSeconds: 1, successThreshold: 1, failureThreshold };
}

function webContainer(name: string, image: string, opts: { startup?: boolean; memoryLimit?: string; execReadiness?: { periodSeconds: number } } = {}): KubeObject {
  return {
    name,
    image,
    imagePullPolicy: "IfNotPresent",
    ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: opts.memoryLimit ?? "256Mi" } },
    ...(opts.startup ? { startupProbe: httpProbe("/healthz", 0, 10, 3) } : {}),
    livenessProbe: httpProbe("/healthz", 10, 10, 3),
    readinessProbe: opts.execReadiness ? execProbe(["/bin/check-ready"], 0, opts.execReadiness.periodSeconds, 3) : httpProbe("/ready", 5, 5, 3),
    terminationMessagePath: "/dev/termination-log",
    terminationMessagePolicy: "File",
  };
}

function initContainer(name: string, image: string, script: string): KubeObject {
  return {
    name,
    image,
    imagePullPolicy: "IfNotPresent",
    command: ["sh", "-c", script],
    resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "64Mi" } },
    terminationMessagePath: "/dev/termination-log",
    terminationMessagePolicy: "File",
  };
}

function jobContainer(name: string, image: string): KubeObject {
  return {
    name,
    image,
    imagePullPolicy: "IfNotPresent",
    args: ["--since=24h"],
    resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "250m", memory: "256Mi" } },
    terminationMessagePath: "/dev/termination-log",
    terminationMessagePolicy: "FallbackToLogsOnError",
  };
}

/** The QoS class the API server assigns from the containers' requests and limits. */
export function qosClass(containers: KubeObject[]): string {
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const res = (c.resources ?? {}) as { requests?: Record<string, string>; limits?: Record<string, string> };
    const requests = res.requests ?? {};
    const limits = res.limits ?? {};
    if (Object.keys(requests).length > 0 || Object.keys(limits).length > 0) any = true;
    for (const r of ["cpu", "memory"]) {
      const limit = limits[r];
      // A request defaults to its limit, so only a missing limit or a differing request breaks Guaranteed.
      if (limit === undefined || (requests[r] !== undefined && requests[r] !== limit)) guaranteed = false;
    }
  }
  if (!any) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}
