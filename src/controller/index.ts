// The controller's public surface: what the CLI, the metrics and HTTP modules and tests use.
export { Controller, type ControllerConfig, type ControllerOptions } from "./controller.js";
export { ControllerStats, DURATION_BUCKETS, type Histogram, type QueueDepth, type ReconcileResult } from "./stats.js";
export { classifyError, type ClassifiedError, type ErrorClass } from "./errors.js";
export { KubeHttp, collectionSource, type KubeApi, type KubeHttpOptions } from "./kube.js";
export { LeaderElector, leaseClient, type LeaseClient } from "./leader.js";
export { PodStates, isCrashLooping, PROBE_NAMES, type ContainerState, type PodState, type ProbeName } from "./pod-states.js";
export { WorkQueue, DelayedAdds, backoffDelay, type BackoffOptions } from "./queue.js";
export { Reflector, type ListWatchSource, type RestartReason } from "./reflector.js";
export { reportApi, type ReportApi } from "./report-api.js";
export { fnv1a32, ownsKey, shardOf, type Shard } from "./shard.js";
export { realScheduler, type Scheduler } from "./scheduler.js";
export { loadKubeConfig, runCommand, type RunIO } from "./run.js";
