import { Command } from "commander";
import { addRunOptions, ConfigError, loadConfig, ordinalFromPodName, parseDuration, type RunOptions } from "../src/config.js";

function parse(args: string[], env: Record<string, string> = {}): RunOptions {
  const saved = { ...process.env };
  // commander reads the POD_HEALTH_* variables from process.env while parsing: set them for this parse only.
  Object.assign(process.env, env);
  try {
    const cmd = addRunOptions(new Command("run").exitOverride());
    cmd.parse(args, { from: "user" });
    return cmd.opts<RunOptions>();
  } finally {
    for (const k of Object.keys(env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

describe("parseDuration", () => {
  it.each([
    ["0", 0],
    ["250ms", 250],
    ["30s", 30_000],
    ["5m", 300_000],
    ["1h30m", 5_400_000],
    ["1.5s", 1_500],
  ])("%s is %d ms", (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(["", "5", "5 m", "m5", "5x", "-1s", "1s garbage"])("rejects %j", (text) => {
    expect(() => parseDuration(text)).toThrow(/not a duration/);
  });
});

describe("loadConfig", () => {
  it("has the documented defaults, frozen", () => {
    const c = loadConfig(parse([]), {});
    expect(c).toMatchObject({
      kubeconfig: null,
      context: null,
      inCluster: false,
      namespaces: [],
      labelSelector: null,
      historySize: 20,
      concurrency: 4,
      metricsPort: 8080,
      metricsAddress: "0.0.0.0",
      podMetrics: "all",
      logLevel: "info",
      reportMode: "all",
      healthyGraceMs: 300_000,
      resyncPeriodMs: 300_000,
      countWriteIntervalMs: 30_000,
      shard: { index: 0, count: 1 },
    });
    expect(c.leaderElection).toMatchObject({ enabled: false, leaseName: "pod-health-operator", leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.leaderElection)).toBe(true);
    expect(Object.isFrozen(c.namespaces)).toBe(true);
  });

  it("reads flags", () => {
    const c = loadConfig(
      parse(["--namespaces", "a, b", "--concurrency", "8", "--report-mode", "unhealthy", "--healthy-grace", "90s", "--leader-elect", "--leader-elect-namespace", "ops", "--label-selector", "app=x"]),
      {},
    );
    expect(c.namespaces).toEqual(["a", "b"]);
    expect(c.concurrency).toBe(8);
    expect(c.reportMode).toBe("unhealthy");
    expect(c.healthyGraceMs).toBe(90_000);
    expect(c.leaderElection.enabled).toBe(true);
    expect(c.leaderElection.namespace).toBe("ops");
    expect(c.labelSelector).toBe("app=x");
  });

  it("turns the periodic resync off with 0, and writes counts at once with a 0 count-write interval", () => {
    const c = loadConfig(parse(["--resync-period", "0", "--count-write-interval", "0"]), {});
    expect(c.resyncPeriodMs).toBe(0);
    expect(c.countWriteIntervalMs).toBe(0);
  });

  it("reads POD_HEALTH_* environment variables, flags winning", () => {
    const opts = parse(["--history-size", "7"], { POD_HEALTH_CONCURRENCY: "12", POD_HEALTH_HISTORY_SIZE: "99", POD_HEALTH_LEADER_ELECT: "true", POD_HEALTH_LEADER_ELECT_NAMESPACE: "ops" });
    const c = loadConfig(opts, {});
    expect(c.concurrency).toBe(12);
    expect(c.historySize).toBe(7);
    expect(c.leaderElection.enabled).toBe(true);
    expect(loadConfig(parse([], { POD_HEALTH_LEADER_ELECT: "false" }), {}).leaderElection.enabled).toBe(false);
  });

  it("reads the metrics server's address and the per-pod metrics mode from flags and POD_HEALTH_* variables", () => {
    const c = loadConfig(parse(["--metrics-address", "127.0.0.1", "--metrics-port", "0", "--pod-metrics", "unhealthy"]), {});
    expect(c).toMatchObject({ metricsAddress: "127.0.0.1", metricsPort: 0, podMetrics: "unhealthy" });
    const e = loadConfig(parse([], { POD_HEALTH_METRICS_ADDRESS: "::1", POD_HEALTH_POD_METRICS: "none" }), {});
    expect(e).toMatchObject({ metricsAddress: "::1", podMetrics: "none" });
  });

  it("goes in-cluster only when no kubeconfig is given and KUBERNETES_SERVICE_HOST is set", () => {
    expect(loadConfig(parse([]), { KUBERNETES_SERVICE_HOST: "10.0.0.1" }).inCluster).toBe(true);
    expect(loadConfig(parse(["--kubeconfig", "/k"]), { KUBERNETES_SERVICE_HOST: "10.0.0.1" }).inCluster).toBe(false);
    expect(loadConfig(parse([]), {}).inCluster).toBe(false);
  });

  it("takes the shard index from the StatefulSet ordinal of POD_NAME, and names the lease per shard", () => {
    const c = loadConfig(parse(["--shard-count", "3", "--leader-elect"]), { POD_NAME: "pod-health-operator-2", POD_NAMESPACE: "ops" });
    expect(c.shard).toEqual({ index: 2, count: 3 });
    expect(c.leaderElection.leaseName).toBe("pod-health-operator-shard-2");
    expect(c.leaderElection.namespace).toBe("ops");
    expect(c.leaderElection.identity).toMatch(/^pod-health-operator-2_/);
    expect(loadConfig(parse(["--shard-count", "3", "--shard-index", "1"]), { POD_NAME: "x-2" }).shard.index).toBe(1);
    expect(ordinalFromPodName("web-0")).toBe(0);
    expect(ordinalFromPodName("web")).toBeNull();
  });

  it.each([
    [["--concurrency", "0"], /--concurrency: must be between 1 and 256/],
    [["--concurrency", "two"], /--concurrency: expected an integer/],
    [["--metrics-port", "70000"], /--metrics-port/],
    [["--metrics-address", "localhost"], /--metrics-address: expected an IPv4 or IPv6 address, got "localhost"/],
    [["--metrics-address", "10.0.0.256"], /--metrics-address: expected an IPv4 or IPv6 address/],
    [["--history-size", "1.5"], /--history-size: expected an integer/],
    [["--healthy-grace", "soon"], /--healthy-grace: not a duration/],
    [["--resync-period", "10ms"], /--resync-period: must be 0 \(off\) or at least 1000ms/],
    [["--count-write-interval", "soon"], /--count-write-interval: not a duration/],
    [["--namespaces", "Bad_NS"], /--namespaces: "Bad_NS" is not a valid namespace/],
    [["--shard-count", "2", "--shard-index", "2"], /--shard-index: must be between 0 and 1/],
    [["--shard-count", "2"], /--shard-index: not given and POD_NAME/],
    [["--leader-elect"], /--leader-elect-namespace: required/],
    [["--leader-elect=maybe", "--leader-elect-namespace", "x"], /--leader-elect: expected true or false/],
    [["--leader-elect-renew-deadline", "20s"], /renew-deadline: must be shorter/],
    [["--leader-elect-retry-period", "10s"], /retry-period: must be shorter/],
  ])("rejects %j with a one-line message", (args, message) => {
    let error: unknown;
    try {
      loadConfig(parse(args), {});
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain("\n");
  });

  it("lets commander reject a value outside the choices", () => {
    expect(() => parse(["--report-mode", "some"])).toThrow(/Allowed choices are all, unhealthy/);
    expect(() => parse(["--pod-metrics", "some"])).toThrow(/Allowed choices are all, unhealthy, none/);
    // Options that do not come through commander are checked too.
    expect(() => loadConfig({ podMetrics: "some" }, {})).toThrow(/--pod-metrics: must be one of all, unhealthy, none/);
  });
});
