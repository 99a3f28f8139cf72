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
  | { kind: "flap"; upMs: number; downMs: number; failure: ProbeFailure }
  /** Fails one probe once every `everyMs` (the first probe at or after each multiple of it since start). */
  | { kind: "fail-every"; everyMs: number; failure: ProbeFailure }
  /** An exec probe whose n-th run (from 0) fails with `outputs[n]`; passes once the outputs are used up. */
  | { kind: "outputs"; outputs: readonly string[] };

/** The ways a probe fails: HTTP ones rendered with the kubelet's own wording, an exec probe's output as it is. */
export type ProbeFailure = { kind: "status"; code: number } | { kind: "refused" } | { kind: "timeout" } | { kind: "exec"; output: string };

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

/** Which probe run this is: when since the container started, the probe's period, and how many ran before. */
export interface ProbeRun {
  sinceStartMs: number;
  periodMs: number;
  /** Runs of this probe earlier in the same container run (0 for the first). */
  attempt: number;
}

/** The failure output of one probe run, or undefined when it passes. */
export function probeOutcome(script: ProbeScript, run: ProbeRun): ProbeFailure | undefined {
  const sinceStartMs = run.sinceStartMs;
  switch (script.kind) {
    case "pass":
      return undefined;
    case "fail":
      return script.failure;
    case "fail-after":
      return sinceStartMs >= script.afterMs ? script.failure : undefined;
    case "flap":
      return sinceStartMs % (script.upMs + script.downMs) >= script.upMs ? script.failure : undefined;
    case "fail-every": {
      // A multiple of everyMs in (previous run, this run]: this is the first run at or after it.
      const k = Math.floor(sinceStartMs / script.everyMs);
      return k >= 1 && sinceStartMs - run.periodMs < k * script.everyMs ? script.failure : undefined;
    }
    case "outputs":
      return run.attempt < script.outputs.length ? { kind: "exec", output: script.outputs[run.attempt] } : undefined;
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
    case "exec":
      // pkg/probe/exec: the command's combined stdout and stderr, trailing newline and all.
      return failure.output;
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
