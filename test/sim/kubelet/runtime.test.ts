// Pure pieces: back-off arithmetic, Go duration text, image names, QoS classes, and the kubelet's phase rules.
import { nextBackoff, inBackoffSince, goDuration, runtimeImage, runtimeImageID } from "../../../src/sim/kubelet/runtime.js";
import { qosClass } from "../../../src/sim/kubelet/scenarios.js";
import { podPhase, type PodModel } from "../../../src/sim/kubelet/pod-status.js";
import type { ContainerStatus } from "../../../src/status/types.js";

describe("restart back-off (flowcontrol.Backoff as the kubelet uses it)", () => {
  test("doubles from 10s and caps at 5m", () => {
    let entry = nextBackoff(undefined, 0);
    const delays = [entry.delayMs];
    for (let i = 1; i < 9; i++) {
      entry = nextBackoff(entry, i * 1000);
      delays.push(entry.delayMs);
    }
    expect(delays.map((d) => d / 1000)).toEqual([10, 20, 40, 80, 160, 300, 300, 300, 300]);
  });

  test("starts over after twice the cap without an update", () => {
    const entry = nextBackoff(nextBackoff(nextBackoff(undefined, 0), 1000), 2000);
    expect(entry.delayMs).toBe(40_000);
    expect(nextBackoff(entry, 2000 + 600_000).delayMs).toBe(80_000);
    expect(nextBackoff(entry, 2000 + 600_001).delayMs).toBe(10_000);
  });

  test.each([
    ["no entry", undefined, 0, 1, false],
    ["inside the window", { delayMs: 20_000, lastUpdate: 0 }, 5000, 24_999, true],
    ["at its end", { delayMs: 20_000, lastUpdate: 0 }, 5000, 25_000, false],
    ["expired entry", { delayMs: 20_000, lastUpdate: 0 }, 600_001, 600_002, false],
  ])("inBackoffSince: %s", (_name, entry, eventTime, now, expected) => {
    expect(inBackoffSince(entry, eventTime, now)).toBe(expected);
  });
});

test.each([
  [0, "0s"],
  [812, "812ms"],
  [1000, "1s"],
  [2512, "2.512s"],
  [10_000, "10s"],
  [160_000, "2m40s"],
  [300_000, "5m0s"],
  [3_600_000, "1h0m0s"],
  [3_723_500, "1h2m3.5s"],
])("goDuration(%d) = %s", (ms, text) => {
  expect(goDuration(ms)).toBe(text);
});

test.each([
  ["nginx", "docker.io/library/nginx:latest", "docker.io/library/nginx@sha256:"],
  ["nginx:1.27", "docker.io/library/nginx:1.27", "docker.io/library/nginx@sha256:"],
  ["bitnami/redis:7.2", "docker.io/bitnami/redis:7.2", "docker.io/bitnami/redis@sha256:"],
  ["ghcr.io/acme/web:1.2.3", "ghcr.io/acme/web:1.2.3", "ghcr.io/acme/web@sha256:"],
  ["localhost:5000/app", "localhost:5000/app:latest", "localhost:5000/app@sha256:"],
])("runtimeImage(%s)", (image, ref, idPrefix) => {
  expect(runtimeImage(image)).toBe(ref);
  expect(runtimeImageID(image).startsWith(idPrefix)).toBe(true);
  expect(runtimeImageID(image)).toBe(runtimeImageID(image));
});

test.each([
  ["no resources", [{}], "BestEffort"],
  ["requests only", [{ resources: { requests: { cpu: "100m" } } }], "Burstable"],
  ["limits equal requests", [{ resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } } }], "Guaranteed"],
  ["limits only (requests default to them)", [{ resources: { limits: { cpu: "1", memory: "1Gi" } } }], "Guaranteed"],
  ["memory limit only", [{ resources: { limits: { memory: "1Gi" } } }], "Burstable"],
  ["one container short of Guaranteed", [{ resources: { limits: { cpu: "1", memory: "1Gi" } } }, {}], "Burstable"],
])("qosClass: %s", (_name, containers, expected) => {
  expect(qosClass(containers)).toBe(expected);
});

describe("podPhase (the kubelet's getPhase)", () => {
  const running: ContainerStatus = { state: { running: {} } };
  const waitingFresh: ContainerStatus = { state: { waiting: { reason: "ContainerCreating" } }, lastState: {} };
  const crashLooping: ContainerStatus = { state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { exitCode: 1 } } };
  const exited = (exitCode: number): ContainerStatus => ({ state: { terminated: { exitCode } } });
  const model = (containers: ContainerStatus[], extra: Partial<PodModel> = {}): PodModel => ({
    bound: true,
    admitted: true,
    sandboxReady: true,
    initialized: true,
    qosClass: "BestEffort",
    restartPolicy: "Always",
    initContainers: [],
    containers,
    extraConditions: [],
    ...extra,
  });

  test.each<[string, PodModel, string]>([
    ["not admitted", model([running], { admitted: false }), "Pending"],
    ["initializing", model([waitingFresh], { initialized: false }), "Pending"],
    ["never started", model([waitingFresh]), "Pending"],
    ["one running, one never started", model([running, waitingFresh]), "Pending"],
    ["crash-looping counts as started", model([crashLooping]), "Running"],
    ["running", model([running]), "Running"],
    ["all exited, Always", model([exited(0)]), "Running"],
    ["all exited 0, Never", model([exited(0)], { restartPolicy: "Never" }), "Succeeded"],
    ["one failed, Never", model([exited(0), exited(2)], { restartPolicy: "Never" }), "Failed"],
    ["one failed, OnFailure", model([exited(2)], { restartPolicy: "OnFailure" }), "Running"],
    ["terminal wins", model([running], { terminal: { phase: "Failed", reason: "Evicted" } }), "Failed"],
  ])("%s → %s", (_name, m, phase) => {
    expect(podPhase(m)).toBe(phase);
  });
});
