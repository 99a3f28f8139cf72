// The simulated kubelet: drives pods in the in-memory API server through realistic lives (scheduling, image pulls,
// crash loops with back-off, probe failures, eviction, node loss, deletion) on a real, sped-up or manual clock.
export { startKubelet, runScenario, SimKubelet, type Kubelet, type KubeletOptions, type AddPodOptions, type SimPodInfo } from "./kubelet.js";
export { SCENARIOS, POD_SCENARIOS, SCENARIO_DESCRIPTIONS, SCENARIO_ANNOTATION, isScenario, type ScenarioName, type PodScenario } from "./scenarios.js";
export { ManualClock, ScaledClock, DEFAULT_EPOCH, type SimClock, type CountingClock } from "./clock.js";
export { MIXED_BLEND, MIXED_TIMING, mixedBlend } from "./mixed.js";
export { TIMING } from "./pod-worker.js";
export { BACKOFF_INITIAL_MS, BACKOFF_MAX_MS } from "./runtime.js";
