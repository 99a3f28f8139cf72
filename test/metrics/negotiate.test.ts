import { negotiateFormat } from "../../src/metrics/negotiate.js";

// The Accept headers real scrapers send, and what prometheus/common expfmt.NegotiateIncludingOpenMetrics answers.
describe("negotiateFormat", () => {
  it.each([
    ["Prometheus 2.x", "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1", "openmetrics"],
    ["Prometheus 2.x without OpenMetrics", "text/plain;version=0.0.4;q=1,*/*;q=0.1", "text"],
    ["curl", "*/*", "text"],
    ["no header", undefined, "text"],
    ["a browser", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text"],
    ["OpenMetrics without a version", "application/openmetrics-text", "openmetrics"],
    ["OpenMetrics 0.0.1", "application/openmetrics-text; version=0.0.1", "openmetrics"],
    ["an OpenMetrics version we do not write", "application/openmetrics-text; version=2.0.0", "text"],
    ["text preferred by quality", "application/openmetrics-text;version=1.0.0;q=0.4,text/plain;version=0.0.4;q=0.9", "text"],
    ["OpenMetrics preferred by quality, listed last", "text/plain;q=0.3,application/openmetrics-text;version=1.0.0", "openmetrics"],
    ["OpenMetrics refused with q=0", "application/openmetrics-text;version=1.0.0;q=0,text/plain", "text"],
    ["a text version we do not write", "text/plain;version=9.9.9", "text"],
    ["protobuf only (not served)", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited", "text"],
    ["mixed case and spaces", " Application/OpenMetrics-Text ; Version=1.0.0 ", "openmetrics"],
  ])("%s → %s", (_name, accept, format) => expect(negotiateFormat(accept)).toBe(format));
});
