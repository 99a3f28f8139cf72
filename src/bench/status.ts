// Benchmark of the status engine: derivePodStatus throughput beside JSON.parse of the same pods' JSON, in the
// same run, on mixed corpora built from the pod fixtures. The goal is deriving at no more than a quarter of the
// cost of parsing: the controller parses every pod anyway, so the engine must not be the expensive part.
//
// Two corpora: the fixtures as written (minimal pods, only the fields under test), and the same pods with the
// fields the API server always adds (defaults, the service-account volume, tolerations, container IDs), which
// is what an informer hands over. managedFields are left out of both, although informers usually keep them.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { parse } from "yaml";
import { derivePodStatus, type Pod } from "../status/index.js";

const FIXTURES = fileURLToPath(new URL("../../test/fixtures/pods/", import.meta.url));
const CORPUS_SIZE = 10_000;
const ROUNDS = 15;
const NOW = new Date("2025-03-01T12:00:00Z");
const GOAL = 0.25;

// A full collection before each timed pass, so that neither pays for the other's garbage: otherwise a scavenge
// triggered while deriving copies the freshly parsed pods and bills derive for the parser's allocations.
setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

function loadTemplates(): Pod[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => {
      const pod = parse(readFileSync(FIXTURES + f, "utf8")) as Pod;
      // The test expectations are not part of a real pod.
      const annotations = pod.metadata?.annotations;
      if (annotations !== undefined) {
        for (const key of Object.keys(annotations)) if (key.startsWith("test.podhealth.io/")) delete annotations[key];
      }
      return pod;
    });
}

const hex = (i: number, n: number): string => (i.toString(16).padStart(8, "0").repeat(Math.ceil(n / 8))).slice(0, n);

type Obj = Record<string, unknown>;

/** Adds what the API server and kubelet fill in on every real pod. */
function asServed(pod: Pod, i: number): Pod {
  const p = pod as Obj & Pod;
  const name = p.metadata?.name ?? "pod";
  const volume = `kube-api-access-${hex(i, 5)}`;
  if (p.metadata !== undefined) {
    p.metadata.labels = { app: name, "pod-template-hash": hex(i, 10) };
    p.metadata.ownerReferences = [
      { apiVersion: "apps/v1", kind: "ReplicaSet", name: `${name}-${hex(i, 10)}`, uid: `${hex(i, 8)}-0000-4000-8000-${hex(i, 12)}`, controller: true },
    ];
    p.metadata.resourceVersion = String(100000 + i);
  }
  const spec = p.spec as Obj | undefined;
  if (spec !== undefined) {
    const containers = [...((spec.initContainers as Obj[] | undefined) ?? []), ...((spec.containers as Obj[] | undefined) ?? [])];
    for (const c of containers) {
      Object.assign(c, {
        imagePullPolicy: "IfNotPresent",
        resources: c.resources ?? {},
        terminationMessagePath: "/dev/termination-log",
        terminationMessagePolicy: "File",
        volumeMounts: [{ name: volume, mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: true }],
      });
    }
    Object.assign(spec, {
      dnsPolicy: "ClusterFirst",
      enableServiceLinks: true,
      preemptionPolicy: "PreemptLowerPriority",
      priority: 0,
      schedulerName: "default-scheduler",
      securityContext: {},
      serviceAccount: "default",
      serviceAccountName: "default",
      terminationGracePeriodSeconds: 30,
      tolerations: ["not-ready", "unreachable"].map((t) => ({ key: `node.kubernetes.io/${t}`, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 })),
      volumes: [
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
    });
  }
  const status = p.status as Obj | undefined;
  if (status !== undefined) {
    const ip = `10.244.${i % 250}.${(i >> 8) % 250}`;
    Object.assign(status, { podIP: ip, podIPs: [{ ip }], hostIPs: [{ ip: "10.0.0.11" }], qosClass: status.qosClass ?? "BestEffort" });
    for (const key of ["initContainerStatuses", "containerStatuses"]) {
      for (const cs of (status[key] as Obj[] | undefined) ?? []) {
        Object.assign(cs, {
          containerID: `containerd://${hex(i * 7 + 1, 64)}`,
          imageID: `docker.io/library/nginx@sha256:${hex(i * 13 + 5, 64)}`,
          volumeMounts: [{ name: volume, mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: true, recursiveReadOnly: "Disabled" }],
        });
      }
    }
  }
  return p;
}

function buildCorpus(templates: Pod[], served: boolean): string[] {
  const texts: string[] = [];
  for (let i = 0; i < CORPUS_SIZE; i++) {
    let pod = structuredClone(templates[i % templates.length]);
    if (pod.metadata !== undefined) {
      pod.metadata.name = `${pod.metadata.name ?? "pod"}-${i.toString(36)}`;
      pod.metadata.uid = `bench-${i}`;
    }
    if (served) pod = asServed(pod, i);
    texts.push(JSON.stringify(pod));
  }
  return texts;
}

const quantile = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * q)];

