// The simulated kubelet: drives pods in the in-memory API server through realistic lives (scheduling, image pulls,
// crash loops with back-off, probe failures, eviction, node loss, deletion) on a real, sped-up or manual clock.
// Its events are written as client-go's recorder writes them (events.ts); the store deletes them after the
// API server's event TTL (MemoryStore `eventTtlSeconds`, default 1h).
//
// Long runs for counting tests: one named pod with `runScenario(store, clock, { scenario, name })`, then
// `clock.advance(ms)` on a ManualClock shared with the store runs simulated hours in well under a second of CPU:
//   - "rare-probe-failure" for 12h (plus the seconds the pod takes to start): a liveness failure every 2h; the
//     event is TTL-deleted between failures and re-created with the same name, firstTimestamp and count + 1
//     (6 failures: counts 1..6, six uids);
//   - "probe-message-storm": 40 readiness failures with 11 distinct outputs in 10 minutes (aggregation + spam);
//   - "event-flood": 100 distinct readiness failures for one pod in about 8 minutes;
//   - "crashloop" for 24h: a day of CrashLoopBackOff at the 5m back-off cap.
// `kubelet.eventStats()` tells how many record calls the spam filter dropped before any request.
export { startKubelet, runScenario, SimKubelet, type Kubelet, type KubeletOptions, type AddPodOptions, type SimPodInfo } from "./kubelet.js";
export {
  SCENARIOS,
  POD_SCENARIOS,
  EVENT_SCENARIOS,
  RARE_FAILURE_EVERY_MS,
  SCENARIO_DESCRIPTIONS,
  SCENARIO_ANNOTATION,
  isScenario,
  type ScenarioName,
  type PodScenario,
  type BlendScenario,
} from "./scenarios.js";
export type { RecorderStats } from "./events.js";
export { ManualClock, ScaledClock, DEFAULT_EPOCH, type SimClock, type CountingClock } from "./clock.js";
export { MIXED_BLEND, MIXED_TIMING, mixedBlend } from "./mixed.js";
export { TIMING } from "./pod-worker.js";
export { BACKOFF_INITIAL_MS, BACKOFF_MAX_MS } from "./runtime.js";
