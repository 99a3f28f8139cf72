// Probes in one line, worded like kubectl describe, and the in-place resize state.
import { describeProbe, resizeState, type ReportProbes } from "../../src/report/index.js";
import { podProbes } from "../../src/report/probes.js";
import type { Pod, Probe } from "../../src/status/types.js";
import { pod } from "./fixtures.js";

describe("describeProbe", () => {
  test.each<{ name: string; probe: Probe; want: string }>([
    {
      name: "httpGet with every field",
      probe: { httpGet: { path: "/healthz", port: 80, scheme: "HTTP" }, periodSeconds: 3, timeoutSeconds: 5, failureThreshold: 3, initialDelaySeconds: 2, successThreshold: 1 },
      want: "http-get http://:80/healthz delay=2s timeout=5s period=3s #success=1 #failure=3",
    },
    { name: "httpGet with API defaults left out", probe: { httpGet: { path: "/ready", port: "http" } }, want: "http-get http://:http/ready delay=0s timeout=1s period=10s #success=1 #failure=3" },
    { name: "https with a host", probe: { httpGet: { path: "/", port: 8443, scheme: "HTTPS", host: "10.0.0.1" } }, want: "http-get https://10.0.0.1:8443/ delay=0s timeout=1s period=10s #success=1 #failure=3" },
    { name: "exec", probe: { exec: { command: ["cat", "/tmp/healthy"] }, initialDelaySeconds: 5, periodSeconds: 5 }, want: "exec [cat /tmp/healthy] delay=5s timeout=1s period=5s #success=1 #failure=3" },
    { name: "tcpSocket", probe: { tcpSocket: { port: 5432 }, failureThreshold: 6 }, want: "tcp-socket :5432 delay=0s timeout=1s period=10s #success=1 #failure=6" },
    { name: "grpc", probe: { grpc: { port: 9090 } }, want: "grpc <pod>:9090 delay=0s timeout=1s period=10s #success=1 #failure=3" },
    { name: "grpc with a service", probe: { grpc: { port: 9090, service: "health" } }, want: "grpc <pod>:9090 health delay=0s timeout=1s period=10s #success=1 #failure=3" },
    { name: "no handler", probe: { periodSeconds: 1 }, want: "unknown delay=0s timeout=1s period=1s #success=1 #failure=3" },
  ])("$name", ({ probe, want }) => {
    expect(describeProbe(probe)).toBe(want);
  });

  test("a pod's probes, per container that has any; a probe it lacks is absent", () => {
    const subject = pod();
    subject.spec = {
      initContainers: [{ name: "proxy", restartPolicy: "Always", readinessProbe: { tcpSocket: { port: 15021 } } }],
      containers: [{ name: "app", livenessProbe: { grpc: { port: 9090 } }, startupProbe: { exec: { command: ["true"] } } }, { name: "plain" }],
    };
    // toStrictEqual: a probe the container lacks is absent, not null and not an undefined-valued key.
    expect(podProbes(subject)).toStrictEqual<ReportProbes[]>([
      { container: "proxy", readiness: "tcp-socket :15021 delay=0s timeout=1s period=10s #success=1 #failure=3" },
      {
        container: "app",
        liveness: "grpc <pod>:9090 delay=0s timeout=1s period=10s #success=1 #failure=3",
        startup: "exec [true] delay=0s timeout=1s period=10s #success=1 #failure=3",
      },
    ]);
  });
});

describe("resizeState", () => {
  const withStatus = (status: Pod["status"]): Pod => ({ ...pod(), status });
  test.each<{ name: string; pod: Pod; want: string | null }>([
    { name: "no resize", pod: pod(), want: null },
    { name: "status.resize Proposed (before 1.33)", pod: withStatus({ resize: "Proposed" }), want: "Proposed" },
    { name: "status.resize Infeasible", pod: withStatus({ resize: "Infeasible" }), want: "Infeasible" },
    { name: "PodResizePending Deferred", pod: withStatus({ conditions: [{ type: "PodResizePending", status: "True", reason: "Deferred" }] }), want: "Deferred" },
    { name: "PodResizePending Infeasible", pod: withStatus({ conditions: [{ type: "PodResizePending", status: "True", reason: "Infeasible" }] }), want: "Infeasible" },
    { name: "PodResizeInProgress", pod: withStatus({ conditions: [{ type: "PodResizeInProgress", status: "True" }] }), want: "InProgress" },
    {
      name: "pending wins over in progress",
      pod: withStatus({ conditions: [{ type: "PodResizeInProgress", status: "True" }, { type: "PodResizePending", status: "True", reason: "Deferred" }] }),
      want: "Deferred",
    },
    { name: "a false condition is no resize", pod: withStatus({ conditions: [{ type: "PodResizeInProgress", status: "False" }] }), want: null },
  ])("$name", ({ pod: subject, want }) => {
    expect(resizeState(subject)).toBe(want);
  });
});
