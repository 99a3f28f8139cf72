// npm run bench -- --pods N --churn R --duration S
//
// The controller against N pods on the simulated cluster, each in its own process and each measured from outside
// (/proc: CPU time, RSS and its high-water mark), the controller's live heap from inside (node --expose-gc and
// SIGUSR2, see src/controller/gc-report.ts). In order:
//   1. initial sync: the controller starts against N pods without reports; time until every pod has a report with
//      a status, and the controller's CPU for it (writes included);
//   2. memory after the sync: RSS, high-water mark, live heap after a forced full collection, per pod;
//   3. at rest: nothing changes for a few seconds; the controller must write nothing;
//   4. churn: R pods a second flip readiness (a change every report must show) for S seconds: CPU per change,
//      latency from the change in the API server to its report written (p50, p99, max), writes per change;
//   5. churn that changes no report: R annotation edits a second for S seconds: CPU per watch event;
//   6. /metrics at N pods, with --pod-metrics all, then after a restart with --pod-metrics unhealthy (the restart
//      is measured too: a controller that finds every report in place must write nothing);
//   7. the baselines over the same recorded pod list and watch stream (baseline.ts): the floor (JSON.parse each
//      event; keep only the report's fields for memory) and the stock client-node informer with derivePodStatus.
// It prints one table, with ratios to both baselines. Linux only (it reads /proc).
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import http from "node:http";
import path from "node:path";
import { Command } from "commander";
import { measureBaselines } from "./baselines.js";
import { ControllerProcess, SimProcess, waitUntil } from "./children.js";
import { cpuSeconds, memory, procAvailable } from "./proc.js";
import { recordWatch, download } from "./replay.js";
import type { Counters } from "./scale-sim.js";
import { sizingFor } from "./sizing.js";
import { fmt, formatTable, quantile, type Row } from "./table.js";

export interface BenchOptions {
  pods: number;
  churn: number;
  durationS: number;
  /** Seconds of rest in which nothing may be written. */
  restS: number;
  /** Folder for the controller's --cpu-prof and --heap-prof output; none when absent. */
  profileDir?: string;
  /** NODE_OPTIONS the controller runs with (the Deployment's). */
  nodeOptions: string;
  out: (text: string) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));


/** Waits until the process has used less than `quietMs` of CPU in a `windowMs` window; returns its CPU then. */
async function settle(pid: number, windowMs = 500, quietMs = 10, maxMs = 60_000): Promise<number> {
  const deadline = Date.now() + maxMs;
  let before = cpuSeconds(pid);
  for (;;) {
    await sleep(windowMs);
    const now = cpuSeconds(pid);
    if ((now - before) * 1000 < quietMs || Date.now() > deadline) return now;
    before = now;
  }
}

interface Scrape {
  ms: number;
  /** Bytes on the wire. */
  bytes: number;
}

/** GET /metrics as Prometheus does (gzip when `gzip`), timed until the last byte has arrived; not decompressed. */
function scrape(url: string, gzip: boolean): Promise<Scrape> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    http
      .get(`${url}/metrics`, { headers: { Accept: "text/plain", "Accept-Encoding": gzip ? "gzip" : "identity" }, agent: false }, (res) => {
        let bytes = 0;
        res.on("data", (c: Buffer) => (bytes += c.length));
        res.on("end", () => (res.statusCode === 200 ? resolve({ ms: performance.now() - t, bytes }) : reject(new Error(`bench: GET /metrics: ${res.statusCode}`))));
        res.on("error", reject);
      })
      .on("error", reject);
  });
}

