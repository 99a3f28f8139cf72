// The `sim` subcommand: it writes a kubeconfig that client-node loads from the file, prints the URL, runs the
// kubelet scenario when asked, prints how to set each fault, and closes cleanly with exit code 0 on SIGTERM.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { simCommand } from "../../src/sim/command.js";
import { FAULT_ROUTES } from "../../src/sim/fault-api.js";
import type { SimCluster } from "../../src/sim/index.js";
import { waitFor } from "./helpers.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "sim-command-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function io(): { stdout: PassThrough; stderr: PassThrough; text: () => { out: string; err: string } } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c: Buffer) => (out += c.toString()));
  stderr.on("data", (c: Buffer) => (err += c.toString()));
  return { stdout, stderr, text: () => ({ out, err }) };
}

test("serves until SIGTERM, with a kubeconfig client-node loads from the file; exit code 0", async () => {
  const streams = io();
  const kubeconfig = path.join(dir, "k1");
  let cluster: SimCluster | undefined;
  const running = simCommand({ kubeconfigOut: kubeconfig }, { stdout: streams.stdout, stderr: streams.stderr, onReady: (c) => (cluster = c) });
  await waitFor(() => cluster !== undefined, "the cluster");
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  expect(kc.getCurrentContext()).toBe("sim");
  const names = (await kc.makeApiClient(CoreV1Api).listNamespace()).items.map((n) => n.metadata?.name);
  expect(names).toContain("default");
  expect(streams.text().out.trim()).toBe(cluster!.url);
  process.emit("SIGTERM", "SIGTERM");
  expect(await running).toBe(0);
  await expect(fetch(`${cluster!.url}/api`)).rejects.toThrow();
  expect(streams.text().err).toContain("sim: stopped");
});

test("prints how to set every fault; a down set over HTTP comes back by itself on the wall clock", async () => {
  const streams = io();
  let cluster: SimCluster | undefined;
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const running = simCommand({ kubeconfigOut: path.join(dir, "k4") }, { stdout: streams.stdout, stderr: streams.stderr, stopped, onReady: (c) => (cluster = c) });
  await waitFor(() => cluster !== undefined, "the cluster");
  const err = streams.text().err;
  expect(err).toContain(`curl -s -X POST ${cluster!.url}/sim/faults/<name>`);
  for (const route of FAULT_ROUTES) expect(err).toMatch(new RegExp(`^  ${route.name} +${route.what.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`, "m"));

  const reply = await fetch(`${cluster!.url}/sim/faults/down`, { method: "POST", body: '{"forMs":300}' });
  expect(reply.status).toBe(200);
  await waitFor(() => cluster!.faults.state().down, "down");
  await expect(fetch(`${cluster!.url}/api`)).rejects.toThrow("fetch failed");
  await cluster!.faults.whenUp();
  expect((await fetch(`${cluster!.url}/api`)).status).toBe(200);
  stop();
  expect(await running).toBe(0);
});

test("--scenario runs the kubelet on the cluster's store", async () => {
  const streams = io();
  let cluster: SimCluster | undefined;
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const running = simCommand(
    { kubeconfigOut: path.join(dir, "k2"), scenario: "healthy", pods: "3", timeScale: "50" },
    { stdout: streams.stdout, stderr: streams.stderr, stopped, onReady: (c) => (cluster = c) },
  );
  await waitFor(() => cluster !== undefined && cluster.store.list("pods").length === 3, "three pods");
  await waitFor(() => cluster!.store.list("pods").every((p) => (p.status as { phase?: string }).phase === "Running"), "running pods", 10_000);
  stop();
  expect(await running).toBe(0);
  expect(streams.text().err).toContain("scenario healthy with 3 pods");
});

test("without --scenario the kubelet still runs pods created through the API: scheduled onto a simulated node", async () => {
  const streams = io();
  let cluster: SimCluster | undefined;
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const kubeconfig = path.join(dir, "k4");
  const running = simCommand({ kubeconfigOut: kubeconfig }, { stdout: streams.stdout, stderr: streams.stderr, stopped, onReady: (c) => (cluster = c) });
  await waitFor(() => cluster !== undefined, "the cluster");
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  await kc.makeApiClient(CoreV1Api).createNamespacedPod({ namespace: "default", body: { metadata: { name: "mine" }, spec: { containers: [{ name: "app", image: "nginx" }] } } });
  await waitFor(() => Boolean((cluster!.store.get("pods", "default", "mine")?.spec as { nodeName?: string }).nodeName), "the pod bound to a node", 10_000);
  expect((cluster!.store.get("pods", "default", "mine")?.spec as { nodeName: string }).nodeName).toMatch(/^sim-node-\d$/);
  stop();
  expect(await running).toBe(0);
  expect(streams.text().err).toContain("kubelet running pods created with kubectl");
});

test("--event-ttl sets how long events live after their last write (kube-apiserver's --event-ttl)", async () => {
  const streams = io();
  let cluster: SimCluster | undefined;
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const running = simCommand({ kubeconfigOut: path.join(dir, "k5"), eventTtl: "1s" }, { stdout: streams.stdout, stderr: streams.stderr, stopped, onReady: (c) => (cluster = c) });
  await waitFor(() => cluster !== undefined, "the cluster");
  cluster!.store.create("events", { metadata: { name: "e1", namespace: "default" }, reason: "R" });
  expect(cluster!.store.get("events", "default", "e1")).toBeDefined();
  await waitFor(() => cluster!.store.get("events", "default", "e1") === undefined, "the event to expire", 5_000);
  stop();
  expect(await running).toBe(0);
});

test("bad flags are a usage error (exit 2) with a message", async () => {
  for (const [opts, message] of [
    [{ port: "http" }, "--port"],
    [{ pods: "-1" }, "--pods"],
    [{ timeScale: "0" }, "--time-scale"],
    [{ scenario: "nope" }, 'unknown scenario "nope"'],
    [{ eventTtl: "soon" }, "--event-ttl"],
  ] as const) {
    const streams = io();
    expect(await simCommand({ kubeconfigOut: path.join(dir, "k3"), ...opts }, { stdout: streams.stdout, stderr: streams.stderr, stopped: Promise.resolve() })).toBe(2);
    expect(streams.text().err).toContain(message);
  }
});
