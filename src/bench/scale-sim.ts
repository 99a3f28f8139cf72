// The benchmark's cluster, in a process of its own (forked by scale.ts, driven over the IPC channel): the simulated
// API server with N pods created straight into its store, and a churn driver that changes R pods a second in the
// store, as a kubelet's status writes would. It stamps each change and watches the reports the controller writes,
// so the latency from a pod change to its report is measured on one clock, here.
import { RESOURCE_KEY } from "../report/index.js";
import { startSimCluster, type KubeObject, type StoreEvent } from "../sim/index.js";
import { benchPod, namespaceCount, podKind, withAnnotation, withReadiness } from "./pods.js";

/** Commands from the bench. */
export type SimCommand =
  | { cmd: "churn"; mode: ChurnMode; rate: number; durationMs: number }
  /** Reports the latencies of changes whose reports came since the last churn ended (stragglers). */
  | { cmd: "drain"; waitMs: number }
  | { cmd: "counters" }
  | { cmd: "watch-reports"; pods: number }
  | { cmd: "stop" };

/** `ready`: flip a pod's readiness (its report must change); `noop`: touch an annotation (no report changes). */
export type ChurnMode = "ready" | "noop";

export interface Counters {
  /** Requests on reports by verb (create, update, patch, delete, get, list, watch). */
  reportRequests: Record<string, number>;
  /** Writes stored on reports (creates, updates, status updates, deletes). */
  reportWrites: number;
  /** Pod changes the churn made. */
  podChanges: number;
}

/** Messages to the bench. */
export type SimMessage =
  | { type: "ready"; url: string; pods: number; createMs: number }
  | { type: "all-reports"; at: number }
  | { type: "churned"; changes: number; latenciesMs: number[]; pending: number; elapsedMs: number }
  | { type: "drained"; latenciesMs: number[]; pending: number }
  | { type: "counters"; counters: Counters }
  | { type: "error"; message: string };

function send(msg: SimMessage): void {
  process.send?.(msg);
}

interface Stamp {
  at: number;
  /** The READY the report must show for this change to have arrived. */
  ready: string;
}

/** kubectl's READY column of a running pod: ready containers / containers. */
function readyColumn(pod: KubeObject): string {
  const statuses = ((pod.status as { containerStatuses?: Array<{ ready?: boolean }> } | undefined)?.containerStatuses ?? []);
  const containers = ((pod.spec as { containers?: unknown[] } | undefined)?.containers ?? []).length;
  return `${statuses.filter((c) => c.ready === true).length}/${containers}`;
}

