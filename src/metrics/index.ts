// The metrics module's public surface: what the HTTP server, the run command, benchmarks and tests use.
export { PodHealthMetrics, type MetricsOptions, type MetricsSource } from "./scrape.js";
export { CONTENT_TYPES, ExpositionWriter, escapeLabelValue, formatValue, type Format, type MetricType } from "./exposition.js";
export { negotiateFormat } from "./negotiate.js";
export { POD_FAMILIES, type PodFamily } from "./pod-families.js";
export { HEALTHS, NAMESPACE_FAMILIES } from "./namespace-families.js";
