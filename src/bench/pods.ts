// The benchmark's pods, shaped as a 1.32 API server serves a Deployment's pod: the defaults the API server fills
// in, the service-account token volume, tolerations, container IDs, and the managedFields of the two writers
// (kube-controller-manager creating it, the kubelet writing its status). An app container with environment, volumes
// and probes, and a log-forwarding sidecar: about 9 KB of JSON each, as a pod listed from a real cluster, so that
// what the informer baselines keep per pod comes near what the issue measured against a real API server.
// A fixed share is not healthy (crash-looping, not ready), so /metrics --pod-metrics unhealthy has rows to write.
import type { Pod } from "../status/types.js";

/** Pods per namespace, about what a large multi-tenant cluster has. */
export const PODS_PER_NAMESPACE = 250;

export function namespaceCount(pods: number): number {
  return Math.max(1, Math.ceil(pods / PODS_PER_NAMESPACE));
}

export function namespaceOf(i: number, pods: number): string {
  return `bench-${i % namespaceCount(pods)}`;
}

const hex = (n: number, len: number): string => {
  let s = "";
  for (let k = 0; s.length < len; k++) s += ((Math.imul(n + k, 2654435761) >>> 0).toString(16)).padStart(8, "0");
  return s.slice(0, len);
};

const uidOf = (n: number): string => `${hex(n, 8)}-${hex(n + 1, 4)}-4${hex(n + 2, 3)}-8${hex(n + 3, 3)}-${hex(n + 4, 12)}`;

/** What kind of pod the i-th is: one in 50 crash-loops, one in 33 is running but not ready. */
export function podKind(i: number): "healthy" | "crashloop" | "not-ready" {
  if (i % 50 === 7) return "crashloop";
  if (i % 33 === 5) return "not-ready";
  return "healthy";
}