async function main(): Promise<void> {
  const pods = Number(process.argv[2]);
  const kubeconfig = process.argv[3];
  if (!Number.isInteger(pods) || pods <= 0 || !kubeconfig) throw new Error("usage: scale-sim.js <pods> <kubeconfig-out>");

  const counters: Counters = { reportRequests: {}, reportWrites: 0, podChanges: 0 };
  const cluster = await startSimCluster({
    // A watch resumes from the last version it saw, which is recent; a longer history only keeps old versions of
    // objects alive (at 50,000 pods and 500 changes a second, gigabytes), and the sim's pauses to collect them
    // would be counted as the controller's latency.
    watchHistorySize: 50_000,
    eventTtlSeconds: 0,
    onRequest: (attrs) => {
      if (attrs.resource === "podhealthreports") counters.reportRequests[attrs.verb] = (counters.reportRequests[attrs.verb] ?? 0) + 1;
    },
  });
  const store = cluster.store;
  for (let n = 0; n < namespaceCount(pods); n++) store.create("namespaces", { metadata: { name: `bench-${n}` } });
  const t0 = performance.now();
  const keys: string[] = [];
  for (let i = 0; i < pods; i++) {
    const pod = benchPod(i, pods) as unknown as KubeObject;
    store.create("pods", pod, { owned: true });
    keys.push(`${pod.metadata?.namespace}/${pod.metadata?.name}`);
  }
  const createMs = performance.now() - t0;
  await cluster.writeKubeconfig(kubeconfig);

  // Reports with a status, to tell when every pod has its report; stamps of changes waiting for their report.
  const withStatus = new Set<string>();
  let expectAll = 0;
  const stamps = new Map<string, Stamp>();
  let latencies: number[] = [];
  store.subscribe((e: StoreEvent) => {
    if (e.resource !== RESOURCE_KEY) return;
    counters.reportWrites++;
    const key = `${e.object.metadata?.namespace}/${e.object.metadata?.name}`;
    if (e.type === "DELETED") {
      withStatus.delete(key);
      return;
    }
    const status = (e.object as { status?: { ready?: string } }).status;
    if (status === undefined) return;
    if (expectAll > 0 && !withStatus.has(key)) {
      withStatus.add(key);
      if (withStatus.size === expectAll) {
        expectAll = 0;
        send({ type: "all-reports", at: Date.now() });
      }
    }
    const stamp = stamps.get(key);
    if (stamp !== undefined && status.ready === stamp.ready) {
      latencies.push(performance.now() - stamp.at);
      stamps.delete(key);
    }
  });

  // Round robin over the healthy pods, so that no pod changes twice before its report could follow.
  const healthy = keys.map((_, i) => i).filter((i) => podKind(i) === "healthy");
  const notReady = new Set<number>();
  let cursor = 0;
  let touches = 0;
  const change = (mode: ChurnMode): void => {
    const i = healthy[cursor++ % healthy.length];
    const [namespace, name] = keys[i].split("/");
    const current = store.get("pods", namespace, name);
    if (current === undefined) return;
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
    if (mode === "ready") {
      const ready = notReady.has(i);
      if (ready) notReady.delete(i);
      else notReady.add(i);
      const next = withReadiness(current as never, ready, now) as KubeObject;
      store.replace("pods", next, { owned: true });
      stamps.set(keys[i], { at: performance.now(), ready: readyColumn(next) });
    } else {
      store.replace("pods", withAnnotation(current as never, String(++touches)) as KubeObject, { owned: true });
    }
    counters.podChanges++;
  };

  const churn = (mode: ChurnMode, rate: number, durationMs: number): Promise<number> =>
    new Promise((resolve) => {
      const start = performance.now();
      let done = 0;
      const tick = setInterval(() => {
        const elapsed = Math.min(performance.now() - start, durationMs);
        const due = Math.floor((elapsed / 1000) * rate);
        while (done < due) {
          change(mode);
          done++;
        }
        if (elapsed >= durationMs) {
          clearInterval(tick);
          resolve(done);
        }
      }, 5);
    });

  process.on("message", (m: SimCommand) => {
    void (async () => {
      switch (m.cmd) {
        case "watch-reports":
          expectAll = m.pods;
          withStatus.clear();
          for (const r of store.list(RESOURCE_KEY)) if ((r as { status?: unknown }).status !== undefined) withStatus.add(`${r.metadata?.namespace}/${r.metadata?.name}`);
          if (withStatus.size >= expectAll) {
            expectAll = 0;
            send({ type: "all-reports", at: Date.now() });
          }
          break;
        case "churn": {
          latencies = [];
          const start = performance.now();
          const changes = await churn(m.mode, m.rate, m.durationMs);
          send({ type: "churned", changes, latenciesMs: latencies, pending: stamps.size, elapsedMs: performance.now() - start });
          latencies = [];
          break;
        }
        case "drain": {
          const until = performance.now() + m.waitMs;
          while (stamps.size > 0 && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
          send({ type: "drained", latenciesMs: latencies, pending: stamps.size });
          latencies = [];
          stamps.clear();
          break;
        }
        case "counters":
          send({ type: "counters", counters: structuredClone(counters) });
          break;
        case "stop":
          await cluster.close();
          process.exit(0);
      }
    })().catch((err: unknown) => send({ type: "error", message: err instanceof Error ? err.message : String(err) }));
  });
  send({ type: "ready", url: cluster.url, pods, createMs });
}

main().catch((err: unknown) => {
  send({ type: "error", message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.stderr.write(`scale-sim: ${String(err)}\n`, () => process.exit(1));
});
