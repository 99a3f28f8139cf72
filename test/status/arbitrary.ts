// Arbitrary partial pods for property tests: missing fields, nulls and values of the wrong type, in the shapes the
// status engine reads (the derive properties and the cache's slimming use the same ones).
import fc from "fast-check";

/** Text with line breaks, controls and odd spaces, which no message may carry through. */
export const text = fc.string({ unit: fc.constantFrom("a", "Z", "-", " ", "\n", "\t", "\r", "\u2028", "\x00", "\x85", "é", '"'), maxLength: 12 });

/** Anything a field might wrongly hold. */
export const odd = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  text,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.array(fc.anything({ maxDepth: 1 }), { maxLength: 2 }),
  fc.object({ maxDepth: 1 }),
);

/** Usually a value of the right shape, sometimes anything else. */
function maybe<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 4, arbitrary: arb }, { weight: 1, arbitrary: odd });
}

function partial(model: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(model, { requiredKeys: [] });
}

const list = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<unknown> => maybe(fc.array(maybe(arb), { maxLength: 4 }));

// A few names, so that specs and statuses match, miss and repeat.
const name = fc.oneof({ weight: 4, arbitrary: fc.constantFrom("a", "b", "proxy", "init", "") }, { weight: 1, arbitrary: text });
const timestamp = fc.oneof(
  fc.integer({ min: Date.parse("2024-01-01T00:00:00Z"), max: Date.parse("2025-03-02T00:00:00Z") }).map((ms) => new Date(ms).toISOString()),
  fc.constantFrom("0001-01-01T00:00:00Z", "not-a-time", ""),
  text,
);
const reason = fc.oneof(
  fc.constantFrom(
    "CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "ContainerCreating", "PodInitializing", "Completed", "Error",
    "OOMKilled", "CreateContainerConfigError", "InvalidImageName", "", "Evicted", "NodeLost", "Unschedulable",
  ),
  text,
);
const count = fc.oneof(fc.nat({ max: 50 }), fc.integer(), fc.double(), fc.constant(Number.MAX_VALUE));

const terminated = partial({ exitCode: maybe(count), signal: maybe(count), reason: maybe(reason), message: maybe(text), finishedAt: maybe(timestamp) });
const state = partial({
  waiting: maybe(partial({ reason: maybe(reason), message: maybe(text) })),
  running: maybe(partial({ startedAt: maybe(timestamp) })),
  terminated: maybe(terminated),
});
const containerStatus = partial({
  name: maybe(name),
  image: maybe(fc.oneof(fc.constantFrom("nginx", "ghcr.io/a/b:1", ""), text)),
  ready: maybe(fc.boolean()),
  started: maybe(fc.boolean()),
  restartCount: maybe(count),
  state: maybe(state),
  lastState: maybe(state),
});
const containerSpec = partial({
  name: maybe(name),
  image: maybe(fc.oneof(fc.constantFrom("nginx", "ghcr.io/a/b:1", "localhost:5000/x"), text)),
  restartPolicy: maybe(fc.constantFrom("Always", "Never")),
  resources: maybe(fc.record({ limits: maybe(fc.record({ memory: maybe(fc.oneof(fc.constantFrom("128Mi", "1Gi"), text)) })) })),
  readinessProbe: maybe(fc.record({ httpGet: maybe(fc.record({ port: maybe(fc.oneof(fc.nat(), text)), path: maybe(text), host: maybe(text) })) })),
  startupProbe: maybe(fc.record({ exec: maybe(fc.record({ command: maybe(fc.array(text, { maxLength: 2 })) })) })),
  env: list(fc.record({ valueFrom: maybe(fc.record({ secretKeyRef: maybe(fc.record({ name: maybe(text) })) })) })),
});
const condition = partial({
  type: maybe(fc.constantFrom("Ready", "Initialized", "PodScheduled", "ContainersReady")),
  status: maybe(fc.constantFrom("True", "False", "Unknown")),
  reason: maybe(fc.oneof(fc.constantFrom("Unschedulable", "SchedulingGated", ""), text)),
  message: maybe(text),
});

export const arbitraryPod = partial({
  metadata: maybe(
    partial({
      name: maybe(text),
      namespace: maybe(text),
      creationTimestamp: maybe(timestamp),
      deletionTimestamp: maybe(timestamp),
      finalizers: maybe(fc.array(fc.oneof(odd, text), { maxLength: 2 })),
    }),
  ),
  spec: maybe(
    partial({
      containers: list(containerSpec),
      initContainers: list(containerSpec),
      nodeName: maybe(fc.oneof(fc.constantFrom("node-1", ""), text)),
      readinessGates: list(fc.record({ conditionType: maybe(fc.oneof(fc.constant("gate"), text)) })),
      imagePullSecrets: list(fc.record({ name: maybe(text) })),
      schedulingGates: list(fc.record({ name: maybe(text) })),
    }),
  ),
  status: maybe(
    partial({
      phase: maybe(fc.oneof({ weight: 5, arbitrary: fc.constantFrom("Pending", "Running", "Succeeded", "Failed", "Unknown", "") }, { weight: 1, arbitrary: text })),
      reason: maybe(reason),
      message: maybe(text),
      conditions: list(condition),
      initContainerStatuses: list(containerStatus),
      containerStatuses: list(containerStatus),
    }),
  ),
});
