// `kubectl podhealth` against the simulated cluster: with the operator's reports it prints the report; without the
// CRD it derives the same from the pod and its events (and says so); -A lists only the pods that are not healthy;
// and the real kubectl finds the `kubectl-podhealth` executable on the PATH and runs it as `kubectl podhealth`.
import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { pluginCommand, type PluginOptions } from "../../src/plugin/command.js";
import { deriveReport } from "../../src/plugin/sources.js";
import { buildReport, reportOptions, RESOURCE_KEY, type CoreEvent } from "../../src/report/index.js";
import { startSimCluster, type SimCluster } from "../../src/sim/index.js";
import { ManualClock, runScenario, type Kubelet } from "../../src/sim/kubelet/index.js";
import type { Pod } from "../../src/status/types.js";
import { builtCli } from "../built.js";
import { hasKubectl, KUBECTL } from "../sim/kubectl-helpers.js";

interface World {
  cluster: SimCluster;
  clock: ManualClock;
  kubeconfig: string;
}

let dir: string;
const closers: Array<() => unknown> = [];
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "pho-plugin-"));
});
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A cluster with a crash-looping `api` and a healthy `web` in default, 3 simulated minutes in; CRD or not. */
async function world(name: string, withCrd: boolean): Promise<World> {
  const clock = new ManualClock();
  const cluster = await startSimCluster({ clock, podGraceAuto: false, ...(withCrd ? {} : { crdDirs: [] }) });
  closers.push(() => cluster.close());
  const kubelets: Kubelet[] = [runScenario(cluster.store, clock, { scenario: "crashloop", name: "api" }), runScenario(cluster.store, clock, { scenario: "healthy", name: "web" })];
  closers.push(() => kubelets.forEach((k) => k.stop()));
  for (let t = 0; t < 180; t++) clock.advance(1_000);
  const kubeconfig = path.join(dir, `${name}.kubeconfig`);
  await cluster.writeKubeconfig(kubeconfig);
  return { cluster, clock, kubeconfig };
}

function podAndEvents(w: World, name: string): { pod: Pod; events: CoreEvent[] } {
  const pod = w.cluster.store.get("pods", "default", name) as unknown as Pod;
  const events = (w.cluster.store.list("events", "default") as unknown as CoreEvent[]).filter((e) => e.involvedObject?.uid === pod.metadata?.uid);
  return { pod, events };
}

async function plugin(w: World, pod: string | undefined, opts: PluginOptions = {}): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const stdout = new PassThrough().on("data", (c: Buffer) => (out += c.toString()));
  const stderr = new PassThrough().on("data", (c: Buffer) => (err += c.toString()));
  const code = await pluginCommand(pod, { kubeconfig: w.kubeconfig, ...opts }, { env: {}, stdout, stderr, now: () => w.clock.now() });
  return { code, out, err };
}

