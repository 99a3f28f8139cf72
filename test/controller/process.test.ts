// The controller as a process, as a user runs it: it outlives an API server that goes away (connection refused
// for seconds) and an unhandled promise rejection, says so in its log, picks up again when the server is back,
// and exits with 0 only on SIGTERM. Run from dist/ (npm test builds it).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { RESOURCE_KEY } from "../../src/report/index.js";
import { startSimCluster, type SimCluster } from "../../src/sim/index.js";
import { builtCli, ROOT } from "../built.js";
import { sleep, waitFor } from "./e2e-helpers.js";

interface Child {
  proc: ChildProcess;
  lines: Array<Record<string, unknown>>;
  exit: Promise<number | null>;
}

function startCli(args: string[]): Child {
  const proc = spawn(process.execPath, ["--import", path.join(ROOT, "test/fixtures/process/unhandled-rejection.mjs"), builtCli(), ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const lines: Array<Record<string, unknown>> = [];
  let buf = "";
  proc.stdout!.on("data", (chunk: Buffer) => {
    buf += chunk.toString();
    const parts = buf.split("\n");
    buf = parts.pop() ?? "";
    for (const line of parts) if (line.trim() !== "") lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  let stderr = "";
  proc.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  void exit.then((code) => {
    if (code !== 0 && stderr !== "") console.error(`controller stderr:\n${stderr}`);
  });
  return { proc, lines, exit };
}

describe("the controller process", () => {
  let dir: string;
  let cluster: SimCluster | undefined;
  let child: Child | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "pho-proc-"));
  });
  afterEach(async () => {
    if (child && child.proc.exitCode === null) {
      child.proc.kill("SIGKILL");
      await child.exit;
    }
    await cluster?.close();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("outlives an API server that goes away and an unhandled rejection, catches up when it is back, exits 0 on SIGTERM", async () => {
    cluster = await startSimCluster();
    const port = Number(new URL(cluster.url).port);
    const kubeconfig = path.join(dir, "kubeconfig");
    await cluster.writeKubeconfig(kubeconfig);
    const c = (child = startCli(["run", "--kubeconfig", kubeconfig, "--metrics-port", "0", "--log-level", "debug"]));
    await waitFor("caches synced", () => c.lines.some((l) => l.msg === "caches synced"), 20_000);

    // The API server goes away: every connection refused, until the controller has said so and a while more.
    await cluster.close();
    cluster = undefined;
    await waitFor("the outage told at warn", () => c.lines.some((l) => l.level === "warn" && l.module === "connectivity"), 30_000);
    await sleep(3_000);
    expect(c.proc.exitCode).toBeNull();
    const warn = c.lines.find((l) => l.level === "warn" && l.module === "connectivity");
    expect(warn).toMatchObject({ server: `http://127.0.0.1:${port}` });
    expect(String(warn?.error)).toContain("ECONNREFUSED");
    const unhandled = c.lines.find((l) => l.level === "error" && String(l.msg).startsWith("unhandled promise rejection"));
    expect(unhandled).toBeDefined();

    // It comes back on the same address (a new, empty server, as after an etcd restore): the controller
    // reconnects, says so, and a pod created now gets its report.
    cluster = await startSimCluster({ port });
    await waitFor("reconnected", () => c.lines.some((l) => l.level === "info" && String(l.msg).startsWith("connected to the API server")), 60_000);
    cluster.store.create("pods", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "late", namespace: "default" },
      spec: { containers: [{ name: "app", image: "app:1" }] },
    });
    await waitFor("a report for the pod created after the outage", () => cluster!.store.get(RESOURCE_KEY, "default", "late") !== undefined, 30_000);

    c.proc.kill("SIGTERM");
    expect(await c.exit).toBe(0);
    expect(c.lines[c.lines.length - 1]).toMatchObject({ msg: "controller stopped" });
  });
});
