// Shared set-up for the end-to-end tests: a simulated cluster on a manual clock, and controllers on real timers
// that build reports at the simulated time. Short leases, back-offs and resyncs keep the suite fast.
import { Writable } from "node:stream";
import { KubeConfig } from "@kubernetes/client-node";
import { loadConfig, type RunOptions } from "../../src/config.js";
import { Controller, type ControllerOptions } from "../../src/controller/controller.js";
import { statusOf } from "../../src/controller/errors.js";
import { KubeHttp } from "../../src/controller/kube.js";
import { reportApi, type ReportApi } from "../../src/controller/report-api.js";
import { createLogger } from "../../src/log.js";
import { RESOURCE_KEY, withProbeFailures, type CoreEvent, type PodHealthReport } from "../../src/report/index.js";
import { startSimCluster, type SimCluster, type SimClusterOptions } from "../../src/sim/index.js";
import { ManualClock } from "../../src/sim/kubelet/index.js";
import { derivePodStatus } from "../../src/status/index.js";
import type { Pod } from "../../src/status/types.js";

export interface Env {
  cluster: SimCluster;
  clock: ManualClock;
  kc: KubeConfig;
  close(): Promise<void>;
}

export interface EnvOptions extends Pick<SimClusterOptions, "onRequest" | "crdDirs"> {
  /** Fault durations (down for 30 s, …) run on the simulated clock instead of the wall clock. */
  faultsOnSimTime?: boolean;
}

export async function startEnv(namespaces: string[] = [], options: EnvOptions = {}): Promise<Env> {
  const clock = new ManualClock();
  const cluster = await startSimCluster({
    clock,
    namespaces,
    bookmarkIntervalMs: 1_000,
    onRequest: options.onRequest,
    crdDirs: options.crdDirs,
    faultClock: options.faultsOnSimTime ? clock : undefined,
  });
  const kc = new KubeConfig();
  kc.loadFromString(JSON.stringify(cluster.kubeConfig()));
  return { cluster, clock, kc, close: () => cluster.close() };
}

/** Collects a controller's JSON log lines. */
export class LogSink extends Writable {
  readonly lines: Array<Record<string, unknown>> = [];
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    for (const line of chunk.toString().split("\n")) if (line.trim() !== "") this.lines.push(JSON.parse(line) as Record<string, unknown>);
    cb();
  }
}

/**
 * Short leases, back-offs and resyncs. Count changes are written at once here: these tests check counts at
 * moments of their choosing, without moving the clock past a count-write interval; tests of the throttle set it.
 */
export const FAST: RunOptions = {
  resyncPeriod: "30s",
  countWriteInterval: "0",
  shutdownTimeout: "2s",
  leaderElectLeaseDuration: "1500ms",
  leaderElectRenewDeadline: "1s",
  leaderElectRetryPeriod: "200ms",
  leaderElectNamespace: "default",
};

const running = new Set<Controller>();

/** Stops every controller a test started and did not stop (a failed test leaves no handles open). */
export async function stopControllers(): Promise<void> {
  const all = [...running];
  running.clear();
  await Promise.all(all.map((c) => c.stop()));
}

/**
 * What every end-to-end test does after itself, in this order: stop the controllers it started, then the kubelets
 * it ran (emptying `kubelets`), then close its clusters (an absent one is skipped).
 */
export async function tearDown(kubelets: Array<{ stop(): void }>, envs: ReadonlyArray<Env | undefined>): Promise<void> {
  await stopControllers();
  for (const k of kubelets.splice(0)) k.stop();
  for (const e of envs) await e?.close();
}