describe("kubectl podhealth, in process", () => {
  test("with the operator: the pod's PodHealthReport, as written", async () => {
    const w = await world("with-crd", true);
    const { pod, events } = podAndEvents(w, "api");
    const report = buildReport({ pod, events, now: new Date(w.clock.now()), options: reportOptions() });
    report.status.message = "as the operator wrote it";
    w.cluster.store.create(RESOURCE_KEY, report as never);
    const r = await plugin(w, "api");
    expect(r).toMatchObject({ code: 0, err: "" });
    expect(r.out.split("\n")[0]).toBe("default/api: from its PodHealthReport, observed 0s ago");
    expect(r.out).toContain("\nWhat to check   as the operator wrote it\n");
    expect(r.out).toMatch(/\nSTATUS {10}CrashLoopBackOff {3}READY 0\/1/);

    // A pod with no report (mode unhealthy keeps none for healthy pods): derived, and said so.
    const web = await plugin(w, "web", { namespace: "default" });
    expect(web.out.split("\n")[0]).toMatch(/^default\/web: no PodHealthReport for this pod .*: derived from the pod and its events, observed/);
    expect(web.out).toContain("\nHealth          Healthy\n");

    // -A: the reports that are not healthy; web has none, api's is listed.
    const all = await plugin(w, undefined, { allNamespaces: true });
    expect(all.out.split("\n")[0]).toMatch(/^NAMESPACE\s+NAME\s+STATUS/);
    expect(all.out.split("\n")[1]).toMatch(/^default\s+api\s+CrashLoopBackOff\s+0\/1/);
    expect(all.out).toContain("1 pod: 1 Unhealthy in any namespace (from the PodHealthReports)");
  });

  test("without the operator: derived from the pod and its events, exactly as the operator's builder would", async () => {
    const w = await world("no-crd", false);
    const r = await plugin(w, "api");
    expect(r.code).toBe(0);
    expect(r.out.split("\n")[0]).toBe("default/api: the operator is not installed (no PodHealthReport CRD): derived from the pod and its events, observed 0s ago");
    const { pod, events } = podAndEvents(w, "api");
    const expected = deriveReport(pod, events, w.clock.now());
    expect(expected.status.crashLoop.count).toBeGreaterThan(0);
    expect(r.out).toContain(`\nCrash loops     ${expected.status.crashLoop.count}, the last entered`);
    expect(r.out).toContain(`\nSTATUS          ${expected.status.status}   READY ${expected.status.ready}   RESTARTS ${expected.status.restarts}`);

    const all = await plugin(w, undefined, { allNamespaces: true });
    expect(all.out.split("\n").filter((l) => /^default\s/.test(l)).map((l) => l.split(/\s+/)[1])).toEqual(["api"]);
    expect(all.out).toContain("(the operator is not installed (no PodHealthReport CRD): derived from the pods and their events)");
    // Without -A, the kubeconfig context's namespace (default): the same here; another namespace has none.
    expect((await plugin(w, undefined, {})).out).toContain("1 pod: 1 Unhealthy in namespace default");
    expect((await plugin(w, undefined, { namespace: "kube-system" })).out).toBe("No unhealthy pods in namespace kube-system (the operator is not installed (no PodHealthReport CRD): derived from the pods and their events).\n");
  });

  test("a pod that does not exist, and a pod with -A: clear errors", async () => {
    const w = await world("errors", false);
    expect(await plugin(w, "nope")).toEqual({ code: 1, out: "", err: 'error: pod "nope" not found in namespace "default"\n' });
    expect(await plugin(w, "api", { allNamespaces: true })).toEqual({ code: 2, out: "", err: "error: a pod name cannot be used with --all-namespaces\n" });
  });
});

if (!hasKubectl) console.warn(`kubectl plugin test skipped: no kubectl at ${KUBECTL} (set KUBECTL to its path)`);
(hasKubectl ? describe : describe.skip)("the real kubectl runs kubectl-podhealth", () => {
  test("kubectl plugin list finds it; kubectl podhealth POD and -A print through KUBECONFIG", async () => {
    const w = await world("kubectl", false);
    const bin = path.join(dir, "bin");
    await rm(bin, { recursive: true, force: true });
    await mkdir(bin);
    // As npm links a package's bin: a symlink with the bin's name, and the target made executable.
    await symlink(builtCli(), path.join(bin, "kubectl-podhealth"));
    await chmod(builtCli(), 0o755);
    const env = { ...process.env, PATH: [bin, path.dirname(process.execPath), process.env.PATH].join(path.delimiter), KUBECONFIG: w.kubeconfig, HOME: dir };
    const kubectl = (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
      new Promise((resolve) => {
        execFile(KUBECTL, args, { env, timeout: 30_000 }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
      });
    const list = await kubectl("plugin", "list");
    expect(list.stdout).toContain(path.join(bin, "kubectl-podhealth"));
    const one = await kubectl("podhealth", "api");
    expect([one.code, one.stderr]).toEqual([0, ""]);
    expect(one.stdout.split("\n")[0]).toMatch(/^default\/api: the operator is not installed/);
    expect(one.stdout).toMatch(/\nHealth {10}Unhealthy/);
    const all = await kubectl("podhealth", "-A");
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^default\s+api\s+/m);
    expect(all.stdout).not.toMatch(/^default\s+web\s+/m);
  });
});