async function scrapeText(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`, { headers: { Accept: "text/plain" } });
  if (!res.ok) throw new Error(`bench: GET /metrics: ${res.status}`);
  return res.text();
}

interface ScrapeFigures {
  /** Median of three, with gzip as Prometheus asks. */
  gzip: Scrape;
  plain: Scrape;
  podSeries: number;
}

/** Medians of three scrapes each way, after one to warm up, and the number of per-pod series. */
async function measureScrape(url: string): Promise<ScrapeFigures> {
  const median = async (gzip: boolean): Promise<Scrape> => {
    await scrape(url, gzip);
    const runs = [await scrape(url, gzip), await scrape(url, gzip), await scrape(url, gzip)];
    return { ms: quantile(runs.map((r) => r.ms), 0.5), bytes: runs[2].bytes };
  };
  const gzip = await median(true);
  const plain = await median(false);
  const podSeries = ((await scrapeText(url)).match(/^podhealth_(?:pod|container|probe)_\w+\{/gm) ?? []).length;
  return { gzip, plain, podSeries };
}

function sampleValue(text: string, pattern: RegExp): number {
  let total = 0;
  for (const m of text.matchAll(pattern)) total += Number(m[1]);
  return total;
}

const writeVerbs = (r: Record<string, number>): number => (r.create ?? 0) + (r.update ?? 0) + (r.patch ?? 0) + (r.delete ?? 0);

export async function runBench(o: BenchOptions): Promise<Row[]> {
  if (!procAvailable()) throw new Error("bench: needs Linux /proc to measure the processes from outside");
  const dir = await mkdtemp(path.join(tmpdir(), "pho-bench-"));
  const kubeconfig = path.join(dir, "sim.kubeconfig");
  const listFile = path.join(dir, "pods.json");
  const load0 = loadavg();
  const durationMs = o.durationS * 1000;
  const rows: Row[] = [];
  const row = (r: Row): void => {
    rows.push(r);
  };
  const sim = new SimProcess(o.pods, kubeconfig);
  let controller: ControllerProcess | null = null;
  try {
    const ready = await sim.next("ready", Math.max(120_000, o.pods * 10));
    o.out(`bench: ${o.pods} pods in the sim (created in ${fmt.s(ready.createMs / 1000)}); recording the pod list\n`);
    const listBytes = await download(`${ready.url}/api/v1/pods`, listFile);
    const counters = async (): Promise<Counters> => (await sim.request({ cmd: "counters" }, "counters", 30_000)).counters;

    // 1. Initial sync.
    sim.send({ cmd: "watch-reports", pods: o.pods });
    const profile = o.profileDir ? ["--cpu-prof", "--cpu-prof-dir", o.profileDir, "--heap-prof", "--heap-prof-dir", o.profileDir] : [];
    const ctl = (controller = new ControllerProcess({ kubeconfig, args: ["--pod-metrics", "all"], nodeArgs: profile, nodeOptions: o.nodeOptions }));
    const startHeap = await ctl.startHeap();
    const all = await sim.next("all-reports", Math.max(180_000, o.pods * 20));
    const syncMs = all.at - ctl.startedAt;
    const syncCpu = cpuSeconds(ctl.pid);
    const settledCpu = await settle(ctl.pid);
    const afterSync = await counters();
    const syncWrites = writeVerbs(afterSync.reportRequests);
    o.out(`bench: initial sync in ${fmt.s(syncMs / 1000)}\n`);
    row({ section: "initial sync", what: "time until every pod has its report", value: fmt.s(syncMs / 1000), goal: "< 60 s", met: syncMs < 60_000 });
    row({ section: "initial sync", what: "controller CPU until then, per pod", value: fmt.ms((syncCpu * 1000) / o.pods), goal: "< 1 ms", met: (syncCpu * 1000) / o.pods < 1 });
    row({ section: "initial sync", what: "controller CPU once settled, per pod", value: fmt.ms((settledCpu * 1000) / o.pods) });
    row({ section: "initial sync", what: "requests per new report", value: fmt.n(syncWrites / o.pods), goal: "2 (create, then status: the minimum)", met: syncWrites / o.pods <= 2 });

    // 2. Memory after the sync.
    const metricsUrl = await ctl.whenListening(10_000);
    const heapAfterSync = await ctl.gcNow();
    const memAfterSync = memory(ctl.pid);
    const heapPerPod = (heapAfterSync.heapUsed - startHeap.heapUsed) / o.pods;

    // 3. At rest.
    const restBefore = await counters();
    const restCpu0 = cpuSeconds(ctl.pid);
    await sleep(o.restS * 1000);
    const restAfter = await counters();
    const restCpu = cpuSeconds(ctl.pid) - restCpu0;
    const restWrites = writeVerbs(restAfter.reportRequests) - writeVerbs(restBefore.reportRequests);

    // 4. Churn that every report must show, recorded for the baselines.
    const rv = await fetch(`${ready.url}/api/v1/pods?limit=1`).then(async (r) => ((await r.json()) as { metadata: { resourceVersion: string } }).metadata.resourceVersion);
    const recorder = await recordWatch(`${ready.url}/api/v1/pods?watch=true&resourceVersion=${rv}`);
    const c0 = await counters();
    const cpu0 = cpuSeconds(ctl.pid);
    o.out(`bench: churn, ${o.churn} readiness flips/s for ${o.durationS} s\n`);
    const churned = await sim.request({ cmd: "churn", mode: "ready", rate: o.churn, durationMs }, "churned", durationMs + 60_000);
    const drained = await sim.request({ cmd: "drain", waitMs: 15_000 }, "drained", 60_000);
    const cpu1 = await settle(ctl.pid, 250);
    const c1 = await counters();
    const readyEvents = recorder.events.length;
    const latencies = [...churned.latenciesMs, ...drained.latenciesMs];
    const churnCpuPerChange = ((cpu1 - cpu0) * 1e6) / churned.changes;
    const writesPerChange = (writeVerbs(c1.reportRequests) - writeVerbs(c0.reportRequests)) / churned.changes;

    // 5. Churn that changes no report.
    o.out(`bench: churn that changes no report, ${o.churn} annotation edits/s for ${o.durationS} s\n`);
    const c2 = await counters();
    const cpu2 = cpuSeconds(ctl.pid);
    const noop = await sim.request({ cmd: "churn", mode: "noop", rate: o.churn, durationMs }, "churned", durationMs + 60_000);
    const cpu3 = await settle(ctl.pid, 250);
    const c3 = await counters();
    await waitUntil("the recorder to see every change", () => (recorder.events.length >= readyEvents + noop.changes ? true : undefined), 30_000);
    recorder.stop();
    const noopEvents = recorder.events.length - readyEvents;
    const noopCpuPerEvent = ((cpu3 - cpu2) * 1e6) / noop.changes;
    const noopWrites = writeVerbs(c3.reportRequests) - writeVerbs(c2.reportRequests);
    const memAfterChurn = memory(ctl.pid);

    // 6. /metrics, all pods; then a restart with --pod-metrics unhealthy.
    const scrapeAll = await measureScrape(metricsUrl);
    const exitCode = await ctl.stop();
    if (exitCode !== 0) throw new Error(`bench: the controller exited with ${exitCode} on SIGTERM`);
    const c4 = await counters();
    const restart = (controller = new ControllerProcess({ kubeconfig, args: ["--pod-metrics", "unhealthy"], nodeOptions: o.nodeOptions }));
    const restartUrl = await restart.whenListening(30_000);
    await waitUntil(
      "the restarted controller to look at every pod",
      async () => {
        const text = await scrapeText(restartUrl);
        const reconciled = sampleValue(text, /^podhealth_reconcile_duration_seconds_count(?:\{[^}]*\})? (\d+)/gm);
        const queued = sampleValue(text, /^podhealth_workqueue_depth\{state="(?:ready|processing)"\} (\d+)/gm);
        return reconciled >= o.pods && queued === 0 ? true : undefined;
      },
      Math.max(180_000, o.pods * 20),
      250,
    );
    const restartMs = Date.now() - restart.startedAt;
    const restartCpu = cpuSeconds(restart.pid);
    const c5 = await counters();
    const restartWrites = writeVerbs(c5.reportRequests) - writeVerbs(c4.reportRequests);
    const scrapeUnhealthy = await measureScrape(restartUrl);
    await restart.stop();
    controller = null;
    await sim.stop();

    // 7. Baselines, over the recorded list and stream, with nothing else of the bench running.
    o.out(`bench: baselines over the recorded list (${fmt.mib(listBytes)}) and ${recorder.events.length} recorded watch events\n`);
    const base = await measureBaselines({ dir, listFile, events: recorder.events, phases: [readyEvents, noopEvents], listTimeoutMs: Math.max(300_000, o.pods * 20) });
    for (const b of Object.values(base)) if (b.error !== undefined) o.out(`bench: the ${b.mode} baseline failed: ${b.error}\n`);

    // The table.
    const { floor, stock } = base;
    row({ section: "memory after sync", what: "controller RSS (high-water mark)", value: `${fmt.mib(memAfterSync.rss)} (${fmt.mib(memAfterSync.hwm)})`, goal: o.pods >= 50_000 ? "< 400 MiB" : undefined, met: o.pods >= 50_000 ? memAfterSync.hwm < 400 * 1024 * 1024 : undefined });
    row({ section: "memory after sync", what: "controller RSS per pod", value: fmt.kib(memAfterSync.rss / o.pods) });
    const sizing = sizingFor(o.pods);
    row({ section: "memory after sync", what: "sizing rule's request / limit (README)", value: `${sizing.requestMiB} MiB / ${sizing.limitMiB} MiB`, goal: "high-water mark <= request", met: memAfterSync.hwm <= sizing.requestMiB * 1024 * 1024 });

    row({ section: "memory after sync", what: "controller live heap after GC (at start)", value: `${fmt.mib(heapAfterSync.heapUsed)} (${fmt.mib(startHeap.heapUsed)})` });
    row({ section: "memory after sync", what: "controller live heap per pod", value: fmt.kib(heapPerPod) });
    row({ section: "memory after sync", what: "floor: report fields kept, heap per pod", value: fmt.kib(floor.heapPerPod) });
    row({ section: "memory after sync", what: "stock informer, heap per pod", value: fmt.kib(stock.heapPerPod) });
    row({ section: "memory after sync", what: "controller / floor", value: fmt.ratio(heapPerPod / floor.heapPerPod), goal: "<= 1.5x", met: heapPerPod / floor.heapPerPod <= 1.5 });
    row({ section: "memory after sync", what: "stock / controller", value: fmt.ratio(stock.heapPerPod / heapPerPod), goal: ">= 10x", met: stock.heapPerPod / heapPerPod >= 10 });
    row({ section: "memory after sync", what: "RSS after the churn (high-water mark)", value: `${fmt.mib(memAfterChurn.rss)} (${fmt.mib(memAfterChurn.hwm)})` });

    row({ section: "at rest", what: `report writes in ${o.restS} s without changes`, value: String(restWrites), goal: "0", met: restWrites === 0 });
    row({ section: "at rest", what: "controller CPU while idle", value: `${fmt.ms((restCpu * 1000) / o.restS)}/s` });

    const p50 = quantile(latencies, 0.5);
    const p99 = quantile(latencies, 0.99);
    row({ section: `churn: ${o.churn} readiness flips/s`, what: "pod changes handled per second", value: fmt.n(churned.changes / (churned.elapsedMs / 1000)) });
    row({ section: `churn: ${o.churn} readiness flips/s`, what: "controller CPU per change (its write included)", value: fmt.us(churnCpuPerChange) });
    row({ section: `churn: ${o.churn} readiness flips/s`, what: "change → report, p50 / p99 / max", value: `${fmt.ms(p50)} / ${fmt.ms(p99)} / ${fmt.ms(Math.max(...latencies))}`, goal: "p99 < 1 s", met: p99 < 1000 });
    row({ section: `churn: ${o.churn} readiness flips/s`, what: "changes whose report never came", value: String(drained.pending), goal: "0", met: drained.pending === 0 });
    row({ section: `churn: ${o.churn} readiness flips/s`, what: "report writes per change", value: fmt.n(writesPerChange), goal: "1", met: Math.abs(writesPerChange - 1) < 0.01 });
    row({ section: `churn: ${o.churn} readiness flips/s`, what: "floor / stock CPU per event", value: `${fmt.us(floor.cpuPerEvent[0])} / ${fmt.us(stock.cpuPerEvent[0])}` });

    row({ section: `churn that changes no report: ${o.churn}/s`, what: "controller CPU per watch event", value: fmt.us(noopCpuPerEvent) });
    row({ section: `churn that changes no report: ${o.churn}/s`, what: "floor / stock CPU per event", value: `${fmt.us(floor.cpuPerEvent[1])} / ${fmt.us(stock.cpuPerEvent[1])}` });
    row({ section: `churn that changes no report: ${o.churn}/s`, what: "controller / floor", value: fmt.ratio(noopCpuPerEvent / floor.cpuPerEvent[1]), goal: "<= 1.3x", met: noopCpuPerEvent / floor.cpuPerEvent[1] <= 1.3 });
    row({ section: `churn that changes no report: ${o.churn}/s`, what: "stock / controller", value: fmt.ratio(stock.cpuPerEvent[1] / noopCpuPerEvent), goal: ">= 1.5x", met: stock.cpuPerEvent[1] / noopCpuPerEvent >= 1.5 });
    row({ section: `churn that changes no report: ${o.churn}/s`, what: "report writes", value: String(noopWrites), goal: "0", met: noopWrites === 0 });

    for (const [mode, f] of [["all", scrapeAll], ["unhealthy", scrapeUnhealthy]] as const) {
      row({ section: "/metrics", what: `scrape, --pod-metrics ${mode} (${f.podSeries} pod series), gzip`, value: `${fmt.ms(f.gzip.ms)}, ${fmt.mib(f.gzip.bytes)}`, goal: "< 1 s", met: f.gzip.ms < 1000 });
      row({ section: "/metrics", what: `scrape, --pod-metrics ${mode}, uncompressed`, value: `${fmt.ms(f.plain.ms)}, ${fmt.mib(f.plain.bytes)}` });
    }

    row({ section: "restart with every report in place", what: "time until every pod was looked at", value: fmt.s(restartMs / 1000) });
    row({ section: "restart with every report in place", what: "controller CPU per pod", value: fmt.ms((restartCpu * 1000) / o.pods) });
    row({ section: "restart with every report in place", what: "report writes", value: String(restartWrites), goal: "0", met: restartWrites === 0 });

    const load1 = loadavg();
    o.out(
      `\npod-health-operator bench: ${o.pods} pods, churn ${o.churn}/s for ${o.durationS} s; node ${process.version}; ${new Date().toISOString().slice(0, 10)}; ` +
        `load average ${load0[0].toFixed(2)} at start, ${load1[0].toFixed(2)} at end; controller NODE_OPTIONS="${o.nodeOptions}"\n${formatTable(rows)}\n`,
    );
    return rows;
  } finally {
    await controller?.stop().catch(() => undefined);
    await sim.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

function positive(name: string, integer: boolean): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!(n > 0) || !Number.isFinite(n) || (integer && !Number.isInteger(n))) throw new Error(`--${name} must be a positive ${integer ? "integer" : "number"}, got ${v}`);
    return n;
  };
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command("bench")
    .description("the controller at N pods on the simulated cluster, beside the floor and the stock client-node informer")
    .option("--pods <n>", "pods in the simulated cluster", positive("pods", true), 2_000)
    .option("--churn <r>", "pod status changes per second in the churn phases", positive("churn", false), 100)
    .option("--duration <s>", "seconds each churn phase lasts", positive("duration", false), 30)
    .option("--rest <s>", "seconds of rest in which nothing may be written", positive("rest", false), 5)
    .option("--profile <dir>", "write the controller's --cpu-prof and --heap-prof output here")
    .option("--node-options <flags>", "NODE_OPTIONS for the controller (default: the Deployment's sizing rule for --pods)")
    .exitOverride();
  try {
    program.parse(argv, { from: "user" });
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  const opts = program.opts<{ pods: number; churn: number; duration: number; rest: number; profile?: string; nodeOptions?: string }>();
  await runBench({
    pods: opts.pods,
    churn: opts.churn,
    durationS: opts.duration,
    restS: opts.rest,
    profileDir: opts.profile,
    nodeOptions: opts.nodeOptions ?? sizingFor(opts.pods).nodeOptions,
    out: (t) => process.stdout.write(t),
  });
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
