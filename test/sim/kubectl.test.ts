// The real kubectl against the simulated cluster: discovery, apply (client- and server-side), get (table, wide,
// JSON, watch), patch of the status subresource, describe with events, custom resources with printer columns,
// and delete that waits for the object to go. Skipped, saying so, when kubectl is not installed.
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { SimCluster } from "../../src/sim/index.js";
import { FIXTURES, startTestCluster, waitFor } from "./helpers.js";
import { hasKubectl, KUBECTL, kubectlFor, rows } from "./kubectl-helpers.js";

if (!hasKubectl) console.warn(`kubectl tests skipped: no kubectl at ${KUBECTL} (set KUBECTL to its path)`);
const describeKubectl = hasKubectl ? describe : describe.skip;

let cluster: SimCluster;
let dir: string;
let kubeconfig: string;
const cli = kubectlFor(() => ({ kubeconfig, dir }));
const kubectl = cli.run;
const ok = cli.ok;

describeKubectl("kubectl against the simulated cluster", () => {
  beforeAll(async () => {
    cluster = await startTestCluster({ crdDirs: [] });
    dir = await mkdtemp(path.join(tmpdir(), "sim-kubectl-"));
    kubeconfig = path.join(dir, "kubeconfig");
    await cluster.writeKubeconfig(kubeconfig);
    await writeFile(
      path.join(dir, "pod.yaml"),
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels: {app: web}\nspec:\n  nodeName: node-1\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: app\n    image: nginx:1.27\n",
    );
    await writeFile(path.join(dir, "widget.yaml"), "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w1\nspec:\n  color: blue\n  replicas: 2\n");
  });

  afterAll(async () => {
    await cluster?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("apply a CRD folder and a pod with plain `kubectl apply` (validation on)", async () => {
    expect(await ok("apply", "-f", FIXTURES)).toContain("customresourcedefinition.apiextensions.k8s.io/widgets.example.com created");
    expect(await ok("apply", "-f", path.join(dir, "pod.yaml"))).toContain("pod/web created");
    expect(await ok("apply", "-f", path.join(dir, "pod.yaml"))).toContain("pod/web unchanged");
    expect(await ok("label", "pod", "web", "tier=front")).toContain("pod/web labeled");
    expect(await ok("apply", "--server-side", "--field-manager", "test", "-f", path.join(dir, "pod.yaml"))).toContain("pod/web serverside-applied");
  });

  test("get: the table, wide columns, JSON", async () => {
    const table = rows(await ok("get", "pods"));
    expect(table[0]).toEqual(["NAME", "READY", "STATUS", "RESTARTS", "AGE"]);
    expect(table[1].slice(0, 4)).toEqual(["web", "0/1", "Pending", "0"]);
    const json = JSON.parse(await ok("get", "pod", "web", "-o", "json")) as { metadata: { labels: Record<string, string> }; status: { phase: string } };
    expect(json.metadata.labels).toEqual({ app: "web", tier: "front" });
    expect(json.status.phase).toBe("Pending");
    const list = JSON.parse(await ok("get", "pods", "-l", "app=web", "-o", "json")) as { kind: string; items: unknown[] };
    expect(list.kind).toBe("List");
    expect(list.items).toHaveLength(1);
    expect(rows(await ok("get", "ns")).map((r) => r[0])).toEqual(expect.arrayContaining(["NAME", "default", "kube-system"]));
  });

  test("patch --subresource=status, then get -o wide", async () => {
    const status = {
      status: {
        phase: "Running",
        podIP: "10.0.0.9",
        conditions: [{ type: "Ready", status: "True" }],
        containerStatuses: [{ name: "app", ready: true, restartCount: 1, image: "nginx:1.27", imageID: "", started: true, state: { running: { startedAt: "2025-01-06T09:00:00Z" } } }],
      },
    };
    expect(await ok("patch", "pod", "web", "--subresource=status", "--type=merge", "-p", JSON.stringify(status))).toContain("pod/web patched");
    const wide = rows(await ok("get", "pods", "-o", "wide"));
    expect(wide[0]).toEqual(["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE", "READINESS GATES"]);
    expect(wide[1]).toEqual(["web", "1/1", "Running", "1", expect.any(String), "10.0.0.9", "node-1", "<none>", "<none>"]);
  });

  test("describe pod shows its events", async () => {
    const pod = cluster.store.get("pods", "default", "web")!;
    cluster.store.create("events", {
      metadata: { name: "web.1", namespace: "default" },
      involvedObject: { kind: "Pod", name: "web", namespace: "default", uid: pod.metadata?.uid, apiVersion: "v1" },
      reason: "Unhealthy",
      message: "Readiness probe failed: HTTP probe failed with statuscode: 503",
      type: "Warning",
      count: 3,
      source: { component: "kubelet", host: "node-1" },
      firstTimestamp: "2025-01-06T09:00:00Z",
      lastTimestamp: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    });
    const text = await ok("describe", "pod", "web");
    expect(text).toMatch(/Name:\s+web/);
    expect(text).toMatch(/Status:\s+Running/);
    expect(text).toMatch(/Warning\s+Unhealthy\s+.*Readiness probe failed/);
  });

  test("get -w prints the list, then a line per change", async () => {
    const child = spawn(KUBECTL, [...cli.flags(), "get", "pods", "-w"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
    try {
      await waitFor(() => out.split("\n").length >= 3, "the initial list", 10_000);
      const pod = structuredClone(cluster.store.get("pods", "default", "web")!);
      (pod.status as { phase: string; containerStatuses: Array<{ ready: boolean }> }).containerStatuses[0].ready = false;
      cluster.store.replace("pods", pod);
      await waitFor(() => out.trim().split("\n").length >= 3, "a watch line", 10_000);
    } finally {
      child.kill();
    }
    const lines = rows(out);
    expect(lines[0]).toEqual(["NAME", "READY", "STATUS", "RESTARTS", "AGE"]);
    expect(lines[1].slice(0, 2)).toEqual(["web", "1/1"]);
    expect(lines[2].slice(0, 2)).toEqual(["web", "0/1"]);
  });

  test("custom resources: apply, get with printer columns, patch status, delete", async () => {
    expect(await ok("apply", "-f", path.join(dir, "widget.yaml"))).toContain("widget.example.com/w1 created");
    await ok("patch", "widget", "w1", "--subresource=status", "--type=merge", "-p", '{"status":{"phase":"Ready","conditions":[{"type":"Ready","status":"True"}]}}');
    const table = rows(await ok("get", "wg"));
    expect(table[0]).toEqual(["NAME", "COLOR", "REPLICAS", "PHASE", "READY", "AGE"]);
    expect(table[1].slice(0, 5)).toEqual(["w1", "blue", "2", "Ready", "True"]);
    const invalid = await kubectl("patch", "widget", "w1", "--type=merge", "-p", '{"spec":{"color":"green"}}');
    expect(invalid.code).not.toBe(0);
    expect(invalid.stderr).toContain("Unsupported value");
    expect(await ok("delete", "widget", "w1")).toContain('widget.example.com "w1" deleted');
  });

  test("delete waits for a graceful pod to go", async () => {
    const start = Date.now();
    expect(await ok("delete", "pod", "web")).toContain('pod "web" deleted');
    expect(Date.now() - start).toBeGreaterThanOrEqual(900);
    expect(cluster.store.get("pods", "default", "web")).toBeUndefined();
    const after = await kubectl("get", "pods");
    expect(after.stderr).toContain("No resources found in default namespace.");
  });
});
