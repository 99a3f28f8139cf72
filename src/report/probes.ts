// Each container's probes in one line, worded as `kubectl describe pod` words them, so that a report shows what
// a failing probe was configured to do next to its failures.
import type { ContainerSpec, Pod, Probe } from "../status/types.js";
import type { ReportProbes } from "./types.js";
import { withoutAbsent } from "./absent.js";

// The API server's defaults: a pod read from it has them filled, a pod from a fixture may not.
const DEFAULTS = { initialDelaySeconds: 0, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 };

/**
 * Like kubectl's DescribeProbe: `http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3`,
 * `exec [cat /tmp/healthy] …`, `tcp-socket :5432 …`, `grpc <pod>:9090 …` (kubectl's own placeholder for the pod IP).
 */
export function describeProbe(probe: Probe): string {
  const p = { ...DEFAULTS, ...definedOnly(probe) };
  const attrs =
    `delay=${p.initialDelaySeconds}s timeout=${p.timeoutSeconds}s period=${p.periodSeconds}s ` +
    `#success=${p.successThreshold} #failure=${p.failureThreshold}`;
  if (probe.exec) return `exec [${(probe.exec.command ?? []).join(" ")}] ${attrs}`;
  if (probe.httpGet) {
    const { scheme, host, port, path } = probe.httpGet;
    const hostPort = port === undefined || port === "" ? (host ?? "") : `${host ?? ""}:${port}`;
    return `http-get ${(scheme ?? "HTTP").toLowerCase()}://${hostPort}${path ?? ""} ${attrs}`;
  }
  if (probe.tcpSocket) return `tcp-socket ${probe.tcpSocket.host ?? ""}:${probe.tcpSocket.port ?? ""} ${attrs}`;
  if (probe.grpc) {
    const service = probe.grpc.service ? ` ${probe.grpc.service}` : "";
    return `grpc <pod>:${probe.grpc.port ?? ""}${service} ${attrs}`;
  }
  return `unknown ${attrs}`;
}

/** The probes of every init and regular container that has at least one, in the pod's order; a probe it lacks is absent. */
export function podProbes(pod: Pod): ReportProbes[] {
  const containers: ContainerSpec[] = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  return containers
    .filter((c) => c.livenessProbe || c.readinessProbe || c.startupProbe)
    .map((c) => ({
      container: c.name ?? "",
      ...withoutAbsent({
        liveness: c.livenessProbe && describeProbe(c.livenessProbe),
        readiness: c.readinessProbe && describeProbe(c.readinessProbe),
        startup: c.startupProbe && describeProbe(c.startupProbe),
      }),
    }));
}

function definedOnly(probe: Probe): Partial<typeof DEFAULTS> {
  const out: Partial<typeof DEFAULTS> = {};
  for (const key of Object.keys(DEFAULTS) as Array<keyof typeof DEFAULTS>) {
    const value = probe[key];
    if (typeof value === "number") out[key] = value;
  }
  return out;
}
