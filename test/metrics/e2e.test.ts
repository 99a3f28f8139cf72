// The controller against the simulated cluster, scraped over HTTP: what /metrics says about a crash loop (held
// through the moments the container runs), a deleted pod, promtool's verdict, and two replicas with leader
// election, of which only the one that writes reports exports per-pod series.
import { request } from "node:http";
import { startHealthServer, type HealthServer } from "../../src/http/index.js";
import type { Controller } from "../../src/controller/controller.js";
import { loadConfig } from "../../src/config.js";
import { runScenario, type Kubelet } from "../../src/sim/kubelet/index.js";
import type { Pod } from "../../src/status/types.js";
import { createLogger } from "../../src/log.js";
import { LogSink, run, startController, startEnv, stopControllers, waitFor, type Env } from "../controller/e2e-helpers.js";
import { checkMetrics, promtool } from "./promtool.js";

function scrape(url: string, accept = "text/plain"): Promise<string> {
  return new Promise((resolve, reject) => {
    request(`${url}/metrics`, { headers: { Accept: accept } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`GET /metrics: ${res.statusCode}`))));
    })
      .on("error", reject)
      .end();
  });
}

/** The value of one sample, or undefined when the series is not there. */
function value(exposition: string, series: string): number | undefined {
  const line = exposition.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const WEB = 'namespace="default",pod="web",container="app"';

describe("metrics end to end", () => {
  let env: Env;
  const servers: HealthServer[] = [];
  const kubelets: Kubelet[] = [];

  async function serve(controller: Controller, podMetrics = "all"): Promise<string> {
    const config = loadConfig({ metricsAddress: "127.0.0.1", metricsPort: "0", podMetrics }, {});
    const server = await startHealthServer(config, controller, createLogger({ level: "silent", destination: new LogSink() }));
    servers.push(server);
    return server.url;
  }

  beforeEach(async () => {
    env = await startEnv();
  });
  afterEach(async () => {
    await stopControllers();
    for (const k of kubelets.splice(0)) k.stop();
    await Promise.all(servers.splice(0).map((s) => s.close()));
    await env.close();
  });

  it("follows a crash loop, holds it while the container briefly runs, passes promtool, and drops a deleted pod", async () => {
    kubelets.push(runScenario(env.cluster.store, env.clock, { scenario: "crashloop", name: "web" }));
    const { controller } = startController(env);
    const url = await serve(controller);
    await controller.whenSynced();
    await run(env, 90_000);
    await waitFor("the crash loop in /metrics", async () => (value(await scrape(url), `podhealth_container_crashloop_entries_total{${WEB}}`) ?? 0) >= 2);
    const looping = await scrape(url);
    expect(value(looping, `podhealth_container_crashlooping{${WEB}}`)).toBe(1);
    expect(value(looping, 'podhealth_pod_health{namespace="default",pod="web",health="Unhealthy",reason="CrashLoopBackOff"}')).toBe(1);
    expect(value(looping, `podhealth_container_restarts{${WEB}}`)).toBeGreaterThanOrEqual(2);
    expect(value(looping, 'podhealth_pods_by_health{namespace="default",health="Unhealthy"}')).toBe(1);
    expect(value(looping, "podhealth_leader")).toBe(1);
    expect(value(looping, "podhealth_ready")).toBe(1);
    expect(value(looping, "podhealth_last_sync_timestamp_seconds")).toBeGreaterThan(0);
    if (promtool()) expect(checkMetrics(looping)).toEqual({ code: 0, output: "" });

    // Step to a moment the container runs between back-offs, as the controller sees it: still crash-looping.
    const running = (): boolean => {
      const p = env.cluster.store.get("pods", "default", "web") as Pod | undefined;
      return p?.status?.containerStatuses?.[0]?.state?.running !== undefined;
    };
    for (let i = 0; i < 600 && !running(); i++) await run(env, 500, 500, 1);
    expect(running()).toBe(true);
    await waitFor("the controller to see it run", () => controller.podStates.get("default/web")?.containers[0]?.runningSince != null);
    const briefly = await scrape(url);
    expect(value(briefly, 'podhealth_pod_status{namespace="default",pod="web",status="Running"}')).toBe(1);
    expect(value(briefly, `podhealth_container_crashlooping{${WEB}}`)).toBe(1);

    env.cluster.store.delete("pods", "default", "web", { gracePeriodSeconds: 0 });
    await waitFor("the deleted pod's series to go", async () => !(await scrape(url)).includes('pod="web"'));
    expect(await scrape(url)).not.toContain("podhealth_pods{");
  });

  it("clears the held crash loop once the recovered container outlives the kubelet's back-off reset window", async () => {
    const kubelet = runScenario(env.cluster.store, env.clock, { scenario: "crashloop", name: "web" });
    kubelets.push(kubelet);
    const { controller } = startController(env);
    const url = await serve(controller);
    await controller.whenSynced();
    await run(env, 60_000);
    await waitFor("the crash loop", async () => value(await scrape(url), `podhealth_container_crashlooping{${WEB}}`) === 1);
    kubelet.recover("web");
    await run(env, 6 * 60_000, 5_000);
    await waitFor("it to run", () => controller.podStates.get("default/web")?.containers[0]?.runningSince != null);
    expect(value(await scrape(url), `podhealth_container_crashlooping{${WEB}}`)).toBe(1);
    // Ten minutes without a back-off: the kubelet has forgotten it, and so does the gauge (no reconcile needed).
    await run(env, 11 * 60_000, 10_000);
    await waitFor("the hold to clear", async () => value(await scrape(url), `podhealth_container_crashlooping{${WEB}}`) === 0);
  }, 30_000);

  it("with two replicas and leader election, only the leader exports per-pod series; both export their own", async () => {
    kubelets.push(runScenario(env.cluster.store, env.clock, { scenario: "crashloop", name: "web" }));
    const replicas = [startController(env, { leaderElect: "true" }).controller, startController(env, { leaderElect: "true" }).controller];
    const urls = await Promise.all(replicas.map((c) => serve(c)));
    await run(env, 60_000);
    await waitFor("a leader that exports the pod", async () => {
      const all = await Promise.all(urls.map((u) => scrape(u)));
      return all.some((t) => t.includes(`podhealth_container_crashlooping{${WEB}} 1`));
    });
    const [a, b] = await Promise.all(urls.map((u) => scrape(u)));
    const leaderFirst = replicas[0].isLeader;
    const [leader, follower] = leaderFirst ? [a, b] : [b, a];
    expect(value(leader, "podhealth_leader")).toBe(1);
    expect(value(follower, "podhealth_leader")).toBe(0);
    for (const family of ["podhealth_pod_status", "podhealth_pod_health", "podhealth_container_crashlooping", "podhealth_probe_failures_total", "podhealth_pods", "podhealth_pods_by_health"]) {
      expect(leader).toMatch(new RegExp(`^${family}\\{`, "m"));
      expect(follower).not.toMatch(new RegExp(`^${family}\\{`, "m"));
    }
    for (const t of [leader, follower]) {
      expect(value(t, "podhealth_ready")).toBe(1);
      expect(t).toMatch(/^podhealth_reconcile_duration_seconds_count \d+$/m);
      expect(t).toMatch(/^process_cpu_user_seconds_total /m);
    }
    // The leader goes: the other one takes over the per-pod series.
    const [lead, other] = leaderFirst ? [replicas[0], replicas[1]] : [replicas[1], replicas[0]];
    const otherUrl = leaderFirst ? urls[1] : urls[0];
    await lead.stop();
    await waitFor("the other replica to lead", () => other.isLeader, 10_000);
    await run(env, 5_000);
    await waitFor("the new leader to export the pod", async () => (await scrape(otherUrl)).includes(`podhealth_container_crashlooping{${WEB}} 1`));
  });
});
