// A real Prometheus (Debian's package) on 127.0.0.1 scrapes the controller while the simulated kubelet runs a crash
// loop on a sped-up clock: the target is up (so its OpenMetrics parses), PodCrashLooping fires as Prometheus' own
// alerts API shows it, and clears after the pod recovers; every dashboard query runs without an error.
// The rules are deploy/prometheus/rules.yaml with every `for:` cut to 2 s, since a test cannot wait 5 minutes;
// the range windows stay as they are. The kubelet's back-off reset window (10 simulated minutes) passes in 10 s.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { loadConfig } from "../../src/config.js";
import { Controller } from "../../src/controller/controller.js";
import { KubeHttp } from "../../src/controller/kube.js";
import { startHealthServer, type HealthServer } from "../../src/http/index.js";
import { createLogger } from "../../src/log.js";
import { startSimCluster, type SimCluster } from "../../src/sim/index.js";
import { runScenario, ScaledClock, type Kubelet } from "../../src/sim/kubelet/index.js";
import { FAST, LogSink, waitFor } from "../controller/e2e-helpers.js";
import { dashboardQueries, readDashboard } from "./dashboard.js";
import { ROOT } from "./helpers.js";

const TIME_SCALE = 60;
const haveProm = spawnSync("prometheus", ["--version"]).status === 0;
if (!haveProm) console.warn("prometheus not found (apt-get install prometheus): skipping the live Prometheus test");
const describeLive = haveProm ? describe : describe.skip;

interface PromAlert {
  labels: Record<string, string>;
  state: "pending" | "firing";
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

describeLive("a real Prometheus scraping the controller", () => {
  let dir: string;
  let prom: ChildProcess | null = null;
  let promUrl: string;
  let promLog = "";
  let cluster: SimCluster;
  let kubelet: Kubelet;
  let controller: Controller;
  let server: HealthServer;

  const api = async <T>(pathAndQuery: string): Promise<T> => {
    const res = await fetch(`${promUrl}${pathAndQuery}`);
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== "success") throw new Error(`${pathAndQuery}: ${body.error}`);
    return body.data;
  };
  const crashLoopAlerts = async (): Promise<PromAlert[]> => (await api<{ alerts: PromAlert[] }>("/api/v1/alerts")).alerts.filter((a) => a.labels.alertname === "PodCrashLooping");

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "pho-prom-"));
    const clock = new ScaledClock(TIME_SCALE);
    cluster = await startSimCluster({ clock, bookmarkIntervalMs: 1_000 });
    const kc = new KubeConfig();
    kc.loadFromString(JSON.stringify(cluster.kubeConfig()));
    kubelet = runScenario(cluster.store, clock, { scenario: "crashloop", name: "web" });
    const config = loadConfig({ ...FAST, metricsAddress: "127.0.0.1", metricsPort: "0" }, {});
    const logger = createLogger({ level: "silent", destination: new LogSink() });
    controller = new Controller({ config, api: new KubeHttp(kc, { requestTimeoutMs: 5_000 }), logger, clock, queueBackoff: { baseMs: 20, maxMs: 500 }, watchBackoff: { baseMs: 50, maxMs: 500 } });
    server = await startHealthServer(config, controller, logger);
    controller.start();

    const rules = (await readFile(path.join(ROOT, "deploy", "prometheus", "rules.yaml"), "utf8")).replace(/^(\s+for:) \S+$/gm, "$1 2s");
    await writeFile(path.join(dir, "rules.yaml"), rules);
    const target = new URL(server.url).host;
    await writeFile(
      path.join(dir, "prometheus.yml"),
      [
        "global: { scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s }",
        "rule_files: [rules.yaml]",
        "scrape_configs:",
        "  - job_name: pod-health-operator",
        "    honor_labels: true",
        `    static_configs: [{ targets: ["${target}"] }]`,
        "",
      ].join("\n"),
    );
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    prom = spawn(
      "prometheus",
      [`--config.file=${path.join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${path.join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    prom.stdout?.on("data", (c: Buffer) => (promLog += c.toString()));
    prom.stderr?.on("data", (c: Buffer) => (promLog += c.toString()));
    await waitFor("Prometheus to be ready", async () => (await fetch(`${promUrl}/-/ready`)).ok, 20_000, () => promLog);
  }, 40_000);

  afterAll(async () => {
    if (prom && prom.exitCode === null) {
      const exited = new Promise((resolve) => prom?.once("exit", resolve));
      prom.kill("SIGTERM");
      await exited;
    }
    await controller?.stop();
    await server?.close();
    kubelet?.stop();
    await cluster?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("fires PodCrashLooping during the crash loop, runs every dashboard query, and clears after the pod recovers", async () => {
    await waitFor(
      "PodCrashLooping to fire",
      async () => (await crashLoopAlerts()).some((a) => a.state === "firing" && a.labels.namespace === "default" && a.labels.pod === "web" && a.labels.container === "app"),
      30_000,
      () => promLog,
    );
    // The scrape itself: up, with no parse error (Prometheus asks for OpenMetrics and gzip).
    const targets = await api<{ activeTargets: Array<{ health: string; lastError: string; labels: Record<string, string> }> }>("/api/v1/targets");
    expect(targets.activeTargets.map((t) => ({ job: t.labels.job, health: t.health, lastError: t.lastError }))).toEqual([{ job: "pod-health-operator", health: "up", lastError: "" }]);
    // It was OpenMetrics: Prometheus keeps a counter's metadata under the family name, which drops `_total` there.
    const meta = await api<Record<string, Array<{ type: string }>>>("/api/v1/metadata");
    expect(meta.podhealth_report_writes).toEqual([expect.objectContaining({ type: "counter" })]);
    expect(meta.podhealth_report_writes_total).toBeUndefined();

    const queries = dashboardQueries(readDashboard(), ".*");
    const results = await Promise.all(
      queries.map(async (q) => {
        const data = await api<{ result: unknown[] }>(`/api/v1/query?query=${encodeURIComponent(q.expr)}`).catch((err: Error) => ({ error: err.message }));
        return { panel: q.panel, refId: q.refId, ok: !("error" in data), series: "result" in data ? data.result.length : 0 };
      }),
    );
    expect(results.filter((r) => !r.ok)).toEqual([]);
    // The per-pod panels show the crash loop itself, not an empty success.
    const shows = (title: string): boolean => results.some((r) => r.panel === title && r.series > 0);
    expect(["Pods by health, per namespace", "Crash-looping containers now", "Top restarting containers", "Work queue depth"].filter((t) => !shows(t))).toEqual([]);

    kubelet.recover("web");
    await waitFor("PodCrashLooping to clear", async () => (await crashLoopAlerts()).length === 0, 40_000, () => promLog);
  }, 90_000);
});
