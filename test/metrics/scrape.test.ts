// A scrape from the controller's state: the per-pod families with their identity labels, the namespace counts,
// --pod-metrics, deleted pods, and both formats, checked by promtool where it is installed.
import { PodStates } from "../../src/controller/pod-states.js";
import { ControllerStats } from "../../src/controller/stats.js";
import { PodHealthMetrics } from "../../src/metrics/index.js";
import type { PodMetricsMode } from "../../src/config.js";
import type { DerivedPodStatus, Health, Pod } from "../../src/status/types.js";
import { checkMetrics, promtool } from "./promtool.js";

const NOW = Date.parse("2025-03-01T10:00:00Z");

function add(states: PodStates, ns: string, name: string, status: string, health: Health, reason: string | null, containers: Array<{ name: string; ready: boolean; restarts: number; waiting?: string }>): void {
  const pod: Pod = {
    metadata: { namespace: ns, name, uid: `${ns}-${name}` },
    status: {
      conditions: [{ type: "Ready", status: containers.every((c) => c.ready) ? "True" : "False" }],
      containerStatuses: containers.map((c) => ({
        name: c.name,
        ready: c.ready,
        restartCount: c.restarts,
        state: c.waiting ? { waiting: { reason: c.waiting } } : { running: { startedAt: "2025-03-01T09:00:00Z" } },
      })),
    },
  };
  states.observeStatus(`${ns}/${name}`, pod, { status, health, reason } as DerivedPodStatus, null, NOW);
}

function fixture(): PodStates {
  const states = new PodStates(() => NOW);
  add(states, "shop", "web-0", "CrashLoopBackOff", "Unhealthy", "CrashLoopBackOff", [{ name: "app", ready: false, restarts: 4, waiting: "CrashLoopBackOff" }]);
  add(states, "shop", "web-1", "Running", "Healthy", null, [{ name: "app", ready: true, restarts: 0 }]);
  add(states, "batch", "nightly-1", "Completed", "Completed", null, []);
  // Label values that need escaping.
  add(states, "batch", 'odd"name\\', "Init:0/1", "Progressing", "PodInitializing", [{ name: "init", ready: false, restarts: 0 }]);
  const web0 = states.get("shop/web-0");
  if (web0) {
    web0.containers[0].crashLoopEntries = 3;
    web0.probeFailures = { ...web0.probeFailures, liveness: 7 };
  }
  return states;
}

function metrics(states: PodStates, podMetrics: PodMetricsMode = "all"): PodHealthMetrics {
  return new PodHealthMetrics({ source: { stats: new ControllerStats(), podStates: states, isReady: true }, podMetrics, shard: { index: 0, count: 1 } });
}

/** The podhealth_* sample lines of the per-pod and namespace families, sorted. */
function podLines(exposition: string): string[] {
  return exposition
    .split("\n")
    .filter((l) => /^podhealth_(pod_|container_|probe_|pods)/.test(l))
    .sort();
}

