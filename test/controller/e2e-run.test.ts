// The `run` subcommand end to end: flags in, a controller against the kubeconfig's cluster, SIGTERM out.
import { EventEmitter } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { stringify } from "yaml";
import type { Lease } from "../../src/controller/leader.js";
import { runCommand } from "../../src/controller/run.js";
import { runScenario } from "../../src/sim/kubelet/index.js";
import { LogSink, report, run, startEnv, waitFor, type Env } from "./e2e-helpers.js";

class Capture extends LogSink {
  text = "";
  override _write(chunk: Buffer, enc: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

describe("run subcommand", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "pho-run-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("rejects a bad value with one line on stderr and exit code 2", async () => {
    const stderr = new Capture();
    const code = await runCommand({ concurrency: "0" }, { env: {}, stdout: new LogSink(), stderr, signals: new EventEmitter() });
    expect(code).toBe(2);
    expect(stderr.text).toBe("pod-health-operator run: --concurrency: must be between 1 and 256, got 0\n");
  });

  it("rejects an unknown context with exit code 2", async () => {
    const file = path.join(dir, "kc-empty.yaml");
    await writeFile(file, stringify({ apiVersion: "v1", kind: "Config", clusters: [{ name: "c", cluster: { server: "http://127.0.0.1:1" } }], users: [{ name: "u", user: {} }], contexts: [{ name: "x", context: { cluster: "c", user: "u" } }], "current-context": "x" }));
    const stderr = new Capture();
    const code = await runCommand({ kubeconfig: file, context: "nope" }, { env: {}, stdout: new LogSink(), stderr, signals: new EventEmitter() });
    expect(code).toBe(2);
    expect(stderr.text).toMatch(/^pod-health-operator run: --context: no context named "nope"/);
  });

  it("exits 1 with one line when the metrics port is taken", async () => {
    const file = path.join(dir, "kc-port.yaml");
    await writeFile(file, stringify({ apiVersion: "v1", kind: "Config", clusters: [{ name: "c", cluster: { server: "http://127.0.0.1:1" } }], users: [{ name: "u", user: {} }], contexts: [{ name: "x", context: { cluster: "c", user: "u" } }], "current-context": "x" }));
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as AddressInfo).port;
    const stderr = new Capture();
    try {
      const code = await runCommand({ kubeconfig: file, metricsAddress: "127.0.0.1", metricsPort: String(port) }, { env: {}, stdout: new LogSink(), stderr, signals: new EventEmitter() });
      expect(code).toBe(1);
      expect(stderr.text).toMatch(new RegExp(`^pod-health-operator run: metrics server: cannot listen on 127.0.0.1:${port}: .*EADDRINUSE.*\n$`));
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  describe("against the simulated cluster", () => {
    let env: Env;
    beforeEach(async () => {
      env = await startEnv();
    });
    afterEach(async () => {
      await env.close();
    });

    it("runs until SIGTERM, then drains, releases the lease and returns 0", async () => {
      const file = path.join(dir, "kubeconfig.yaml");
      await env.cluster.writeKubeconfig(file);
      const kubelet = runScenario(env.cluster.store, env.clock, { scenario: "crashloop", name: "web" });
      const signals = new EventEmitter();
      const stdout = new LogSink();
      let metricsUrl = "";
      const exit = runCommand(
        {
          kubeconfig: file,
          leaderElect: "true",
          leaderElectNamespace: "default",
          leaderElectLeaseDuration: "1500ms",
          leaderElectRenewDeadline: "1s",
          leaderElectRetryPeriod: "200ms",
          logLevel: "info",
          metricsAddress: "127.0.0.1",
          metricsPort: "0",
        },
        {
          env: {},
          stdout,
          stderr: new Capture(),
          signals,
          onStarted: (_c, endpoints) => {
            metricsUrl = endpoints.metricsUrl;
          },
        },
      );
      await run(env, 60_000);
      await waitFor("a report", () => report(env, "default", "web")?.status?.status === "CrashLoopBackOff");
      expect(stdout.lines.some((l) => l.msg === "became leader")).toBe(true);

      // The metrics and health server runs beside it, and goes with it.
      expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${metricsUrl}/readyz`)).status).toBe(200);
      expect(await (await fetch(`${metricsUrl}/metrics`)).text()).toMatch(/^podhealth_leader 1$/m);

      signals.emit("SIGTERM");
      expect(await exit).toBe(0);
      await expect(fetch(`${metricsUrl}/healthz`)).rejects.toThrow();
      const lease = env.cluster.store.get("leases.coordination.k8s.io", "default", "pod-health-operator") as Lease;
      expect(lease.spec).toMatchObject({ holderIdentity: "", leaseDurationSeconds: 1 });
      const msgs = stdout.lines.map((l) => l.msg);
      expect(msgs.indexOf("shutting down")).toBeLessThan(msgs.indexOf("released the lease"));
      expect(msgs[msgs.length - 1]).toBe("controller stopped");
      // Every line is JSON with a level and a module.
      expect(stdout.lines.every((l) => typeof l.level === "string" && typeof l.module === "string")).toBe(true);
      kubelet.stop();
    });
  });
});
