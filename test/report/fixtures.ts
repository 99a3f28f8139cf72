// Named builders for the report tests: a pod, its container statuses and its events, as the API server sends them.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { ContainerStatus, Pod } from "../../src/status/types.js";
import type { CoreEvent, ReportOptions } from "../../src/report/index.js";

export const POD_UID = "0b8f3c1e-pod-uid";
export const T0 = Date.parse("2025-03-01T10:00:00Z");
export const OPTIONS: ReportOptions = { historySize: 20, maxMessageLength: 512, eventCursorLimit: 64 };

/** An RFC3339 time `s` seconds after T0. */
export function at(s: number): string {
  return new Date(T0 + s * 1000).toISOString().replace(".000Z", "Z");
}

export function pod(statuses: ContainerStatus[] = [running("app", 0)], extra: Partial<Pod> = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web-0", namespace: "shop", uid: POD_UID, creationTimestamp: at(-3600) },
    spec: {
      nodeName: "node-1",
      containers: statuses.map((s) => ({ name: s.name, image: "shop/web:1.2" })),
      ...extra.spec,
    },
    status: { phase: "Running", qosClass: "Burstable", startTime: at(-3590), containerStatuses: statuses, ...extra.status },
  };
}

export function running(name: string, restartCount: number, finishedAt?: string): ContainerStatus {
  return {
    name,
    image: "shop/web:1.2",
    ready: true,
    started: true,
    restartCount,
    state: { running: { startedAt: at(0) } },
    lastState: finishedAt ? { terminated: { reason: "Error", exitCode: 1, finishedAt } } : {},
  };
}

export function crashLooping(name: string, restartCount: number, finishedAt: string = at(restartCount * 10)): ContainerStatus {
  return {
    name,
    image: "shop/web:1.2",
    ready: false,
    started: false,
    restartCount,
    state: { waiting: { reason: "CrashLoopBackOff", message: `back-off 10s restarting failed container=${name}` } },
    lastState: { terminated: { reason: "Error", exitCode: 1, finishedAt } },
  };
}

export interface EventSpec {
  uid: string;
  reason: string;
  message: string;
  count?: number;
  /** Seconds after T0 of the newest observation. */
  last?: number;
  container?: string;
  podUID?: string;
  init?: boolean;
}

export function event(e: EventSpec): CoreEvent {
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: { uid: e.uid, name: `web-0.${e.uid}`, namespace: "shop", resourceVersion: String(e.count ?? 1) },
    involvedObject: {
      kind: "Pod",
      name: "web-0",
      namespace: "shop",
      uid: e.podUID ?? POD_UID,
      fieldPath: `spec.${e.init ? "initContainers" : "containers"}{${e.container ?? "app"}}`,
    },
    reason: e.reason,
    message: e.message,
    type: e.reason === "Killing" ? "Normal" : "Warning",
    count: e.count ?? 1,
    firstTimestamp: at(0),
    lastTimestamp: at(e.last ?? e.count ?? 1),
    eventTime: null,
  };
}

export const liveness = (uid: string, count: number, last = count): CoreEvent =>
  event({ uid, reason: "Unhealthy", message: "Liveness probe failed: HTTP probe failed with statuscode: 500", count, last });
export const readiness = (uid: string, count: number, last = count): CoreEvent =>
  event({ uid, reason: "Unhealthy", message: "Readiness probe failed: connection refused", count, last });
export const startup = (uid: string, count: number, last = count): CoreEvent =>
  event({ uid, reason: "Unhealthy", message: "Startup probe errored: rpc error: code = Unknown", count, last });
export const backOff = (uid: string, container: string, count: number, last = count): CoreEvent =>
  event({ uid, reason: "BackOff", message: `Back-off restarting failed container ${container} in pod web-0_shop(${POD_UID})`, container, count, last });

/** What the API server hands back after a write: JSON, with the status exactly as stored. */
export function roundTrip<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The events of test/fixtures/events/web-0-liveness.yaml. */
export const fixtureEvents: CoreEvent[] = parse(readFileSync(new URL("../fixtures/events/web-0-liveness.yaml", import.meta.url), "utf8")).items;

/** A pod whose app container failed its liveness probe twice and is now backed off, with probes and conditions. */
export function troubledPod(): Pod {
  const subject = pod([crashLooping("app", 2, "2025-03-01T09:59:50Z"), running("sidecar", 0)]);
  subject.spec = {
    ...subject.spec,
    containers: [
      { name: "app", image: "shop/web:1.2", livenessProbe: { httpGet: { path: "/healthz", port: 80 }, periodSeconds: 3, timeoutSeconds: 5 } },
      { name: "sidecar", image: "shop/proxy:1", readinessProbe: { tcpSocket: { port: 15021 } } },
    ],
  };
  subject.status = {
    ...subject.status,
    conditions: [
      { type: "Ready", status: "False", reason: "ContainersNotReady", message: "containers with unready status: [app]", lastTransitionTime: at(-10) },
      { type: "PodResizePending", status: "True", reason: "Deferred", message: "Node didn't have enough capacity", lastTransitionTime: at(-5) },
    ],
  };
  return subject;
}