describe("a scrape of the per-pod state", () => {
  it("writes every per-pod family with namespace and pod first, and the namespace counts", async () => {
    const text = await metrics(fixture()).renderText("text");
    const web0 = podLines(text).filter((l) => l.includes('pod="web-0"'));
    expect(web0).toEqual(
      [
        'podhealth_container_crashloop_entries_total{namespace="shop",pod="web-0",container="app"} 3',
        'podhealth_container_crashlooping{namespace="shop",pod="web-0",container="app"} 1',
        'podhealth_container_ready{namespace="shop",pod="web-0",container="app"} 0',
        'podhealth_container_restarts{namespace="shop",pod="web-0",container="app"} 4',
        'podhealth_pod_health{namespace="shop",pod="web-0",health="Unhealthy",reason="CrashLoopBackOff"} 1',
        'podhealth_pod_ready{namespace="shop",pod="web-0"} 0',
        'podhealth_pod_status{namespace="shop",pod="web-0",status="CrashLoopBackOff"} 1',
        'podhealth_probe_failures_total{namespace="shop",pod="web-0",probe="liveness"} 7',
        'podhealth_probe_failures_total{namespace="shop",pod="web-0",probe="readiness"} 0',
        'podhealth_probe_failures_total{namespace="shop",pod="web-0",probe="startup"} 0',
      ].sort(),
    );
    expect(text).toContain('podhealth_pod_status{namespace="batch",pod="odd\\"name\\\\",status="Init:0/1"} 1');
    expect(podLines(text).filter((l) => l.startsWith("podhealth_pods{"))).toEqual([
      'podhealth_pods{namespace="batch",status="Completed"} 1',
      'podhealth_pods{namespace="batch",status="Init:0/1"} 1',
      'podhealth_pods{namespace="shop",status="CrashLoopBackOff"} 1',
      'podhealth_pods{namespace="shop",status="Running"} 1',
    ]);
    expect(text).toContain('podhealth_pods_by_health{namespace="shop",health="Healthy"} 1');
    expect(text).toContain('podhealth_pods_by_health{namespace="shop",health="Failed"} 0');
    // Every per-pod sample carries the identity labels, first.
    for (const l of podLines(text).filter((x) => !x.startsWith("podhealth_pods"))) expect(l).toMatch(/^podhealth_\w+\{namespace="[^"]+",pod="/);
  });

  it("with --pod-metrics unhealthy leaves Healthy and Completed pods out of the per-pod families, not out of the counts", async () => {
    const text = await metrics(fixture(), "unhealthy").renderText("text");
    const perPod = podLines(text).filter((l) => !l.startsWith("podhealth_pods"));
    expect(new Set(perPod.map((l) => /pod="((?:[^"\\]|\\.)*)"/.exec(l)?.[1]))).toEqual(new Set(["web-0", 'odd\\"name\\\\']));
    expect(text).toContain('podhealth_pods{namespace="shop",status="Running"} 1');
    expect(text).toContain('podhealth_pods_by_health{namespace="batch",health="Completed"} 1');
  });

  it("with --pod-metrics none writes only the namespace counts", async () => {
    const text = await metrics(fixture(), "none").renderText("text");
    expect(podLines(text).every((l) => l.startsWith("podhealth_pods"))).toBe(true);
    expect(text).not.toContain("# TYPE podhealth_pod_status");
    expect(podLines(text).length).toBeGreaterThan(0);
  });

  it("drops a deleted pod's series at the next scrape, and writes no per-pod family when there is no pod", async () => {
    const states = fixture();
    const m = metrics(states);
    expect(await m.renderText("text")).toContain('pod="web-0"');
    states.delete("shop/web-0");
    expect(await m.renderText("text")).not.toContain('pod="web-0"');
    states.clear();
    const empty = await m.renderText("text");
    expect(empty).not.toContain("podhealth_pod_status");
    expect(empty).not.toContain("podhealth_pods");
    expect(empty).toContain("podhealth_leader 0");
  });

  it("writes OpenMetrics: counter families without _total, samples with it, one family per name, # EOF last", async () => {
    const om = await metrics(fixture()).renderText("openmetrics");
    expect(om.endsWith("# EOF\n")).toBe(true);
    expect(om.indexOf("# EOF")).toBe(om.length - 6);
    const types = [...om.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]);
    expect(new Set(types.map(([n]) => n)).size).toBe(types.length);
    for (const [name, type] of types) {
      if (type === "counter") expect(name).not.toMatch(/_total$/);
    }
    expect(types).toContainEqual(["podhealth_container_crashloop_entries", "counter"]);
    expect(om).toContain('podhealth_container_crashloop_entries_total{namespace="shop",pod="web-0",container="app"} 3');
    expect(om).toContain("# TYPE podhealth_reconcile_duration_seconds histogram");
    // Samples of a family follow its TYPE line without interruption.
    let family = "";
    for (const line of om.split("\n")) {
      const t = /^# TYPE (\S+)/.exec(line);
      if (t) family = t[1];
      else if (line !== "" && !line.startsWith("#")) expect(line.startsWith(family)).toBe(true);
    }
  });

  const maybe = promtool() ? it : it.skip;
  maybe("passes promtool check metrics with no complaint", async () => {
    const result = checkMetrics(await metrics(fixture()).renderText("text"));
    expect(result).toEqual({ code: 0, output: "" });
  });
});
