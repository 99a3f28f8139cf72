// What the software inside a simulated container does: whether its image pulls, how each run ends, and how it
// answers each probe. The kubelet model (pod-worker.ts) reacts to this exactly as the real kubelet reacts to a real
// process, so a scenario is nothing but a behaviour plus a pod spec.

/** How a probe endpoint answers, as a function of time since the container started. */
export type ProbeScript =
  | { kind: "pass" }
  /** Fails from the first probe on. */
  | { kind: "fail"; failure: ProbeFailure }
  /** Passes until `afterMs` after start, then fails (an app that deadlocks). */
  | { kind: "fail-after"; afterMs: number; failure: ProbeFailure }
  /** Passes for `upMs`, fails for `downMs`, and so on (an app that sheds load). */
  | { kind: "flap"; upMs: number; downMs: number; failure: ProbeFailure };

/** The ways an HTTP probe fails, each rendered with the kubelet's own wording. */
export type ProbeFailure = { kind: "status"; code: number } | { kind: "refused" } | { kind: "timeout" };

export interface ContainerBehaviour {
  /** Simulated time an image pull takes. */
  pullMs: number;
  /** Pull attempts that fail before one succeeds; Infinity for an image that does not exist. */
  pullFailures: number;
  /** The container runtime's error for a failed pull. */
  pullError?: string;
  /** Runs that end in failure before the container behaves; Infinity for a container that always fails. */
  failingRuns: number;
  /** How long a failing run lasts, and how it ends. */
  failAfterMs: number;
  failExitCode: number;
  failReason: "Error" | "OOMKilled";
  /** A run that does not fail finishes with exit 0 after this long; undefined means it serves until stopped. */
  completeAfterMs?: number;
  liveness: ProbeScript;
  readiness: ProbeScript;
  startup: ProbeScript;
}

/** Something that happens to the whole pod once it is running. */
export type PodFate =
  | { kind: "evict"; afterMs: number; resource: "memory" | "ephemeral-storage" }
  | { kind: "node-lost"; afterMs: number }
  | { kind: "delete"; afterMs: number; gracePeriodSeconds: number };

export interface PodBehaviour {
  /** Keyed by container name; init and regular containers share the namespace, as in the API. */
  containers: Record<string, ContainerBehaviour>;
  fate?: PodFate;
}

export const PASS: ProbeScript = { kind: "pass" };

export function healthyContainer(overrides: Partial<ContainerBehaviour> = {}): ContainerBehaviour {
  return {
    pullMs: 2500,
    pullFailures: 0,
    failingRuns: 0,
    failAfterMs: 0,
    failExitCode: 1,
    failReason: "Error",
    liveness: PASS,
    readiness: PASS,
    startup: PASS,
    ...overrides,
  };
}

/**
 * The failure output of a probe at `sinceStartMs` after its container started, or undefined when it passes.
 */
export function probeOutcome(script: ProbeScript, sinceStartMs: number): ProbeFailure | undefined {
  switch (script.kind) {
    case "pass":
      return undefined;
    case "fail":
      return script.failure;
    case "fail-after":
      return sinceStartMs >= script.afterMs ? script.failure : undefined;
    case "flap":
      return sinceStartMs % (script.upMs + script.downMs) >= script.upMs ? script.failure : undefined;
  }
}

/** The probe result text the kubelet puts after "Liveness probe failed: ". */
export function probeFailureText(failure: ProbeFailure, target: { podIP: string; port: number | string; path: string; scheme: string }): string {
  const url = `${target.scheme.toLowerCase()}://${target.podIP}:${target.port}${target.path}`;
  switch (failure.kind) {
    case "status":
      return `HTTP probe failed with statuscode: ${failure.code}`;
    case "refused":
      return `Get "${url}": dial tcp ${target.podIP}:${target.port}: connect: connection refused`;
    case "timeout":
      return `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`;
  }
}

/** Makes a container behave from its next pull, run or probe on: what fixing the deployment looks like. */
export function recovered(b: ContainerBehaviour, pullAttempts: number, runs: number): ContainerBehaviour {
  return {
    ...b,
    pullFailures: Math.min(b.pullFailures, pullAttempts),
    failingRuns: Math.min(b.failingRuns, runs),
    liveness: PASS,
    readiness: PASS,
    startup: PASS,
  };
}