export function startController(env: Env, opts: RunOptions = {}, extra: Partial<ControllerOptions> = {}): { controller: Controller; logs: LogSink } {
  const config = loadConfig({ ...FAST, ...opts }, {});
  const logs = new LogSink();
  const controller = new Controller({
    config,
    api: new KubeHttp(env.kc, { requestTimeoutMs: 5_000 }),
    logger: createLogger({ level: "debug", destination: logs }),
    clock: env.clock,
    queueBackoff: { baseMs: 20, maxMs: 500 },
    watchBackoff: { baseMs: 50, maxMs: 500 },
    minWatchTimeoutSeconds: 60,
    ...extra,
  });
  controller.start();
  running.add(controller);
  return { controller, logs };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `check` returns true (or throws nothing, for assertion-style checks). */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000, explain?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  let pause = 10;
  for (;;) {
    try {
      if (await check()) return;
      last = undefined;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ""}${explain ? `\n${explain()}` : ""}`);
    // Checks can be costly (deriving 1,000 pods): poll often at first, then less.
    await sleep(pause);
    pause = Math.min(pause * 2, 200);
  }
}

/** Moves simulated time in steps, giving the controller real time to follow. */
export async function run(env: Env, simMs: number, stepMs = 1_000, realPauseMs = 5): Promise<void> {
  for (let t = 0; t < simMs; t += stepMs) {
    env.clock.advance(Math.min(stepMs, simMs - t));
    await sleep(realPauseMs);
  }
}

export function report(env: Env, namespace: string, name: string): PodHealthReport | undefined {
  return env.cluster.store.get(RESOURCE_KEY, namespace, name) as PodHealthReport | undefined;
}

export function reports(env: Env): PodHealthReport[] {
  return env.cluster.store.list(RESOURCE_KEY) as unknown as PodHealthReport[];
}

export function pods(env: Env): Pod[] {
  return env.cluster.store.list("pods") as Pod[];
}

/**
 * The differences between every report and what the engine derives from its pod right now (empty when they
 * agree), plus reports without pods and pods without reports.
 */
export function divergence(env: Env, filter: (p: Pod) => boolean = () => true): string[] {
  const out: string[] = [];
  const now = new Date(env.clock.now());
  const byKey = new Map(reports(env).map((r) => [`${r.metadata.namespace}/${r.metadata.name}`, r]));
  for (const pod of pods(env).filter(filter)) {
    const key = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    const r = byKey.get(key);
    byKey.delete(key);
    if (!r) {
      out.push(`${key}: no report`);
      continue;
    }
    const d = derivePodStatus(pod, now);
    // The engine's verdict, with the probe failures the report counted (a ready pod that failed one lately is Degraded).
    const verdict = r.status?.probeFailures ? withProbeFailures(d, r.status.probeFailures, now.getTime()) : d;
    const got = { uid: r.spec?.podUID, status: r.status?.status, ready: r.status?.ready, restarts: r.status?.restarts, health: r.status?.health };
    const want = { uid: pod.metadata?.uid, status: d.status, ready: d.ready, restarts: d.restarts, health: verdict.health };
    if (JSON.stringify(got) !== JSON.stringify(want)) out.push(`${key}: report ${JSON.stringify(got)} != pod ${JSON.stringify(want)}`);
  }
  for (const key of byKey.keys()) out.push(`${key}: report without pod`);
  return out;
}

export interface WriteRecord {
  who: string;
  op: string;
  key: string;
  at: number;
  ok: boolean;
  /** The HTTP status of a failed write. */
  status?: number | null;
}

/** A report client that records every write (who, what, when, whether it succeeded). */
export function recordingReportApi(env: Env, who: string, log: WriteRecord[], before?: () => void): ReportApi {
  const inner = reportApi(new KubeHttp(env.kc, { requestTimeoutMs: 5_000 }));
  const wrap =
    <A extends unknown[], R>(op: string, key: (...a: A) => string, fn: (...a: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      before?.();
      const rec: WriteRecord = { who, op, key: key(...args), at: Date.now(), ok: false };
      log.push(rec);
      try {
        const r = await fn(...args);
        rec.ok = true;
        return r;
      } catch (err) {
        rec.status = statusOf(err);
        throw err;
      }
    };
  const k = (r: PodHealthReport): string => `${r.metadata.namespace}/${r.metadata.name}`;
  return {
    get: inner.get,
    create: wrap("create", k, inner.create),
    replace: wrap("replace", k, inner.replace),
    replaceStatus: wrap("status", k, inner.replaceStatus),
    delete: wrap("delete", (ns: string, name: string) => `${ns}/${name}`, inner.delete),
  };
}

/** The parts of a report that counting and status derivation decide (not when the controller happened to look). */
export function countingView(r: PodHealthReport | undefined): unknown {
  if (!r?.status) return undefined;
  const s = r.status;
  return {
    status: s.status,
    ready: s.ready,
    restarts: s.restarts,
    health: s.health,
    crashLoop: s.crashLoop,
    probeFailures: {
      ...s.probeFailures,
      history: s.probeFailures.history.map((h) => ({ time: h.time, probe: h.probe, reason: h.reason, container: h.container, count: h.count, message: h.message })),
    },
  };
}

/** The failures of one probe of `pod` (in namespace default) the events on the server tell: their counts summed. */
export function probeEventCount(env: Env, pod: string, probe: "Liveness" | "Readiness" | "Startup"): number {
  return (env.cluster.store.list("events", "default") as CoreEvent[])
    .filter((e) => e.involvedObject?.name === pod && e.reason === "Unhealthy" && (e.message ?? "").startsWith(`${probe} probe failed`))
    .reduce((n, e) => n + (e.count ?? 1), 0);
}

/** Advances several simulated clusters in lock step. */
export async function runAll(envs: Env[], simMs: number, stepMs = 1_000, realPauseMs = 5, each?: (elapsed: number) => void): Promise<void> {
  for (let t = 0; t < simMs; t += stepMs) {
    const d = Math.min(stepMs, simMs - t);
    for (const e of envs) e.clock.advance(d);
    each?.(t + d);
    await sleep(realPauseMs);
  }
}
