// The shapes the status engine reads (a Pod as the API server sends it, as plain JSON) and the result it derives.
// Every field of the input is optional: the engine must cope with pods that have missing or empty fields.

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{ apiVersion?: string; kind?: string; name?: string; uid?: string; controller?: boolean }>;
  finalizers?: string[];
}

export interface Probe {
  httpGet?: { path?: string; port?: number | string; scheme?: string; host?: string };
  tcpSocket?: { port?: number | string; host?: string };
  grpc?: { port?: number; service?: string };
  exec?: { command?: string[] };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
}

export interface ContainerSpec {
  name?: string;
  image?: string;
  restartPolicy?: string;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { postStart?: unknown; preStop?: unknown };
  resources?: unknown;
}

export interface PodSpec {
  nodeName?: string;
  initContainers?: ContainerSpec[];
  containers?: ContainerSpec[];
  restartPolicy?: string;
  schedulingGates?: Array<{ name?: string }>;
  [key: string]: unknown;
}

export interface ContainerStateWaiting { reason?: string; message?: string }
export interface ContainerStateRunning { startedAt?: string }
export interface ContainerStateTerminated {
  reason?: string;
  message?: string;
  exitCode?: number;
  signal?: number;
  startedAt?: string;
  finishedAt?: string;
}
export interface ContainerState {
  waiting?: ContainerStateWaiting;
  running?: ContainerStateRunning;
  terminated?: ContainerStateTerminated;
}

export interface ContainerStatus {
  name?: string;
  image?: string;
  imageID?: string;
  containerID?: string;
  ready?: boolean;
  started?: boolean;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
}

export interface PodCondition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastProbeTime?: string | null;
}

export interface PodStatus {
  phase?: string;
  reason?: string;
  message?: string;
  conditions?: PodCondition[];
  initContainerStatuses?: ContainerStatus[];
  containerStatuses?: ContainerStatus[];
  ephemeralContainerStatuses?: ContainerStatus[];
  qosClass?: string;
  resize?: string;
  hostIP?: string;
  podIP?: string;
  startTime?: string;
  nominatedNodeName?: string;
}

export interface Pod {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: PodSpec;
  status?: PodStatus;
}

export type Health =
  | "Healthy"
  | "Progressing"
  | "Degraded"
  | "Unhealthy"
  | "Completed"
  | "Failed"
  | "Terminating"
  | "Unknown";

export type ContainerKind = "init" | "sidecar" | "regular";
export type ContainerStateName = "waiting" | "running" | "terminated" | "unknown";

export interface LastTermination {
  reason: string | null;
  exitCode: number | null;
  finishedAt: string | null;
}

export interface ContainerSummary {
  name: string;
  kind: ContainerKind;
  state: ContainerStateName;
  reason: string | null;
  message: string | null;
  exitCode: number | null;
  signal: number | null;
  ready: boolean;
  started: boolean;
  restartCount: number;
  lastTermination: LastTermination | null;
  image: string | null;
}

export interface DerivedPodStatus {
  /** The STATUS column of `kubectl get pods`. */
  status: string;
  /** The READY column, `n/m`. */
  ready: string;
  readyCount: number;
  totalCount: number;
  /** The number in the RESTARTS column. */
  restarts: number;
  /** RFC3339 time of the newest restart kubectl counts, or null. */
  lastRestartTime: string | null;
  /** The RESTARTS column text, e.g. `4 (2m5s ago)`. */
  restartsText: string;
  phase: string;
  health: Health;
  /** The dominant cause, e.g. `CrashLoopBackOff`; null when there is nothing to say. */
  reason: string | null;
  /** One line naming the container and what to check; null when healthy. */
  message: string | null;
  containers: ContainerSummary[];
}

/** Options of derivePodStatus. */
export interface DeriveOptions {
  /** A running pod whose last restart is at most this old (ms) is Degraded; default ten minutes. */
  restartWindowMs?: number;
}
