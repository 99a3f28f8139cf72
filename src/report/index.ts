// The report module's public surface: build the desired PodHealthReport for a pod, and tell whether a write
// is needed. Pure: no client, no logger, no clock (time comes in as `now`).
export { buildReport, buildReportWithNew } from "./build.js";
export { PROBE_FAILING_REASONS, probeFailingUntil, withProbeFailures } from "./probe-verdict.js";
export type { NewCounts } from "./counts.js";
export { canonicalJson, fingerprint, reportChanged, reportDiff, statusFingerprint } from "./compare.js";
export { DEFAULT_REPORT_OPTIONS, reportOptions } from "./options.js";
export { describeProbe } from "./probes.js";
export { resizeState } from "./resize.js";
export {
  API_VERSION,
  GROUP,
  KIND,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  PLURAL,
  RESOURCE_KEY,
  SHORT_NAME,
  SINGULAR,
  VERSION,
} from "./resource.js";
export type * from "./types.js";