/** Milliseconds per pass over the corpus, one entry per measured round. */
interface Measured {
  parseMs: number[];
  deriveMs: number[];
  checksum: number;
}

// Use every result, so that no work can be optimised away.
function use(pod: Pod): number {
  const d = derivePodStatus(pod, NOW);
  return d.readyCount + d.restarts + d.status.length + (d.message?.length ?? 0) + d.containers.length;
}

/**
 * As an informer stream: parse a batch of 100 pods, derive them, next batch. The pods are still in the CPU's
 * cache when derived, as they are when a watch event is handled.
 */
function measureStream(texts: string[]): Measured {
  const out: Measured = { parseMs: [], deriveMs: [], checksum: 0 };
  const batch = 100;
  const pods = new Array<Pod>(batch);
  for (let round = 0; round < ROUNDS + 3; round++) {
    let parseMs = 0;
    let deriveMs = 0;
    let checksum = 0;
    for (let off = 0; off + batch <= texts.length; off += batch) {
      const t0 = performance.now();
      for (let i = 0; i < batch; i++) pods[i] = JSON.parse(texts[off + i]) as Pod;
      const t1 = performance.now();
      for (let i = 0; i < batch; i++) checksum += use(pods[i]);
      const t2 = performance.now();
      parseMs += t1 - t0;
      deriveMs += t2 - t1;
    }
    // The first rounds warm the JIT up.
    if (round < 3) continue;
    out.parseMs.push(parseMs);
    out.deriveMs.push(deriveMs);
    out.checksum = checksum;
  }
  return out;
}

/**
 * Cold: parse the whole corpus, then derive it all, as a resync over the informer's cache does. The pods are
 * no longer in the CPU's cache, and fetching them from memory is about half of what deriving then costs.
 */
function measureCold(texts: string[]): Measured {
  const out: Measured = { parseMs: [], deriveMs: [], checksum: 0 };
  for (let round = 0; round < ROUNDS + 3; round++) {
    const pods = new Array<Pod>(texts.length);
    collectGarbage();
    const t0 = performance.now();
    for (let i = 0; i < texts.length; i++) pods[i] = JSON.parse(texts[i]) as Pod;
    const t1 = performance.now();
    collectGarbage();
    const t2 = performance.now();
    let checksum = 0;
    for (let i = 0; i < pods.length; i++) checksum += use(pods[i]);
    const t3 = performance.now();
    if (round < 3) continue;
    out.parseMs.push(t1 - t0);
    out.deriveMs.push(t3 - t2);
    out.checksum = checksum;
  }
  return out;
}

function line(label: string, m: Measured, pods: number): string {
  const parse = quantile(m.parseMs, 0.5);
  const derive = quantile(m.deriveMs, 0.5);
  const perSecond = (ms: number): string => Math.round((pods / ms) * 1000).toLocaleString("en-US");
  const ratio = derive / parse;
  return (
    `  ${label.padEnd(7)} JSON.parse ${perSecond(parse).padStart(9)} pods/s, derive ${perSecond(derive).padStart(9)} pods/s, ` +
    `derive/parse ${ratio.toFixed(3)} (goal <= ${GOAL}: ${ratio <= GOAL ? "met" : "missed"})`
  );
}

// The operator derives pods its informer cache holds for as long as it runs, so the hidden classes V8 made for
// their shapes stay alive. Without a cache here, each cold round dropped every pod of each shape before its full
// collection, which freed the shapes, and V8 threw away the engine's optimised code made for them ("embedded
// weak objects cleared", "dependent field type changed" under --trace-deopt): the timed pass then paid for
// compiling the engine again, not for deriving. One parsed copy of the corpus plays the cache; nothing reads it.
let informerCache: Pod[] = [];

function report(label: string, texts: string[]): string[] {
  const bytes = Math.round(texts.reduce((n, t) => n + t.length, 0) / texts.length);
  informerCache = texts.map((t) => JSON.parse(t) as Pod);
  const stream = measureStream(texts);
  const cold = measureCold(texts);
  return [
    `${label}: ${texts.length} pods, ${bytes} bytes of JSON per pod on average (medians of ${ROUNDS} passes)`,
    line("stream", stream, texts.length),
    line("cold", cold, texts.length),
    `  checksum ${stream.checksum} / ${cold.checksum} (${informerCache.length} pods cached)`,
  ];
}

function main(): void {
  const templates = loadTemplates();
  const lines = [
    ...report(`fixtures as written (${templates.length} cases, mixed)`, buildCorpus(templates, false)),
    ...report("the same pods as the API server serves them", buildCorpus(templates, true)),
  ];
  process.stdout.write(lines.join("\n") + "\n");
}

main();