const T0 = Date.parse("2025-01-06T09:00:00Z");
const SIDECAR_IMAGE = "registry.example.com/platform/log-forwarder:3.4.1";
const time = (offsetS: number): string => new Date(T0 + offsetS * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");

/** The i-th of `pods` pods, without uid and resourceVersion (the store sets them). */
export function benchPod(i: number, pods: number): Pod {
  const app = `app-${i % 400}`;
  const hash = hex(i % 400, 10).replace(/[0-9]/g, (d) => "bcdfghjklm"[Number(d)]);
  const rs = `${app}-${hash}`;
  const name = `${rs}-${hex(i, 5).replace(/[0-9]/g, (d) => "bcdfghjklm"[Number(d)])}`;
  const namespace = namespaceOf(i, pods);
  const node = `node-${i % 500}`;
  const image = `registry.example.com/team-${i % 20}/${app}:1.${(i % 400) % 7}.${(i % 400) % 3}`;
  const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const hostIP = `172.16.${(i % 500) >> 8}.${(i % 500) & 255}`;
  const volume = `kube-api-access-${hex(i, 5)}`;
  const rsUid = uidOf(i % 400);
  const created = time(i % 3600);
  const started = time((i % 3600) + 2);
  const kind = podKind(i);
  const ready = kind === "healthy";
  const restarts = kind === "crashloop" ? 6 : 0;
  const readyCondition = ready ? "True" : "False";
  const notReadyReason = ready ? {} : { reason: "ContainersNotReady", message: "containers with unready status: [app]" };

  const containerStatus: Record<string, unknown> = {
    name: "app",
    image,
    imageID: `${image.split(":")[0]}@sha256:${hex(i % 400, 64)}`,
    containerID: `containerd://${hex(i * 7 + 1, 64)}`,
    ready,
    started: kind !== "crashloop",
    restartCount: restarts,
    volumeMounts: [{ name: volume, mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: true, recursiveReadOnly: "Disabled" }],
    state:
      kind === "crashloop"
        ? { waiting: { reason: "CrashLoopBackOff", message: `back-off 5m0s restarting failed container=app pod=${name}_${namespace}(${uidOf(i)})` } }
        : { running: { startedAt: started } },
    ...(kind === "crashloop"
      ? { lastState: { terminated: { exitCode: 1, reason: "Error", startedAt: time((i % 3600) + 600), finishedAt: time((i % 3600) + 601), containerID: `containerd://${hex(i * 7 + 2, 64)}` } } }
      : { lastState: {} }),
  };

  const sidecarStatus: Record<string, unknown> = {
    name: "log-forwarder",
    image: SIDECAR_IMAGE,
    imageID: `${SIDECAR_IMAGE.split(":")[0]}@sha256:${hex(77, 64)}`,
    containerID: `containerd://${hex(i * 7 + 3, 64)}`,
    ready: true,
    started: true,
    restartCount: 0,
    volumeMounts: [{ name: "varlog", mountPath: "/var/log/app" }, { name: volume, mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: true, recursiveReadOnly: "Disabled" }],
    state: { running: { startedAt: started } },
    lastState: {},
  };

  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      generateName: `${rs}-`,
      namespace,
      creationTimestamp: created,
      annotations: {
        "kubectl.kubernetes.io/restartedAt": time(0),
        "prometheus.io/scrape": "true",
        "prometheus.io/port": "9090",
        "checksum/config": hex(i % 400, 64),
      },
      labels: { app, "app.kubernetes.io/part-of": `team-${i % 20}`, "pod-template-hash": hash },
      ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: rs, uid: rsUid, controller: true, blockOwnerDeletion: true }],
      managedFields: [
        {
          manager: "kube-controller-manager",
          operation: "Update",
          apiVersion: "v1",
          time: created,
          fieldsType: "FieldsV1",
          fieldsV1: {
            "f:metadata": {
              "f:annotations": { ".": {}, "f:checksum/config": {}, "f:kubectl.kubernetes.io/restartedAt": {}, "f:prometheus.io/port": {}, "f:prometheus.io/scrape": {} },
              "f:generateName": {},
              "f:labels": { ".": {}, "f:app": {}, "f:pod-template-hash": {} },
              "f:ownerReferences": { ".": {}, [`k:{"uid":"${rsUid}"}`]: {} },
            },
            "f:spec": {
              "f:containers": {
                'k:{"name":"app"}': {
                  ".": {},
                  "f:env": Object.fromEntries(
                    ["APP_ENV", "LOG_LEVEL", "HTTP_PORT", "UPSTREAM_URL", "POD_NAME", "DB_PASSWORD", "FEATURE_FLAGS"].map((e) => [`k:{"name":"${e}"}`, { ".": {}, "f:name": {}, "f:value": {} }]),
                  ),
                  "f:image": {},
                  "f:imagePullPolicy": {},
                  "f:name": {},
                  "f:volumeMounts": { ".": {}, 'k:{"mountPath":"/etc/app"}': { ".": {}, "f:mountPath": {}, "f:name": {}, "f:readOnly": {} }, 'k:{"mountPath":"/var/log/app"}': { ".": {}, "f:mountPath": {}, "f:name": {} } },
                  "f:ports": { ".": {}, 'k:{"containerPort":8080,"protocol":"TCP"}': { ".": {}, "f:containerPort": {}, "f:name": {}, "f:protocol": {} } },
                  "f:readinessProbe": { ".": {}, "f:failureThreshold": {}, "f:httpGet": { ".": {}, "f:path": {}, "f:port": {}, "f:scheme": {} }, "f:periodSeconds": {}, "f:successThreshold": {}, "f:timeoutSeconds": {} },
                  "f:resources": { ".": {}, "f:limits": { ".": {}, "f:memory": {} }, "f:requests": { ".": {}, "f:cpu": {}, "f:memory": {} } },
                  "f:terminationMessagePath": {},
                  "f:terminationMessagePolicy": {},
                },
                'k:{"name":"log-forwarder"}': {
                  ".": {},
                  "f:args": {},
                  "f:image": {},
                  "f:imagePullPolicy": {},
                  "f:livenessProbe": { ".": {}, "f:failureThreshold": {}, "f:httpGet": { ".": {}, "f:path": {}, "f:port": {}, "f:scheme": {} }, "f:periodSeconds": {}, "f:successThreshold": {}, "f:timeoutSeconds": {} },
                  "f:name": {},
                  "f:resources": { ".": {}, "f:limits": { ".": {}, "f:memory": {} }, "f:requests": { ".": {}, "f:cpu": {}, "f:memory": {} } },
                  "f:terminationMessagePath": {},
                  "f:terminationMessagePolicy": {},
                  "f:volumeMounts": { ".": {}, 'k:{"mountPath":"/var/log/app"}': { ".": {}, "f:mountPath": {}, "f:name": {} } },
                },
              },
              "f:dnsPolicy": {},
              "f:volumes": { ".": {}, 'k:{"name":"config"}': { ".": {}, "f:configMap": { ".": {}, "f:defaultMode": {}, "f:name": {} }, "f:name": {} }, 'k:{"name":"varlog"}': { ".": {}, "f:emptyDir": {}, "f:name": {} } },
              "f:enableServiceLinks": {},
              "f:restartPolicy": {},
              "f:schedulerName": {},
              "f:securityContext": {},
              "f:terminationGracePeriodSeconds": {},
            },
          },
        },
        {
          manager: "kubelet",
          operation: "Update",
          apiVersion: "v1",
          time: started,
          fieldsType: "FieldsV1",
          subresource: "status",
          fieldsV1: {
            "f:status": {
              "f:conditions": Object.fromEntries(
                ["ContainersReady", "Initialized", "PodReadyToStartContainers", "Ready"].map((t) => [
                  `k:{"type":"${t}"}`,
                  { ".": {}, "f:lastProbeTime": {}, "f:lastTransitionTime": {}, "f:status": {}, "f:type": {} },
                ]),
              ),
              "f:containerStatuses": {},
              "f:hostIP": {},
              "f:hostIPs": {},
              "f:phase": {},
              "f:podIP": {},
              "f:podIPs": { ".": {}, [`k:{"ip":"${ip}"}`]: { ".": {}, "f:ip": {} } },
              "f:startTime": {},
            },
          },
        },
      ],
    },
    spec: {
      containers: [
        {
          name: "app",
          image,
          imagePullPolicy: "IfNotPresent",
          ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
          readinessProbe: { httpGet: { path: "/healthz", port: 8080, scheme: "HTTP" }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
          resources: { limits: { memory: "256Mi" }, requests: { cpu: "100m", memory: "128Mi" } },
          terminationMessagePath: "/dev/termination-log",
          terminationMessagePolicy: "File",
          env: [
            { name: "APP_ENV", value: "production" },
            { name: "LOG_LEVEL", value: "info" },
            { name: "HTTP_PORT", value: "8080" },
            { name: "UPSTREAM_URL", value: `http://${app}-upstream.${namespace}.svc.cluster.local:8080/api/v2` },
            { name: "POD_NAME", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.name" } } },
            { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: `${app}-db`, key: "password" } } },
            { name: "FEATURE_FLAGS", valueFrom: { configMapKeyRef: { name: `${app}-config`, key: "flags" } } },
          ],
          volumeMounts: [
            { name: "config", mountPath: "/etc/app", readOnly: true },
            { name: "varlog", mountPath: "/var/log/app" },
            { name: volume, mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: true },
          ],
        },
        {
          name: "log-forwarder",
          image: SIDECAR_IMAGE,
          imagePullPolicy: "IfNotPresent",
          args: ["--input=/var/log/app/*.log", "--output=loki", "--batch-size=512"],
          livenessProbe: { httpGet: { path: "/live", port: 2020, scheme: "HTTP" }, timeoutSeconds: 1, periodSeconds: 30, successThreshold: 1, failureThreshold: 3 },
          resources: { limits: { memory: "64Mi" }, requests: { cpu: "10m", memory: "32Mi" } },
          terminationMessagePath: "/dev/termination-log",
          terminationMessagePolicy: "File",
          volumeMounts: [
            { name: "varlog", mountPath: "/var/log/app" },
            { name: volume, mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: true },
          ],
        },
      ],
      dnsPolicy: "ClusterFirst",
      enableServiceLinks: true,
      nodeName: node,
      preemptionPolicy: "PreemptLowerPriority",
      priority: 0,
      restartPolicy: "Always",
      schedulerName: "default-scheduler",
      securityContext: {},
      serviceAccount: "default",
      serviceAccountName: "default",
      terminationGracePeriodSeconds: 30,
      tolerations: ["not-ready", "unreachable"].map((t) => ({ key: `node.kubernetes.io/${t}`, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 })),
      volumes: [
        { name: "config", configMap: { name: `${app}-config`, defaultMode: 420 } },
        { name: "varlog", emptyDir: {} },
        {
          name: volume,
          projected: {
            defaultMode: 420,
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
              { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
              { downwardAPI: { items: [{ fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" }, path: "namespace" }] } },
            ],
          },
        },
      ],
    },
    status: {
      phase: "Running",
      conditions: [
        { type: "PodReadyToStartContainers", status: "True", lastProbeTime: null, lastTransitionTime: started },
        { type: "Initialized", status: "True", lastProbeTime: null, lastTransitionTime: created },
        { type: "Ready", status: readyCondition, lastProbeTime: null, lastTransitionTime: started, ...notReadyReason },
        { type: "ContainersReady", status: readyCondition, lastProbeTime: null, lastTransitionTime: started, ...notReadyReason },
        { type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: created },
      ],
      hostIP,
      hostIPs: [{ ip: hostIP }],
      podIP: ip,
      podIPs: [{ ip }],
      startTime: created,
      containerStatuses: [containerStatus, sidecarStatus],
      qosClass: "Burstable",
    },
  };
  return pod as unknown as Pod;
}

type Json = Record<string, unknown>;

const pick = (src: unknown, keys: readonly string[]): Json | undefined => {
  if (typeof src !== "object" || src === null) return undefined;
  const out: Json = {};
  for (const k of keys) if ((src as Json)[k] !== undefined) out[k] = (src as Json)[k];
  return out;
};

const CONTAINER = ["name", "image", "livenessProbe", "readinessProbe", "startupProbe"];
const CONTAINER_STATUS = ["name", "image", "ready", "started", "restartCount", "state", "lastState"];

/** What a report is built from, and nothing else: a parse that keeps only that is the floor for memory. */
export function reportFields(pod: Json): Json {
  const meta = pod.metadata as Json;
  const spec = (pod.spec ?? {}) as Json;
  const status = (pod.status ?? {}) as Json;
  const list = (v: unknown, keys: readonly string[]): Json[] | undefined => (Array.isArray(v) ? v.map((x) => pick(x, keys) ?? {}) : undefined);
  return {
    metadata: pick(meta, ["name", "namespace", "uid", "resourceVersion", "creationTimestamp", "deletionTimestamp"]),
    spec: { nodeName: spec.nodeName, initContainers: list(spec.initContainers, CONTAINER), containers: list(spec.containers, CONTAINER) },
    status: {
      ...pick(status, ["phase", "reason", "message", "qosClass"]),
      conditions: list(status.conditions, ["type", "status", "reason", "message", "lastTransitionTime"]),
      initContainerStatuses: list(status.initContainerStatuses, CONTAINER_STATUS),
      containerStatuses: list(status.containerStatuses, CONTAINER_STATUS),
    },
  };
}


/**
 * The pod with its only container's readiness set: what the kubelet writes when a readiness probe starts or stops
 * failing (the container's `ready`, the Ready and ContainersReady conditions with their transition time).
 */
export function withReadiness(pod: Json, ready: boolean, at: string): Json {
  const next = structuredClone(pod);
  const status = next.status as Json;
  const cs = (status.containerStatuses as Json[])[0];
  cs.ready = ready;
  for (const c of status.conditions as Json[]) {
    if (c.type !== "Ready" && c.type !== "ContainersReady") continue;
    c.status = ready ? "True" : "False";
    c.lastTransitionTime = at;
    if (ready) {
      delete c.reason;
      delete c.message;
    } else {
      c.reason = "ContainersNotReady";
      c.message = "containers with unready status: [app]";
    }
  }
  return next;
}

/** The pod with an annotation changed: a write that changes nothing the report shows (kubectl annotate, a tool's stamp). */
export function withAnnotation(pod: Json, value: string): Json {
  const next = structuredClone(pod);
  const meta = next.metadata as Json;
  meta.annotations = { ...(meta.annotations as Json | undefined), "bench.podhealth.io/touched": value };
  return next;
}
