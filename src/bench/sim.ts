// Benchmark of the simulated API server: list (full and paged) and watch fan-out at 10k and 50k pods, with the
// process's RSS. Server and clients share one process, so the figures are a floor for the server alone.
// Run: npm run bench:sim
import http from "node:http";
import { startSimCluster, type KubeObject } from "../sim/index.js";

const SCALES = [10_000, 50_000];
const WATCHERS = [1, 10];
const WATCH_EVENTS = 10_000;

function podFor(i: number): KubeObject {
  const ns = `ns-${i % 20}`;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: `pod-${i}`, namespace: ns, labels: { app: `app-${i % 50}`, "pod-template-hash": "7d9f8b6c5d" } },
    spec: {
      nodeName: `node-${i % 100}`,
      containers: [{ name: "app", image: "registry.example.com/team/app:1.2.3", ports: [{ containerPort: 8080 }], resources: { requests: { cpu: "100m", memory: "128Mi" } } }],
    },
    status: {
      phase: "Running",
      podIP: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      conditions: [
        { type: "Ready", status: "True", lastTransitionTime: "2025-01-06T09:00:00Z" },
        { type: "ContainersReady", status: "True", lastTransitionTime: "2025-01-06T09:00:00Z" },
      ],
      containerStatuses: [{ name: "app", ready: true, started: true, restartCount: 0, image: "registry.example.com/team/app:1.2.3", imageID: "", state: { running: { startedAt: "2025-01-06T09:00:00Z" } } }],
    },
  };
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      })
      .on("error", reject);
  });
}

/** Opens a watch and counts event lines; resolves `reached` when `target` lines have arrived. */
function openWatch(url: string, target: number): Promise<{ reached: Promise<void>; close: () => void }> {
  return new Promise((resolve, reject) => {
    let lines = 0;
    let done: () => void = () => undefined;
    const reached = new Promise<void>((r) => (done = r));
    const req = http.get(url, { agent: false }, (res) => {
      res.on("data", (chunk: Buffer) => {
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
        if (lines >= target) done();
      });
      res.on("error", () => undefined);
      resolve({ reached, close: () => req.destroy() });
    });
    req.on("error", reject);
  });
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

async function benchScale(pods: number): Promise<void> {
  const cluster = await startSimCluster({ crdDirs: [], watchHistorySize: WATCH_EVENTS * 2 });
  try {
    for (let n = 0; n < 20; n++) cluster.store.create("namespaces", { metadata: { name: `ns-${n}` } });
    let t = performance.now();
    for (let i = 0; i < pods; i++) cluster.store.create("pods", podFor(i));
    const createMs = performance.now() - t;
    console.log(`\n${pods} pods: created in-process in ${createMs.toFixed(0)} ms (${((pods / createMs) * 1000).toFixed(0)}/s), RSS ${mb(process.memoryUsage().rss)}`);

    for (const round of ["cold", "warm"]) {
      t = performance.now();
      const full = await get(`${cluster.url}/api/v1/pods`);
      const fullMs = performance.now() - t;
      const items = (JSON.parse(full.body) as { items: unknown[] }).items.length;
      console.log(`  list full (${round}): ${items} pods, ${mb(full.body.length)} in ${fullMs.toFixed(0)} ms (${((items / fullMs) * 1000).toFixed(0)} pods/s)`);
    }

    t = performance.now();
    let token: string | undefined;
    let pages = 0;
    let total = 0;
    do {
      const page = await get(`${cluster.url}/api/v1/pods?limit=500${token ? `&continue=${encodeURIComponent(token)}` : ""}`);
      const parsed = JSON.parse(page.body) as { items: unknown[]; metadata: { continue?: string } };
      total += parsed.items.length;
      token = parsed.metadata.continue;
      pages++;
    } while (token);
    const pagedMs = performance.now() - t;
    console.log(`  list paged (limit=500): ${total} pods in ${pages} pages, ${pagedMs.toFixed(0)} ms (${((total / pagedMs) * 1000).toFixed(0)} pods/s)`);

    for (const n of WATCHERS) {
      const rv = cluster.store.currentResourceVersion();
      const watches = await Promise.all(Array.from({ length: n }, () => openWatch(`${cluster.url}/api/v1/pods?watch=true&resourceVersion=${rv}`, WATCH_EVENTS)));
      t = performance.now();
      for (let i = 0; i < WATCH_EVENTS; i++) {
        const current = cluster.store.get("pods", `ns-${i % 20}`, `pod-${i}`) as KubeObject;
        const next = structuredClone(current);
        (next.status as { containerStatuses: Array<{ restartCount: number }> }).containerStatuses[0].restartCount++;
        cluster.store.replace("pods", next);
      }
      const writeMs = performance.now() - t;
      await Promise.all(watches.map((w) => w.reached));
      const ms = performance.now() - t;
      for (const w of watches) w.close();
      console.log(
        `  watch: ${WATCH_EVENTS} updates to ${n} watcher(s): writes ${writeMs.toFixed(0)} ms, all delivered in ${ms.toFixed(0)} ms ` +
          `(${((WATCH_EVENTS / ms) * 1000).toFixed(0)} events/s per watcher, ${(((WATCH_EVENTS * n) / ms) * 1000).toFixed(0)} deliveries/s), RSS ${mb(process.memoryUsage().rss)}`,
      );
    }
  } finally {
    await cluster.close();
  }
}

async function main(): Promise<void> {
  console.log(`sim API server benchmark (node ${process.version}); server and clients in one process`);
  for (const pods of SCALES) await benchScale(pods);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
